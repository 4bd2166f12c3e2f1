// Creating a personal API token: a name, a role up to your own, and a lifetime.
import { type FormEvent, useState } from "react";

import { post } from "../api/client";
import { ErrorText } from "../components/ErrorText";
import { type Role, rolesUpTo } from "../components/roles";
import { useI18n } from "../i18n";
import {
  type CreatedToken,
  DEFAULT_EXPIRY,
  EXPIRY_CHOICES,
  type Expiry,
  expiryDays,
  newTokenRequest,
} from "./tokens";

export function TokenForm({ ownRole, onCreated }: { ownRole: Role; onCreated: (created: CreatedToken) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  // The least a script needs is usually reading: start there.
  const [role, setRole] = useState<Role>("viewer");
  const [expiry, setExpiry] = useState<Expiry>(DEFAULT_EXPIRY);
  const [invalid, setInvalid] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body = newTokenRequest(name, role, expiry);
    setInvalid(body === null);
    if (body === null) return;
    setBusy(true);
    try {
      const created = await post<CreatedToken>("/api/v1/tokens", body);
      setName("");
      onCreated(created);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="token-form" onSubmit={submit} aria-labelledby="token-form-title" noValidate>
      <h3 id="token-form-title">{t("tokens.create")}</h3>
      <div className="profile-fields">
        <label className="grow">
          {t("tokens.name")}
          <input
            name="token-name"
            autoComplete="off"
            required
            value={name}
            aria-invalid={invalid}
            aria-describedby={invalid ? "token-name-hint token-name-error" : "token-name-hint"}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label>
          {t("tokens.role")}
          <select name="token-role" value={role} onChange={(e) => setRole(e.target.value as Role)} aria-describedby="token-role-hint">
            {rolesUpTo(ownRole).map((r) => (
              <option key={r} value={r}>
                {t(`profile.role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("tokens.expiry")}
          <select name="token-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value as Expiry)}>
            {EXPIRY_CHOICES.map((c) => {
              const days = expiryDays(c);
              return (
                <option key={c} value={c}>
                  {days === undefined ? t("tokens.expiry.never") : t("tokens.expiry.days_other", { count: days })}
                </option>
              );
            })}
          </select>
        </label>
      </div>
      <p id="token-name-hint" className="hint">
        {t("tokens.nameHint")}
      </p>
      <p id="token-role-hint" className="hint">
        {t("tokens.roleHint")}
      </p>
      {invalid && (
        <p id="token-name-error" className="error" role="alert">
          {t("tokens.nameInvalid")}
        </p>
      )}
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
        {busy ? t("tokens.creating") : t("tokens.submit")}
      </button>
    </form>
  );
}
