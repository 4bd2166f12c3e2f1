// Sign out everywhere: ends every session of this account, this one included, after which
// the app is back at the sign-in page.
import { useState } from "react";

import { post } from "../api/client";
import { useSession } from "../auth/session";
import { ErrorText } from "../components/ErrorText";
import { useI18n } from "../i18n";
import { ConfirmButton } from "./ConfirmButton";

export function Sessions() {
  const { t } = useI18n();
  const { logout } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const signOutEverywhere = async () => {
    setBusy(true);
    setError(null);
    try {
      await post("/api/v1/auth/logout-all");
    } catch (e) {
      setError(e);
      setBusy(false);
      return;
    }
    // This session is over too: clear it here (the appliance answers 401, which is fine).
    await logout().catch(() => {});
  };
  return (
    <section className="card profile-card" aria-labelledby="profile-sessions">
      <h2 id="profile-sessions">{t("profile.sessions")}</h2>
      <p id="profile-sessions-hint">{t("profile.logoutAllHint")}</p>
      <ConfirmButton
        label={t("profile.logoutAll")}
        question={t("profile.logoutAllConfirm")}
        confirmLabel={t("profile.logoutAll")}
        busyLabel={t("profile.logoutAllBusy")}
        busy={busy}
        onConfirm={() => void signOutEverywhere()}
      />
      <ErrorText error={error} />
    </section>
  );
}
