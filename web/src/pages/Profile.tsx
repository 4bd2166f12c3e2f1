// Profile: see the "Pages" list. Placeholder until its page lands.
import { useI18n } from "../i18n";

export default function Profile() {
  const { t } = useI18n();
  return <h1>{t("nav.profile")}</h1>;
}
