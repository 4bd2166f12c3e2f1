// A host's inventory as a definition list: the host page's Facts card, and FactList for any
// facts object (a connection test's report shows one too).
import type { HostDetail } from "../api/types";
import { formatBytes, formatDateTime, formatNumber } from "../format";
import { type Key, useI18n } from "../i18n";

interface FactsShape {
  hostname?: string;
  os?: string;
  kernel?: string;
  arch?: string;
  cpu_model?: string;
  cpu_cores?: number;
  memory_bytes?: number;
  swap_bytes?: number;
  boot_time?: number;
}

/// One line of the list: its label and value (left out when empty).
export type FactRow = [Key, string | undefined];

/// The known facts of `facts` (as the appliance reports them), after the `first` lines.
export function FactList({ facts, first = [], className }: { facts: object | null | undefined; first?: FactRow[]; className?: string }) {
  const { t, locale } = useI18n();
  const f = (facts ?? {}) as FactsShape;
  const rows: FactRow[] = [
    ...first,
    ["fact.hostname", f.hostname],
    ["fact.os", f.os],
    ["fact.kernel", f.kernel],
    ["fact.arch", f.arch],
    ["fact.cpu", f.cpu_model],
    ["fact.cores", f.cpu_cores ? formatNumber(locale, f.cpu_cores, 0) : undefined],
    ["fact.memory", f.memory_bytes ? formatBytes(locale, f.memory_bytes) : undefined],
    ["fact.swap", f.swap_bytes ? formatBytes(locale, f.swap_bytes) : undefined],
    ["fact.boot", f.boot_time ? formatDateTime(locale, f.boot_time * 1000) : undefined],
  ];
  return (
    <dl className={className}>
      {rows
        .filter(([, v]) => v)
        .map(([k, v]) => (
          <div key={k}>
            <dt>{t(k)}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  );
}

export function Facts({ host }: { host: HostDetail }) {
  const { t } = useI18n();
  const f = (host.facts ?? {}) as FactsShape;
  return (
    <section className="card facts" aria-labelledby="facts-title">
      <h2 id="facts-title">{t("host.facts")}</h2>
      <FactList facts={{ ...f, os: f.os || host.os }} first={[["fact.kind", t(`kind.${host.kind}` as Key)]]} />
    </section>
  );
}
