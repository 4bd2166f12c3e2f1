import { describe, expect, it } from "vitest";

import type { QueryResult } from "../api/types";
import { LiveBuffer, align, linesOfQuery } from "./charts";

describe("host charts", () => {
  it("aligns lines on the union of their times, in seconds", () => {
    const c = align([
      { metric: "a", label: "x", points: [[1000, 1], [3000, 3]] },
      { metric: "a", label: "y", points: [[2000, 2]] },
    ]);
    expect(c.xs).toEqual([1, 2, 3]);
    expect(c.ys).toEqual([[1, null, 3], [null, 2, null]]);
  });

  it("reads a history answer with its band, keeping gaps", () => {
    const q = {
      metric: "cpu.core_pct",
      from: 0,
      to: 3000,
      step: 1000,
      tier: "raw",
      ts: [0, 1000, 2000],
      series: [{ labels: { core: "0" }, avg: [1, null, 3], min: [0, null, 2], max: [2, null, 4] }],
    } as unknown as QueryResult;
    const [line] = linesOfQuery(q, "core");
    expect(line?.label).toBe("0");
    expect(line?.points).toEqual([[0, 1], [1000, null], [2000, 3]]);
    expect(line?.max).toEqual([2, null, 4]);
  });

  it("keeps only the recent window of live samples and ignores repeats", () => {
    const b = new LiveBuffer(10_000);
    b.seed([{ metric: "cpu.usage_pct", label: "", points: [[0, 5]] }]);
    expect(b.add([{ metric: "cpu.usage_pct", labels: {}, ts: 5000, value: 7 }])).toBe(true);
    expect(b.add([{ metric: "cpu.usage_pct", labels: {}, ts: 5000, value: 9 }])).toBe(true);
    expect(b.add([{ metric: "uptime_s", labels: {}, ts: 5000, value: 1 }])).toBe(false);
    b.add([{ metric: "cpu.usage_pct", labels: {}, ts: 12_000, value: 8 }]);
    expect(b.lines("cpu.usage_pct")[0]?.points).toEqual([[5000, 7], [12_000, 8]]);
    b.add([{ metric: "cpu.core_pct", labels: { core: "1" }, ts: 12_000, value: 3 }]);
    expect(b.lines("cpu.core_pct")[0]?.label).toBe("1");
  });
});
