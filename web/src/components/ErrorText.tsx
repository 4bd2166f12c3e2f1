// Error codes in words, the one place the UI maps them: an API error (or an SSH test's or
// poll's error code) gets the dictionary's `error.<code>` sentence when there is one; else
// the appliance's own message (already a sentence), never a 5xx cause, never raw JSON.
// Areas add words for their codes as `error.<code>` keys, not their own mappings.
import { ApiError } from "../api/client";
import { type Key, type Translate, useI18n } from "../i18n";
import { en } from "../i18n/locales/en";

/// The dictionary key for an error code the UI has words for, else null.
export function errorKey(code: string | null | undefined): Key | null {
  const key = `error.${code ?? ""}`;
  return code && key in en ? (key as Key) : null;
}

export function describeError(t: Translate, error: unknown): string {
  if (error instanceof ApiError) {
    const key = errorKey(error.code);
    if (key) return t(key);
    if (error.status >= 500) return t("error.server");
    return t("error.generic", { message: error.message });
  }
  return t("error.generic", { message: error instanceof Error ? error.message : String(error) });
}

export function ErrorText({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {describeError(t, error)}
    </p>
  );
}
