// Translation: a context holding the current language's dictionary, `t(key, params)` with
// `{name}` placeholders and `_one`/`_other` plural keys, and the choice persisted in
// localStorage. English is bundled; the other dictionaries load on demand, so the first
// load carries one language.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { en, type Key, type Messages } from "./locales/en";
import { type Lang, STORAGE_KEY, locale, pickLanguage } from "./languages";

export type { Key } from "./locales/en";
export { LANGUAGES, type Lang } from "./languages";

const loaders: Record<Exclude<Lang, "en">, () => Promise<Messages>> = {
  es: () => import("./locales/es").then((m) => m.es),
  fr: () => import("./locales/fr").then((m) => m.fr),
  ru: () => import("./locales/ru").then((m) => m.ru),
  de: () => import("./locales/de").then((m) => m.de),
  pt: () => import("./locales/pt").then((m) => m.pt),
  it: () => import("./locales/it").then((m) => m.it),
  nl: () => import("./locales/nl").then((m) => m.nl),
  ja: () => import("./locales/ja").then((m) => m.ja),
  zh: () => import("./locales/zh").then((m) => m.zh),
  ko: () => import("./locales/ko").then((m) => m.ko),
};

export async function loadMessages(lang: Lang): Promise<Messages> {
  return lang === "en" ? en : loaders[lang]();
}

export type Params = Record<string, string | number>;
export type Translate = (key: Key, params?: Params) => string;

/// `t` over one dictionary; numeric parameters are formatted for the language; plural keys pick `_one`/`_other` (and the other CLDR forms a
/// language has, falling back to `_other`) by `params.count`.
export function translator(messages: Messages, lang: Lang): Translate {
  const rules = new Intl.PluralRules(locale(lang));
  // Numbers in messages are written the language's way (1,001 / 1 001 / 1.001).
  const numbers = new Intl.NumberFormat(locale(lang));
  const table = messages as Record<string, string>;
  return (key, params) => {
    let text = table[key];
    if (params && typeof params.count === "number" && key.endsWith("_other")) {
      const base = key.slice(0, -"_other".length);
      text = table[`${base}_${rules.select(params.count)}`] ?? table[key];
    }
    text ??= (en as Record<string, string>)[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m, name: string) => {
      const v = params[name];
      return v === undefined ? m : typeof v === "number" ? numbers.format(v) : v;
    });
  };
}

interface I18n {
  lang: Lang;
  locale: string;
  t: Translate;
  setLang: (lang: Lang) => void;
}

const Ctx = createContext<I18n>({ lang: "en", locale: "en", t: translator(en, "en"), setLang: () => {} });

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() =>
    pickLanguage(localStorage.getItem(STORAGE_KEY), navigator.languages ?? [navigator.language]),
  );
  const [messages, setMessages] = useState<{ lang: Lang; messages: Messages }>({ lang: "en", messages: en });
  useEffect(() => {
    let live = true;
    loadMessages(lang).then((m) => live && setMessages({ lang, messages: m }));
    document.documentElement.lang = locale(lang);
    return () => {
      live = false;
    };
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo(
    () => ({ lang: messages.lang, locale: locale(messages.lang), t: translator(messages.messages, messages.lang), setLang }),
    [messages, setLang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  return useContext(Ctx);
}
