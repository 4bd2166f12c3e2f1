// Italian, one file per area in it/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./it/core";
import { hosts } from "./it/hosts";
import { admin } from "./it/admin";
import { profile } from "./it/profile";
import { accounts } from "./it/accounts";

export const it = { ...core, ...hosts, ...admin, ...profile, ...accounts } satisfies Messages;
