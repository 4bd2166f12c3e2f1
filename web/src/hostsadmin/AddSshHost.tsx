// Add a server polled over SSH: where it is, how to log in (a password, or a key of the key
// store), tags, interval and the expected host key. "Test connection" tries the same body
// first and shows what the server is; "Add host" saves it.
import { type FormEvent, useRef, useState } from "react";
import { Link } from "wouter";

import { post } from "../api/client";
import { useAction } from "../components/useAction";
import { useI18n } from "../i18n";
import { ErrorText } from "../components/ErrorText";
import { Field } from "./Field";
import { sortKeys } from "./model";
import { EMPTY_SSH_FORM, type SshField, type SshForm, checkSshForm, sshRequest } from "./sshForm";
import { TestResult } from "./TestResult";
import type { Host, SshKey, TestReport } from "./types";

export function AddSshHost({ keys, onAdded }: { keys: SshKey[]; onAdded: () => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<SshForm>(EMPTY_SSH_FORM);
  const [tried, setTried] = useState(false);
  const [report, setReport] = useState<TestReport | null>(null);
  const [added, setAdded] = useState<Host | null>(null);
  const test = useAction();
  const save = useAction();
  const problems = checkSshForm(form);
  const problem = (field: SshField) => {
    const p = tried ? problems.find((x) => x.field === field) : undefined;
    return p ? t(p.key, p.params) : null;
  };
  const set = (patch: Partial<SshForm>) => {
    setForm((f) => ({ ...f, ...patch }));
    setReport(null);
    setAdded(null);
  };
  const formRef = useRef<HTMLFormElement>(null);
  /// Checks the form; when it is not ready, keyboard focus goes to the first field to fix.
  const ready = () => {
    setTried(true);
    if (problems.length === 0) return true;
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
    return false;
  };
  const onTest = () => {
    if (!ready()) return;
    setReport(null);
    void test.run(async () => setReport(await post<TestReport>("/api/v1/hosts/test-ssh", sshRequest(form))));
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready()) return;
    void save.run(async () => {
      const host = await post<Host>("/api/v1/hosts", sshRequest(form));
      setForm(EMPTY_SSH_FORM);
      setTried(false);
      setReport(null);
      setAdded(host);
      onAdded();
    });
  };
  const sorted = sortKeys(keys);
  const busy = test.busy || save.busy;
  return (
    <section className="card ha-section" id="add-ssh" aria-labelledby="ha-add-title">
      <h2 id="ha-add-title">{t("hostsAdmin.add.title")}</h2>
      <p className="hint">{t("hostsAdmin.add.intro")}</p>
      <form className="ha-form" onSubmit={onSubmit} noValidate ref={formRef}>
        <div className="ha-grid">
          <Field label={t("hostsAdmin.add.address")} problem={problem("address")}>
            {(p) => <input {...p} required value={form.address} placeholder="db-1.example.net" autoCapitalize="off" spellCheck={false} onChange={(e) => set({ address: e.target.value })} />}
          </Field>
          <Field label={t("hostsAdmin.add.port")} problem={problem("port")} className="ha-narrow">
            {(p) => <input {...p} inputMode="numeric" value={form.port} onChange={(e) => set({ port: e.target.value })} />}
          </Field>
          <Field label={t("hostsAdmin.add.name")} hint={t("hostsAdmin.add.nameHint")} problem={problem("name")}>
            {(p) => <input {...p} value={form.name} onChange={(e) => set({ name: e.target.value })} />}
          </Field>
          <Field label={t("hostsAdmin.add.username")} problem={problem("username")}>
            {(p) => <input {...p} required value={form.username} placeholder="monitor" autoComplete="off" autoCapitalize="off" spellCheck={false} onChange={(e) => set({ username: e.target.value })} />}
          </Field>
        </div>
        <fieldset className="ha-fieldset">
          <legend>{t("hostsAdmin.add.auth")}</legend>
          <div className="ha-radios">
            <label className="ha-check">
              <input type="radio" name="auth" checked={form.auth === "password"} onChange={() => set({ auth: "password" })} />
              {t("hostsAdmin.add.usePassword")}
            </label>
            <label className="ha-check">
              <input type="radio" name="auth" checked={form.auth === "key"} onChange={() => set({ auth: "key" })} />
              {t("hostsAdmin.add.useKey")}
            </label>
          </div>
          {form.auth === "password" ? (
            <Field label={t("hostsAdmin.add.password")} hint={t("hostsAdmin.add.passwordHint")} problem={problem("password")}>
              {(p) => <input {...p} type="password" autoComplete="new-password" value={form.password} onChange={(e) => set({ password: e.target.value })} />}
            </Field>
          ) : (
            <Field
              label={t("hostsAdmin.add.key")}
              problem={problem("keyId")}
              hint={sorted.length === 0 ? <Link href="/ssh-keys">{t("hostsAdmin.add.noKeys")}</Link> : t("hostsAdmin.add.keyHint")}
            >
              {(p) => (
                <select {...p} value={form.keyId} onChange={(e) => set({ keyId: e.target.value })}>
                  <option value="">{t("hostsAdmin.add.chooseKey")}</option>
                  {sorted.map((k) => (
                    <option key={k.id} value={String(k.id)}>
                      {`${k.name} (${k.algorithm}, ${k.fingerprint})`}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
        </fieldset>
        <div className="ha-grid">
          <Field label={t("hostsAdmin.add.tags")} hint={t("hostsAdmin.tagsHint")} problem={problem("tags")}>
            {(p) => <input {...p} value={form.tags} placeholder="db, rack:3" autoCapitalize="off" spellCheck={false} onChange={(e) => set({ tags: e.target.value })} />}
          </Field>
          <Field label={t("hostsAdmin.add.interval")} hint={t("hostsAdmin.add.intervalHint")} problem={problem("interval")} className="ha-narrow">
            {(p) => <input {...p} inputMode="numeric" value={form.interval} onChange={(e) => set({ interval: e.target.value })} />}
          </Field>
          <Field label={t("hostsAdmin.add.fingerprint")} hint={t("hostsAdmin.add.fingerprintHint")} problem={problem("fingerprint")} className="ha-wide">
            {(p) => <input {...p} value={form.fingerprint} placeholder="SHA256:…" autoCapitalize="off" spellCheck={false} onChange={(e) => set({ fingerprint: e.target.value })} />}
          </Field>
        </div>
        <label className="ha-check">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          {t("hostsAdmin.add.enabled")}
        </label>
        {tried && problems.length > 0 && (
          <p className="error" role="alert">
            {t("hostsAdmin.add.fix_other", { count: problems.length })}
          </p>
        )}
        <ErrorText error={test.error ?? save.error} />
        {report && <TestResult report={report} onUseFingerprint={(fingerprint) => setForm((f) => ({ ...f, fingerprint }))} />}
        {added && (
          <p className="success" role="status">
            {t("hostsAdmin.add.added", { name: added.name })} <Link href={`/hosts/${added.id}`}>{t("hostsAdmin.add.open")}</Link>
          </p>
        )}
        <div className="ha-actions">
          <button type="button" onClick={onTest} disabled={busy}>
            {test.busy ? t("hostsAdmin.testing") : t("hostsAdmin.add.test")}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {save.busy ? t("hostsAdmin.add.saving") : t("hostsAdmin.add.save")}
          </button>
        </div>
      </form>
    </section>
  );
}
