// The lines every chart of the host page draws, for a range: history answers for a past
// range; for "live", the last 15 minutes of history, then the host stream's samples.
import { useEffect, useRef, useState } from "react";

import { get } from "../api/client";
import type { HelloMessage, QueryResult, SamplesMessage } from "../api/types";
import { useStream, type StreamState } from "../live/stream";
import { CHARTS, type Line, LiveBuffer, linesOfQuery } from "./charts";

export type Preset = "live" | "1h" | "6h" | "24h" | "7d" | "30d" | "1y";
export type Range = { preset: Preset } | { from: number; to: number };

const LIVE_WINDOW = "15m";
const LIVE_KEEP_MS = 15 * 60_000;

function query(id: number, metric: string, from: string, to: string): Promise<QueryResult> {
  const q = new URLSearchParams({ metric, from, to });
  return get<QueryResult>(`/api/v1/hosts/${id}/series?${q}`);
}

function bounds(range: Range): [string, string] {
  if ("from" in range) return [String(Math.round(range.from)), String(Math.round(range.to))];
  return [`-${range.preset === "live" ? LIVE_WINDOW : range.preset}`, "now"];
}

export interface Series {
  lines: Map<string, Line[]>;
  loading: boolean;
  error: unknown;
  stream: StreamState | null;
}

export function useSeries(id: number, range: Range): Series {
  const [lines, setLines] = useState<Map<string, Line[]>>(new Map());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const live = "preset" in range && range.preset === "live";
  const buffer = useRef<LiveBuffer | null>(null);
  const key = JSON.stringify(range);

  useEffect(() => {
    let current = true;
    setLoading(true);
    const [from, to] = bounds(range);
    const metrics = CHARTS.flatMap((c) => c.metrics);
    Promise.all(metrics.map((m) => query(id, m.metric, from, to).then((q) => [m.metric, linesOfQuery(q, m.by)] as const)))
      .then((answers) => {
        if (!current) return;
        const map = new Map(answers.map(([metric, ls]) => [metric, ls.filter((l) => l.points.some(([, v]) => v != null))]));
        if (live) {
          buffer.current = new LiveBuffer(LIVE_KEEP_MS);
          buffer.current.seed([...map.values()].flat());
          // Live lines have no band: the same shape before and after the first sample.
          for (const [metric, ls] of map) map.set(metric, ls.map((l) => ({ ...l, min: undefined, max: undefined })));
        } else {
          buffer.current = null;
        }
        setLines(map);
        setError(null);
      })
      .catch((e) => current && setError(e))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
    // `key` stands for `range`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, key]);

  const stream = useStream<HelloMessage | SamplesMessage>(live ? `/api/v1/ws/hosts/${id}` : null, (m) => {
    const b = buffer.current;
    if (m.type !== "samples" || !b) return;
    if (!b.add(m.samples)) return;
    const next = new Map<string, Line[]>();
    for (const c of CHARTS) for (const mm of c.metrics) next.set(mm.metric, b.lines(mm.metric).map((l) => ({ ...l, points: [...l.points] })));
    setLines(next);
  });

  return { lines, loading, error, stream: live ? stream : null };
}
