// A modal dialog on the native <dialog>, open while it is rendered: focus stays inside,
// Escape closes it (unless busy), and focus returns to what opened it.
import { type ReactNode, useEffect, useId, useRef } from "react";

export interface ModalProps {
  title: string;
  /// While set, Escape does nothing (the caller also disables its buttons).
  busy?: boolean;
  onClose: () => void;
  /// The id of the text describing the dialog, read out with its title.
  describedBy?: string;
  children: ReactNode;
}

export function Modal({ title, busy, onClose, describedBy, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    const opener = document.activeElement as HTMLElement | null;
    if (d && !d.open) {
      // Without showModal (old browsers, jsdom) it is at least shown.
      if (d.showModal) d.showModal();
      else d.setAttribute("open", "");
    }
    return () => {
      d?.close?.();
      opener?.focus?.();
    };
  }, []);
  const cancel = () => {
    if (!busy) onClose();
  };
  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={id}
      aria-describedby={describedBy}
      onCancel={(e) => {
        e.preventDefault();
        cancel();
      }}
      onKeyDown={(e) => {
        if (e.key !== "Escape") return;
        // Handled here (the browser's own cancel is then not fired), so it also works
        // where <dialog> is not modal.
        e.preventDefault();
        e.stopPropagation();
        cancel();
      }}
    >
      <h2 id={id}>{title}</h2>
      {children}
    </dialog>
  );
}
