// The eleven languages of the UI, in their own names, and how the browser's preference
// picks one.
export const LANGUAGES = [
  { code: "en", name: "English" },
  { code: "es", name: "Español" },
  { code: "fr", name: "Français" },
  { code: "ru", name: "Русский" },
  { code: "de", name: "Deutsch" },
  { code: "pt", name: "Português" },
  { code: "it", name: "Italiano" },
  { code: "nl", name: "Nederlands" },
  { code: "ja", name: "日本語" },
  { code: "zh", name: "简体中文" },
  { code: "ko", name: "한국어" },
] as const;

export type Lang = (typeof LANGUAGES)[number]["code"];

export const STORAGE_KEY = "steward.lang";

export function isLang(code: string | null | undefined): code is Lang {
  return LANGUAGES.some((l) => l.code === code);
}

/// The saved choice, else the first of the browser's languages we have (by its primary
/// subtag: `pt-BR` → `pt`, `zh-Hans-CN` → `zh`), else English.
export function pickLanguage(saved: string | null, preferred: readonly string[]): Lang {
  if (isLang(saved)) return saved;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split("-")[0];
    if (isLang(primary)) return primary;
  }
  return "en";
}

/// The BCP 47 tag Intl formats with: Simplified Chinese is `zh-CN`.
export function locale(lang: Lang): string {
  return lang === "zh" ? "zh-CN" : lang;
}
