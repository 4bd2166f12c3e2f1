// Every host at a glance, live through the organization stream (/api/v1/ws/hosts): the
// list from GET /hosts, then each `host` message merged in. Search, status and tag filters
// and the sort live in the URL-independent toolbar state.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { get } from "../api/client";
import type { HostSummary, HostUpdate, HostsMessage, Status } from "../api/types";
import { ErrorText } from "../components/ErrorText";
import { useI18n } from "../i18n";
import { useStream } from "../live/stream";
import { EmptyOverview } from "../overview/Empty";
import { HostTable } from "../overview/HostTable";
import { DEFAULT_FILTER, type Filter, type Row, type SortKey, allTags, merge, rowOf, visible } from "../overview/model";

const STATUSES: Status[] = ["online", "offline", "unreachable", "auth_failed", "host_key_changed", "error", "unknown", "disabled"];
const SORTS: { key: SortKey; label: "col.name" | "col.status" | "col.cpu" | "col.memory" | "col.disk" | "col.lastSeen" }[] = [
  { key: "name", label: "col.name" },
  { key: "status", label: "col.status" },
  { key: "cpu", label: "col.cpu" },
  { key: "memory", label: "col.memory" },
  { key: "disk", label: "col.disk" },
  { key: "lastSeen", label: "col.lastSeen" },
];

export function Overview() {
  const { t } = useI18n();
  const [rows, setRows] = useState<Map<number, Row>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [filter, setFilter] = useState<Filter>(DEFAULT_FILTER);
  const refetch = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(() => {
    get<HostSummary[]>("/api/v1/hosts")
      .then((hosts) => {
        setRows((old) => {
          const next = new Map<number, Row>();
          for (const h of hosts) {
            const fresh = rowOf(h);
            const prev = old.get(h.id);
            next.set(h.id, prev ? { ...fresh, trend: prev.trend.length ? prev.trend : fresh.trend } : fresh);
          }
          return next;
        });
        setLoaded(true);
        setError(null);
      })
      .catch(setError);
  }, []);
  useEffect(load, [load]);

  const live = useStream<HostsMessage | HostUpdate>("/api/v1/ws/hosts", (m) => {
    const updates = m.type === "hosts" ? m.hosts : [m];
    let unknown = false;
    setRows((old) => {
      const next = new Map(old);
      for (const u of updates) {
        unknown ||= !old.has(u.id);
        next.set(u.id, merge(old.get(u.id), u));
      }
      return next;
    });
    // A host the list did not have: read the list again for its tags and kind.
    if (unknown) {
      clearTimeout(refetch.current);
      refetch.current = setTimeout(load, 500);
    }
  });

  const tags = useMemo(() => allTags(rows.values()), [rows]);
  const shown = useMemo(() => visible(rows.values(), filter), [rows, filter]);
  const set = (patch: Partial<Filter>) => setFilter((f) => ({ ...f, ...patch }));

  if (loaded && rows.size === 0) return <EmptyOverview />;
  return (
    <section className="overview">
      <header className="page-head">
        <h1>{t("overview.title")}</h1>
        <span className={`live-dot ${live}`} role="status">
          {live === "live" ? t("overview.live") : t("overview.reconnecting")}
        </span>
        <span className="muted">
          {t("overview.count_other", { count: rows.size })}
          {shown.length !== rows.size && ` · ${t("overview.shown", { shown: shown.length, total: rows.size })}`}
        </span>
      </header>
      <ErrorText error={error} />
      <div className="toolbar" role="search">
        <label>
          <span>{t("overview.search")}</span>
          <input
            type="search"
            value={filter.text}
            placeholder={t("overview.searchPlaceholder")}
            onChange={(e) => set({ text: e.target.value })}
          />
        </label>
        <label>
          <span>{t("overview.status")}</span>
          <select value={filter.status} onChange={(e) => set({ status: e.target.value as Filter["status"] })}>
            <option value="all">{t("overview.all")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t("overview.tag")}</span>
          <select value={filter.tag} onChange={(e) => set({ tag: e.target.value })}>
            <option value="all">{t("overview.all")}</option>
            {tags.map((tag) => (
              <option key={tag} value={tag}>
                {tag}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t("overview.sort")}</span>
          <select value={filter.sort} onChange={(e) => set({ sort: e.target.value as SortKey })}>
            {SORTS.map((s) => (
              <option key={s.key} value={s.key}>
                {t(s.label)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          aria-pressed={filter.descending}
          aria-label={filter.descending ? t("overview.descending") : t("overview.ascending")}
          onClick={() => set({ descending: !filter.descending })}
        >
          {filter.descending ? "↓" : "↑"}
        </button>
      </div>
      {shown.length === 0 && loaded ? <p className="empty">{t("overview.noMatch")}</p> : <HostTable rows={shown} />}
    </section>
  );
}
