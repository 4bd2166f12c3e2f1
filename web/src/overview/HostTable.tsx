// The host rows, virtualised: only the rows in view are in the DOM, so 1,000 hosts scroll
// as smoothly as ten. ARIA table roles keep it a table for screen readers.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";
import { Link } from "wouter";

import { Meter } from "../components/Meter";
import { Sparkline } from "../components/Sparkline";
import { StatusBadge } from "../components/StatusBadge";
import { useNow } from "../components/useNow";
import { formatBytes, formatNumber, formatPercent, formatRate, formatRelative } from "../format";
import { useI18n } from "../i18n";
import { type Row, memPct } from "./model";

const ROW_HEIGHT = 56;

export function HostTable({ rows }: { rows: Row[] }) {
  const { t, locale } = useI18n();
  const now = useNow(5000);
  const parent = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  return (
    <div className="host-table" role="table" aria-label={t("overview.title")} aria-rowcount={rows.length + 1}>
      <div className="host-row head" role="row" aria-rowindex={1}>
        <span role="columnheader">{t("col.name")}</span>
        <span role="columnheader">{t("col.status")}</span>
        <span role="columnheader">{t("col.cpu")}</span>
        <span role="columnheader">{t("col.memory")}</span>
        <span role="columnheader">{t("col.disk")}</span>
        <span role="columnheader" className="wide">
          {t("col.network")}
        </span>
        <span role="columnheader" className="wide">
          {t("col.trend")}
        </span>
        <span role="columnheader" className="wide">
          {t("col.lastSeen")}
        </span>
      </div>
      <div className="host-scroll" ref={parent} data-testid="host-scroll">
        <div style={{ height: virtual.getTotalSize(), position: "relative" }} role="rowgroup">
          {virtual.getVirtualItems().map((item) => {
            const r = rows[item.index];
            if (!r) return null;
            const v = r.vitals;
            const mem = memPct(r);
            return (
              <div
                key={r.id}
                className="host-row"
                role="row"
                aria-rowindex={item.index + 2}
                data-testid="host-row"
                data-host={r.name}
                // When the newest sample was taken: what a live update changes even when
                // every value shown stays the same (a CPU pinned at 100%).
                data-seen={r.lastSeenMs ?? undefined}
                style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                <span role="cell" className="name">
                  <Link href={`/hosts/${r.id}`}>{r.name}</Link>
                  <span className="tags">
                    {r.tags.map((tag) => (
                      <span key={tag} className="tag">
                        {tag}
                      </span>
                    ))}
                  </span>
                </span>
                <span role="cell" title={r.lastError ?? undefined}>
                  <StatusBadge status={r.status} pending={r.state === "pending"} />
                </span>
                <span role="cell" data-testid="cpu">
                  <Meter pct={v.cpu_pct} text={formatPercent(locale, v.cpu_pct)} />
                </span>
                <span role="cell">
                  <Meter
                    pct={mem}
                    text={v.mem_used_bytes == null ? "—" : `${formatBytes(locale, v.mem_used_bytes)}`}
                  />
                </span>
                <span role="cell">
                  <Meter pct={v.disk_max_pct} text={formatPercent(locale, v.disk_max_pct, 0)} />
                </span>
                <span role="cell" className="wide num">
                  ↓ {formatRate(locale, v.net_rx_bps)} ↑ {formatRate(locale, v.net_tx_bps)}
                </span>
                <span role="cell" className="wide">
                  <Sparkline values={r.trend} label={`${t("col.trend")}: ${formatNumber(locale, v.load_1)}`} />
                </span>
                <span role="cell" className="wide muted">
                  {formatRelative(locale, r.lastSeenMs, now) ?? t("time.never")}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
