// Personal API tokens: yours (admins may switch to every token of the organization), a
// form to create one whose value shows once, and revocation.
import { useEffect, useRef, useState } from "react";

import { ApiError, del, get } from "../api/client";
import type { components } from "../api/schema";
import { useSession } from "../auth/session";
import { atLeast } from "../components/roles";
import { ErrorText } from "../components/ErrorText";
import { useList } from "../components/useList";
import { useNow } from "../components/useNow";
import { useI18n } from "../i18n";
import { TokenCreated } from "./TokenCreated";
import { TokenForm } from "./TokenForm";
import { TokenTable } from "./TokenTable";
import { type ApiToken, type CreatedToken, sortTokens } from "./tokens";

export function Tokens() {
  const { t } = useI18n();
  const { session } = useSession();
  const me = session?.user;
  const admin = me ? atLeast(me.role, "admin") : false;
  const [all, setAll] = useState(false);
  const [usernames, setUsernames] = useState<Map<number, string>>(new Map());
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const listHead = useRef<HTMLHeadingElement>(null);
  const now = useNow(60_000);
  const showAll = admin && all;
  const list = useList<ApiToken>(showAll ? "/api/v1/tokens?all=true" : "/api/v1/tokens");
  const loadError = list.error;
  // Null until read, or when the read failed with nothing to show.
  const tokens = list.loaded && !(loadError && list.items.length === 0) ? sortTokens(list.items) : null;

  // Whose each token is, for the organization-wide list (the token names only a user id).
  useEffect(() => {
    if (!showAll) return;
    let live = true;
    get<components["schemas"]["UserView"][]>("/api/v1/users")
      .then((users) => live && setUsernames(new Map(users.map((u) => [u.id, u.username]))))
      .catch(() => {
        /* ids are shown instead */
      });
    return () => {
      live = false;
    };
  }, [showAll]);

  const owner = (user: number) =>
    user === me?.id ? t("tokens.you") : (usernames.get(user) ?? t("tokens.userId", { id: user }));

  const toggleAll = (checked: boolean) => {
    setAll(checked);
    setRevoked(null);
  };

  const onCreated = (c: CreatedToken) => {
    setCreated(c);
    setRevoked(null);
    void list.reload();
  };

  /// Asked first by the table, which shows a failure in its question.
  const revoke = async (token: ApiToken) => {
    setRevoked(null);
    try {
      await del(`/api/v1/tokens/${token.id}`);
    } catch (e) {
      // Already gone (revoked elsewhere) is what was wanted.
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
    list.update((items) => items.filter((x) => x.id !== token.id));
    if (created?.token.id === token.id) setCreated(null);
    setRevoked(t("tokens.revoked", { name: token.name }));
  };

  let body;
  if (tokens === null) {
    body = loadError ? <ErrorText error={loadError} /> : <p className="loading">{t("app.loading")}</p>;
  } else if (tokens.length === 0) {
    body = <p className="empty">{showAll ? t("tokens.emptyAll") : t("tokens.empty")}</p>;
  } else {
    body = (
      <>
        <ErrorText error={loadError} />
        <TokenTable tokens={tokens} owners={showAll ? owner : null} now={now} onRevoke={revoke} />
      </>
    );
  }

  return (
    <section className="card profile-card profile-tokens" aria-labelledby="profile-tokens">
      <h2 id="profile-tokens">{t("tokens.title")}</h2>
      <p className="hint">{t("tokens.intro")}</p>
      {me && <TokenForm ownRole={me.role} onCreated={onCreated} />}
      {created && (
        <TokenCreated
          created={created}
          onDone={() => {
            setCreated(null);
            listHead.current?.focus();
          }}
        />
      )}
      <div className="toolbar token-toolbar">
        <h3 ref={listHead} tabIndex={-1}>
          {showAll ? t("tokens.listAll") : t("tokens.list")}
        </h3>
        {admin && (
          <label className="check">
            <input type="checkbox" checked={all} onChange={(e) => toggleAll(e.target.checked)} />
            {t("tokens.showAll")}
          </label>
        )}
      </div>
      <div aria-live="polite" className="token-status">
        {revoked && <p className="success">{revoked}</p>}
      </div>
      {body}
    </section>
  );
}
