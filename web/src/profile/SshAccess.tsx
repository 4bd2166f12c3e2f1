// SSH access on the profile: what you are on the hosts (login name, uid, home, groups), your
// login shell, and your SSH public keys. A uid comes with your first access, key, shell or
// group; until then the section says so.
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from "react";

import { get, patch } from "../api/client";
import type { UnixView } from "../access/types";
import { useSession } from "../auth/session";
import { ErrorText } from "../components/ErrorText";
import { useAction } from "../components/useAction";
import { useI18n } from "../i18n";
import { UserKeys } from "./UserKeys";

export function SshAccess() {
  const { t } = useI18n();
  const { session } = useSession();
  const userId = session?.user.id;
  const [view, setView] = useState<UnixView | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const load = useCallback(async () => {
    if (userId == null) return;
    try {
      setView(await get<UnixView>(`/api/v1/users/${userId}/unix`));
      setLoadError(null);
    } catch (e) {
      setLoadError(e);
    }
  }, [userId]);
  useEffect(() => {
    void load();
  }, [load]);
  if (userId == null) return null;
  return (
    <section className="card profile-card profile-ssh" aria-labelledby="profile-ssh">
      <h2 id="profile-ssh">{t("access.ssh.title")}</h2>
      <p className="hint">{t("access.ssh.intro")}</p>
      <ErrorText error={loadError} />
      {!view && !loadError && <p className="loading">{t("app.loading")}</p>}
      {view && (
        <>
          <UnixFacts view={view} />
          <ShellChoice
            key={view.shell}
            userId={userId}
            view={view}
            onSaved={(v, shell) => {
              setView(v);
              setStatus(t("access.ssh.shellSaved", { shell }));
            }}
          />
          <div aria-live="polite" className="token-status">
            {status && <p className="success">{status}</p>}
          </div>
          <UserKeys
            userId={userId}
            keys={view.keys}
            onChanged={(message) => {
              setStatus(message);
              void load();
            }}
          />
        </>
      )}
    </section>
  );
}

function UnixFacts({ view }: { view: UnixView }) {
  const { t } = useI18n();
  const none = (key: "access.ssh.uidPending" | "access.ssh.noGroups") => <span className="muted">{t(key)}</span>;
  const rows: [string, ReactNode][] = [
    [t("access.ssh.username"), <span className="mono">{view.username}</span>],
    [t("access.ssh.uid"), view.uid == null ? none("access.ssh.uidPending") : <span className="mono">{view.uid}</span>],
    [t("access.ssh.home"), <span className="mono">{view.home}</span>],
    [t("access.ssh.groups"), view.groups.length ? <span className="mono">{view.groups.join(", ")}</span> : none("access.ssh.noGroups")],
  ];
  return (
    <dl className="profile-facts" data-testid="ssh-facts">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function ShellChoice({ userId, view, onSaved }: { userId: number; view: UnixView; onSaved: (v: UnixView, shell: string) => void }) {
  const { t } = useI18n();
  const [shell, setShell] = useState(view.shell);
  const { busy, error, run } = useAction();
  // The current shell is offered even when the allowed list no longer has it.
  const shells = view.shells.includes(view.shell) ? view.shells : [view.shell, ...view.shells];
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await run(() => patch<UnixView>(`/api/v1/users/${userId}/unix`, { shell }));
    if (saved) onSaved(saved, saved.shell);
  };
  return (
    <form className="profile-fields" onSubmit={(e) => void save(e)}>
      <label>
        {t("access.ssh.shell")}
        <select name="shell" value={shell} onChange={(e) => setShell(e.target.value)}>
          {shells.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy || shell === view.shell} aria-busy={busy}>
        {busy ? t("access.ssh.savingShell") : t("access.ssh.saveShell")}
      </button>
      <ErrorText error={error} />
    </form>
  );
}
