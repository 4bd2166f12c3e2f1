// German, one file per area in de/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./de/core";
import { hosts } from "./de/hosts";
import { admin } from "./de/admin";
import { profile } from "./de/profile";
import { access } from "./de/access";

export const de = { ...core, ...hosts, ...admin, ...profile, ...access } satisfies Messages;
