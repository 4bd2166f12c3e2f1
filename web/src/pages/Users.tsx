// Users (admins): the accounts of the organization with their role and state, and what an
// admin does to them: create, change the role, reset the password, disable or enable,
// unlock, delete. Superadmins pick the organization and manage organizations below.
import { useId, useState } from "react";

import { del, patch, post } from "../api/client";
import { useSession } from "../auth/session";
import { useI18n } from "../i18n";
import "../admin/admin.css";
import { AdminOnly } from "../components/AdminOnly";
import { ErrorText } from "../components/ErrorText";
import { CreateUserForm } from "../admin/CreateUserForm";
import { OrgsSection } from "../admin/OrgsSection";
import { type Secret, SecretOnce } from "../admin/SecretOnce";
import { type Dialog, UserDialog } from "../admin/UserDialogs";
import { UserTable } from "../admin/UserTable";
import { type UserView, withOrg } from "../components/roles";
import { useList } from "../components/useList";
import { useOrgs } from "../components/useOrgs";

export default function Users() {
  return (
    <AdminOnly>
      <UsersPage />
    </AdminOnly>
  );
}

function UsersPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const me = session!.user;
  const superadmin = me.role === "superadmin";
  const pickerId = useId();
  const { orgs, error: orgsError, reload: reloadOrgs } = useOrgs(superadmin);
  /// Superadmins act in the organization they pick (`?org=`); admins in their own.
  const [org, setOrg] = useState<number>(me.org);
  const scope = superadmin ? org : null;
  // A list for an organization no longer shown is dropped (useList).
  const list = useList<UserView>(withOrg("/api/v1/users", scope));
  const error = list.error;
  // Null until read, or when the read failed with nothing to show.
  const users = list.loaded && !(error && list.items.length === 0) ? [...list.items].sort(byName) : null;
  const [actionError, setActionError] = useState<unknown>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [secret, setSecret] = useState<Secret | null>(null);
  const [status, setStatus] = useState("");
  const [busyId, setBusyId] = useState<number | null>(null);

  const replace = (changed: UserView | null, removedId?: number) =>
    list.update((items) =>
      changed ? items.map((u) => (u.id === changed.id ? changed : u)) : items.filter((u) => u.id !== removedId),
    );

  /// Enable and unlock need no confirmation: they take nothing away.
  const quick = async (u: UserView, action: "enable" | "unlock") => {
    setBusyId(u.id);
    setActionError(null);
    setStatus("");
    try {
      const path = withOrg(`/api/v1/users/${u.id}${action === "unlock" ? "/unlock" : ""}`, scope);
      const changed =
        action === "unlock" ? await post<UserView>(path) : await patch<UserView>(path, { disabled: false });
      replace(changed);
      setStatus(t(action === "unlock" ? "users.done.unlocked" : "users.done.enabled", { name: u.username }));
    } catch (err) {
      setActionError(err);
    } finally {
      setBusyId(null);
    }
  };

  /// Disable and delete are asked first by the table, which shows a failure in its question.
  const disable = async (u: UserView) => {
    setStatus("");
    setActionError(null);
    replace(await patch<UserView>(withOrg(`/api/v1/users/${u.id}`, scope), { disabled: true }));
    setStatus(t("users.done.disabled", { name: u.username }));
  };
  const remove = async (u: UserView) => {
    setStatus("");
    setActionError(null);
    await del(withOrg(`/api/v1/users/${u.id}`, scope));
    replace(null, u.id);
    setStatus(t("users.done.deleted", { name: u.username }));
  };

  return (
    <section className="admin-page">
      <header className="page-head">
        <h1>{t("nav.users")}</h1>
        {users && <span className="muted">{t("users.count_other", { count: users.length })}</span>}
        {superadmin && orgs.length > 0 && (
          <span className="org-picker">
            <label htmlFor={pickerId}>{t("orgs.pick")}</label>
            <select id={pickerId} value={org} onChange={(e) => setOrg(Number(e.target.value))}>
              {orgs.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </span>
        )}
      </header>
      <p className="success status-line" role="status">
        {status}
      </p>
      <ErrorText error={error} />
      <ErrorText error={actionError} />
      {secret && <SecretOnce secret={secret} onDone={() => setSecret(null)} />}
      {users === null && !error ? (
        <p className="loading">{t("app.loading")}</p>
      ) : users && users.length === 0 ? (
        <p className="empty">{t("users.empty")}</p>
      ) : (
        users && (
          <UserTable
            users={users}
            me={me}
            busyId={busyId}
            onDialog={(d) => {
              setStatus("");
              setActionError(null);
              setDialog(d);
            }}
            onEnable={(u) => void quick(u, "enable")}
            onUnlock={(u) => void quick(u, "unlock")}
            onDisable={disable}
            onDelete={remove}
          />
        )
      )}
      <CreateUserForm
        me={me.role}
        org={scope}
        onCreated={(user, s) => {
          list.update((items) => [...items, user]);
          setStatus(t("users.done.created", { name: user.username }));
          setSecret(s);
        }}
      />
      {dialog && (
        <UserDialog
          dialog={dialog}
          me={me.role}
          org={scope}
          onClose={() => setDialog(null)}
          onDone={(user, message, s) => {
            replace(user);
            setDialog(null);
            setStatus(message);
            setSecret(s ?? null);
          }}
        />
      )}
      {superadmin && (
        <OrgsSection
          orgs={orgs}
          error={orgsError}
          onCreated={() => {
            void reloadOrgs();
          }}
        />
      )}
    </section>
  );
}

function byName(a: UserView, b: UserView): number {
  return a.username.localeCompare(b.username);
}
