// A labelled, required text or password input bound to a string state: the sign-in and
// password forms are made of these.
import type { InputHTMLAttributes } from "react";

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange"> & {
  label: string;
  value: string;
  onValue: (value: string) => void;
};

export function TextField({ label, value, onValue, ...input }: Props) {
  return (
    <label>
      {label}
      <input required {...input} value={value} onChange={(e) => onValue(e.target.value)} />
    </label>
  );
}
