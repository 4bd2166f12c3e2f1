// Machines that enrolled with an ingest key and wait for an admin: what they call
// themselves, which key they used and when, and Approve / Reject.
import { Link } from "wouter";

import { useNow } from "../components/useNow";
import { formatDateTime, formatRelative } from "../format";
import { useI18n } from "../i18n";
import { HostActions } from "./HostActions";
import type { Host, IngestKey } from "./types";

export function PendingHosts({ hosts, keys, onChanged }: { hosts: Host[]; keys: IngestKey[]; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const now = useNow(30_000);
  if (hosts.length === 0) return null;
  return (
    <section className="card ha-section ha-pending" aria-labelledby="ha-pending-title">
      <h2 id="ha-pending-title">{t("hostsAdmin.pendingTitle_other", { count: hosts.length })}</h2>
      <p className="hint">{t("hostsAdmin.pendingHint")}</p>
      <ul className="ha-cards">
        {hosts.map((h) => {
          const key = keys.find((k) => k.id === h.ingest_key);
          const at = Date.parse(h.created_at);
          return (
            <li key={h.id} className="ha-card">
              <div className="ha-card-main">
                <Link href={`/hosts/${h.id}`} className="ha-strong">
                  {h.name}
                </Link>
                <dl className="ha-facts">
                  <div>
                    <dt>{t("hostsAdmin.machineId")}</dt>
                    <dd>
                      <code className="ha-fp">{h.fingerprint}</code>
                    </dd>
                  </div>
                  {h.os && (
                    <div>
                      <dt>{t("fact.os")}</dt>
                      <dd>{h.os}</dd>
                    </div>
                  )}
                  <div>
                    <dt>{t("hostsAdmin.enrolledWith")}</dt>
                    <dd>{key ? key.name : h.ingest_key != null ? `#${h.ingest_key}` : "—"}</dd>
                  </div>
                  <div>
                    <dt>{t("hostsAdmin.registered")}</dt>
                    <dd>
                      <time dateTime={h.created_at} title={formatDateTime(locale, at)}>
                        {formatRelative(locale, Math.min(at, now), now)}
                      </time>
                    </dd>
                  </div>
                </dl>
              </div>
              <HostActions host={h} onChanged={onChanged} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
