// English: the reference dictionary, one file per area in en/. Every other language must
// have exactly these keys (checked by the compiler through `Messages`, and by i18n.test.ts).
import { core } from "./en/core";
import { hosts } from "./en/hosts";
import { admin } from "./en/admin";
import { profile } from "./en/profile";
import { access } from "./en/access";

export const en = { ...core, ...hosts, ...admin, ...profile, ...access } as const;

export type Key = keyof typeof en;
/// Plural keys may add the CLDR forms English lacks (Russian has `_few` and `_many`).
export type Messages = Record<Key, string> & { [plural: `${string}_${"zero" | "two" | "few" | "many"}`]: string };
