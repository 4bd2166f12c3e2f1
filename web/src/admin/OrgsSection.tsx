// Organizations (superadmins): the list and a form for a new one.
import { type FormEvent, useId, useState } from "react";

import { post } from "../api/client";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { ErrorText } from "../components/ErrorText";
import type { Org } from "../components/useOrgs";

interface Props {
  orgs: Org[];
  error: unknown;
  onCreated: (org: Org) => void;
}

export function OrgsSection({ orgs, error, onCreated }: Props) {
  const { t, locale } = useI18n();
  const id = useId();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [createError, setCreateError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setCreateError(null);
    setCreated(null);
    try {
      const org = await post<Org>("/api/v1/orgs", { name: name.trim() });
      setName("");
      setCreated(org.name);
      onCreated(org);
    } catch (err) {
      setCreateError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="admin-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("orgs.title")}</h2>
      <ErrorText error={error} />
      {orgs.length === 0 ? (
        <p className="empty">{t("orgs.empty")}</p>
      ) : (
        <div className="admin-table-wrap">
          <table className="admin-table compact">
            <caption className="sr-only">{t("orgs.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("orgs.name")}</th>
                <th scope="col">{t("orgs.id")}</th>
                <th scope="col">{t("orgs.created")}</th>
              </tr>
            </thead>
            <tbody>
              {orgs.map((o) => (
                <tr key={o.id}>
                  <th scope="row" data-label={t("orgs.name")}>
                    <span className="mono">{o.name}</span>
                  </th>
                  <td data-label={t("orgs.id")}>{o.id}</td>
                  <td data-label={t("orgs.created")}>{formatDateTime(locale, Date.parse(o.created_at))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="card admin-form" onSubmit={submit} aria-labelledby={`${id}-new`}>
        <h3 id={`${id}-new`}>{t("orgs.new")}</h3>
        <div className="form-row">
          <label>
            {t("orgs.name")}
            <input
              required
              maxLength={63}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              aria-describedby={`${id}-hint`}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy ? t("orgs.creating") : t("orgs.create")}
          </button>
        </div>
        <p id={`${id}-hint`} className="hint">
          {t("orgs.nameHint")}
        </p>
        <ErrorText error={createError} />
        {created && (
          <p className="success" role="status">
            {t("orgs.createdOk", { name: created })}
          </p>
        )}
      </form>
    </section>
  );
}
