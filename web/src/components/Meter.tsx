// A percentage as a bar with its number: quick to scan down a column.
export function Meter({ pct, text }: { pct: number | null | undefined; text: string }) {
  const level = pct == null ? "none" : pct >= 90 ? "high" : pct >= 75 ? "warn" : "ok";
  return (
    <span className={`meter meter-${level}`}>
      <span className="meter-bar" aria-hidden="true">
        <span style={{ width: `${Math.min(100, Math.max(0, pct ?? 0))}%` }} />
      </span>
      <span className="meter-text">{text}</span>
    </span>
  );
}
