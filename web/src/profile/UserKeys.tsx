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
  empty: "sshAccess.keyEmpty",
  multiline: "sshAccess.keyMultiline",
  private: "sshAccess.keyPrivate",
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
    onChanged(t("sshAccess.deleted", { fingerprint: k.fingerprint }));
  };
  return (
    <>
      <h3 id="profile-ssh-keys">{t("sshAccess.keys")}</h3>
      {keys.length === 0 ? (
        <p className="muted">{t("sshAccess.keysEmpty")}</p>
      ) : (
        <table className="token-table" aria-labelledby="profile-ssh-keys" data-testid="ssh-keys">
          <thead>
            <tr>
              <th scope="col">{t("sshAccess.col.algorithm")}</th>
              <th scope="col">{t("sshAccess.col.comment")}</th>
              <th scope="col">{t("sshAccess.col.fingerprint")}</th>
              <th scope="col" className="token-actions">
                {t("sshAccess.col.actions")}
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.fingerprint}>
                <td data-label={t("sshAccess.col.algorithm")} className="mono">
                  {k.algorithm}
                </td>
                <td data-label={t("sshAccess.col.comment")}>{k.comment || <span className="muted">{t("sshAccess.noComment")}</span>}</td>
                <td data-label={t("sshAccess.col.fingerprint")}>
                  <code className="ssh-fp">{k.fingerprint}</code>
                </td>
                <td className="token-actions">
                  <ConfirmButton
                    danger
                    label={t("sshAccess.delete")}
                    ariaLabel={t("sshAccess.deleteFor", { name: k.comment || k.fingerprint })}
                    title={t("sshAccess.deleteTitle")}
                    confirmLabel={t("sshAccess.delete")}
                    busyLabel={t("sshAccess.deleting")}
                    onConfirm={() => remove(k)}
                  >
                    <p>{t("sshAccess.deleteExplain", { fingerprint: k.fingerprint })}</p>
                  </ConfirmButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AddKey userId={userId} onAdded={(k) => onChanged(t("sshAccess.added", { fingerprint: k.fingerprint }))} />
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
      <h3 id={`${id}-title`}>{t("sshAccess.add")}</h3>
      <label>
        {t("sshAccess.keyLabel")}
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
        {t("sshAccess.keyHint")}
      </p>
      {problem && (
        <p className="error" role="alert">
          {t(PROBLEM[problem])}
        </p>
      )}
      <ErrorText error={error} />
      <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
        {busy ? t("sshAccess.adding") : t("sshAccess.addSubmit")}
      </button>
    </form>
  );
}
