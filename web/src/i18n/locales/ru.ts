// Russian, one file per area in ru/. Keys and placeholders as in en.ts.
import type { Messages } from "./en";
import { core } from "./ru/core";
import { hosts } from "./ru/hosts";
import { admin } from "./ru/admin";
import { profile } from "./ru/profile";
import { access } from "./ru/access";

export const ru = { ...core, ...hosts, ...admin, ...profile, ...access } satisfies Messages;
