// The hosts admin page's data as pure functions: which hosts wait for approval, the order
// of the table, what each kind of host allows, and which hosts an ingest key enrolled.
import type { Host, HostRef, IngestKey, SshKey } from "./types";

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export function byName(a: { name: string }, b: { name: string }): number {
  return collator.compare(a.name, b.name) || 0;
}

/// Pending agents (oldest first: they have waited longest), and every other host by name.
export function splitHosts(hosts: readonly Host[]): { pending: Host[]; others: Host[] } {
  const pending = hosts.filter((h) => h.state === "pending");
  const others = hosts.filter((h) => h.state !== "pending");
  pending.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  others.sort((a, b) => byName(a, b) || a.id - b.id);
  return { pending, others };
}

/// Every host's tags can be changed (PATCH /hosts/{id}); a rejected agent's stay as they are.
export const editable = (h: Host) => h.state !== "rejected";
/// The appliance's own host stays (DELETE answers 409 `hosts.local`).
export const deletable = (h: Host) => h.kind !== "local";
/// Approval concerns machines that enrolled with an ingest key.
export const approvable = (h: Host) => h.kind === "agent" && h.state !== "approved";
export const rejectable = (h: Host) => h.kind === "agent" && h.state !== "rejected";

/// `db-1:22`, `[fe80::1]:2222`.
export function endpoint(address: string, port: number): string {
  return `${address.includes(":") ? `[${address}]` : address}:${port}`;
}

/// Hosts enrolled with an ingest key, by name.
export function enrolledWith(hosts: readonly Host[], key: Pick<IngestKey, "id">): HostRef[] {
  return hosts
    .filter((h) => h.ingest_key === key.id)
    .map((h) => ({ id: h.id, name: h.name }))
    .sort(byName);
}

/// Keys by name, for the key store list and the host form's select.
export function sortKeys<K extends Pick<SshKey, "name" | "id">>(keys: readonly K[]): K[] {
  return [...keys].sort((a, b) => byName(a, b) || a.id - b.id);
}

/// Whether a list of hosts changed in what the admin page shows when a live update says
/// a host's status or state is now `status`/`state`: an unknown host or a new value means
/// reading the list again.
export function differs(hosts: readonly Host[], update: { id: number; status: Host["status"]; state?: Host["state"] }): boolean {
  const h = hosts.find((x) => x.id === update.id);
  return !h || h.status !== update.status || (update.state !== undefined && h.state !== update.state);
}

/// The command that enrolls a server with an ingest key.
export function agentCommand(origin: string, key: string): string {
  return `steward-agent --server ${origin} --key ${key}`;
}

/// A file name for a key's public half: `web servers` → `web-servers.pub`.
export function publicKeyFileName(name: string): string {
  const base = name.trim().replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[-.]+|-+$/g, "");
  return `${base || "key"}.pub`;
}

/// A private key's text that is really a public key (`ssh-ed25519 AAAA...`, `.pub` file).
export function looksLikePublicKey(text: string): boolean {
  return /^\s*(ssh-(ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-\S+)\s+AAAA/.test(text) || /BEGIN SSH2 PUBLIC KEY/.test(text);
}

/// Names of ingest keys and SSH keys: 1 to 64 characters after trimming, no control
/// characters (src/auth/mod.rs `secret_name`, src/sshkeys).
export function validKeyName(name: string): boolean {
  const s = name.trim();
  return s.length > 0 && [...s].length <= 64 && !/\p{Cc}/u.test(s);
}
