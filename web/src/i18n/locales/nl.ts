// Dutch, one file per area in nl/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./nl/core";
import { hosts } from "./nl/hosts";
import { admin } from "./nl/admin";
import { profile } from "./nl/profile";
import { access } from "./nl/access";

export const nl = { ...core, ...hosts, ...admin, ...profile, ...access } satisfies Messages;
