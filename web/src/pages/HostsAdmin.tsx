// Hosts admin: see the "Pages" list. Placeholder until its page lands.
import { useI18n } from "../i18n";

export default function HostsAdmin() {
  const { t } = useI18n();
  return <h1>{t("nav.hosts")}</h1>;
}
