// Access (/access, organization admins): who may log in to the hosts over SSH, where, and
// with sudo or not; and the organization's Unix groups. Parts live in ../access/. The UI
// calls the central-accounts area "access" everywhere, as the API (/access-rules) and the
// CLI (`steward access`) do: this route, that folder, the `access.*` translation keys
// (locales/*/access.ts) and the host page's AccessPanel.
import "../admin/admin.css";
import "../access/access.css";

import { useState } from "react";

import { ApiError, del } from "../api/client";
import { AdminOnly } from "../components/AdminOnly";
import { ErrorText } from "../components/ErrorText";
import type { UserView } from "../components/roles";
import { GrantForm } from "../access/GrantForm";
import { GroupsSection } from "../access/GroupsSection";
import { sortRules } from "../access/model";
import { RulesTable } from "../access/RulesTable";
import type { RuleView } from "../access/types";
import { useList } from "../components/useList";
import type { Host } from "../hostsadmin/types";
import { useI18n } from "../i18n";

export default function Access() {
  return (
    <AdminOnly message="access.adminOnly">
      <AccessPage />
    </AdminOnly>
  );
}

function AccessPage() {
  const { t } = useI18n();
  const rules = useList<RuleView>("/api/v1/access-rules");
  const users = useList<UserView>("/api/v1/users");
  const hosts = useList<Host>("/api/v1/hosts");
  const [status, setStatus] = useState("");
  const people = [...users.items].sort((a, b) => a.username.localeCompare(b.username));
  const userNames = new Map(people.map((u) => [u.id, u.username]));
  const hostNames = new Map(hosts.items.map((h) => [h.id, h.name]));
  const hostList = [...hosts.items].sort((a, b) => a.name.localeCompare(b.name));
  const list = sortRules(rules.items);

  const revoke = async (rule: RuleView, where: string) => {
    setStatus("");
    try {
      await del(`/api/v1/access-rules/${rule.id}`);
    } catch (e) {
      // Already revoked elsewhere is what was wanted.
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
    setStatus(t("access.revoked", { user: rule.username, where }));
    await rules.reload();
  };

  return (
    <section className="admin-page access-page">
      <header className="page-head">
        <h1>{t("access.title")}</h1>
      </header>
      <p className="hint access-intro">{t("access.intro")}</p>
      <p className="success status-line" role="status">
        {status}
      </p>
      <ErrorText error={rules.error ?? users.error ?? hosts.error} />
      <section className="admin-section" aria-labelledby="access-rules-title">
        <h2 id="access-rules-title">{t("access.rules")}</h2>
        {!rules.loaded && <p className="loading">{t("app.loading")}</p>}
        {rules.loaded && list.length === 0 && !rules.error && (
          <div className="card access-empty">
            <p className="access-empty-head">{t("access.empty.title")}</p>
            <p>{t("access.empty.text")}</p>
            <p className="hint">{t("access.empty.setup")}</p>
          </div>
        )}
        {list.length > 0 && <RulesTable rules={list} hosts={hostNames} onRevoke={revoke} />}
        {users.loaded && people.length === 0 && !users.error ? (
          <p className="card empty">{t("access.grant.noUsers")}</p>
        ) : (
          <GrantForm
            users={people}
            hosts={hostList}
            onGranted={(rule) => {
              const name = userNames.get(rule.user_id) ?? t("access.unknownUser", { id: String(rule.user_id) });
              setStatus(t("access.granted", { user: name }));
              void rules.reload();
            }}
          />
        )}
      </section>
      <GroupsSection people={people.map((u) => ({ id: u.id, label: u.username }))} names={userNames} onStatus={setStatus} />
    </section>
  );
}
