import { describe, expect, it } from "vitest";

import type { HostUpdate } from "../api/types";
import { host } from "../test/hosts";
import { DEFAULT_FILTER, TREND_POINTS, allTags, merge, rowOf, visible } from "./model";

function update(id: number, at: number, cpu: number): HostUpdate {
  return { type: "host", id, name: `h${id}`, state: "approved", status: "online", last_seen_ms: at, vitals: { cpu_pct: cpu } };
}

describe("overview model", () => {
  it("keeps a bounded CPU trend of newer samples only", () => {
    let row = rowOf(host(1, "h1"));
    row = merge(row, update(1, 2000, 20));
    row = merge(row, update(1, 2000, 99)); // same sample again: not a new point
    expect(row.trend).toEqual([10, 20]);
    for (let i = 0; i < 100; i++) row = merge(row, update(1, 3000 + i, i));
    expect(row.trend).toHaveLength(TREND_POINTS);
    expect(row.trend.at(-1)).toBe(99);
  });

  it("filters by words over name, tags and OS, by status and by tag", () => {
    const rows = [
      rowOf(host(1, "db-1", { tags: ["db", "rack:3"] })),
      rowOf(host(2, "web-1", { tags: ["web"], status: "offline" })),
      rowOf(host(3, "web-2", { tags: ["web"], os: "Alpine" })),
    ];
    expect(visible(rows, { ...DEFAULT_FILTER, text: "web" }).map((r) => r.id)).toEqual([2, 3]);
    expect(visible(rows, { ...DEFAULT_FILTER, text: "alpine web" }).map((r) => r.id)).toEqual([3]);
    expect(visible(rows, { ...DEFAULT_FILTER, status: "offline" }).map((r) => r.id)).toEqual([2]);
    expect(visible(rows, { ...DEFAULT_FILTER, tag: "rack:3" }).map((r) => r.id)).toEqual([1]);
    expect(allTags(rows)).toEqual(["db", "rack:3", "web"]);
  });

  it("sorts with unknown values last in both directions", () => {
    const rows = [
      rowOf(host(1, "a", { vitals: { cpu_pct: 50 } })),
      rowOf(host(2, "b", { vitals: {} })),
      rowOf(host(3, "c", { vitals: { cpu_pct: 90 } })),
    ];
    expect(visible(rows, { ...DEFAULT_FILTER, sort: "cpu" }).map((r) => r.id)).toEqual([1, 3, 2]);
    expect(visible(rows, { ...DEFAULT_FILTER, sort: "cpu", descending: true }).map((r) => r.id)).toEqual([3, 1, 2]);
  });

  it("puts problems first when sorting by status", () => {
    const rows = [
      rowOf(host(1, "ok")),
      rowOf(host(2, "bad", { status: "auth_failed" })),
      rowOf(host(3, "gone", { status: "offline" })),
    ];
    expect(visible(rows, { ...DEFAULT_FILTER, sort: "status" }).map((r) => r.id)).toEqual([2, 3, 1]);
  });
});
