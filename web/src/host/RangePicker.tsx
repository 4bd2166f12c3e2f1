// Live, the presets, or a custom range (two datetime-local fields).
import { type FormEvent, useState } from "react";

import { type Key, useI18n } from "../i18n";
import type { Preset, Range } from "./useSeries";

const PRESETS: { preset: Preset; key: Key }[] = [
  { preset: "live", key: "host.live" },
  { preset: "1h", key: "range.1h" },
  { preset: "6h", key: "range.6h" },
  { preset: "24h", key: "range.24h" },
  { preset: "7d", key: "range.7d" },
  { preset: "30d", key: "range.30d" },
  { preset: "1y", key: "range.1y" },
];

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

interface Props {
  range: Range;
  onChange: (r: Range) => void;
  zoomed: boolean;
  onReset: () => void;
}

export function RangePicker({ range, onChange, zoomed, onReset }: Props) {
  const { t } = useI18n();
  const [custom, setCustom] = useState(false);
  const [from, setFrom] = useState(() => toLocalInput(Date.now() - 86400_000));
  const [to, setTo] = useState(() => toLocalInput(Date.now()));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const f = new Date(from).getTime();
    const tt = new Date(to).getTime();
    if (Number.isFinite(f) && Number.isFinite(tt) && f < tt) onChange({ from: f, to: tt });
  };
  return (
    <div className="range-picker">
      <div role="group" aria-label={t("host.range")} className="segmented">
        {PRESETS.map((p) => (
          <button
            key={p.preset}
            type="button"
            aria-pressed={"preset" in range && range.preset === p.preset}
            onClick={() => {
              setCustom(false);
              onChange({ preset: p.preset });
            }}
          >
            {t(p.key)}
          </button>
        ))}
        <button type="button" aria-pressed={custom} onClick={() => setCustom((c) => !c)}>
          {t("range.custom")}
        </button>
      </div>
      {custom && (
        <form className="custom-range" onSubmit={submit}>
          <label>
            {t("range.from")}
            <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label>
            {t("range.to")}
            <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <button type="submit">{t("range.apply")}</button>
        </form>
      )}
      <p className="hint">
        {t("range.zoomHint")}{" "}
        {zoomed && (
          <button type="button" onClick={onReset}>
            {t("range.reset")}
          </button>
        )}
      </p>
    </div>
  );
}
