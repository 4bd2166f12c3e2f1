// The two panels under a key of the store: its public half as an authorized_keys line (to
// copy or download), and the hosts that log in with it.
import { useEffect, useRef, useState } from "react";
import { Link } from "wouter";

import { get } from "../api/client";
import { CopyButton } from "../components/CopyButton";
import { useI18n } from "../i18n";
import { ErrorText } from "../components/ErrorText";
import { publicKeyFileName } from "./model";
import { getText } from "./text";
import type { HostRef, SshKey } from "./types";

export function PublicKeyPanel({ sshKey }: { sshKey: SshKey }) {
  const { t } = useI18n();
  const [line, setLine] = useState<string | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    let live = true;
    getText(`/api/v1/ssh-keys/${sshKey.id}/public`)
      .then((text) => live && setLine(text.trim()))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [sshKey.id]);
  useEffect(() => {
    if (line === null) return;
    const u = URL.createObjectURL(new Blob([`${line}\n`], { type: "text/plain" }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [line]);
  const id = `ha-pub-${sshKey.id}`;
  return (
    <div className="ha-panel">
      <ErrorText error={error} />
      {line === null && !error && <p className="muted">{t("app.loading")}</p>}
      {line !== null && (
        <>
          <label htmlFor={id}>{t("sshKeys.publicLine")}</label>
          <textarea ref={field} id={id} className="ha-code" readOnly rows={3} value={line} onFocus={(e) => e.target.select()} aria-describedby={`${id}-hint`} />
          <p id={`${id}-hint`} className="hint">
            {t("sshKeys.publicHint")}
          </p>
          <div className="ha-actions">
            <CopyButton text={line} label={t("sshKeys.copyPublic")} source={field} />
            {url && (
              <a className="ha-button" href={url} download={publicKeyFileName(sshKey.name)}>
                {t("sshKeys.download", { file: publicKeyFileName(sshKey.name) })}
              </a>
            )}
          </div>
        </>
      )}
    </div>
  );
}

/// The hosts logging in with a key, read when the panel opens.
export function useKeyHosts(keyId: number, when: boolean) {
  const [hosts, setHosts] = useState<HostRef[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!when) return;
    let live = true;
    setError(null);
    get<HostRef[]>(`/api/v1/ssh-keys/${keyId}/hosts`)
      .then((h) => live && setHosts(h))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [keyId, when, round]);
  return { hosts, error, refresh: () => setRound((r) => r + 1) };
}

export function HostLinks({ hosts }: { hosts: HostRef[] }) {
  return (
    <ul className="ha-inline-list">
      {hosts.map((h) => (
        <li key={h.id}>
          <Link href={`/hosts/${h.id}`}>{h.name}</Link>
        </li>
      ))}
    </ul>
  );
}

export function UsedByPanel({ sshKey }: { sshKey: SshKey }) {
  const { t } = useI18n();
  const { hosts, error } = useKeyHosts(sshKey.id, true);
  return (
    <div className="ha-panel">
      <ErrorText error={error} />
      {hosts === null && !error && <p className="muted">{t("app.loading")}</p>}
      {hosts?.length === 0 && <p className="muted">{t("sshKeys.unused")}</p>}
      {hosts && hosts.length > 0 && (
        <>
          <p>{t("sshKeys.usedBy_other", { count: hosts.length })}</p>
          <HostLinks hosts={hosts} />
        </>
      )}
    </div>
  );
}
