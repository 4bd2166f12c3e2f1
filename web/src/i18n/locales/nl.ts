// Dutch, one file per area in nl/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./nl/core";
import { hosts } from "./nl/hosts";
import { admin } from "./nl/admin";
import { profile } from "./nl/profile";
import { accounts } from "./nl/accounts";

export const nl = { ...core, ...hosts, ...admin, ...profile, ...accounts } satisfies Messages;
