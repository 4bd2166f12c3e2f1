// A new account: username, display name, email, role and a password, generated (then
// shown once) or typed. New accounts must change their password at the first sign-in
// unless an admin who typed one says otherwise.
import { type FormEvent, useId, useState } from "react";

import { post } from "../api/client";
import { useI18n } from "../i18n";
import { ErrorText } from "../components/ErrorText";
import { GENERATED, PasswordChoice, type PasswordValue } from "./PasswordChoice";
import { generatePassword } from "./password";
import { type Role, type UserView, assignableRoles, withOrg } from "../components/roles";
import type { Secret } from "./SecretOnce";

interface Props {
  me: Role;
  org: number | null;
  onCreated: (user: UserView, secret: Secret | null) => void;
}

export function CreateUserForm({ me, org, onCreated }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [password, setPassword] = useState<PasswordValue>(GENERATED);
  const [mustChange, setMustChange] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const secret = password.generate ? generatePassword() : password.password;
    try {
      const user = await post<UserView>(withOrg("/api/v1/users", org), {
        username: username.trim(),
        display_name: displayName.trim() || undefined,
        email: email.trim() || null,
        role,
        password: secret,
        must_change_password: password.generate || mustChange,
      });
      onCreated(user, password.generate ? { username: user.username, password: secret } : null);
      setUsername("");
      setDisplayName("");
      setEmail("");
      setRole("viewer");
      setPassword(GENERATED);
      setMustChange(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card admin-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("users.new")}</h2>
      <div className="form-grid">
        <div className="field">
          <label>
            {t("users.username")}
            <input
              name="username"
              required
              maxLength={32}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              aria-describedby={`${id}-username-hint`}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </label>
          <span id={`${id}-username-hint`} className="hint">
            {t("users.usernameHint")}
          </span>
        </div>
        <label>
          {t("users.displayName")}
          <input name="display_name" autoComplete="off" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <label>
          {t("users.email")}
          <input name="email" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <div className="field">
          <label htmlFor={`${id}-role`}>{t("users.role")}</label>
          <select id={`${id}-role`} name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {assignableRoles(me).map((r) => (
              <option key={r} value={r}>
                {t(`users.role.${r}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <PasswordChoice legend={t("users.password")} value={password} onChange={setPassword} />
      {!password.generate && (
        <label className="inline">
          <input type="checkbox" checked={mustChange} onChange={(e) => setMustChange(e.target.checked)} />
          {t("users.mustChangeOption")}
        </label>
      )}
      <ErrorText error={error} />
      <div>
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? t("users.creating") : t("users.create")}
        </button>
      </div>
    </form>
  );
}
