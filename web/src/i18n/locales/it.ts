// Italian, one file per area in it/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./it/core";
import { hosts } from "./it/hosts";
import { admin } from "./it/admin";
import { profile } from "./it/profile";
import { access } from "./it/access";

export const it = { ...core, ...hosts, ...admin, ...profile, ...access } satisfies Messages;
