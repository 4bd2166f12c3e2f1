// For admins on a host's page: the Steward users who may log in on this host (uid, sudo),
// and what its agent last reported installing. Hidden for others (the appliance answers
// 403); a failure to read it says so in one line and leaves the rest of the page alone.
import "../access/access.css";

import { useEffect, useState } from "react";
import { Link } from "wouter";

import { ApiError, get } from "../api/client";
import type { HostAccounts } from "../access/types";
import { useSession } from "../auth/session";
import { atLeast } from "../components/roles";
import { TableHead } from "../components/TableHead";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";

export function AccessPanel({ hostId }: { hostId: number }) {
  const { t } = useI18n();
  const { session } = useSession();
  const admin = session ? atLeast(session.user.role, "admin") : false;
  const [data, setData] = useState<HostAccounts | null>(null);
  const [failed, setFailed] = useState<"hidden" | "error" | null>(null);
  useEffect(() => {
    if (!admin) return;
    let live = true;
    setData(null);
    setFailed(null);
    get<HostAccounts>(`/api/v1/hosts/${hostId}/accounts`)
      .then((d) => live && setData(d))
      .catch((e) => live && setFailed(e instanceof ApiError && (e.status === 403 || e.status === 404) ? "hidden" : "error"));
    return () => {
      live = false;
    };
  }, [admin, hostId]);
  if (!admin || failed === "hidden") return null;
  return (
    <section className="card access-panel" aria-labelledby="access-host-title" data-testid="host-access">
      <h2 id="access-host-title">{t("access.host.title")}</h2>
      {failed === "error" ? (
        <p className="muted">{t("access.host.unavailable")}</p>
      ) : data ? (
        <Body data={data} />
      ) : (
        <p className="muted">{t("app.loading")}</p>
      )}
    </section>
  );
}

function Body({ data }: { data: HostAccounts }) {
  const { t, locale } = useI18n();
  const users = [...data.users].sort((a, b) => a.username.localeCompare(b.username));
  const report = data.report ?? null;
  const at = report ? formatDateTime(locale, Date.parse(report.at)) : "";
  return (
    <>
      {users.length === 0 ? (
        <p className="muted">
          {t("access.host.empty")} <Link href="/access">{t("access.host.manage")}</Link>
        </p>
      ) : (
        <>
          <p className="hint">
            {t("access.host.intro")} <Link href="/access">{t("access.host.manage")}</Link>
          </p>
          <table className="access-table">
            <TableHead
              cols={{ user: t("access.host.col.user"), uid: t("access.host.col.uid"), sudo: t("access.host.col.sudo") }}
            />
            <tbody>
              {users.map((u) => (
                <tr key={u.username}>
                  <th scope="row">
                    {u.username}
                  </th>
                  <td className="num">{u.uid}</td>
                  <td>{u.sudo ? t("access.sudo.yes") : t("access.sudo.no")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3 className="sr-only">{t("access.host.sync")}</h3>
      {!report ? (
        <p className="hint">{t("access.host.never")}</p>
      ) : report.ok ? (
        <p>
          <span className="sync-ok">{t("access.host.ok", { time: at })}</span>{" "}
          <span className="muted">{report.version === data.version ? t("access.host.current") : t("access.host.behind")}</span>
        </p>
      ) : (
        <p className="sync-failed" role="status">
          {t("access.host.failed", { time: at, error: report.error || "—" })}
        </p>
      )}
    </>
  );
}
