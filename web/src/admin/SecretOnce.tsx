// A password shown once (a new account's or a reset one): the value, a copy button, and
// the warning that it cannot be shown again and must be changed at the first sign-in.
import { useEffect, useRef } from "react";

import { CopyButton } from "../components/CopyButton";
import { useI18n } from "../i18n";

export interface Secret {
  username: string;
  password: string;
}

export function SecretOnce({ secret, onDone }: { secret: Secret; onDone: () => void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLElement>(null);
  const value = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), [secret]);
  return (
    <section ref={ref} tabIndex={-1} className="card secret-once" aria-labelledby="secret-title" role="region">
      <h2 id="secret-title">{t("users.secret.title", { name: secret.username })}</h2>
      <p className="notice">{t("users.secret.once")}</p>
      <div className="secret-row">
        <code ref={value} className="secret" aria-label={t("users.secret.value")}>
          {secret.password}
        </code>
        <CopyButton text={secret.password} label={t("users.secret.copy")} source={value} />
      </div>
      <p className="hint">{t("users.secret.mustChange")}</p>
      <button type="button" className="primary" onClick={onDone}>
        {t("users.secret.done")}
      </button>
    </section>
  );
}
