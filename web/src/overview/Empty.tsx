// What a newcomer sees before any host: how to add one, with the command to copy.
import { useState } from "react";

import { useI18n } from "../i18n";

export function EmptyOverview() {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const command = `steward agent --server ${location.origin} --key sti_…`;
  const copy = async () => {
    await navigator.clipboard?.writeText(command);
    setCopied(true);
  };
  return (
    <section className="card empty-state">
      <h1>{t("overview.emptyTitle")}</h1>
      <p>{t("overview.emptyAgent")}</p>
      <pre className="command">
        <code>{command}</code>
      </pre>
      <button type="button" onClick={() => void copy()}>
        {copied ? t("overview.copied") : t("overview.copy")}
      </button>
      <p>{t("overview.emptySsh")}</p>
    </section>
  );
}
