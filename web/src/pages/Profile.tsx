// Profile: your account, password, preferences, sessions, SSH access and personal API
// tokens. The sections live in src/profile/.
import "../profile/profile.css";

import { useI18n } from "../i18n";
import { Account } from "../profile/Account";
import { Preferences } from "../profile/Preferences";
import { Sessions } from "../profile/Sessions";
import { SshAccess } from "../profile/SshAccess";
import { Tokens } from "../profile/Tokens";
import { ChangePassword } from "./ChangePassword";

export default function Profile() {
  const { t } = useI18n();
  return (
    <div className="profile-page">
      <div className="page-head">
        <h1>{t("profile.title")}</h1>
      </div>
      <div className="profile-grid">
        <Account />
        <div className="profile-password">
          <ChangePassword />
        </div>
        <div className="profile-stack">
          <Preferences />
          <Sessions />
        </div>
        <SshAccess />
        <Tokens />
      </div>
    </div>
  );
}
