// Audit log (admins): the hash chain's verification at the top, a filter form, and the
// entries newest first, a page at a time ("Load more" follows next_cursor). Superadmins
// see every organization, or the one they pick.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { get } from "../api/client";
import type { components } from "../api/schema";
import { useSession } from "../auth/session";
import { AdminOnly } from "../components/AdminOnly";
import { ErrorText } from "../components/ErrorText";
import { useI18n } from "../i18n";
import "../admin/admin.css";
import { AuditFilters } from "../admin/AuditFilters";
import { AuditTable, type Entry } from "../admin/AuditTable";
import { ChainStatus } from "../admin/ChainStatus";
import { type AuditFilter, EMPTY_FILTER, auditQuery } from "../admin/auditQuery";
import { useOrgs } from "../components/useOrgs";

type Page = components["schemas"]["Page"];

export default function Audit() {
  return (
    <AdminOnly>
      <AuditPage />
    </AdminOnly>
  );
}

function AuditPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const role = session!.user.role;
  const superadmin = role === "superadmin";
  const { orgs } = useOrgs(superadmin);
  const [filter, setFilter] = useState<AuditFilter>(EMPTY_FILTER);
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /// Answers to an older filter are dropped when a newer one was asked for.
  const generation = useRef(0);

  const fetchPage = useCallback((f: AuditFilter, from: number | null) => {
    const mine = ++generation.current;
    setBusy(true);
    setError(null);
    get<Page>(`/api/v1/audit?${auditQuery(f, from)}`)
      .then((page) => {
        if (mine !== generation.current) return;
        setEntries((old) => (from == null ? page.entries : [...(old ?? []), ...page.entries]));
        setCursor(page.next_cursor ?? null);
      })
      .catch((err) => mine === generation.current && setError(err))
      .finally(() => mine === generation.current && setBusy(false));
  }, []);
  useEffect(() => {
    fetchPage(EMPTY_FILTER, null);
  }, [fetchPage]);

  const apply = (f: AuditFilter) => {
    setFilter(f);
    setEntries(null);
    setCursor(null);
    fetchPage(f, null);
  };
  const orgNames = useMemo(() => (superadmin ? new Map(orgs.map((o) => [o.id, o.name])) : null), [superadmin, orgs]);

  return (
    <section className="admin-page">
      <header className="page-head">
        <h1>{t("nav.audit")}</h1>
        {entries && <span className="muted">{t("audit.shown_other", { count: entries.length })}</span>}
      </header>
      <ChainStatus />
      <AuditFilters initial={filter} orgs={superadmin ? orgs : null} busy={busy} onApply={apply} />
      <ErrorText error={error} />
      {entries === null ? (
        busy && <p className="loading">{t("app.loading")}</p>
      ) : entries.length === 0 ? (
        <p className="empty">{auditQuery(filter) === auditQuery(EMPTY_FILTER) ? t("audit.empty") : t("audit.noMatch")}</p>
      ) : (
        <AuditTable entries={entries} orgNames={orgNames} />
      )}
      {cursor != null && entries !== null && (
        <div className="load-more">
          <button type="button" onClick={() => fetchPage(filter, cursor)} disabled={busy} aria-busy={busy}>
            {busy ? t("app.loading") : t("audit.loadMore")}
          </button>
        </div>
      )}
      {cursor == null && entries !== null && entries.length > 0 && <p className="hint end">{t("audit.end")}</p>}
    </section>
  );
}
