// One uPlot chart: lines (with a min/max band when there is a single line), values in the
// chart's unit for the user's locale, the width of its container, colours of the theme.
// Dragging across it selects a time range for `onZoom`.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

import { formatBytes, formatNumber, formatPercent, formatRate, formatTick } from "../format";
import type { Columns, Unit } from "./charts";

const PALETTE = ["#2f6fde", "#e8590c", "#2b8a3e", "#c2255c", "#7048e8", "#0c8599", "#e67700", "#5c940d"];

export function formatValue(locale: string, unit: Unit, v: number | null | undefined): string {
  switch (unit) {
    case "pct":
      return formatPercent(locale, v);
    case "bytes":
      return formatBytes(locale, v);
    case "bps":
      return formatRate(locale, v);
    case "celsius":
      return v == null ? "—" : `${formatNumber(locale, v, 1)} °C`;
    default:
      return formatNumber(locale, v);
  }
}

/// A theme colour as canvas needs it: custom properties hold `light-dark(...)` pairs, which
/// only an element's computed colour resolves.
function cssVar(name: string, fallback: string): string {
  const probe = document.createElement("span");
  probe.style.display = "none";
  probe.style.color = `var(${name}, ${fallback})`;
  document.body.appendChild(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color || fallback;
}

interface Props {
  id: string;
  title: string;
  columns: Columns;
  names: string[];
  unit: Unit;
  locale: string;
  scheme: string;
  onZoom?: (fromMs: number, toMs: number) => void;
}

export function Chart({ id, title, columns, names, unit, locale, scheme, onZoom }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;
  const band = columns.lines.length === 1 && columns.lines[0]?.min != null;
  const shape = `${names.join("\u0000")}|${band}|${unit}|${locale}|${scheme}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssVar("--text-muted", "#666");
    const grid = cssVar("--grid", "rgba(128,128,128,0.15)");
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const series: uPlot.Series[] = [{}];
    names.forEach((name, i) => {
      const color = PALETTE[i % PALETTE.length] ?? "#2f6fde";
      // uPlot shows points by itself where data is sparse (a new host, a wide range).
      series.push({ label: name, stroke: color, width: 1.5, value: (_u, v) => formatValue(locale, unit, v) });
    });
    if (band) {
      series.push({ label: "min", stroke: "transparent", points: { show: false } });
      series.push({ label: "max", stroke: "transparent", points: { show: false } });
    }
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height: 200,
      series,
      bands: band ? [{ series: [3, 2], fill: "rgba(47,111,222,0.15)" }] : [],
      legend: { show: names.length > 1 || band },
      cursor: { drag: { x: true, y: false, setScale: false } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => yRange(unit, min, max) } },
      axes: [
        {
          ...axis,
          values: (u, splits) => {
            const span = ((u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0)) * 1000;
            return splits.map((s) => formatTick(locale, s * 1000, span));
          },
        },
        { ...axis, size: 80, values: (_u, splits) => splits.map((v) => formatValue(locale, unit, v)) },
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const from = u.posToVal(u.select.left, "x") * 1000;
            const to = u.posToVal(u.select.left + u.select.width, "x") * 1000;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoom.current?.(Math.round(from), Math.round(to));
          },
        ],
      },
    };
    const u = new uPlot(opts, data(columns, band), el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height: 200 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the shape changes; new data goes through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data(columns, band));
  }, [columns, band]);

  return (
    <figure className="chart" data-testid={`chart-${id}`} data-points={columns.xs.length}>
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-box" role="img" aria-label={title} />
    </figure>
  );
}

/// Sizes, rates and percentages start at zero (a disk 69.1 GiB full is not a cliff from
/// 69.0); percentages show the whole 0-100 unless above; others fit their data.
export function yRange(unit: Unit, min: number | null, max: number | null): [number, number] {
  const lo = min ?? 0;
  const hi = max ?? 1;
  if (unit === "pct") return [Math.min(0, lo), Math.max(100, hi)];
  if (unit === "number" || unit === "celsius") {
    const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }
  return [Math.min(0, lo), hi > 0 ? hi * 1.1 : 1];
}

function data(c: Columns, band: boolean): uPlot.AlignedData {
  const cols: (number | null)[][] = [...c.ys];
  if (band) {
    const line = c.lines[0];
    // Bands come from the history grid, which is the x axis of a single-line chart.
    cols.push(line?.min ?? [], line?.max ?? []);
  }
  return [c.xs, ...cols] as uPlot.AlignedData;
}
