// Language and theme as explicit preferences (the header offers the same, unlabelled).
import { LanguageSelect, ThemeSelect } from "../components/PreferenceSelects";
import { useI18n } from "../i18n";

export function Preferences() {
  const { t } = useI18n();
  return (
    <section className="card profile-card" aria-labelledby="profile-prefs">
      <h2 id="profile-prefs">{t("profile.preferences")}</h2>
      <div className="profile-fields">
        <label>
          {t("profile.language")}
          <LanguageSelect aria-describedby="profile-prefs-hint" data-testid="profile-language" />
        </label>
        <label>
          {t("profile.theme")}
          <ThemeSelect aria-describedby="profile-prefs-hint" data-testid="profile-theme" />
        </label>
      </div>
      <p id="profile-prefs-hint" className="hint">
        {t("profile.prefsHint")}
      </p>
    </section>
  );
}
