// One key of the store: name, algorithm, fingerprint, origin and creation; its public key,
// the hosts using it, and deletion (refused while hosts log in with it).
import { Fragment, useState } from "react";

import { ApiError, del } from "../api/client";
import { ConfirmButton } from "../components/ConfirmButton";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { HostLinks, PublicKeyPanel, UsedByPanel, useKeyHosts } from "./KeyPanels";
import type { SshKey } from "./types";

const COLUMNS = 6;

export function SshKeyRow({ sshKey: k, onChanged }: { sshKey: SshKey; onChanged: () => void }) {
  const { t, locale } = useI18n();
  const [panel, setPanel] = useState<"public" | "hosts" | null>(null);
  const [asking, setAsking] = useState(false);
  const users = useKeyHosts(k.id, asking);
  const toggle = (p: "public" | "hosts") => setPanel((cur) => (cur === p ? null : p));
  const panelId = `ha-key-panel-${k.id}`;
  const remove = async () => {
    try {
      await del(`/api/v1/ssh-keys/${k.id}`);
      onChanged();
    } catch (e) {
      if (e instanceof ApiError && e.code === "ssh_key.in_use") users.refresh();
      throw e;
    }
  };
  const inUse = users.hosts && users.hosts.length > 0 ? users.hosts : null;
  return (
    <Fragment>
      <tr>
        <th scope="row" data-label={t("sshKeys.col.name")}>
          <div>
            <span className="ha-strong">{k.name}</span>
            {k.comment && k.comment !== k.name && <span className="ha-sub muted">{k.comment}</span>}
          </div>
        </th>
        <td data-label={t("sshKeys.col.algorithm")}>
          <div>
            {k.algorithm}
            {k.bits ? <span className="ha-sub muted">{t("sshKeys.bits", { bits: k.bits })}</span> : null}
          </div>
        </td>
        <td data-label={t("sshKeys.col.fingerprint")}>
          <code className="ha-fp">{k.fingerprint}</code>
        </td>
        <td data-label={t("sshKeys.col.source")}>{t(k.source === "generated" ? "sshKeys.generated" : "sshKeys.imported")}</td>
        <td data-label={t("sshKeys.col.created")}>
          <div>
            {formatDateTime(locale, Date.parse(k.created_at))}
            <span className="ha-sub muted">{t("hostsAdmin.keys.by", { name: k.created_by })}</span>
          </div>
        </td>
        <td data-label={t("hostsAdmin.col.actions")}>
          <div className="ha-actions">
            <button type="button" aria-expanded={panel === "public"} aria-controls={panel ? panelId : undefined} aria-label={t("sshKeys.publicOf", { name: k.name })} onClick={() => toggle("public")}>
              {t("sshKeys.public")}
            </button>
            <button type="button" aria-expanded={panel === "hosts"} aria-controls={panel ? panelId : undefined} aria-label={t("sshKeys.usedByOf", { name: k.name })} onClick={() => toggle("hosts")}>
              {t("sshKeys.usedByButton")}
            </button>
            <ConfirmButton
              danger
              label={t("hostsAdmin.delete")}
              ariaLabel={t("sshKeys.deleteKey", { name: k.name })}
              title={t("sshKeys.deleteTitle", { name: k.name })}
              confirmLabel={t("hostsAdmin.delete")}
              busyLabel={t("hostsAdmin.deleting")}
              confirmDisabled={!!inUse}
              onOpen={() => (asking ? users.refresh() : setAsking(true))}
              onConfirm={remove}
            >
              {inUse ? (
                <>
                  <p className="error">{t("sshKeys.deleteInUse")}</p>
                  <HostLinks hosts={inUse} />
                </>
              ) : (
                <p>{t("sshKeys.deleteBody")}</p>
              )}
            </ConfirmButton>
          </div>
        </td>
      </tr>
      {panel && (
        <tr className="ha-detail">
          <td colSpan={COLUMNS} id={panelId}>
            {panel === "public" ? <PublicKeyPanel sshKey={k} /> : <UsedByPanel sshKey={k} />}
          </td>
        </tr>
      )}
    </Fragment>
  );
}
