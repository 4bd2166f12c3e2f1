// French, one file per area in fr/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./fr/core";
import { hosts } from "./fr/hosts";
import { admin } from "./fr/admin";
import { profile } from "./fr/profile";
import { access } from "./fr/access";

export const fr = { ...core, ...hosts, ...admin, ...profile, ...access } satisfies Messages;
