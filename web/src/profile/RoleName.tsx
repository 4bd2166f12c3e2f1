// A role in words, as a badge.
import { useI18n } from "../i18n";
import type { Role } from "../components/roles";

export function RoleName({ role }: { role: Role }) {
  const { t } = useI18n();
  return <span className={`badge role-${role}`}>{t(`profile.role.${role}`)}</span>;
}
