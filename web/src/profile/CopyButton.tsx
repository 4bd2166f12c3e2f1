// A copy button for a block of text, saying whether it worked (and selecting the text for
// a manual copy when it did not).
import { type RefObject, useEffect, useState } from "react";

import { useI18n } from "../i18n";
import { copyText, selectContents } from "./clipboard";

export function CopyButton({ text, label, source }: { text: string; label: string; source: RefObject<HTMLElement | null> }) {
  const { t } = useI18n();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state !== "copied") return;
    const id = setTimeout(() => setState("idle"), 2500);
    return () => clearTimeout(id);
  }, [state]);
  const copy = async () => {
    const ok = await copyText(text);
    setState(ok ? "copied" : "failed");
    if (!ok) selectContents(source.current);
  };
  return (
    <span className="copy">
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" className={state === "failed" ? "error" : "success"}>
        {state === "copied" ? t("tokens.copied") : state === "failed" ? t("tokens.copyFailed") : ""}
      </span>
    </span>
  );
}
