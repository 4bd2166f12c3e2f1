// SSH keys (/ssh-keys, organization admins): the key store SSH-polled hosts log in with.
// List, public keys to install, which hosts use a key, generate, import, delete. Parts live
// in ../hostsadmin/.
import "../hostsadmin/hostsadmin.css";

import { AdminOnly } from "../components/AdminOnly";
import { ErrorText } from "../components/ErrorText";
import { sortKeys } from "../hostsadmin/model";
import { GenerateKey, ImportKey } from "../hostsadmin/NewKeyForms";
import { SshKeyRow } from "../hostsadmin/SshKeyRow";
import type { SshKey } from "../hostsadmin/types";
import { useList } from "../components/useList";
import { useI18n } from "../i18n";

export default function SshKeys() {
  return (
    <AdminOnly message="hostsAdmin.adminOnly">
      <SshKeysPage />
    </AdminOnly>
  );
}

function SshKeysPage() {
  const { t } = useI18n();
  const { items, loaded, error, reload } = useList<SshKey>("/api/v1/ssh-keys");
  const keys = sortKeys(items);
  const changed = () => void reload();
  return (
    <div className="ha-page">
      <header className="page-head">
        <h1 id="ha-keys-page-title">{t("sshKeys.title")}</h1>
        {loaded && <span className="muted">{t("sshKeys.count_other", { count: keys.length })}</span>}
      </header>
      <p className="hint ha-intro">{t("sshKeys.intro")}</p>
      <ErrorText error={error} />
      {!loaded && <p className="loading">{t("app.loading")}</p>}
      {loaded && keys.length === 0 && !error && <p className="card empty">{t("sshKeys.empty")}</p>}
      {keys.length > 0 && (
        <div className="ha-scroll ha-section">
          <table className="ha-table" aria-labelledby="ha-keys-page-title">
            <thead>
              <tr>
                <th scope="col">{t("sshKeys.col.name")}</th>
                <th scope="col">{t("sshKeys.col.algorithm")}</th>
                <th scope="col">{t("sshKeys.col.fingerprint")}</th>
                <th scope="col">{t("sshKeys.col.source")}</th>
                <th scope="col">{t("sshKeys.col.created")}</th>
                <th scope="col">{t("hostsAdmin.col.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <SshKeyRow key={k.id} sshKey={k} onChanged={changed} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="ha-columns">
        <GenerateKey onCreated={changed} />
        <ImportKey onCreated={changed} />
      </div>
    </div>
  );
}
