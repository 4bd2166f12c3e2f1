// An API error in words: a translated sentence for the codes the UI knows, the appliance's
// own message (already a sentence) for the rest, never raw JSON.
import { ApiError } from "../api/client";
import { type Key, type Translate, useI18n } from "../i18n";

export function describeError(t: Translate, error: unknown): string {
  if (error instanceof ApiError) {
    const key = `error.${error.code}` as Key;
    const known = t(key);
    if (known !== key) return known;
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
