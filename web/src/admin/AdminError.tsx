// API errors of the users and organizations endpoints in words: the codes of this area
// get their own sentences (users.error.*), everything else goes to the shared ErrorText.
import { ApiError } from "../api/client";
import { ErrorText } from "../components/ErrorText";
import { type Key, useI18n } from "../i18n";

const OWN: Record<string, Key> = {
  "users.self_change": "users.error.selfChange",
  "users.superadmin_only": "users.error.superadminOnly",
  "users.username_taken": "users.error.usernameTaken",
  "users.email_taken": "users.error.emailTaken",
  "users.invalid_username": "users.error.invalidUsername",
  "users.invalid_email": "users.error.invalidEmail",
  "users.invalid_display_name": "users.error.invalidDisplayName",
  "users.not_found": "users.error.notFound",
  "orgs.invalid_name": "orgs.error.invalidName",
  "orgs.exists": "orgs.error.exists",
  "orgs.not_found": "orgs.error.notFound",
};

export function AdminError({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  const own = error instanceof ApiError ? OWN[error.code] : undefined;
  if (!own) return <ErrorText error={error} />;
  return (
    <p className="error" role="alert">
      {t(own)}
    </p>
  );
}
