// The organization's hosts as a table (stacked cards on a phone): kind, state, status, tags
// (editable for SSH hosts), how SSH hosts are reached and their pinned host key, the last
// error, and each host's actions.
import { Fragment, useState } from "react";
import { Link } from "wouter";

import { StatusBadge } from "../components/StatusBadge";
import { useNow } from "../components/useNow";
import { formatDateTime, formatRelative } from "../format";
import { useI18n } from "../i18n";
import { errorKey } from "../components/ErrorText";
import { HostActions } from "./HostActions";
import { editable, endpoint } from "./model";
import { TagEditor, Tags } from "./TagEditor";
import { TestResult } from "./TestResult";
import type { Host, SshKey, TestReport } from "./types";

const COLUMNS = 8;

export function HostsTable({ hosts, keys, onChanged }: { hosts: Host[]; keys: SshKey[]; onChanged: () => void }) {
  const { t } = useI18n();
  return (
    <div className="ha-scroll">
      <table className="ha-table" aria-labelledby="ha-hosts-title">
        <thead>
          <tr>
            <th scope="col">{t("hostsAdmin.col.name")}</th>
            <th scope="col">{t("hostsAdmin.col.kind")}</th>
            <th scope="col">{t("hostsAdmin.col.state")}</th>
            <th scope="col">{t("hostsAdmin.col.status")}</th>
            <th scope="col">{t("hostsAdmin.col.tags")}</th>
            <th scope="col">{t("hostsAdmin.col.connection")}</th>
            <th scope="col">{t("hostsAdmin.col.lastError")}</th>
            <th scope="col">{t("hostsAdmin.col.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {hosts.map((h) => (
            <HostRow key={h.id} host={h} keys={keys} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function HostRow({ host, keys, onChanged }: { host: Host; keys: SshKey[]; onChanged: () => void }) {
  const { t } = useI18n();
  const [report, setReport] = useState<TestReport | null>(null);
  return (
    <Fragment>
      <tr>
        <th scope="row" data-label={t("hostsAdmin.col.name")}>
          <div>
            <Link href={`/hosts/${host.id}`}>{host.name}</Link>
            {host.os && <span className="ha-sub muted">{host.os}</span>}
          </div>
        </th>
        <td data-label={t("hostsAdmin.col.kind")}>{t(`hostsAdmin.kind.${host.kind}`)}</td>
        <td data-label={t("hostsAdmin.col.state")}>
          <span className={`badge ha-state-${host.state ?? "approved"}`}>{t(`hostsAdmin.state.${host.state ?? "approved"}`)}</span>
        </td>
        <td data-label={t("hostsAdmin.col.status")}>
          <StatusBadge status={host.status} pending={host.state === "pending"} />
        </td>
        <td data-label={t("hostsAdmin.col.tags")}>{editable(host) ? <TagEditor host={host} onSaved={onChanged} /> : <Tags tags={host.tags} />}</td>
        <td data-label={t("hostsAdmin.col.connection")}>
          <Connection host={host} keys={keys} />
        </td>
        <td data-label={t("hostsAdmin.col.lastError")}>
          <LastError host={host} />
        </td>
        <td data-label={t("hostsAdmin.col.actions")}>
          <HostActions host={host} onChanged={onChanged} onTest={setReport} />
        </td>
      </tr>
      {report && (
        <tr className="ha-detail">
          <td colSpan={COLUMNS}>
            <div className="ha-detail-head">
              <h3>{t("hostsAdmin.test.titleFor", { name: host.name })}</h3>
              <button type="button" onClick={() => setReport(null)} aria-label={t("hostsAdmin.test.closeFor", { name: host.name })}>
                {t("hostsAdmin.close")}
              </button>
            </div>
            <TestResult report={report} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

function Connection({ host, keys }: { host: Host; keys: SshKey[] }) {
  const { t, locale } = useI18n();
  const s = host.ssh;
  if (host.kind !== "ssh" || !s) return <span className="muted">—</span>;
  const keyId = s.auth.method === "key" ? s.auth.key_id : null;
  const auth =
    keyId === null
      ? t("hostsAdmin.auth.password")
      : t("hostsAdmin.auth.keyNamed", { name: keys.find((k) => k.id === keyId)?.name ?? `#${keyId}` });
  return (
    <div className="ha-conn">
      <span>
        <code>{`${s.username}@${endpoint(s.address, s.port)}`}</code>
        {!s.enabled && <span className="badge status-disabled">{t("status.disabled")}</span>}
      </span>
      <span className="muted">{auth}</span>
      {s.host_key ? (
        <span className="ha-sub" title={formatDateTime(locale, Date.parse(s.host_key.pinned_at))}>
          <span className="muted">{t(s.host_key.source === "admin" ? "hostsAdmin.pinnedByAdmin" : "hostsAdmin.pinnedFirstUse")} </span>
          <code className="ha-fp">{s.host_key.fingerprint}</code>
        </span>
      ) : (
        <span className="muted ha-sub">{t("hostsAdmin.notPinned")}</span>
      )}
    </div>
  );
}

function LastError({ host }: { host: Host }) {
  const { t, locale } = useI18n();
  const now = useNow(30_000);
  const e = host.poll?.last_error;
  if (!e) return <span className="muted">—</span>;
  const key = errorKey(e.code);
  return (
    <div className="ha-lasterror">
      <span className="error">{key ? t(key) : e.message}</span>
      {key && <span className="hint">{e.message}</span>}
      <time className="hint" dateTime={new Date(e.at_ms).toISOString()} title={formatDateTime(locale, e.at_ms)}>
        {formatRelative(locale, Math.min(e.at_ms, now), now)}
      </time>
    </div>
  );
}
