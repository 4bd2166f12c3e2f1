import { describe, expect, it } from "vitest";

import { LANGUAGES, loadMessages, translator } from ".";
import { pickLanguage } from "./languages";
import { en } from "./locales/en";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const PLURAL_EXTRA = /_(zero|two|few|many)$/;

describe("i18n", () => {
  it("every language translates every key, keeping its placeholders", async () => {
    for (const { code } of LANGUAGES) {
      const messages = (await loadMessages(code)) as Record<string, string>;
      for (const [key, text] of Object.entries(en)) {
        expect(messages[key], `${code}: ${key}`).toBeTruthy();
        expect(placeholders(messages[key] ?? ""), `${code}: ${key}`).toEqual(placeholders(text));
      }
      const extra = Object.keys(messages).filter((k) => !(k in en) && !PLURAL_EXTRA.test(k));
      expect(extra, code).toEqual([]);
    }
  });

  it("picks the saved language, else the browser's, else English", () => {
    expect(pickLanguage("ru", ["es-ES"])).toBe("ru");
    expect(pickLanguage(null, ["pt-BR", "en"])).toBe("pt");
    expect(pickLanguage(null, ["zh-Hans-CN"])).toBe("zh");
    expect(pickLanguage("xx", ["sv", "fi"])).toBe("en");
  });

  it("chooses plural forms by the language's rules and fills placeholders", async () => {
    const ru = translator(await loadMessages("ru"), "ru");
    const forms = [1, 3, 5].map((count) => ru("overview.count_other", { count }));
    expect(new Set(forms).size).toBe(3);
    const t = translator(en, "en");
    expect(t("overview.count_other", { count: 1 })).toBe("1 host");
    expect(t("overview.count_other", { count: 2 })).toBe("2 hosts");
    expect(t("overview.shown", { shown: 1, total: 9 })).toBe("1 of 9 shown");
    expect(t("overview.count_other", { count: 1001 })).toBe("1,001 hosts");
    const de = translator(await loadMessages("de"), "de");
    expect(de("overview.count_other", { count: 1001 })).toContain("1.001");
  });
});
