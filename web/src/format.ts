// Numbers, bytes, rates, percentages and dates for the user's locale. Byte sizes use binary
// units (KiB, MiB...: what df and free print); their symbols are international.
const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

function number(locale: string, value: number, digits: number): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
}

/// `1536` → `1.5 KiB` (English), `1,5 KiB` (French...). Three significant digits at most.
export function formatBytes(locale: string, bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return "—";
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value >= 100 || unit === 0 ? 0 : value >= 10 ? 1 : 2;
  return `${bytes < 0 ? "-" : ""}${number(locale, value, digits)} ${UNITS[unit]}`;
}

/// Bytes per second.
export function formatRate(locale: string, bps: number | null | undefined): string {
  return bps == null || !Number.isFinite(bps) ? "—" : `${formatBytes(locale, bps)}/s`;
}

/// A value already in percent (0-100): `42.5` → `42.5 %` / `42,5 %` as the locale writes it.
export function formatPercent(locale: string, pct: number | null | undefined, digits = 1): string {
  if (pct == null || !Number.isFinite(pct)) return "—";
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: digits }).format(pct / 100);
}

export function formatNumber(locale: string, value: number | null | undefined, digits = 2): string {
  return value == null || !Number.isFinite(value) ? "—" : number(locale, value, digits);
}

export function formatDateTime(locale: string, ms: number | null | undefined): string {
  if (ms == null) return "—";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "medium" }).format(new Date(ms));
}

/// `ms` relative to `now`: "5 seconds ago", "vor 3 Minuten", "2 дня назад".
export function formatRelative(locale: string, ms: number | null | undefined, now: number): string | null {
  if (ms == null) return null;
  const seconds = Math.round((ms - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  return rtf.format(Math.round(seconds / 86400), "day");
}

/// A chart axis tick for a time: the time of day within a day, the date beyond.
export function formatTick(locale: string, ms: number, spanMs: number): string {
  const opts: Intl.DateTimeFormatOptions =
    spanMs <= 2 * 86400_000 ? { hour: "2-digit", minute: "2-digit" } : { month: "short", day: "numeric" };
  return new Intl.DateTimeFormat(locale, opts).format(new Date(ms));
}
