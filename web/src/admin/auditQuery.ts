// The audit page's filter form as the query of GET /api/v1/audit: exact actor and target,
// an action or dotted prefix, a time range from two datetime-local fields (the user's
// local time, sent as RFC 3339 in UTC), superadmins' organization, and the paging cursor.
import type { components } from "../api/schema";

export type Verification = components["schemas"]["Verification"];

export interface AuditFilter {
  actor: string;
  action: string;
  target: string;
  /// datetime-local values (`2024-05-01T10:30`), local time; empty for none.
  from: string;
  to: string;
  /// Superadmins: an organization id, or empty for all.
  org: string;
}

export const EMPTY_FILTER: AuditFilter = { actor: "", action: "", target: "", from: "", to: "", org: "" };

export const PAGE_SIZE = 50;

/// A datetime-local value, read as the user's local time, in RFC 3339 (UTC); `null` when
/// empty or not a date.
export function localToRfc3339(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value.trim())) return null;
  // Date-time forms without an offset are local time (ECMAScript's rule).
  const ms = new Date(value.trim()).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString().replace(".000Z", "Z");
}

/// What is wrong with the filter, if anything: a time that is not one, or an empty range.
export function filterProblem(f: AuditFilter): "badTime" | "badRange" | null {
  const from = f.from ? localToRfc3339(f.from) : null;
  const to = f.to ? localToRfc3339(f.to) : null;
  if ((f.from && !from) || (f.to && !to)) return "badTime";
  if (from && to && Date.parse(from) >= Date.parse(to)) return "badRange";
  return null;
}

/// The query string (without `?`) for one page; empty fields are left out.
export function auditQuery(f: AuditFilter, cursor?: number | null, limit = PAGE_SIZE): string {
  const q = new URLSearchParams();
  for (const key of ["actor", "action", "target"] as const) {
    const v = f[key].trim();
    if (v) q.set(key, v);
  }
  const from = localToRfc3339(f.from);
  const to = localToRfc3339(f.to);
  if (from) q.set("from", from);
  if (to) q.set("to", to);
  if (/^\d+$/.test(f.org)) q.set("org", f.org);
  if (cursor != null) q.set("cursor", String(cursor));
  q.set("limit", String(limit));
  return q.toString();
}

/// The verification answer as one line to show: its tone and which words to use.
export type ChainSummary =
  | { tone: "ok"; entries: number; prunedThrough: number | null }
  | { tone: "bad"; entries: number; id: number; kind: string; reason: string };

export function chainSummary(v: Verification): ChainSummary {
  if (v.ok || !v.first_bad) return { tone: "ok", entries: v.entries, prunedThrough: v.pruned_through ?? null };
  return { tone: "bad", entries: v.entries, id: v.first_bad.id, kind: v.first_bad.problem.kind, reason: v.first_bad.reason };
}
