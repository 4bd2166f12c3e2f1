// A new token's value, shown this once: copy it, see how to use it, then dismiss it.
import { useEffect, useRef } from "react";

import { CopyButton } from "../components/CopyButton";
import { useI18n } from "../i18n";
import { type CreatedToken, curlExample } from "./tokens";

export function TokenCreated({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const { t } = useI18n();
  const box = useRef<HTMLElement>(null);
  const value = useRef<HTMLElement>(null);
  const example = useRef<HTMLElement>(null);
  const command = curlExample(location.origin, created.value);
  // Announce it and bring it into view: it is the one thing to act on now.
  useEffect(() => {
    box.current?.focus();
  }, [created.token.id]);
  return (
    <section className="token-created" aria-labelledby="token-created-title" tabIndex={-1} ref={box}>
      <h3 id="token-created-title">{t("tokens.createdTitle", { name: created.token.name })}</h3>
      <p className="token-once" role="note">
        <strong>{t("tokens.once")}</strong> {t("tokens.onceWhy")}
      </p>
      <figure className="token-figure">
        <figcaption>{t("tokens.value")}</figcaption>
        <div className="copy-row">
          <pre className="command wrap">
            <code ref={value} data-testid="token-value">
              {created.value}
            </code>
          </pre>
          <CopyButton text={created.value} label={t("tokens.copy")} source={value} />
        </div>
      </figure>
      <figure className="token-figure">
        <figcaption>{t("tokens.example")}</figcaption>
        <div className="copy-row">
          <pre className="command wrap">
            <code ref={example}>{command}</code>
          </pre>
          <CopyButton text={command} label={t("tokens.copyCommand")} source={example} />
        </div>
      </figure>
      <button type="button" onClick={onDone}>
        {t("tokens.done")}
      </button>
    </section>
  );
}
