// A button whose action asks first: a modal dialog saying what will happen, with Cancel and
// the action. The safe choice has the focus (or the first field, when the dialog asks for
// a value), Escape cancels, focus returns to the button. The action runs in the dialog:
// its button shows it busy, a failure is shown there in words and the dialog stays open.
import { type ReactNode, useEffect, useId, useRef, useState } from "react";

import { useI18n } from "../i18n";
import { ErrorText } from "./ErrorText";
import { Modal } from "./Modal";
import { useAction } from "./useAction";

export interface ConfirmButtonProps {
  /// The button's text; `ariaLabel` names it fully when the text alone is ambiguous
  /// ("Delete" in a table row: "Delete db-1").
  label: string;
  ariaLabel?: string;
  /// The dialog's title: the question.
  title: string;
  /// What will happen, in words (and any field the action needs).
  children?: ReactNode;
  confirmLabel: string;
  /// The action button's text while it runs ("Working…" when not given).
  busyLabel?: string;
  /// Takes something away: both buttons in the danger colour.
  danger?: boolean;
  disabled?: boolean;
  /// The dialog's own fields are not ready (e.g. an invalid value typed into it).
  confirmDisabled?: boolean;
  onOpen?: () => void;
  /// The action; the dialog closes when it resolves and shows the error when it rejects.
  onConfirm: () => Promise<unknown>;
}

const FIELDS = "input:not([disabled]), select:not([disabled]), textarea:not([disabled])";

export function ConfirmButton(p: ConfirmButtonProps) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const trigger = useRef<HTMLButtonElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const wasOpen = useRef(false);
  const bodyId = useId();
  const { busy, error, setError, run } = useAction();
  useEffect(() => {
    if (open) (body.current?.querySelector<HTMLElement>(FIELDS) ?? cancel.current)?.focus();
    else if (wasOpen.current) trigger.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const show = () => {
    setError(null);
    p.onOpen?.();
    setOpen(true);
  };
  const confirm = async () => {
    const done = await run(async () => {
      await p.onConfirm();
      return true;
    });
    if (done) setOpen(false);
  };
  return (
    <>
      <button
        ref={trigger}
        type="button"
        className={p.danger ? "danger" : undefined}
        aria-label={p.ariaLabel}
        aria-haspopup="dialog"
        disabled={p.disabled}
        onClick={show}
      >
        {p.label}
      </button>
      {open && (
        <Modal title={p.title} busy={busy} onClose={() => setOpen(false)} describedBy={p.children ? bodyId : undefined}>
          {p.children && (
            <div ref={body} id={bodyId} className="modal-body">
              {p.children}
            </div>
          )}
          <ErrorText error={error} />
          <div className="modal-actions">
            <button ref={cancel} type="button" onClick={() => setOpen(false)} disabled={busy}>
              {t("common.cancel")}
            </button>
            <button
              type="button"
              className={p.danger ? "danger solid" : "primary"}
              disabled={busy || p.confirmDisabled}
              aria-busy={busy || undefined}
              onClick={() => void confirm()}
            >
              {busy ? (p.busyLabel ?? t("common.working")) : p.confirmLabel}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}
