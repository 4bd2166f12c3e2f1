// A destructive action asked twice: the button opens a question in place with the action
// and Cancel (focused, so a stray Enter does nothing harmful; Escape also cancels).
import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";

import { useI18n } from "../i18n";

interface Props {
  /// The button's text, and its accessible name when `name` is not given.
  label: string;
  name?: string;
  question: string;
  confirmLabel: string;
  busyLabel: string;
  busy: boolean;
  onConfirm: () => void;
}

export function ConfirmButton({ label, name, question, confirmLabel, busyLabel, busy, onConfirm }: Props) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const id = useId();
  useEffect(() => {
    if (asking) cancel.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      trigger.current?.focus();
    }
  }, [asking]);
  const close = () => {
    returnFocus.current = true;
    setAsking(false);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape" && !busy) {
      e.stopPropagation();
      close();
    }
  };
  if (!asking) {
    return (
      <button type="button" ref={trigger} className="danger" aria-label={name} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-labelledby={id} onKeyDown={onKeyDown}>
      <p id={id}>{question}</p>
      <div className="confirm-actions">
        <button type="button" className="danger solid" disabled={busy} aria-busy={busy} onClick={onConfirm}>
          {busy ? busyLabel : confirmLabel}
        </button>
        <button type="button" ref={cancel} disabled={busy} onClick={close}>
          {t("profile.cancel")}
        </button>
      </div>
    </div>
  );
}
