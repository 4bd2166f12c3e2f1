// The actions the appliance records (grep `Event::new` in src/), for their names in words
// and the action field's suggestions. An action not listed here shows as its code.
import type { Key, Translate } from "../i18n";

export const ACTIONS = [
  "auth.login",
  "auth.logout",
  "auth.logout_all",
  "auth.lockout",
  "user.create",
  "user.update",
  "user.delete",
  "user.password_change",
  "user.password_reset",
  "user.unlock",
  "token.create",
  "token.revoke",
  "org.create",
  "host.register",
  "host.approve",
  "host.reject",
  "host.delete",
  "host.rebind",
  "host.token_issue",
  "host.ssh_create",
  "host.ssh_update",
  "host.ssh_pin",
  "host.ssh_repin",
  "host.ssh_host_key_changed",
  "ingest_key.create",
  "ingest_key.rename",
  "ingest_key.enable",
  "ingest_key.disable",
  "ingest_key.auto_approve_on",
  "ingest_key.auto_approve_off",
  "ingest_key.delete",
  "ssh_key.generate",
  "ssh_key.import",
  "ssh_key.delete",
  "keys.rotate",
] as const;

/// The dotted prefixes a filter may use to match a whole family (`user` → `user.*`).
export const ACTION_PREFIXES: string[] = [...new Set(ACTIONS.map((a) => a.slice(0, a.indexOf("."))))];

/// `action` in words, or `null` for one the dictionaries do not name (`t` answers an
/// unknown key with the key itself).
export function actionLabel(t: Translate, action: string): string | null {
  const key = `audit.action.${action}` as Key;
  const label = t(key);
  return label === key ? null : label;
}
