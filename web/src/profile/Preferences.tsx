// Language and theme as explicit preferences (the header offers the same, unlabelled).
import { useEffect } from "react";

import { LANGUAGES, type Lang, useI18n } from "../i18n";
import { type Theme, useTheme } from "../theme";

export function Preferences() {
  const { t, lang, setLang } = useI18n();
  const [theme, setTheme] = useTheme();
  // The header keeps its own theme state: follow its choices (it marks them on <html>).
  useEffect(() => {
    const root = document.documentElement;
    const observer = new MutationObserver(() => {
      const marked = root.getAttribute("data-theme");
      setTheme(marked === "light" || marked === "dark" ? marked : "system");
    });
    observer.observe(root, { attributes: true, attributeFilter: ["data-theme"] });
    return () => observer.disconnect();
  }, [setTheme]);
  return (
    <section className="card profile-card" aria-labelledby="profile-prefs">
      <h2 id="profile-prefs">{t("profile.preferences")}</h2>
      <div className="profile-fields">
        <label>
          {t("profile.language")}
          <select
            value={lang}
            onChange={(e) => setLang(e.target.value as Lang)}
            aria-describedby="profile-prefs-hint"
            data-testid="profile-language"
          >
            {LANGUAGES.map((l) => (
              <option key={l.code} value={l.code} lang={l.code}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("profile.theme")}
          <select
            value={theme}
            onChange={(e) => setTheme(e.target.value as Theme)}
            aria-describedby="profile-prefs-hint"
            data-testid="profile-theme"
          >
            <option value="system">{t("theme.system")}</option>
            <option value="light">{t("theme.light")}</option>
            <option value="dark">{t("theme.dark")}</option>
          </select>
        </label>
      </div>
      <p id="profile-prefs-hint" className="hint">
        {t("profile.prefsHint")}
      </p>
    </section>
  );
}
