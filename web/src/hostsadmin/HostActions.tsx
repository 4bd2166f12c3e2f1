// What an admin can do to one host, by its kind and state: approve or reject an agent,
// test an SSH host, re-pin its changed host key, enable or disable it, delete it.
import { useId, useState } from "react";

import { del, patch, post } from "../api/client";
import { ConfirmButton } from "../components/ConfirmButton";
import { useAction } from "../components/useAction";
import { useI18n } from "../i18n";
import { ErrorText } from "../components/ErrorText";
import { approvable, deletable, rejectable } from "./model";
import { findFingerprint } from "./sshForm";
import type { Host, TestReport } from "./types";

interface Props {
  host: Host;
  onChanged: () => void;
  onTest?: (report: TestReport) => void;
}

export function HostActions({ host, onChanged, onTest }: Props) {
  const { t } = useI18n();
  const { busy, error, run } = useAction();
  const [doing, setDoing] = useState<"approve" | "test" | "toggle" | null>(null);
  const name = host.name;
  const ssh = host.kind === "ssh" ? host.ssh : null;
  const act = (what: typeof doing, f: () => Promise<unknown>) => {
    setDoing(what);
    void run(f).finally(() => setDoing(null));
  };
  const keyChanged = host.status === "host_key_changed" || host.poll?.status === "host_key_changed";
  return (
    <div className="ha-actions-cell">
      <div className="ha-actions">
        {approvable(host) && (
          <button
            type="button"
            className="primary"
            disabled={busy}
            aria-label={t("hostsAdmin.approveHost", { name })}
            onClick={() => act("approve", () => post(`/api/v1/hosts/${host.id}/approve`).then(onChanged))}
          >
            {doing === "approve" ? t("hostsAdmin.approving") : t("hostsAdmin.approve")}
          </button>
        )}
        {rejectable(host) && (
          <ConfirmButton
            danger
            label={t("hostsAdmin.reject")}
            ariaLabel={t("hostsAdmin.rejectHost", { name })}
            title={t("hostsAdmin.rejectTitle", { name })}
            confirmLabel={t("hostsAdmin.reject")}
            onConfirm={() => post(`/api/v1/hosts/${host.id}/reject`).then(onChanged)}
          >
            <p>{t("hostsAdmin.rejectBody")}</p>
          </ConfirmButton>
        )}
        {ssh && onTest && (
          <button
            type="button"
            disabled={busy}
            aria-label={t("hostsAdmin.testHost", { name })}
            onClick={() => act("test", () => post<TestReport>(`/api/v1/hosts/${host.id}/test-ssh`).then(onTest))}
          >
            {doing === "test" ? t("hostsAdmin.testing") : t("hostsAdmin.test")}
          </button>
        )}
        {ssh && keyChanged && <RepinButton host={host} onChanged={onChanged} />}
        {ssh && (
          <button
            type="button"
            disabled={busy}
            aria-label={t(ssh.enabled ? "hostsAdmin.disableHost" : "hostsAdmin.enableHost", { name })}
            onClick={() => act("toggle", () => patch(`/api/v1/hosts/${host.id}`, { enabled: !ssh.enabled }).then(onChanged))}
          >
            {doing === "toggle" ? t("hostsAdmin.saving") : t(ssh.enabled ? "hostsAdmin.disable" : "hostsAdmin.enable")}
          </button>
        )}
        {deletable(host) && (
          <ConfirmButton
            danger
            label={t("hostsAdmin.delete")}
            ariaLabel={t("hostsAdmin.deleteHost", { name })}
            title={t("hostsAdmin.deleteTitle", { name })}
            confirmLabel={t("hostsAdmin.delete")}
            busyLabel={t("hostsAdmin.deleting")}
            onConfirm={() => del(`/api/v1/hosts/${host.id}`).then(onChanged)}
          >
            <p>{t(host.kind === "ssh" ? "hostsAdmin.deleteSshBody" : "hostsAdmin.deleteAgentBody")}</p>
          </ConfirmButton>
        )}
      </div>
      <ErrorText error={error} />
    </div>
  );
}

/// Trust the new host key of a server whose key changed: with the fingerprint the admin
/// checked on the server, or whatever the next connection finds.
function RepinButton({ host, onChanged }: { host: Host; onChanged: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState("");
  const fingerprint = findFingerprint(text);
  const pinned = host.ssh?.host_key?.fingerprint;
  const presented = host.poll?.presented_key;
  return (
    <ConfirmButton
      danger
      label={t("hostsAdmin.repin")}
      ariaLabel={t("hostsAdmin.repinHost", { name: host.name })}
      title={t("hostsAdmin.repinTitle", { name: host.name })}
      confirmLabel={t("hostsAdmin.repinConfirm")}
      confirmDisabled={fingerprint === null}
      onOpen={() => setText("")}
      onConfirm={() => post(`/api/v1/hosts/${host.id}/pin-host-key`, fingerprint ? { fingerprint } : {}).then(onChanged)}
    >
      <p className="notice">{t("hostsAdmin.repinRisk")}</p>
      <dl className="ha-facts">
        <div>
          <dt>{t("hostsAdmin.pinnedKey")}</dt>
          <dd>{pinned ? <code className="ha-fp">{pinned}</code> : t("hostsAdmin.notPinned")}</dd>
        </div>
        {presented && (
          <div>
            <dt>{t("hostsAdmin.presentedKey")}</dt>
            <dd>
              <code className="ha-fp">{presented.fingerprint}</code> ({presented.algorithm})
            </dd>
          </div>
        )}
      </dl>
      <label htmlFor={`${id}-fp`}>{t("hostsAdmin.repinFingerprint")}</label>
      <input
        id={`${id}-fp`}
        value={text}
        spellCheck={false}
        autoCapitalize="off"
        placeholder="SHA256:…"
        aria-invalid={fingerprint === null ? true : undefined}
        aria-describedby={`${id}-hint`}
        onChange={(e) => setText(e.target.value)}
      />
      <p id={`${id}-hint`} className={fingerprint === null ? "error" : "hint"}>
        {fingerprint === null ? t("hostsAdmin.check.fingerprint") : t("hostsAdmin.repinHint")}
      </p>
    </ConfirmButton>
  );
}
