// Generate a password (shown once afterwards) or type one: used when creating an account
// and when resetting a password.
import { useId } from "react";

import { useI18n } from "../i18n";

export interface PasswordValue {
  generate: boolean;
  password: string;
}

export const GENERATED: PasswordValue = { generate: true, password: "" };

interface Props {
  legend: string;
  value: PasswordValue;
  onChange: (v: PasswordValue) => void;
}

export function PasswordChoice({ legend, value, onChange }: Props) {
  const { t } = useI18n();
  const id = useId();
  return (
    <fieldset className="password-choice">
      <legend>{legend}</legend>
      <label className="inline">
        <input
          type="radio"
          name={`${id}-mode`}
          checked={value.generate}
          onChange={() => onChange({ ...value, generate: true })}
        />
        {t("users.passwordGenerate")}
      </label>
      <label className="inline">
        <input
          type="radio"
          name={`${id}-mode`}
          checked={!value.generate}
          onChange={() => onChange({ ...value, generate: false })}
        />
        {t("users.passwordChoose")}
      </label>
      {!value.generate && (
        <label>
          {t("users.passwordTyped")}
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            aria-describedby={`${id}-hint`}
            value={value.password}
            onChange={(e) => onChange({ ...value, password: e.target.value })}
          />
        </label>
      )}
      <p id={`${id}-hint`} className="hint">
        {value.generate ? t("users.passwordGeneratedHint") : t("users.passwordPolicy")}
      </p>
    </fieldset>
  );
}
