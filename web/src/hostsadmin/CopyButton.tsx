// Copies a text to the clipboard and says so for a moment (and to screen readers).
import { useEffect, useState } from "react";

import { useI18n } from "../i18n";

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const id = setTimeout(() => setState("idle"), 2500);
    return () => clearTimeout(id);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <>
      <button type="button" onClick={() => void copy()}>
        {state === "copied" ? t("hostsAdmin.copied") : (label ?? t("hostsAdmin.copy"))}
      </button>
      <span role="status" className={state === "failed" ? "error ha-inline" : "sr-only"}>
        {state === "copied" ? t("hostsAdmin.copied") : state === "failed" ? t("hostsAdmin.copyFailed") : ""}
      </span>
    </>
  );
}
