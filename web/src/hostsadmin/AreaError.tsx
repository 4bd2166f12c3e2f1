// An API error in words: this area's codes (SSH, key store, hosts, ingest keys) from its own
// dictionary block, everything else through the shared ErrorText.
import { ApiError } from "../api/client";
import { ErrorText } from "../components/ErrorText";
import { useI18n } from "../i18n";
import { errorKey } from "./errors";

export function AreaError({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  const key = error instanceof ApiError ? errorKey(error.code) : null;
  if (!key) return <ErrorText error={error} />;
  return (
    <p className="error" role="alert">
      {t(key)}
    </p>
  );
}
