// Sign out everywhere: ends every session of this account, this one included, after which
// the app is back at the sign-in page.
import { post } from "../api/client";
import { useSession } from "../auth/session";
import { ConfirmButton } from "../components/ConfirmButton";
import { useI18n } from "../i18n";

export function Sessions() {
  const { t } = useI18n();
  const { logout } = useSession();
  /// A failure is shown in the question, which stays open.
  const signOutEverywhere = async () => {
    await post("/api/v1/auth/logout-all");
    // This session is over too: clear it here (the appliance answers 401, which is fine).
    await logout().catch(() => {});
  };
  return (
    <section className="card profile-card" aria-labelledby="profile-sessions">
      <h2 id="profile-sessions">{t("profile.sessions")}</h2>
      <p id="profile-sessions-hint">{t("profile.logoutAllHint")}</p>
      <ConfirmButton
        danger
        label={t("profile.logoutAll")}
        title={t("profile.logoutAll")}
        confirmLabel={t("profile.logoutAll")}
        busyLabel={t("profile.logoutAllBusy")}
        onConfirm={signOutEverywhere}
      >
        <p>{t("profile.logoutAllConfirm")}</p>
      </ConfirmButton>
    </section>
  );
}
