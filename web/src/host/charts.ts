// Which charts the host page draws, from which metrics, and how their values read. Pure
// data and functions (unit-tested): turning live samples and history answers into the
// columns uPlot draws.
import type { Key } from "../i18n";
import type { QueryResult, Sample } from "../api/types";

export type Unit = "pct" | "bytes" | "bps" | "number" | "celsius";

export interface ChartDef {
  id: string;
  title: Key;
  unit: Unit;
  /// Metrics drawn, each with the label that names its series (e.g. `core`), and a word
  /// for the metric when a chart has several (`read`/`write`).
  metrics: { metric: string; by?: string; word?: Key }[];
}

export const CHARTS: ChartDef[] = [
  { id: "cpu", title: "chart.cpu", unit: "pct", metrics: [{ metric: "cpu.usage_pct" }] },
  { id: "cores", title: "chart.cores", unit: "pct", metrics: [{ metric: "cpu.core_pct", by: "core" }] },
  {
    id: "load",
    title: "chart.load",
    unit: "number",
    metrics: [
      { metric: "load.1", word: "series.load1" },
      { metric: "load.5", word: "series.load5" },
      { metric: "load.15", word: "series.load15" },
    ],
  },
  { id: "memory", title: "chart.memory", unit: "bytes", metrics: [{ metric: "mem.used_bytes", word: "series.used" }] },
  { id: "swap", title: "chart.swap", unit: "bytes", metrics: [{ metric: "swap.used_bytes", word: "series.used" }] },
  { id: "disks", title: "chart.disks", unit: "bytes", metrics: [{ metric: "disk.used_bytes", by: "mount" }] },
  {
    id: "diskio",
    title: "chart.diskio",
    unit: "bps",
    metrics: [
      { metric: "disk.read_bps", by: "device", word: "series.read" },
      { metric: "disk.write_bps", by: "device", word: "series.write" },
    ],
  },
  {
    id: "network",
    title: "chart.network",
    unit: "bps",
    metrics: [
      { metric: "net.rx_bps", by: "iface", word: "series.rx" },
      { metric: "net.tx_bps", by: "iface", word: "series.tx" },
    ],
  },
  { id: "temps", title: "chart.temps", unit: "celsius", metrics: [{ metric: "temp_c", by: "sensor" }] },
  { id: "gpu", title: "chart.gpu", unit: "pct", metrics: [{ metric: "gpu.util_pct", by: "gpu" }] },
];

/// One line of a chart: its name parts and its points (ms, value), oldest first.
export interface Line {
  metric: string;
  label: string;
  /// (ms, value); null marks a gap of the history grid.
  points: [number, number | null][];
  min?: (number | null)[];
  max?: (number | null)[];
}

/// The columns uPlot draws: x in seconds, then one column per line (null where a line has
/// no point at that time).
export interface Columns {
  xs: number[];
  ys: (number | null)[][];
  lines: Line[];
}

export function lineName(labels: Record<string, string>, by?: string): string {
  if (by && labels[by] != null) return labels[by];
  const rest = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return rest.join(",");
}

/// Lines from one history answer: avg on the answer's grid (gaps kept, so the min/max band
/// lines up), with the band.
export function linesOfQuery(q: QueryResult, by?: string): Line[] {
  return q.series.map((s) => ({
    metric: q.metric,
    label: lineName(s.labels, by),
    points: q.ts.map((ts, i) => [ts, s.avg[i] ?? null] as [number, number | null]),
    min: s.min,
    max: s.max,
  }));
}

/// Aligns lines on the union of their times.
export function align(lines: Line[]): Columns {
  const times = new Set<number>();
  for (const l of lines) for (const [ts] of l.points) times.add(ts);
  const xsMs = [...times].sort((a, b) => a - b);
  const index = new Map(xsMs.map((ts, i) => [ts, i]));
  const ys = lines.map((l) => {
    const col: (number | null)[] = new Array(xsMs.length).fill(null);
    for (const [ts, v] of l.points) col[index.get(ts) ?? 0] = v;
    return col;
  });
  return { xs: xsMs.map((ms) => ms / 1000), ys, lines };
}

/// Live buffers: samples of the host stream appended per line (seeded from a short history
/// query so a chart never starts empty), points older than `keepMs` dropped.
export class LiveBuffer {
  private series = new Map<string, Line>();
  constructor(
    private keepMs: number,
    private defs: ChartDef[] = CHARTS,
  ) {}

  private by(metric: string): string | undefined {
    for (const d of this.defs) for (const m of d.metrics) if (m.metric === metric) return m.by;
    return undefined;
  }

  seed(lines: Line[]) {
    for (const l of lines) this.series.set(`${l.metric}|${l.label}`, { metric: l.metric, label: l.label, points: [...l.points] });
  }

  /// Appends samples; returns whether any was for a charted metric.
  add(samples: Sample[]): boolean {
    let any = false;
    for (const s of samples) {
      const by = this.by(s.metric);
      if (by === undefined && !this.defs.some((d) => d.metrics.some((m) => m.metric === s.metric))) continue;
      any = true;
      const label = lineName(s.labels, by);
      const k = `${s.metric}|${label}`;
      let line = this.series.get(k);
      if (!line) {
        line = { metric: s.metric, label, points: [] };
        this.series.set(k, line);
      }
      const last = line.points.at(-1);
      if (!last || s.ts > last[0]) line.points.push([s.ts, s.value]);
      const cutoff = s.ts - this.keepMs;
      while ((line.points[0]?.[0] ?? cutoff) < cutoff) line.points.shift();
    }
    return any;
  }

  lines(metric: string): Line[] {
    return [...this.series.values()].filter((l) => l.metric === metric);
  }
}
