// The language and theme choices, shared by the header and the profile page (both show the
// same state: the i18n context and the theme store).
import type { SelectHTMLAttributes } from "react";

import { LANGUAGES, type Lang, useI18n } from "../i18n";
import { type Theme, useTheme } from "../theme";

type Extra = Omit<SelectHTMLAttributes<HTMLSelectElement>, "value" | "onChange">;

export function LanguageSelect(props: Extra) {
  const { lang, setLang } = useI18n();
  return (
    <select {...props} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
      {LANGUAGES.map((l) => (
        <option key={l.code} value={l.code} lang={l.code}>
          {l.name}
        </option>
      ))}
    </select>
  );
}

export function ThemeSelect(props: Extra) {
  const { t } = useI18n();
  const [theme, setTheme] = useTheme();
  return (
    <select {...props} value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
      <option value="system">{t("theme.system")}</option>
      <option value="light">{t("theme.light")}</option>
      <option value="dark">{t("theme.dark")}</option>
    </select>
  );
}
