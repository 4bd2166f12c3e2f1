// Simplified Chinese, one file per area in zh/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./zh/core";
import { hosts } from "./zh/hosts";
import { admin } from "./zh/admin";
import { profile } from "./zh/profile";
import { access } from "./zh/access";

export const zh = { ...core, ...hosts, ...admin, ...profile, ...access } satisfies Messages;
