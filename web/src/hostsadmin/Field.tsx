// A labelled form control with its hint and its problem, wired for screen readers
// (aria-describedby, aria-invalid). The control is given as a render function of its props.
import { type ReactNode, useId } from "react";

export interface ControlProps {
  id: string;
  "aria-invalid"?: true;
  "aria-describedby"?: string;
}

interface Props {
  label: string;
  hint?: ReactNode;
  problem?: string | null;
  className?: string;
  children: (props: ControlProps) => ReactNode;
}

export function Field({ label, hint, problem, className, children }: Props) {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", problem ? `${id}-problem` : ""].filter(Boolean).join(" ");
  return (
    <div className={`ha-field ${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": problem ? true : undefined, "aria-describedby": described || undefined })}
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {problem && (
        <p id={`${id}-problem`} className="error">
          {problem}
        </p>
      )}
    </div>
  );
}
