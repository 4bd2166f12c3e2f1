// Adding a key to the store: generate one (Ed25519, or RSA-4096 for old servers, which takes
// a few seconds), or import a private key pasted or read from a file. Either way the
// public key to install is shown at once; the private half never leaves the appliance.
import { type ChangeEvent, type FormEvent, useRef, useState } from "react";

import { post } from "../api/client";
import { CopyButton } from "../components/CopyButton";
import { useAction } from "../components/useAction";
import { formatBytes } from "../format";
import { useI18n } from "../i18n";
import { ErrorText } from "../components/ErrorText";
import { Field } from "./Field";
import { looksLikePublicKey, validKeyName } from "./model";
import type { SshKey } from "./types";

/// The appliance refuses larger private keys unread (src/sshkeys MAX_IMPORT_BYTES).
const MAX_IMPORT_BYTES = 16 * 1024;

function Created({ sshKey }: { sshKey: SshKey }) {
  const { t } = useI18n();
  const line = useRef<HTMLElement>(null);
  return (
    <div className="ha-created" role="status">
      <p className="success">{t("sshKeys.created", { name: sshKey.name })}</p>
      <p>{t("sshKeys.publicHint")}</p>
      <div className="ha-copyline">
        <code ref={line} className="ha-fp">
          {sshKey.public_key}
        </code>
        <CopyButton text={sshKey.public_key} label={t("sshKeys.copyPublic")} source={line} />
      </div>
    </div>
  );
}

export function GenerateKey({ onCreated }: { onCreated: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [algorithm, setAlgorithm] = useState<"ed25519" | "rsa">("ed25519");
  const [tried, setTried] = useState(false);
  const [created, setCreated] = useState<SshKey | null>(null);
  const { busy, error, run } = useAction();
  const bad = !validKeyName(name);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setCreated(null);
    if (bad) return;
    void run(async () => {
      const k = await post<SshKey>("/api/v1/ssh-keys", { name: name.trim(), algorithm });
      setName("");
      setTried(false);
      setCreated(k);
      onCreated();
    });
  };
  return (
    <form className="card ha-section ha-form" onSubmit={submit} noValidate aria-labelledby="ha-gen-title" aria-busy={busy}>
      <h2 id="ha-gen-title">{t("sshKeys.generateTitle")}</h2>
      <Field label={t("sshKeys.name")} hint={t("sshKeys.nameHint")} problem={tried && bad ? t("hostsAdmin.check.keyName") : null}>
        {(p) => <input {...p} required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <fieldset className="ha-fieldset">
        <legend>{t("sshKeys.algorithm")}</legend>
        <label className="ha-check">
          <input type="radio" name="algorithm" checked={algorithm === "ed25519"} onChange={() => setAlgorithm("ed25519")} />
          {t("sshKeys.ed25519")}
        </label>
        <label className="ha-check">
          <input type="radio" name="algorithm" checked={algorithm === "rsa"} onChange={() => setAlgorithm("rsa")} />
          {t("sshKeys.rsa")}
        </label>
      </fieldset>
      <ErrorText error={error} />
      {busy && algorithm === "rsa" && (
        <p className="notice" role="status">
          {t("sshKeys.rsaBusy")}
        </p>
      )}
      {created && <Created sshKey={created} />}
      <div className="ha-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("sshKeys.generating") : t("sshKeys.generate")}
        </button>
      </div>
    </form>
  );
}

export function ImportKey({ onCreated }: { onCreated: () => void }) {
  const { t, locale } = useI18n();
  const [name, setName] = useState("");
  const [pem, setPem] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [tried, setTried] = useState(false);
  const [created, setCreated] = useState<SshKey | null>(null);
  const { busy, error, run } = useAction();
  const limit = formatBytes(locale, MAX_IMPORT_BYTES);
  const nameProblem = tried && !validKeyName(name) ? t("hostsAdmin.check.keyName") : null;
  const keyProblem = looksLikePublicKey(pem)
    ? t("sshKeys.check.public")
    : new TextEncoder().encode(pem).length > MAX_IMPORT_BYTES
      ? t("sshKeys.check.tooLarge", { limit })
      : tried && !pem.trim()
        ? t("sshKeys.check.required")
        : fileProblem;
  const readFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    setFileProblem(null);
    if (!file) return;
    if (file.size > MAX_IMPORT_BYTES) {
      setFileProblem(t("sshKeys.check.tooLarge", { limit }));
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      setPem(String(reader.result ?? ""));
      if (!name.trim()) setName(file.name.replace(/\.(pem|key)$/i, ""));
    };
    reader.onerror = () => setFileProblem(t("sshKeys.check.unreadable"));
    reader.readAsText(file);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setCreated(null);
    if (!validKeyName(name) || !pem.trim() || looksLikePublicKey(pem)) return;
    void run(async () => {
      const body = { name: name.trim(), private_key: pem, ...(passphrase ? { passphrase } : {}) };
      const k = await post<SshKey>("/api/v1/ssh-keys/import", body);
      setName("");
      setPem("");
      setPassphrase("");
      setTried(false);
      setCreated(k);
      onCreated();
    });
  };
  return (
    <form className="card ha-section ha-form" onSubmit={submit} noValidate aria-labelledby="ha-import-title">
      <h2 id="ha-import-title">{t("sshKeys.importTitle")}</h2>
      <p className="hint">{t("sshKeys.importIntro")}</p>
      <Field label={t("sshKeys.name")} hint={t("sshKeys.nameHint")} problem={nameProblem}>
        {(p) => <input {...p} required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label={t("sshKeys.privateKey")} hint={t("sshKeys.privateKeyHint", { limit })} problem={keyProblem}>
        {(p) => (
          <textarea {...p} className="ha-code" rows={8} spellCheck={false} autoComplete="off" placeholder="-----BEGIN OPENSSH PRIVATE KEY-----" value={pem} onChange={(e) => setPem(e.target.value)} />
        )}
      </Field>
      <Field label={t("sshKeys.file")}>{(p) => <input {...p} type="file" onChange={readFile} />}</Field>
      <Field label={t("sshKeys.passphrase")} hint={t("sshKeys.passphraseHint")}>
        {(p) => <input {...p} type="password" autoComplete="off" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />}
      </Field>
      <ErrorText error={error} />
      {created && <Created sshKey={created} />}
      <div className="ha-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("sshKeys.importing") : t("sshKeys.import")}
        </button>
      </div>
    </form>
  );
}
