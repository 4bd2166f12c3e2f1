// A host's tags, editable in place for SSH hosts (the only kind PATCH accepts): checked as
// the appliance checks them before sending, the appliance's refusal shown otherwise.
import { type FormEvent, useId, useState } from "react";

import { patch } from "../api/client";
import { useAction } from "../components/useAction";
import { type Translate, useI18n } from "../i18n";
import { ErrorText } from "../components/ErrorText";
import { type TagProblem, joinTags, parseTags } from "./tags";
import type { Host } from "./types";

export function tagProblemText(t: Translate, p: TagProblem): string {
  return p.kind === "invalid" ? t("hostsAdmin.check.tagInvalid", { tag: p.tag }) : t("hostsAdmin.check.tagsTooMany", { count: p.count });
}

export function Tags({ tags }: { tags: readonly string[] }) {
  const { t } = useI18n();
  if (tags.length === 0) return <span className="muted">{t("hostsAdmin.noTags")}</span>;
  return (
    <span className="ha-tags">
      {tags.map((tag) => (
        <span key={tag} className="tag">
          {tag}
        </span>
      ))}
    </span>
  );
}

export function TagEditor({ host, onSaved }: { host: Host; onSaved: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  const [tried, setTried] = useState(false);
  const { busy, error, setError, run } = useAction();
  const { tags, problem } = parseTags(text);

  if (!editing) {
    return (
      <div className="ha-tagcell">
        <Tags tags={host.tags} />
        <button
          type="button"
          className="ha-link"
          aria-label={t("hostsAdmin.editTagsOf", { name: host.name })}
          onClick={() => {
            setText(joinTags(host.tags));
            setTried(false);
            setError(null);
            setEditing(true);
          }}
        >
          {t("hostsAdmin.editTags")}
        </button>
      </div>
    );
  }
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (problem) return;
    await run(async () => {
      await patch(`/api/v1/hosts/${host.id}`, { tags });
      setEditing(false);
      onSaved();
    });
  };
  const showProblem = problem && (tried || text.length > 0);
  return (
    <form className="ha-tagform" onSubmit={(e) => void save(e)} onKeyDown={(e) => e.key === "Escape" && setEditing(false)}>
      <label htmlFor={`${id}-tags`}>{t("hostsAdmin.tagsOf", { name: host.name })}</label>
      <input
        id={`${id}-tags`}
        value={text}
        autoFocus
        spellCheck={false}
        autoCapitalize="off"
        aria-invalid={showProblem ? true : undefined}
        aria-describedby={`${id}-hint${showProblem ? ` ${id}-problem` : ""}`}
        onChange={(e) => setText(e.target.value)}
      />
      <p id={`${id}-hint`} className="hint">
        {t("hostsAdmin.tagsHint")}
      </p>
      {showProblem && (
        <p id={`${id}-problem`} className="error">
          {tagProblemText(t, problem)}
        </p>
      )}
      <ErrorText error={error} />
      <div className="ha-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("hostsAdmin.saving") : t("hostsAdmin.save")}
        </button>
        <button type="button" onClick={() => setEditing(false)} disabled={busy}>
          {t("common.cancel")}
        </button>
      </div>
    </form>
  );
}
