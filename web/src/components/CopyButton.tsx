// A button copying a text to the clipboard, and a status (read out by screen readers) saying
// whether it worked. Where copying is impossible (plain HTTP without the Clipboard API, or a
// refusal), the text shown in `source` is selected for a manual copy and the status says so.
import { type RefObject, useEffect, useState } from "react";

import { useI18n } from "../i18n";
import { copyText, selectContents } from "./clipboard";

export interface CopyButtonProps {
  /// What is copied.
  text: string;
  /// The button's text (say what it copies: "Copy key"); "Copy" when not given.
  label?: string;
  /// Where the text is shown (a code block, a read-only field), selected when copying fails.
  source?: RefObject<HTMLElement | null>;
}

export function CopyButton({ text, label, source }: CopyButtonProps) {
  const { t } = useI18n();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  // "Copied" goes after a moment; a failure stays until the next try, next to the selection.
  useEffect(() => {
    if (state !== "copied") return;
    const id = setTimeout(() => setState("idle"), 2500);
    return () => clearTimeout(id);
  }, [state]);
  const copy = async () => {
    const ok = await copyText(text);
    setState(ok ? "copied" : "failed");
    if (!ok) selectContents(source?.current ?? null);
  };
  return (
    <span className="copy">
      <button type="button" onClick={() => void copy()}>
        {label ?? t("common.copy")}
      </button>
      <span role="status" className={state === "failed" ? "error" : "success"}>
        {state === "copied" ? t("common.copied") : state === "failed" ? t("common.copyFailed") : ""}
      </span>
    </span>
  );
}
