// Your SSH public keys: type, comment and fingerprint of each, removal (asked first), and a
// field to paste a new one, checked for the plain mistakes (a private key, several lines)
// before it is sent.
import { type FormEvent, useId, useState } from "react";

import { ApiError, del, post } from "../api/client";
import { type KeyProblem, keyProblem } from "../access/model";
import type { UserKey } from "../access/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { ErrorText } from "../components/ErrorText";
import { useAction } from "../components/useAction";
import { type Key, useI18n } from "../i18n";

const PROBLEM: Record<KeyProblem, Key> = {
  empty: "access.ssh.keyEmpty",
  multiline: "access.ssh.keyMultiline",
  private: "access.ssh.keyPrivate",
};

interface Props {
  userId: number;
  keys: readonly UserKey[];
  onChanged: (message: string) => void;
}

export function UserKeys({ userId, keys, onChanged }: Props) {
  const { t } = useI18n();
  const remove = async (k: UserKey) => {
    try {
      await del(`/api/v1/users/${userId}/keys?fingerprint=${encodeURIComponent(k.fingerprint)}`);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
    onChanged(t("access.ssh.deleted", { fingerprint: k.fingerprint }));
  };
  return (
    <>
      <h3 id="profile-ssh-keys">{t("access.ssh.keys")}</h3>
      {keys.length === 0 ? (
        <p className="muted">{t("access.ssh.keysEmpty")}</p>
      ) : (
        <table className="token-table" aria-labelledby="profile-ssh-keys" data-testid="ssh-keys">
          <thead>
            <tr>
              <th scope="col">{t("access.ssh.col.algorithm")}</th>
              <th scope="col">{t("access.ssh.col.comment")}</th>
              <th scope="col">{t("access.ssh.col.fingerprint")}</th>
              <th scope="col" className="token-actions">
                {t("access.ssh.col.actions")}
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.fingerprint}>
                <td data-label={t("access.ssh.col.algorithm")} className="mono">
                  {k.algorithm}
                </td>
                <td data-label={t("access.ssh.col.comment")}>{k.comment || <span className="muted">{t("access.ssh.noComment")}</span>}</td>
                <td data-label={t("access.ssh.col.fingerprint")}>
                  <code className="ssh-fp">{k.fingerprint}</code>
                </td>
                <td className="token-actions">
                  <ConfirmButton
                    danger
                    label={t("access.ssh.delete")}
                    ariaLabel={t("access.ssh.deleteFor", { name: k.comment || k.fingerprint })}
                    title={t("access.ssh.deleteTitle")}
                    confirmLabel={t("access.ssh.delete")}
                    busyLabel={t("access.ssh.deleting")}
                    onConfirm={() => remove(k)}
                  >
                    <p>{t("access.ssh.deleteExplain", { fingerprint: k.fingerprint })}</p>
                  </ConfirmButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AddKey userId={userId} onAdded={(k) => onChanged(t("access.ssh.added", { fingerprint: k.fingerprint }))} />
    </>
  );
}

function AddKey({ userId, onAdded }: { userId: number; onAdded: (k: UserKey) => void }) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<KeyProblem | null>(null);
  const { busy, error, setError, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const p = keyProblem(text);
    setProblem(p);
    if (p) return;
    const key = await run(() => post<UserKey>(`/api/v1/users/${userId}/keys`, { key: text.trim() }));
    if (!key) return;
    setText("");
    onAdded(key);
  };
  return (
    <form className="token-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t("access.ssh.add")}</h3>
      <label>
        {t("access.ssh.keyLabel")}
        <textarea
          name="public-key"
          rows={3}
          className="mono ssh-key-input"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          value={text}
          aria-invalid={problem ? true : undefined}
          aria-describedby={`${id}-hint`}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <p id={`${id}-hint`} className="hint">
        {t("access.ssh.keyHint")}
      </p>
      {problem && (
        <p className="error" role="alert">
          {t(PROBLEM[problem])}
        </p>
      )}
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
        {busy ? t("access.ssh.adding") : t("access.ssh.addSubmit")}
      </button>
    </form>
  );
}
