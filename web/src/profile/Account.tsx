// Who you are signed in as: the session's account, refreshed from /auth/me, and the name
// of its organization.
import { type ReactNode, useEffect, useState } from "react";

import { get } from "../api/client";
import type { components } from "../api/schema";
import { useSession } from "../auth/session";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { RoleName } from "./RoleName";
import { toMs } from "./tokens";

type S = components["schemas"];

export function Account() {
  const { session } = useSession();
  const { t, locale } = useI18n();
  const [fresh, setFresh] = useState<S["UserView"] | null>(null);
  const [org, setOrg] = useState<string | null>(null);
  const user = fresh ?? session?.user;
  const orgId = user?.org;
  useEffect(() => {
    let live = true;
    get<S["MeResponse"]>("/api/v1/auth/me")
      .then((me) => live && setFresh(me.user))
      .catch(() => {
        /* the session's copy is shown */
      });
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => {
    if (orgId == null) return;
    let live = true;
    get<S["Org"]>(`/api/v1/orgs/${orgId}`)
      .then((o) => live && setOrg(o.name))
      .catch(() => {
        /* the id is shown */
      });
    return () => {
      live = false;
    };
  }, [orgId]);
  if (!user) return null;
  const rows: [string, ReactNode][] = [
    [t("profile.username"), <span className="mono">{user.username}</span>],
    [t("profile.displayName"), user.display_name || <span className="muted">{t("profile.notSet")}</span>],
    [t("profile.email"), user.email || <span className="muted">{t("profile.notSet")}</span>],
    [t("profile.role"), <RoleName role={user.role} />],
    [t("profile.org"), org ?? t("profile.orgId", { id: user.org })],
    [t("profile.lastLogin"), formatDateTime(locale, toMs(user.last_login_at))],
    [t("profile.passwordChanged"), formatDateTime(locale, toMs(user.password_changed_at))],
  ];
  return (
    <section className="card profile-card" aria-labelledby="profile-account">
      <h2 id="profile-account">{t("profile.account")}</h2>
      <dl className="profile-facts">
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
