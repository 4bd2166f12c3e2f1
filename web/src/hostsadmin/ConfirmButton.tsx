// A button whose action asks first: a modal dialog (native <dialog>: focus kept inside,
// Escape cancels, focus returns to the button) saying what will happen, with the action's
// busy state and error inside it.
import { type ReactNode, useId, useRef } from "react";

import { useI18n } from "../i18n";
import { AreaError } from "./AreaError";
import { useAction } from "./useAction";

interface Props {
  /// The button's text; `ariaLabel` names it fully when the text alone is ambiguous.
  label: string;
  ariaLabel?: string;
  title: string;
  /// What will happen, in words.
  children: ReactNode;
  confirmLabel: string;
  busyLabel?: string;
  danger?: boolean;
  disabled?: boolean;
  /// The dialog's own fields are not ready (e.g. an invalid value typed into it).
  confirmDisabled?: boolean;
  onConfirm: () => Promise<unknown>;
  onOpen?: () => void;
}

export function ConfirmButton(p: Props) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { busy, error, setError, run } = useAction();
  const open = () => {
    setError(null);
    p.onOpen?.();
    const d = dialog.current;
    if (d?.showModal) d.showModal();
    else d?.setAttribute("open", "");
  };
  const close = () => {
    const d = dialog.current;
    if (d?.close) d.close();
    else d?.removeAttribute("open");
  };
  const confirm = async () => {
    let ok = false;
    await run(async () => {
      await p.onConfirm();
      ok = true;
    });
    if (ok) close();
  };
  return (
    <>
      <button
        type="button"
        className={p.danger ? "ha-danger" : undefined}
        aria-label={p.ariaLabel}
        aria-haspopup="dialog"
        disabled={p.disabled}
        onClick={open}
      >
        {p.label}
      </button>
      <dialog ref={dialog} className="ha-dialog" aria-labelledby={titleId} onCancel={(e) => busy && e.preventDefault()}>
        <h2 id={titleId}>{p.title}</h2>
        <div className="ha-dialog-body">{p.children}</div>
        <AreaError error={error} />
        <div className="ha-actions ha-dialog-actions">
          <button type="button" onClick={close} disabled={busy}>
            {t("hostsAdmin.cancel")}
          </button>
          <button type="button" className={p.danger ? "ha-danger-solid" : "primary"} onClick={() => void confirm()} disabled={busy || p.confirmDisabled}>
            {busy ? (p.busyLabel ?? t("hostsAdmin.working")) : p.confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
