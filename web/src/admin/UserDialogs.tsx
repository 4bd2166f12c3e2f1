// The dialogs of a user's row: a new role, a password reset, and the confirmations for
// disabling and deleting. Each calls the API itself and reports back the changed account.
import { type FormEvent, useId, useState } from "react";

import { del, patch, post } from "../api/client";
import { useI18n } from "../i18n";
import { AdminError } from "./AdminError";
import { ConfirmDialog, Modal } from "./Modal";
import { GENERATED, PasswordChoice, type PasswordValue } from "./PasswordChoice";
import { generatePassword } from "./password";
import { type Role, type UserView, assignableRoles, withOrg } from "./roles";
import type { Secret } from "./SecretOnce";

export type Dialog = { kind: "role" | "reset" | "disable" | "delete"; user: UserView };

interface Props {
  dialog: Dialog;
  me: Role;
  org: number | null;
  onClose: () => void;
  /// The account after the change (`null` once deleted), and a password to show once.
  onDone: (user: UserView | null, message: string, secret?: Secret) => void;
}

export function UserDialog(props: Props) {
  switch (props.dialog.kind) {
    case "role":
      return <RoleDialog {...props} />;
    case "reset":
      return <ResetDialog {...props} />;
    default:
      return <ConfirmUserDialog {...props} />;
  }
}

/// Runs `action` with busy and error state for a dialog.
function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function RoleDialog({ dialog: { user }, me, org, onClose, onDone }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [role, setRole] = useState<Role>(user.role);
  const { busy, error, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const changed = await patch<UserView>(withOrg(`/api/v1/users/${user.id}`, org), { role });
      onDone(changed, t("users.done.role", { name: user.username, role: t(`users.role.${role}`) }));
    });
  };
  return (
    <Modal title={t("users.roleTitle", { name: user.username })} busy={busy} onClose={onClose}>
      <form onSubmit={submit} className="modal-form">
        <div className="field">
          <label htmlFor={`${id}-role`}>{t("users.newRole")}</label>
          <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)} autoFocus>
            {assignableRoles(me).map((r) => (
              <option key={r} value={r}>
                {t(`users.role.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <AdminError error={error} />
        <div className="modal-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {t("users.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy || role === user.role} aria-busy={busy}>
            {busy ? t("users.working") : t("users.saveRole")}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function ResetDialog({ dialog: { user }, org, onClose, onDone }: Props) {
  const { t } = useI18n();
  const [password, setPassword] = useState<PasswordValue>(GENERATED);
  const { busy, error, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const secret = password.generate ? generatePassword() : password.password;
    void run(async () => {
      const changed = await post<UserView>(withOrg(`/api/v1/users/${user.id}/password`, org), { new_password: secret });
      const message = t("users.done.reset", { name: user.username });
      onDone(changed, message, password.generate ? { username: user.username, password: secret } : undefined);
    });
  };
  return (
    <Modal title={t("users.resetTitle", { name: user.username })} busy={busy} onClose={onClose}>
      <form onSubmit={submit} className="modal-form">
        <p>{t("users.resetExplain")}</p>
        <PasswordChoice legend={t("users.passwordNew")} value={password} onChange={setPassword} />
        <AdminError error={error} />
        <div className="modal-actions">
          <button type="button" onClick={onClose} disabled={busy} autoFocus>
            {t("users.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy ? t("users.working") : t("users.resetConfirm")}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function ConfirmUserDialog({ dialog: { kind, user }, org, onClose, onDone }: Props) {
  const { t } = useI18n();
  const { busy, error, run } = useAction();
  const name = user.username;
  const path = withOrg(`/api/v1/users/${user.id}`, org);
  const confirm = () =>
    run(async () => {
      if (kind === "delete") {
        await del(path);
        onDone(null, t("users.done.deleted", { name }));
      } else {
        onDone(await patch<UserView>(path, { disabled: true }), t("users.done.disabled", { name }));
      }
    });
  const del_ = kind === "delete";
  return (
    <ConfirmDialog
      title={del_ ? t("users.deleteTitle", { name }) : t("users.disableTitle", { name })}
      confirmLabel={del_ ? t("users.deleteConfirm") : t("users.disableConfirm")}
      busy={busy}
      error={<AdminError error={error} />}
      onConfirm={() => void confirm()}
      onCancel={onClose}
    >
      <p>{del_ ? t("users.deleteExplain", { name }) : t("users.disableExplain", { name })}</p>
    </ConfirmDialog>
  );
}
