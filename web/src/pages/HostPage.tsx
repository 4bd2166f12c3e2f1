// One host: status and facts, then every chart it has data for, live from the host stream
// or over a chosen range (presets, a custom range, or a range dragged across a chart).
import { useEffect, useMemo, useState } from "react";
import { Link } from "wouter";

import { ApiError, get } from "../api/client";
import type { HostDetail } from "../api/types";
import { ErrorText } from "../components/ErrorText";
import { StatusBadge } from "../components/StatusBadge";
import { AccessPanel } from "../host/AccessPanel";
import { Facts } from "../host/Facts";
import { Chart } from "../host/Chart";
import { CHARTS, align } from "../host/charts";
import { RangePicker } from "../host/RangePicker";
import { type Range, useSeries } from "../host/useSeries";
import { useColorScheme } from "../host/useColorScheme";
import { useI18n } from "../i18n";

export default function HostPage({ id }: { id: number }) {
  const { t, locale } = useI18n();
  const [host, setHost] = useState<HostDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [range, setRange] = useState<Range>({ preset: "live" });
  const [zoomedFrom, setZoomedFrom] = useState<Range | null>(null);
  const scheme = useColorScheme();
  const series = useSeries(id, range);

  useEffect(() => {
    get<HostDetail>(`/api/v1/hosts/${id}`).then(setHost, setError);
  }, [id]);

  const charts = useMemo(
    () =>
      CHARTS.map((def) => {
        const lines = def.metrics.flatMap((m) =>
          (series.lines.get(m.metric) ?? []).map((l) => ({ ...l, name: [l.label, m.word ? t(m.word) : ""].filter(Boolean).join(" ") })),
        );
        return { def, lines, columns: align(lines) };
      }).filter((c) => c.lines.length > 0),
    [series.lines, t],
  );

  if (error instanceof ApiError && error.status === 404) {
    return <p className="empty">{t("host.notFound")}</p>;
  }
  const zoom = (from: number, to: number) => {
    setZoomedFrom((z) => z ?? range);
    setRange({ from, to });
  };
  return (
    <section className="host-page">
      <Link href="/" className="back">
        ← {t("host.back")}
      </Link>
      <header className="page-head">
        <h1>{host?.name ?? "…"}</h1>
        {host && <StatusBadge status={host.status} pending={host.state === "pending"} />}
        {series.stream && (
          <span className={`live-dot ${series.stream}`} role="status">
            {series.stream === "live" ? t("host.live") : t("overview.reconnecting")}
          </span>
        )}
      </header>
      <ErrorText error={error ?? series.error} />
      <RangePicker
        range={range}
        onChange={(r) => {
          setZoomedFrom(null);
          setRange(r);
        }}
        zoomed={zoomedFrom !== null}
        onReset={() => {
          if (zoomedFrom) setRange(zoomedFrom);
          setZoomedFrom(null);
        }}
      />
      <div className="charts" aria-busy={series.loading}>
        {charts.length === 0 && !series.loading && (
          <p className="empty">{"preset" in range && range.preset === "live" ? t("chart.waiting") : t("chart.noData")}</p>
        )}
        {charts.map(({ def, lines, columns }) => (
          <Chart
            key={def.id}
            id={def.id}
            title={t(def.title)}
            columns={columns}
            names={lines.map((l) => l.name || t(def.title))}
            unit={def.unit}
            locale={locale}
            scheme={scheme}
            onZoom={zoom}
          />
        ))}
      </div>
      {host && <Facts host={host} />}
      {host && <AccessPanel hostId={id} />}
    </section>
  );
}
