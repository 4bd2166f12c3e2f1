// Japanese, one file per area in ja/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./ja/core";
import { hosts } from "./ja/hosts";
import { admin } from "./ja/admin";
import { profile } from "./ja/profile";
import { access } from "./ja/access";

export const ja = { ...core, ...hosts, ...admin, ...profile, ...access } satisfies Messages;
