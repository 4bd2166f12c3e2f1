// Ingest keys: what a server's agent enrolls with. Create one (its value shown once, with the
// command to run), rename, deactivate or reactivate, auto-approve or not, delete.
import { type FormEvent, useEffect, useRef, useState } from "react";

import { post } from "../api/client";
import { CopyButton } from "../components/CopyButton";
import { useAction } from "../components/useAction";
import { useI18n } from "../i18n";
import { ErrorText } from "../components/ErrorText";
import { Field } from "./Field";
import { IngestKeyRow } from "./IngestKeyRow";
import { agentCommand, byName, validKeyName } from "./model";
import type { CreatedKey, Host, IngestKey } from "./types";

interface Props {
  keys: IngestKey[];
  loaded: boolean;
  error: unknown;
  hosts: Host[];
  onChanged: () => void;
}

export function IngestKeys({ keys, loaded, error, hosts, onChanged }: Props) {
  const { t } = useI18n();
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const sorted = [...keys].sort(byName);
  return (
    <section className="card ha-section" id="ingest-keys" aria-labelledby="ha-keys-title">
      <h2 id="ha-keys-title">{t("hostsAdmin.keys.title")}</h2>
      <p className="hint">{t("hostsAdmin.keys.intro")}</p>
      <ErrorText error={error} />
      {created && <CreatedKeyNotice created={created} onDone={() => setCreated(null)} />}
      {loaded && sorted.length === 0 && <p className="empty">{t("hostsAdmin.keys.empty")}</p>}
      {sorted.length > 0 && (
        <div className="ha-scroll">
          <table className="ha-table" aria-labelledby="ha-keys-title">
            <thead>
              <tr>
                <th scope="col">{t("hostsAdmin.col.name")}</th>
                <th scope="col">{t("hostsAdmin.keys.col.active")}</th>
                <th scope="col">{t("hostsAdmin.keys.col.autoApprove")}</th>
                <th scope="col">{t("hostsAdmin.keys.col.created")}</th>
                <th scope="col">{t("hostsAdmin.keys.col.lastUsed")}</th>
                <th scope="col">{t("hostsAdmin.keys.col.hosts")}</th>
                <th scope="col">{t("hostsAdmin.col.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((k) => (
                <IngestKeyRow key={k.id} ingestKey={k} hosts={hosts} onChanged={onChanged} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NewIngestKey
        onCreated={(k) => {
          setCreated(k);
          onChanged();
        }}
      />
    </section>
  );
}

function NewIngestKey({ onCreated }: { onCreated: (k: CreatedKey) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [auto, setAuto] = useState(false);
  const [tried, setTried] = useState(false);
  const { busy, error, run } = useAction();
  const bad = !validKeyName(name);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (bad) return;
    void run(async () => {
      const k = await post<CreatedKey>("/api/v1/ingest-keys", { name: name.trim(), auto_approve: auto });
      setName("");
      setAuto(false);
      setTried(false);
      onCreated(k);
    });
  };
  return (
    <form className="ha-form ha-subform" onSubmit={submit} noValidate aria-labelledby="ha-newkey-title">
      <h3 id="ha-newkey-title">{t("hostsAdmin.keys.createTitle")}</h3>
      <div className="ha-grid">
        <Field label={t("hostsAdmin.keys.name")} hint={t("hostsAdmin.keys.nameHint")} problem={tried && bad ? t("hostsAdmin.check.keyName") : null}>
          {(p) => <input {...p} required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
      </div>
      <label className="ha-check">
        <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} aria-describedby="ha-auto-hint" />
        {t("hostsAdmin.keys.autoApprove")}
      </label>
      <p id="ha-auto-hint" className="hint">
        {t("hostsAdmin.keys.autoApproveHint")}
      </p>
      <ErrorText error={error} />
      <div className="ha-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("hostsAdmin.keys.creating") : t("hostsAdmin.keys.create")}
        </button>
      </div>
    </form>
  );
}

function CreatedKeyNotice({ created, onDone }: { created: CreatedKey; onDone: () => void }) {
  const { t } = useI18n();
  const command = agentCommand(location.origin, created.key);
  const box = useRef<HTMLDivElement>(null);
  const key = useRef<HTMLElement>(null);
  const example = useRef<HTMLElement>(null);
  useEffect(() => box.current?.focus(), [created.id]);
  return (
    <div className="ha-secret" role="region" aria-labelledby="ha-created-title" tabIndex={-1} ref={box}>
      <h3 id="ha-created-title">{t("hostsAdmin.keys.createdTitle", { name: created.name })}</h3>
      <p className="notice">{t("hostsAdmin.keys.shownOnce")}</p>
      <div className="ha-copyline">
        <code ref={key} data-testid="ingest-key-value">
          {created.key}
        </code>
        <CopyButton text={created.key} label={t("hostsAdmin.keys.copyKey")} source={key} />
      </div>
      <p>{t("hostsAdmin.keys.runThis")}</p>
      <div className="ha-copyline">
        <pre className="command">
          <code ref={example}>{command}</code>
        </pre>
        <CopyButton text={command} label={t("hostsAdmin.keys.copyCommand")} source={example} />
      </div>
      <p className="hint">{t(created.auto_approve ? "hostsAdmin.keys.thenApproved" : "hostsAdmin.keys.thenPending")}</p>
      <button type="button" className="primary" onClick={onDone}>
        {t("hostsAdmin.keys.done")}
      </button>
    </div>
  );
}
