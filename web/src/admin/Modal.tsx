// Modal dialogs on the native <dialog>: focus stays inside, Escape closes (unless busy),
// and focus returns to what opened it. ConfirmDialog asks before anything destructive,
// with the safe choice focused first.
import { type ReactNode, useEffect, useId, useRef } from "react";

import { useI18n } from "../i18n";

interface ModalProps {
  title: string;
  busy?: boolean;
  onClose: () => void;
  children: ReactNode;
}

export function Modal({ title, busy, onClose, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (d && !d.open) d.showModal?.();
    return () => {
      d?.close?.();
      opener?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="card admin-modal"
      aria-labelledby={id}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id={id}>{title}</h2>
      {children}
    </dialog>
  );
}

interface ConfirmProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  error?: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({ title, children, confirmLabel, busy, error, onConfirm, onCancel }: ConfirmProps) {
  const { t } = useI18n();
  return (
    <Modal title={title} busy={busy} onClose={onCancel}>
      <div className="modal-body">{children}</div>
      {error}
      <div className="modal-actions">
        <button type="button" autoFocus onClick={onCancel} disabled={busy}>
          {t("users.cancel")}
        </button>
        <button type="button" className="danger" onClick={onConfirm} disabled={busy} aria-busy={busy}>
          {busy ? t("users.working") : confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
