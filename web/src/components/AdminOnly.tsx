// A page (or part) for organization admins: others get a sentence saying so, not the
// errors its API calls would answer. The appliance enforces the role either way.
import type { ReactNode } from "react";

import { useSession } from "../auth/session";
import { type Key, useI18n } from "../i18n";
import { atLeast } from "./roles";

/// `message` says what only admins may do here; a general sentence when not given.
export function AdminOnly({ message = "app.adminOnly", children }: { message?: Key; children: ReactNode }) {
  const { session } = useSession();
  const { t } = useI18n();
  if (!session || !atLeast(session.user.role, "admin")) {
    return <p className="card empty">{t(message)}</p>;
  }
  return <>{children}</>;
}
