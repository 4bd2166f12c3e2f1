// The "add an SSH host" form as plain data: its defaults, what the appliance would refuse
// (checked here first so the form can say it next to the field), and the request body for
// POST /api/v1/hosts and POST /api/v1/hosts/test-ssh. Rules follow src/poll/fields.rs.
import type { Key } from "../i18n";
import { checkTags, splitTags } from "./tags";
import type { NewSshHost } from "./types";

export interface SshForm {
  name: string;
  address: string;
  port: string;
  username: string;
  auth: "password" | "key";
  password: string;
  keyId: string;
  tags: string;
  interval: string;
  fingerprint: string;
  enabled: boolean;
}

export type SshField = Exclude<keyof SshForm, "auth" | "enabled">;

export const EMPTY_SSH_FORM: SshForm = {
  name: "",
  address: "",
  port: "22",
  username: "",
  auth: "password",
  password: "",
  keyId: "",
  tags: "",
  interval: "15",
  fingerprint: "",
  enabled: true,
};

export interface Problem {
  field: SshField;
  key: Key;
  params?: Record<string, string | number>;
}

const FINGERPRINT = /SHA256:[A-Za-z0-9+/]{43}(?![A-Za-z0-9+/=])/;
const LOGIN = /^[A-Za-z0-9_.@-]{1,64}$/;
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;

/// The `SHA256:...` fingerprint in what was pasted (a bare fingerprint or a whole
/// `ssh-keygen -lf` line), "" when nothing was given, null when none is there.
export function findFingerprint(text: string): string | null {
  if (!text.trim()) return "";
  return FINGERPRINT.exec(text)?.[0] ?? null;
}

/// A DNS name, an IPv4 address or an IPv6 address (brackets allowed around it).
export function isAddress(text: string): boolean {
  const s = text.trim().replace(/^\[/, "").replace(/\]$/, "");
  if (s.includes(":")) return IPV6.test(s);
  if (s.length < 1 || s.length > 253) return false;
  return s.replace(/\.$/, "").split(".").every((label) => LABEL.test(label));
}

function wholeIn(text: string, min: number, max: number): boolean {
  if (!/^\s*\d+\s*$/.test(text)) return false;
  const n = Number(text);
  return n >= min && n <= max;
}

/// Everything wrong with the form, in the order of its fields.
export function checkSshForm(f: SshForm): Problem[] {
  const out: Problem[] = [];
  const name = f.name.trim();
  if ([...name].length > 64 || /\p{Cc}/u.test(name)) out.push({ field: "name", key: "hostsAdmin.check.name" });
  if (!f.address.trim()) out.push({ field: "address", key: "hostsAdmin.check.addressRequired" });
  else if (!isAddress(f.address)) out.push({ field: "address", key: "hostsAdmin.check.address" });
  if (!wholeIn(f.port, 1, 65535)) out.push({ field: "port", key: "hostsAdmin.check.port" });
  const user = f.username.trim();
  if (!LOGIN.test(user) || user.startsWith("-")) out.push({ field: "username", key: "hostsAdmin.check.username" });
  if (f.auth === "password") {
    const bytes = new TextEncoder().encode(f.password).length;
    if (bytes < 1 || bytes > 1024 || f.password.includes("\0")) {
      out.push({ field: "password", key: "hostsAdmin.check.password" });
    }
  } else if (!/^\d+$/.test(f.keyId)) {
    out.push({ field: "keyId", key: "hostsAdmin.check.key" });
  }
  const tagProblem = checkTags(splitTags(f.tags));
  if (tagProblem?.kind === "invalid") out.push({ field: "tags", key: "hostsAdmin.check.tagInvalid", params: { tag: tagProblem.tag } });
  if (tagProblem?.kind === "tooMany") out.push({ field: "tags", key: "hostsAdmin.check.tagsTooMany", params: { count: tagProblem.count } });
  if (!wholeIn(f.interval, 1, 3600)) out.push({ field: "interval", key: "hostsAdmin.check.interval" });
  if (findFingerprint(f.fingerprint) === null) out.push({ field: "fingerprint", key: "hostsAdmin.check.fingerprint" });
  return out;
}

/// The request body; only meaningful once checkSshForm found nothing. Only the chosen
/// credential is sent, and optional fields only when given.
export function sshRequest(f: SshForm): NewSshHost {
  const body: NewSshHost = {
    kind: "ssh",
    address: f.address.trim().replace(/^\[/, "").replace(/\]$/, ""),
    port: Number(f.port),
    username: f.username.trim(),
    tags: splitTags(f.tags),
    interval_s: Number(f.interval),
    enabled: f.enabled,
  };
  const name = f.name.trim();
  if (name) body.name = name;
  if (f.auth === "password") body.password = f.password;
  else body.key_id = Number(f.keyId);
  const fingerprint = findFingerprint(f.fingerprint);
  if (fingerprint) body.host_key_fingerprint = fingerprint;
  return body;
}
