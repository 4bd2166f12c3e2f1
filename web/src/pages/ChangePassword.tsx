// Password change: forced after a first sign-in or an admin's reset (the whole app waits
// behind it), or chosen from the profile.
import { type FormEvent, useState } from "react";

import { post } from "../api/client";
import { useSession } from "../auth/session";
import { ErrorText } from "../components/ErrorText";
import { useI18n } from "../i18n";

export function ChangePassword({ forced = false }: { forced?: boolean }) {
  const { passwordChanged } = useSession();
  const { t } = useI18n();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    if (next !== again) {
      setError(new Error(t("password.mismatch")));
      return;
    }
    setBusy(true);
    try {
      await post("/api/v1/auth/password", { current_password: current, new_password: next });
      setDone(true);
      setCurrent("");
      setNext("");
      setAgain("");
      passwordChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const form = (
    <form className="card auth-card" onSubmit={submit} aria-labelledby="password-title">
      {forced ? <h1 id="password-title">{t("password.title")}</h1> : <h2 id="password-title">{t("password.title")}</h2>}
      {forced && <p className="notice">{t("password.forced")}</p>}
      <label>
        {t("password.current")}
        <input
          name="current"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
      </label>
      <label>
        {t("password.new")}
        <input
          name="new"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          aria-describedby="password-hint"
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
      </label>
      <p id="password-hint" className="hint">
        {t("password.hint")}
      </p>
      <label>
        {t("password.confirm")}
        <input
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          value={again}
          onChange={(e) => setAgain(e.target.value)}
        />
      </label>
      {error instanceof Error && error.message === t("password.mismatch") ? (
        <p className="error" role="alert">
          {error.message}
        </p>
      ) : (
        <ErrorText error={error} />
      )}
      {done && (
        <p className="success" role="status">
          {t("password.changed")}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {t("password.submit")}
      </button>
    </form>
  );
  return forced ? (
    <main className="auth-page" id="main">
      {form}
    </main>
  ) : (
    form
  );
}
