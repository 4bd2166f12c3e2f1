import type { Status } from "../api/types";
import { type Key, useI18n } from "../i18n";

export function StatusBadge({ status, pending }: { status: Status; pending?: boolean }) {
  const { t } = useI18n();
  const key = (pending ? "status.pending" : `status.${status}`) as Key;
  return <span className={`badge status-${pending ? "pending" : status}`}>{t(key)}</span>;
}
