// The dialogs of a user's row that ask for something: a new role, a password reset (disabling
// and deleting are the row's ConfirmButtons). Each calls the API itself and reports back the
// changed account.
import { type FormEvent, useId, useState } from "react";

import { patch, post } from "../api/client";
import { Modal } from "../components/Modal";
import { useAction } from "../components/useAction";
import { useI18n } from "../i18n";
import { ErrorText } from "../components/ErrorText";
import { GENERATED, PasswordChoice, type PasswordValue } from "./PasswordChoice";
import { generatePassword } from "./password";
import { type Role, type UserView, assignableRoles, withOrg } from "../components/roles";
import type { Secret } from "./SecretOnce";

export type Dialog = { kind: "role" | "reset"; user: UserView };

interface Props {
  dialog: Dialog;
  me: Role;
  org: number | null;
  onClose: () => void;
  /// The account after the change, and a password to show once.
  onDone: (user: UserView, message: string, secret?: Secret) => void;
}

export function UserDialog(props: Props) {
  return props.dialog.kind === "role" ? <RoleDialog {...props} /> : <ResetDialog {...props} />;
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
        <ErrorText error={error} />
        <div className="modal-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy || role === user.role} aria-busy={busy}>
            {busy ? t("common.working") : t("users.saveRole")}
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
        <ErrorText error={error} />
        <div className="modal-actions">
          <button type="button" onClick={onClose} disabled={busy} autoFocus>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy ? t("common.working") : t("users.resetConfirm")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
