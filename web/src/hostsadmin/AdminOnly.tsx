// The pages of this area are for organization admins; others get a sentence, not errors.
import type { ReactNode } from "react";

import { atLeast, useSession } from "../auth/session";
import { useI18n } from "../i18n";

export function AdminOnly({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const { t } = useI18n();
  if (!session || !atLeast(session.user.role, "admin")) {
    return <p className="card empty">{t("hostsAdmin.adminOnly")}</p>;
  }
  return <>{children}</>;
}
