// One ingest key: its name (renamed in place), whether it is active and auto-approves, when
// it was created and last used, the machines it enrolled, and its actions.
import { type FormEvent, useState } from "react";
import { Link } from "wouter";

import { del, patch } from "../api/client";
import { ConfirmButton } from "../components/ConfirmButton";
import { useAction } from "../components/useAction";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { ErrorText } from "../components/ErrorText";
import { enrolledWith, validKeyName } from "./model";
import type { Host, IngestKey, KeyPatch } from "./types";

export function IngestKeyRow({ ingestKey: k, hosts, onChanged }: { ingestKey: IngestKey; hosts: Host[]; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(k.name);
  const [doing, setDoing] = useState<"rename" | "active" | "auto" | null>(null);
  const { busy, error, run } = useAction();
  const enrolled = enrolledWith(hosts, k);
  const change = (what: typeof doing, body: KeyPatch) => {
    setDoing(what);
    return run(async () => {
      await patch(`/api/v1/ingest-keys/${k.id}`, body);
      onChanged();
      return true;
    }).finally(() => setDoing(null));
  };
  const rename = (e: FormEvent) => {
    e.preventDefault();
    if (!validKeyName(name)) return;
    void change("rename", { name: name.trim() }).then((ok) => ok && setRenaming(false));
  };
  const count = t("hostsAdmin.keys.hostCount_other", { count: enrolled.length });
  return (
    <tr>
      <th scope="row" data-label={t("hostsAdmin.col.name")}>
        {renaming ? (
          <form className="ha-tagform" onSubmit={rename} onKeyDown={(e) => e.key === "Escape" && setRenaming(false)}>
            <label htmlFor={`ha-rename-${k.id}`}>{t("hostsAdmin.keys.newName")}</label>
            <input id={`ha-rename-${k.id}`} value={name} maxLength={64} autoFocus onChange={(e) => setName(e.target.value)} aria-invalid={validKeyName(name) ? undefined : true} />
            {!validKeyName(name) && <p className="error">{t("hostsAdmin.check.keyName")}</p>}
            <div className="ha-actions">
              <button type="submit" className="primary" disabled={busy}>
                {doing === "rename" ? t("hostsAdmin.saving") : t("hostsAdmin.save")}
              </button>
              <button type="button" onClick={() => setRenaming(false)}>
                {t("common.cancel")}
              </button>
            </div>
          </form>
        ) : (
          <div>
            <span className="ha-strong">{k.name}</span>
            <code className="ha-sub muted">{`${k.prefix}…`}</code>
          </div>
        )}
      </th>
      <td data-label={t("hostsAdmin.keys.col.active")}>
        <span className={`badge ${k.active ? "status-online" : "status-disabled"}`}>{t(k.active ? "hostsAdmin.keys.active" : "hostsAdmin.keys.inactive")}</span>
      </td>
      <td data-label={t("hostsAdmin.keys.col.autoApprove")}>{t(k.auto_approve ? "hostsAdmin.yes" : "hostsAdmin.no")}</td>
      <td data-label={t("hostsAdmin.keys.col.created")}>
        <div>
          {formatDateTime(locale, Date.parse(k.created_at))}
          <span className="ha-sub muted">{t("hostsAdmin.keys.by", { name: k.created_by })}</span>
        </div>
      </td>
      <td data-label={t("hostsAdmin.keys.col.lastUsed")}>{k.last_used_at ? formatDateTime(locale, Date.parse(k.last_used_at)) : t("time.never")}</td>
      <td data-label={t("hostsAdmin.keys.col.hosts")}>
        {enrolled.length === 0 ? (
          <span className="muted">{t("hostsAdmin.keys.noHosts")}</span>
        ) : (
          <ul className="ha-inline-list" aria-label={count}>
            {enrolled.map((h) => (
              <li key={h.id}>
                <Link href={`/hosts/${h.id}`}>{h.name}</Link>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td data-label={t("hostsAdmin.col.actions")}>
        <div className="ha-actions-cell">
          <div className="ha-actions">
            <button type="button" disabled={busy} aria-label={t("hostsAdmin.keys.renameKey", { name: k.name })} onClick={() => { setName(k.name); setRenaming(true); }}>
              {t("hostsAdmin.keys.rename")}
            </button>
            <button type="button" disabled={busy} aria-pressed={!!k.auto_approve} aria-label={t("hostsAdmin.keys.autoApproveKey", { name: k.name })} onClick={() => void change("auto", { auto_approve: !k.auto_approve })}>
              {doing === "auto" ? t("hostsAdmin.saving") : t("hostsAdmin.keys.col.autoApprove")}
            </button>
            {k.active ? (
              <ConfirmButton
                danger
                label={t("hostsAdmin.keys.deactivate")}
                ariaLabel={t("hostsAdmin.keys.deactivateKey", { name: k.name })}
                title={t("hostsAdmin.keys.deactivateTitle", { name: k.name })}
                confirmLabel={t("hostsAdmin.keys.deactivate")}
                onConfirm={() => patch(`/api/v1/ingest-keys/${k.id}`, { active: false }).then(onChanged)}
              >
                <p>{t("hostsAdmin.keys.deactivateBody", { count })}</p>
              </ConfirmButton>
            ) : (
              <button type="button" disabled={busy} aria-label={t("hostsAdmin.keys.reactivateKey", { name: k.name })} onClick={() => void change("active", { active: true })}>
                {doing === "active" ? t("hostsAdmin.saving") : t("hostsAdmin.keys.reactivate")}
              </button>
            )}
            <ConfirmButton
              danger
              label={t("hostsAdmin.delete")}
              ariaLabel={t("hostsAdmin.keys.deleteKey", { name: k.name })}
              title={t("hostsAdmin.keys.deleteTitle", { name: k.name })}
              confirmLabel={t("hostsAdmin.delete")}
              busyLabel={t("hostsAdmin.deleting")}
              onConfirm={() => del(`/api/v1/ingest-keys/${k.id}`).then(onChanged)}
            >
              <p>{t("hostsAdmin.keys.deleteBody", { count })}</p>
              {enrolled.length > 0 && <p className="hint">{enrolled.map((h) => h.name).join(", ")}</p>}
            </ConfirmButton>
          </div>
          <ErrorText error={error} />
        </div>
      </td>
    </tr>
  );
}
