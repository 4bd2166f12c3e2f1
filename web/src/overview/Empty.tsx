// What a newcomer sees before any host: how to add one, with the command to copy.
import { useRef } from "react";

import { CopyButton } from "../components/CopyButton";
import { useI18n } from "../i18n";

export function EmptyOverview() {
  const { t } = useI18n();
  const code = useRef<HTMLElement>(null);
  const command = `steward-agent --server ${location.origin} --key sti_…`;
  return (
    <section className="card empty-state">
      <h1>{t("overview.emptyTitle")}</h1>
      <p>{t("overview.emptyAgent")}</p>
      <pre className="command">
        <code ref={code}>{command}</code>
      </pre>
      <CopyButton text={command} source={code} />
      <p>{t("overview.emptySsh")}</p>
    </section>
  );
}
