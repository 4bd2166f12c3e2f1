// The accounts of one organization: who they are, their role and state, their last
// sign-in, and what the signed-in admin may do to each. On a phone each row is a card.
import { ConfirmButton } from "../components/ConfirmButton";
import { TableHead } from "../components/TableHead";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import type { Dialog } from "./UserDialogs";
import { type Me, type UserView, rowActions, userStates } from "../components/roles";

interface Props {
  users: UserView[];
  me: Me;
  busyId: number | null;
  onDialog: (d: Dialog) => void;
  onEnable: (u: UserView) => void;
  onUnlock: (u: UserView) => void;
  /// Disabling and deleting, asked first; a failure is shown in the question.
  onDisable: (u: UserView) => Promise<void>;
  onDelete: (u: UserView) => Promise<void>;
}

export function UserTable({ users, me, busyId, onDialog, onEnable, onUnlock, onDisable, onDelete }: Props) {
  const { t, locale } = useI18n();
  const cols = {
    username: t("users.username"),
    name: t("users.displayName"),
    email: t("users.email"),
    role: t("users.role"),
    state: t("users.state"),
    login: t("users.lastLogin"),
    actions: t("users.actions"),
  };
  return (
    <div className="admin-table-wrap">
      <table className="admin-table">
        <caption className="sr-only">{t("users.tableCaption")}</caption>
        <TableHead cols={cols} />
        <tbody>
          {users.map((u) => {
            const can = rowActions(me, u);
            const busy = busyId === u.id;
            return (
              <tr key={u.id} aria-busy={busy}>
                <th scope="row" data-label={cols.username}>
                  <span>
                    <span className="mono">{u.username}</span>
                    {can.self && <span className="badge you">{t("users.you")}</span>}
                  </span>
                </th>
                <td data-label={cols.name}>{u.display_name || <span className="muted">—</span>}</td>
                <td data-label={cols.email} className="break">
                  {u.email ?? <span className="muted">—</span>}
                </td>
                <td data-label={cols.role}>
                  <span className={`badge role-${u.role}`}>{t(`users.role.${u.role}`)}</span>
                </td>
                <td data-label={cols.state}>
                  <span>
                    {userStates(u).map((s) => (
                      <span key={s} className={`badge state-${s}`}>
                        {t(`users.state.${s}`)}
                      </span>
                    ))}
                  </span>
                </td>
                <td data-label={cols.login}>
                  {u.last_login_at ? formatDateTime(locale, Date.parse(u.last_login_at)) : t("time.never")}
                </td>
                <td data-label={cols.actions}>
                  <div className="row-actions">
                    {can.changeRole && (
                      <button
                        type="button"
                        aria-label={t("users.changeRoleFor", { name: u.username })}
                        onClick={() => onDialog({ kind: "role", user: u })}
                      >
                        {t("users.changeRole")}
                      </button>
                    )}
                    {can.resetPassword && (
                      <button
                        type="button"
                        aria-label={t("users.resetFor", { name: u.username })}
                        onClick={() => onDialog({ kind: "reset", user: u })}
                      >
                        {t("users.reset")}
                      </button>
                    )}
                    {can.unlock && (
                      <button
                        type="button"
                        disabled={busy}
                        aria-label={t("users.unlockFor", { name: u.username })}
                        onClick={() => onUnlock(u)}
                      >
                        {t("users.unlock")}
                      </button>
                    )}
                    {can.toggleDisabled &&
                      (u.disabled ? (
                        <button
                          type="button"
                          disabled={busy}
                          aria-label={t("users.enableFor", { name: u.username })}
                          onClick={() => onEnable(u)}
                        >
                          {t("users.enable")}
                        </button>
                      ) : (
                        <ConfirmButton
                          label={t("users.disable")}
                          ariaLabel={t("users.disableFor", { name: u.username })}
                          title={t("users.disableTitle", { name: u.username })}
                          confirmLabel={t("users.disableConfirm")}
                          danger
                          onConfirm={() => onDisable(u)}
                        >
                          <p>{t("users.disableExplain", { name: u.username })}</p>
                        </ConfirmButton>
                      ))}
                    {can.remove && (
                      <ConfirmButton
                        label={t("users.delete")}
                        ariaLabel={t("users.deleteFor", { name: u.username })}
                        title={t("users.deleteTitle", { name: u.username })}
                        confirmLabel={t("users.deleteConfirm")}
                        danger
                        onConfirm={() => onDelete(u)}
                      >
                        <p>{t("users.deleteExplain", { name: u.username })}</p>
                      </ConfirmButton>
                    )}
                    {can.self && <span className="hint">{t("users.selfHint")}</span>}
                    {!can.self && !can.changeRole && !can.unlock && <span className="muted">{t("users.noActions")}</span>}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
