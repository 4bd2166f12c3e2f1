// The audit filter form: actor, action (or a family of actions), target, a local time
// range, and for superadmins the organization. Applied on submit, so typing does not
// query the appliance at every key.
import { type FormEvent, useId, useState } from "react";

import { useI18n } from "../i18n";
import { ACTIONS, ACTION_PREFIXES } from "./auditActions";
import { type AuditFilter, EMPTY_FILTER, filterProblem } from "./auditQuery";
import type { Org } from "../components/useOrgs";

interface Props {
  initial: AuditFilter;
  orgs: Org[] | null;
  busy: boolean;
  onApply: (f: AuditFilter) => void;
}

export function AuditFilters({ initial, orgs, busy, onApply }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [f, setF] = useState<AuditFilter>(initial);
  const [problem, setProblem] = useState<ReturnType<typeof filterProblem>>(null);
  const set = (patch: Partial<AuditFilter>) => setF((old) => ({ ...old, ...patch }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = filterProblem(f);
    setProblem(p);
    if (!p) onApply(f);
  };
  const clear = () => {
    setF(EMPTY_FILTER);
    setProblem(null);
    onApply(EMPTY_FILTER);
  };
  return (
    <form className="toolbar audit-filters" role="search" aria-label={t("audit.filters")} onSubmit={submit}>
      <label>
        {t("audit.actor")}
        <input value={f.actor} autoComplete="off" spellCheck={false} onChange={(e) => set({ actor: e.target.value })} />
      </label>
      <div className="field">
        <label>
          {t("audit.action")}
          <input
            value={f.action}
            list={`${id}-actions`}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={`${id}-action-hint`}
            onChange={(e) => set({ action: e.target.value })}
          />
        </label>
        <span id={`${id}-action-hint`} className="hint">
          {t("audit.actionHint")}
        </span>
      </div>
      <datalist id={`${id}-actions`}>
        {[...ACTION_PREFIXES, ...ACTIONS].map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <label>
        {t("audit.target")}
        <input value={f.target} autoComplete="off" spellCheck={false} onChange={(e) => set({ target: e.target.value })} />
      </label>
      <label>
        {t("audit.from")}
        <input type="datetime-local" value={f.from} onChange={(e) => set({ from: e.target.value })} />
      </label>
      <label>
        {t("audit.to")}
        <input type="datetime-local" value={f.to} onChange={(e) => set({ to: e.target.value })} />
      </label>
      {orgs && (
        <div className="field">
          <label htmlFor={`${id}-org`}>{t("audit.org")}</label>
          <select id={`${id}-org`} value={f.org} onChange={(e) => set({ org: e.target.value })}>
            <option value="">{t("audit.allOrgs")}</option>
            {orgs.map((o) => (
              <option key={o.id} value={String(o.id)}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="filter-buttons">
        <button type="submit" className="primary" disabled={busy}>
          {t("audit.apply")}
        </button>
        <button type="button" onClick={clear} disabled={busy}>
          {t("audit.clear")}
        </button>
      </div>
      {problem && (
        <p className="error" role="alert">
          {t(problem === "badRange" ? "audit.badRange" : "audit.badTime")}
        </p>
      )}
    </form>
  );
}
