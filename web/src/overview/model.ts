// The overview's data, as pure functions (unit-tested): rows from the host list, live
// updates merged in with a short CPU history for the sparkline, and the filter and sort the
// toolbar asks for.
import type { HostSummary, HostUpdate, Status } from "../api/types";

/// CPU readings kept per host for its sparkline.
export const TREND_POINTS = 60;

export interface Row {
  id: number;
  name: string;
  kind: HostSummary["kind"];
  state: HostSummary["state"];
  status: Status;
  tags: string[];
  os: string;
  lastSeenMs: number | null;
  vitals: HostSummary["vitals"];
  trend: number[];
  lastError: string | null;
}

export function rowOf(h: HostSummary): Row {
  const cpu = h.vitals.cpu_pct;
  return {
    id: h.id,
    name: h.name,
    kind: h.kind,
    state: h.state,
    status: h.status,
    tags: h.tags,
    os: h.os,
    lastSeenMs: h.last_seen_ms ?? null,
    vitals: h.vitals,
    trend: cpu == null ? [] : [cpu],
    lastError: h.poll?.last_error?.message ?? null,
  };
}

/// `row` after a live update; the CPU value joins the trend when the sample is newer.
export function merge(row: Row | undefined, u: HostUpdate): Row {
  const base: Row = row ?? {
    id: u.id,
    name: u.name,
    kind: "agent",
    state: u.state,
    status: u.status,
    tags: [],
    os: "",
    lastSeenMs: null,
    vitals: u.vitals,
    trend: [],
    lastError: null,
  };
  const newer = u.last_seen_ms != null && (base.lastSeenMs == null || u.last_seen_ms > base.lastSeenMs);
  const cpu = u.vitals.cpu_pct;
  const trend = newer && cpu != null ? [...base.trend, cpu].slice(-TREND_POINTS) : base.trend;
  return {
    ...base,
    name: u.name,
    state: u.state,
    status: u.status,
    lastSeenMs: u.last_seen_ms ?? base.lastSeenMs,
    vitals: u.vitals,
    trend,
    lastError: u.last_error?.message ?? null,
  };
}

export type SortKey = "name" | "status" | "cpu" | "memory" | "disk" | "lastSeen";

export interface Filter {
  text: string;
  status: Status | "all";
  tag: string | "all";
  sort: SortKey;
  descending: boolean;
}

export const DEFAULT_FILTER: Filter = { text: "", status: "all", tag: "all", sort: "name", descending: false };

/// Problems first when sorting by status.
const STATUS_ORDER: Status[] = [
  "host_key_changed",
  "auth_failed",
  "unreachable",
  "error",
  "offline",
  "unknown",
  "online",
  "disabled",
];

function memPct(r: Row): number | null {
  const { mem_used_bytes: used, mem_total_bytes: total } = r.vitals;
  return used != null && total ? (used / total) * 100 : null;
}

function sortValue(r: Row, key: SortKey): number | string | null {
  switch (key) {
    case "name":
      return r.name.toLowerCase();
    case "status":
      return STATUS_ORDER.indexOf(r.status);
    case "cpu":
      return r.vitals.cpu_pct ?? null;
    case "memory":
      return memPct(r);
    case "disk":
      return r.vitals.disk_max_pct ?? null;
    case "lastSeen":
      return r.lastSeenMs;
  }
}

export function visible(rows: Iterable<Row>, f: Filter): Row[] {
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  const out = [...rows].filter((r) => {
    if (f.status !== "all" && r.status !== f.status) return false;
    if (f.tag !== "all" && !r.tags.includes(f.tag)) return false;
    const hay = `${r.name} ${r.tags.join(" ")} ${r.os}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
  const dir = f.descending ? -1 : 1;
  return out.sort((a, b) => {
    const x = sortValue(a, f.sort);
    const y = sortValue(b, f.sort);
    // Unknown values go last whatever the direction.
    if (x == null || y == null) return x == null ? (y == null ? a.id - b.id : 1) : -1;
    if (x < y) return -dir;
    if (x > y) return dir;
    return a.name.localeCompare(b.name) || a.id - b.id;
  });
}

export function allTags(rows: Iterable<Row>): string[] {
  const tags = new Set<string>();
  for (const r of rows) for (const t of r.tags) tags.add(t);
  return [...tags].sort();
}

export { memPct };
