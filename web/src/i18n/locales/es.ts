// Spanish, one file per area in es/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./es/core";
import { hosts } from "./es/hosts";
import { admin } from "./es/admin";
import { profile } from "./es/profile";
import { access } from "./es/access";

export const es = { ...core, ...hosts, ...admin, ...profile, ...access } satisfies Messages;
