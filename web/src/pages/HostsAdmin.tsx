// Hosts admin (/hosts, organization admins): machines waiting for approval, every host with
// its state, status, tags, SSH connection and last error, adding a server polled over SSH,
// and the ingest keys agents enroll with. Parts live in ../hostsadmin/.
import "../hostsadmin/hostsadmin.css";

import { AddSshHost } from "../hostsadmin/AddSshHost";
import { AdminOnly } from "../components/AdminOnly";
import { ErrorText } from "../components/ErrorText";
import { HostsTable } from "../hostsadmin/HostsTable";
import { IngestKeys } from "../hostsadmin/IngestKeys";
import { splitHosts } from "../hostsadmin/model";
import { PendingHosts } from "../hostsadmin/PendingHosts";
import type { IngestKey, SshKey } from "../hostsadmin/types";
import { useHosts } from "../hostsadmin/useHosts";
import { useList } from "../components/useList";
import { useI18n } from "../i18n";

export default function HostsAdmin() {
  return (
    <AdminOnly message="hostsAdmin.adminOnly">
      <HostsAdminPage />
    </AdminOnly>
  );
}

function HostsAdminPage() {
  const { t } = useI18n();
  const { hosts, loaded, error, reload } = useHosts();
  const ingestKeys = useList<IngestKey>("/api/v1/ingest-keys");
  const sshKeys = useList<SshKey>("/api/v1/ssh-keys");
  const { pending, others } = splitHosts(hosts);
  const reloadAll = () => {
    void reload();
    void ingestKeys.reload();
  };
  return (
    <div className="ha-page">
      <header className="page-head">
        <h1>{t("hostsAdmin.title")}</h1>
        {loaded && <span className="muted">{t("overview.count_other", { count: hosts.length })}</span>}
        <nav className="ha-jump" aria-label={t("hostsAdmin.sections")}>
          <a href="#add-ssh">{t("hostsAdmin.add.title")}</a>
          <a href="#ingest-keys">{t("hostsAdmin.keys.title")}</a>
        </nav>
      </header>
      <ErrorText error={error} />
      <PendingHosts hosts={pending} keys={ingestKeys.items} onChanged={reloadAll} />
      <section className="ha-section" aria-labelledby="ha-hosts-title">
        <h2 id="ha-hosts-title">{t("hostsAdmin.allHosts")}</h2>
        {!loaded && <p className="loading">{t("app.loading")}</p>}
        {loaded && others.length === 0 && <p className="card empty">{t("hostsAdmin.empty")}</p>}
        {others.length > 0 && <HostsTable hosts={others} keys={sshKeys.items} onChanged={() => void reload()} />}
      </section>
      <AddSshHost keys={sshKeys.items} onAdded={() => void reload()} />
      <IngestKeys keys={ingestKeys.items} loaded={ingestKeys.loaded} error={ingestKeys.error} hosts={hosts} onChanged={reloadAll} />
    </div>
  );
}
