// Portuguese, one file per area in pt/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./pt/core";
import { hosts } from "./pt/hosts";
import { admin } from "./pt/admin";
import { profile } from "./pt/profile";
import { access } from "./pt/access";

export const pt = { ...core, ...hosts, ...admin, ...profile, ...access } satisfies Messages;
