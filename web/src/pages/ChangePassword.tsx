// Password change: forced after a first sign-in or an admin's reset (the whole app waits
// behind it), or chosen from the profile.
import { type FormEvent, useState } from "react";

import { post } from "../api/client";
import { useSession } from "../auth/session";
import { ErrorText } from "../components/ErrorText";
import { TextField } from "../components/TextField";
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
      <TextField
        label={t("password.current")}
        name="current"
        type="password"
        autoComplete="current-password"
        value={current}
        onValue={setCurrent}
      />
      <TextField
        label={t("password.new")}
        name="new"
        type="password"
        autoComplete="new-password"
        minLength={12}
        aria-describedby="password-hint"
        value={next}
        onValue={setNext}
      />
      <p id="password-hint" className="hint">
        {t("password.hint")}
      </p>
      <TextField
        label={t("password.confirm")}
        name="confirm"
        type="password"
        autoComplete="new-password"
        value={again}
        onValue={setAgain}
      />
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
