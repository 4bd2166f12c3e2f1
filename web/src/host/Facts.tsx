// The host's inventory as a definition list.
import type { HostDetail } from "../api/types";
import { formatBytes, formatDateTime } from "../format";
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

export function Facts({ host }: { host: HostDetail }) {
  const { t, locale } = useI18n();
  const f = (host.facts ?? {}) as FactsShape;
  const rows: [Key, string | undefined][] = [
    ["fact.kind", t(`kind.${host.kind}` as Key)],
    ["fact.hostname", f.hostname],
    ["fact.os", f.os || host.os],
    ["fact.kernel", f.kernel],
    ["fact.arch", f.arch],
    ["fact.cpu", f.cpu_model],
    ["fact.cores", f.cpu_cores ? String(f.cpu_cores) : undefined],
    ["fact.memory", f.memory_bytes ? formatBytes(locale, f.memory_bytes) : undefined],
    ["fact.swap", f.swap_bytes ? formatBytes(locale, f.swap_bytes) : undefined],
    ["fact.boot", f.boot_time ? formatDateTime(locale, f.boot_time * 1000) : undefined],
  ];
  return (
    <section className="card facts" aria-labelledby="facts-title">
      <h2 id="facts-title">{t("host.facts")}</h2>
      <dl>
        {rows
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <div key={k}>
              <dt>{t(k)}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
    </section>
  );
}
