// Audit entries, newest first: when (in the user's locale), who, what (in words, with the
// action's code), on what, with what outcome, and the details (note, address, browser).
import type { components } from "../api/schema";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { actionLabel } from "./auditActions";

export type Entry = components["schemas"]["Entry"];

interface Props {
  entries: Entry[];
  /// Organization names by id, for superadmins (who see every organization).
  orgNames: Map<number, string> | null;
}

export function AuditTable({ entries, orgNames }: Props) {
  const { t, locale } = useI18n();
  const cols = {
    seq: t("audit.seq"),
    at: t("audit.time"),
    org: t("audit.org"),
    actor: t("audit.actor"),
    action: t("audit.action"),
    target: t("audit.target"),
    outcome: t("audit.outcome"),
    details: t("audit.details"),
  };
  const shown = Object.entries(cols).filter(([k]) => k !== "org" || orgNames);
  return (
    <div className="admin-table-wrap">
      <table className="admin-table audit-table">
        <caption className="sr-only">{t("audit.tableCaption")}</caption>
        <thead>
          <tr>
            {shown.map(([k, label]) => (
              <th key={k} scope="col">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const label = actionLabel(t, e.action);
            return (
              <tr key={e.seq}>
                <td data-label={cols.seq} className="num muted">
                  #{e.seq}
                </td>
                <th scope="row" data-label={cols.at} className="nowrap">
                  <time dateTime={e.at}>{formatDateTime(locale, Date.parse(e.at))}</time>
                </th>
                {orgNames && <td data-label={cols.org}>{orgNames.get(e.org) ?? e.org}</td>}
                <td data-label={cols.actor}>
                  <span className="mono">{e.actor}</span>
                </td>
                <td data-label={cols.action}>
                  {label ? (
                    <span className="action" title={e.action}>
                      {label} <code className="code">{e.action}</code>
                    </span>
                  ) : (
                    <code className="code">{e.action}</code>
                  )}
                </td>
                <td data-label={cols.target} className="break">
                  <span className="mono">{e.target}</span>
                </td>
                <td data-label={cols.outcome}>
                  <span className={`badge outcome-${e.outcome}`}>{t(`audit.outcome.${e.outcome}`)}</span>
                </td>
                <td data-label={cols.details} className="break">
                  <span>
                    {e.detail && <span className="detail">{e.detail}</span>}
                    {e.ip && (
                      <span className="muted small ip" title={e.user_agent ?? undefined}>
                        {t("audit.fromIp", { ip: e.ip })}
                      </span>
                    )}
                    {!e.detail && !e.ip && <span className="muted">—</span>}
                  </span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
