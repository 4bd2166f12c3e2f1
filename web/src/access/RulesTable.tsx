// The access rules: who may log in where, with sudo or not, since when; each can be revoked
// (asked first). On a phone each rule is a card of labelled lines.
import { ConfirmButton } from "../components/ConfirmButton";
import { TableHead } from "../components/TableHead";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { type Names, describeTarget } from "./model";
import type { RuleView } from "./types";

interface Props {
  rules: readonly RuleView[];
  hosts: Names;
  /// Asked first; a failure is shown in the question.
  onRevoke: (rule: RuleView, where: string) => Promise<void>;
}

export function RulesTable({ rules, hosts, onRevoke }: Props) {
  const { t, locale } = useI18n();
  const cols = {
    user: t("access.col.user"),
    where: t("access.col.where"),
    sudo: t("access.col.sudo"),
    created: t("access.col.created"),
    actions: t("access.col.actions"),
  };
  return (
    <div className="admin-table-wrap">
      <table className="admin-table" data-testid="access-rules">
        <caption className="sr-only">{t("access.rules")}</caption>
        <TableHead cols={cols} />
        <tbody>
          {rules.map((r) => {
            const where = describeTarget(t, locale, r, hosts);
            // Every host by name where the row shortens the list (up to a screenful).
            const full = describeTarget(t, locale, r, hosts, 50);
            return (
              <tr key={r.id}>
                <th scope="row" data-label={cols.user}>
                  <span className="mono">{r.username}</span>
                </th>
                <td data-label={cols.where}>
                  <span className="break" title={full !== where ? full : undefined}>
                    {where}
                  </span>
                </td>
                <td data-label={cols.sudo}>
                  {r.sudo ? (
                    <span className="badge role-admin">{t("access.sudo.yes")}</span>
                  ) : (
                    <span className="muted">{t("access.sudo.no")}</span>
                  )}
                </td>
                <td data-label={cols.created}>{formatDateTime(locale, Date.parse(r.created_at))}</td>
                <td data-label={cols.actions}>
                  <div className="row-actions">
                    <ConfirmButton
                      danger
                      label={t("access.revoke")}
                      ariaLabel={t("access.revokeFor", { user: r.username, where })}
                      title={t("access.revokeTitle", { user: r.username })}
                      confirmLabel={t("access.revoke")}
                      busyLabel={t("access.revoking")}
                      onConfirm={() => onRevoke(r, where)}
                    >
                      <p>{t("access.revokeExplain", { user: r.username, where: full })}</p>
                    </ConfirmButton>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
