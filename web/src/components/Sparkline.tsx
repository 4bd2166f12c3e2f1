// A tiny SVG line of recent values (0-100), for the overview rows.
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const w = 80;
  const h = 24;
  if (values.length < 2) return <svg width={w} height={h} role="img" aria-label={label} />;
  const step = w / (values.length - 1);
  const points = values
    .map((v, i) => `${(i * step).toFixed(1)},${(h - 1 - (Math.min(100, Math.max(0, v)) / 100) * (h - 2)).toFixed(1)}`)
    .join(" ");
  return (
    <svg width={w} height={h} role="img" aria-label={label} className="sparkline">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
