// Granting access: a user, where (all hosts, hosts with some tags, named hosts) and whether
// with sudo. What is missing is said before anything is sent.
import { type FormEvent, useId, useState } from "react";

import { post } from "../api/client";
import { ErrorText } from "../components/ErrorText";
import type { UserView } from "../components/roles";
import { useAction } from "../components/useAction";
import { tagProblemText } from "../hostsadmin/TagEditor";
import type { Host } from "../hostsadmin/types";
import { type Translate, useI18n } from "../i18n";
import { type GrantProblem, type Where, addTag, grantRequest, knownTags } from "./model";
import { PickList } from "./PickList";
import type { AccessRule } from "./types";

function problemText(t: Translate, p: GrantProblem): string {
  switch (p.kind) {
    case "user":
      return t("access.grant.needUser");
    case "tags":
      return t("access.grant.needTags");
    case "hosts":
      return t("access.grant.needHosts");
    case "tag":
      return tagProblemText(t, p.problem);
  }
}

const WHERE: { value: Where; key: "access.grant.all" | "access.grant.tags" | "access.grant.hosts" }[] = [
  { value: "all", key: "access.grant.all" },
  { value: "tags", key: "access.grant.tags" },
  { value: "hosts", key: "access.grant.hosts" },
];

interface Props {
  users: readonly UserView[];
  hosts: readonly Host[];
  onGranted: (rule: AccessRule) => void;
}

export function GrantForm({ users, hosts, onGranted }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [userId, setUserId] = useState<number | null>(null);
  const [where, setWhere] = useState<Where>("all");
  const [tagsText, setTagsText] = useState("");
  const [hostIds, setHostIds] = useState<number[]>([]);
  const [sudo, setSudo] = useState(false);
  const [problem, setProblem] = useState<GrantProblem | null>(null);
  const { busy, error, setError, run } = useAction();
  const tags = knownTags(hosts);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const req = grantRequest({ userId, where, tagsText, hostIds, sudo });
    setProblem("problem" in req ? req.problem : null);
    if ("problem" in req) return;
    const rule = await run(() => post<AccessRule>("/api/v1/access-rules", req.body));
    if (!rule) return;
    onGranted(rule);
    setTagsText("");
    setHostIds([]);
    setSudo(false);
  };

  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("access.grant.title")}</h2>
      <div className="form-grid">
        <label>
          {t("access.grant.user")}
          <select
            name="user"
            value={userId ?? ""}
            aria-invalid={problem?.kind === "user" || undefined}
            onChange={(e) => setUserId(e.target.value ? Number(e.target.value) : null)}
          >
            <option value="">{t("access.grant.pickUser")}</option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.display_name ? `${u.username} (${u.display_name})` : u.username}
              </option>
            ))}
          </select>
        </label>
      </div>
      <fieldset className="pick">
        <legend>{t("access.grant.where")}</legend>
        {WHERE.map((w) => (
          <label key={w.value} className="inline">
            <input type="radio" name={`${id}-where`} value={w.value} checked={where === w.value} onChange={() => setWhere(w.value)} />
            {t(w.key)}
          </label>
        ))}
      </fieldset>
      {where === "tags" && (
        <div className="field">
          <label>
            {t("access.grant.tagsLabel")}
            <input
              name="tags"
              value={tagsText}
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="off"
              aria-describedby={`${id}-tags-hint`}
              aria-invalid={problem?.kind === "tag" || problem?.kind === "tags" || undefined}
              onChange={(e) => setTagsText(e.target.value)}
            />
          </label>
          <span id={`${id}-tags-hint`} className="hint">
            {t("access.grant.tagsHint")}
          </span>
          {tags.length > 0 && (
            <div className="known-tags">
              <span className="hint">{t("access.grant.knownTags")}</span>
              {tags.slice(0, 40).map((tag) => (
                <button
                  key={tag}
                  type="button"
                  className="chip"
                  aria-label={t("access.grant.addTag", { tag })}
                  onClick={() => setTagsText((x) => addTag(x, tag))}
                >
                  {tag}
                </button>
              ))}
            </div>
          )}
        </div>
      )}
      {where === "hosts" && (
        <PickList
          legend={t("access.grant.hostsLabel")}
          filterLabel={t("access.grant.findHosts")}
          items={hosts.map((h) => ({ id: h.id, label: h.name }))}
          selected={hostIds}
          onChange={setHostIds}
        />
      )}
      <label className="inline">
        <input type="checkbox" name="sudo" checked={sudo} onChange={(e) => setSudo(e.target.checked)} />
        {t("access.grant.sudo")}
      </label>
      {problem && (
        <p className="error" role="alert">
          {problemText(t, problem)}
        </p>
      )}
      <ErrorText error={error} />
      <div>
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? t("access.grant.busy") : t("access.grant.submit")}
        </button>
      </div>
    </form>
  );
}
