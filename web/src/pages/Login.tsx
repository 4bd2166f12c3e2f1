// Sign-in. Lockout and rate-limit answers are shown as sentences (see ErrorText).
import { type FormEvent, useState } from "react";

import { useSession } from "../auth/session";
import { ErrorText } from "../components/ErrorText";
import { TextField } from "../components/TextField";
import { useI18n } from "../i18n";

export function Login() {
  const { login } = useSession();
  const { t } = useI18n();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username, password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          <img src="/favicon.svg" alt="" width={28} height={28} /> {t("login.title")}
        </h1>
        <TextField label={t("login.username")} name="username" autoComplete="username" autoFocus value={username} onValue={setUsername} />
        <TextField
          label={t("login.password")}
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onValue={setPassword}
        />
        <ErrorText error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("login.busy") : t("login.submit")}
        </button>
        <p className="hint">{t("login.firstRun")}</p>
      </form>
    </main>
  );
}
