// Personal API tokens, the pure part: which roles and lifetimes the form offers, the
// request they make, the order of the list, whether a token still works, and the example
// command shown with a new token's value.
import type { components } from "../api/schema";
import type { Role } from "../components/roles";

type S = components["schemas"];
export type ApiToken = S["ApiToken"];
export type NewToken = S["NewToken"];
export type CreatedToken = S["CreatedToken"];

export const EXPIRY_CHOICES = ["never", "30", "90", "365"] as const;
export type Expiry = (typeof EXPIRY_CHOICES)[number];
/// A lifetime is safer than none; three months suits most scripts.
export const DEFAULT_EXPIRY: Expiry = "90";

/// The request's `expires_in_days`: absent for a token that never expires.
export function expiryDays(choice: Expiry): number | undefined {
  return choice === "never" ? undefined : Number(choice);
}

/// The name the appliance accepts: trimmed, 1-64 characters, no control characters.
export function tokenName(raw: string): string | null {
  const name = raw.trim();
  const ok = name.length > 0 && [...name].length <= 64 && !/[\u0000-\u001f\u007f-\u009f]/.test(name);
  return ok ? name : null;
}

/// The body of `POST /api/v1/tokens`, or null when the name is not acceptable.
export function newTokenRequest(rawName: string, role: Role, expiry: Expiry): NewToken | null {
  const name = tokenName(rawName);
  if (name === null) return null;
  const body: NewToken = { name, role };
  const days = expiryDays(expiry);
  if (days !== undefined) body.expires_in_days = days;
  return body;
}

/// Milliseconds since the epoch of an API date, or null.
export function toMs(date: string | null | undefined): number | null {
  if (date == null) return null;
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? null : ms;
}

export function isExpired(token: ApiToken, now: number): boolean {
  const expires = toMs(token.expires_at);
  return expires !== null && expires <= now;
}

/// Newest first (ids break ties, being given in order), so a token just created is on top.
export function sortTokens(tokens: readonly ApiToken[]): ApiToken[] {
  return [...tokens].sort((a, b) => (toMs(b.created_at) ?? 0) - (toMs(a.created_at) ?? 0) || b.id - a.id);
}

/// How to try a token from a shell (token values are `stw_` and base64url: nothing to escape).
export function curlExample(origin: string, value: string): string {
  return `curl -H "Authorization: Bearer ${value}" ${origin}/api/v1/hosts`;
}
