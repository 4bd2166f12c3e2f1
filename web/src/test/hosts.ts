// Test fixtures: hosts as the appliance lists them, with only what a test cares about set.
import type { HostSummary } from "../api/types";

/// An approved, online agent host created on day `id` of January 2026 (so by id, oldest
/// first), with 10 % CPU seen at 1 s; `extra` overrides any field.
export function host(id: number, name: string, extra: Partial<HostSummary> = {}): HostSummary {
  return {
    id,
    org: 1,
    name,
    kind: "agent",
    fingerprint: `f${id}`,
    os: "Debian 12",
    tags: [],
    interval_s: 5,
    created_at: `2026-01-${String(id).padStart(2, "0")}T00:00:00Z`,
    state: "approved",
    status: "online",
    vitals: { cpu_pct: 10 },
    last_seen_ms: 1000,
    ...extra,
  } as HostSummary;
}
