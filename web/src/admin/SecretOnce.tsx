// A password shown once (a new account's or a reset one): the value, a copy button, and
// the warning that it cannot be shown again and must be changed at the first sign-in.
import { useEffect, useRef, useState } from "react";

import { useI18n } from "../i18n";

export interface Secret {
  username: string;
  password: string;
}

export function SecretOnce({ secret, onDone }: { secret: Secret; onDone: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<boolean | null>(null);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), [secret]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret.password);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section ref={ref} tabIndex={-1} className="card secret-once" aria-labelledby="secret-title" role="region">
      <h2 id="secret-title">{t("users.secret.title", { name: secret.username })}</h2>
      <p className="notice">{t("users.secret.once")}</p>
      <div className="secret-row">
        <code className="secret" aria-label={t("users.secret.value")}>
          {secret.password}
        </code>
        <button type="button" onClick={() => void copy()}>
          {copied ? t("users.secret.copied") : t("users.secret.copy")}
        </button>
      </div>
      {copied === false && <p className="error">{t("users.secret.copyFailed")}</p>}
      <p className="hint">{t("users.secret.mustChange")}</p>
      <button type="button" className="primary" onClick={onDone}>
        {t("users.secret.done")}
      </button>
    </section>
  );
}
