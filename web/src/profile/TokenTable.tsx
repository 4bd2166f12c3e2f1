// The token list: a table on wide screens, one card per token on a phone.
import { ConfirmButton } from "../components/ConfirmButton";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { RoleName } from "./RoleName";
import { type ApiToken, isExpired, toMs } from "./tokens";

interface Props {
  tokens: ApiToken[];
  /// Set when the list holds other people's tokens too: the owner column shows.
  owners: ((user: number) => string) | null;
  now: number;
  /// Revokes a token (asked first); a failure is shown in the question.
  onRevoke: (token: ApiToken) => Promise<void>;
}

export function TokenTable({ tokens, owners, now, onRevoke }: Props) {
  const { t, locale } = useI18n();
  const date = (d: string | null | undefined) => formatDateTime(locale, toMs(d));
  return (
    <table className="token-table">
      <caption className="sr-only">{t("tokens.list")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("tokens.col.name")}</th>
          {owners && <th scope="col">{t("tokens.col.owner")}</th>}
          <th scope="col">{t("tokens.col.role")}</th>
          <th scope="col">{t("tokens.col.created")}</th>
          <th scope="col">{t("tokens.col.expires")}</th>
          <th scope="col">{t("tokens.col.lastUsed")}</th>
          <th scope="col">
            <span className="sr-only">{t("tokens.col.actions")}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tokens.map((tk) => {
          const expired = isExpired(tk, now);
          return (
            <tr key={tk.id} className={expired ? "expired" : undefined}>
              <th scope="row" className="token-name">
                <span>{tk.name}</span> <code className="muted">{tk.prefix}…</code>
              </th>
              {owners && <td data-label={t("tokens.col.owner")}>{owners(tk.user)}</td>}
              <td data-label={t("tokens.col.role")}>
                <RoleName role={tk.role} />
              </td>
              <td data-label={t("tokens.col.created")}>{date(tk.created_at)}</td>
              <td data-label={t("tokens.col.expires")}>
                <span>
                  {tk.expires_at ? date(tk.expires_at) : t("tokens.neverExpires")}
                  {expired && <span className="badge expired-badge">{t("tokens.expired")}</span>}
                </span>
              </td>
              <td data-label={t("tokens.col.lastUsed")}>
                {tk.last_used_at ? date(tk.last_used_at) : <span className="muted">{t("tokens.notUsed")}</span>}
              </td>
              <td className="token-actions">
                <ConfirmButton
                  danger
                  label={t("tokens.revoke")}
                  ariaLabel={t("tokens.revokeName", { name: tk.name })}
                  title={t("tokens.revokeName", { name: tk.name })}
                  confirmLabel={t("tokens.revoke")}
                  busyLabel={t("tokens.revoking")}
                  onConfirm={() => onRevoke(tk)}
                >
                  <p>{t("tokens.revokeConfirm", { name: tk.name })}</p>
                </ConfirmButton>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
