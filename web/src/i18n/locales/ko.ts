// Korean, one file per area in ko/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./ko/core";
import { hosts } from "./ko/hosts";
import { admin } from "./ko/admin";
import { profile } from "./ko/profile";
import { access } from "./ko/access";

export const ko = { ...core, ...hosts, ...admin, ...profile, ...access } satisfies Messages;
