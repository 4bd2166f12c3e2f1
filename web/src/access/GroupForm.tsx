// A new Unix group: a name (checked as the appliance checks its form) and its members.
import { type FormEvent, useId, useState } from "react";

import { post } from "../api/client";
import { ErrorText } from "../components/ErrorText";
import { useAction } from "../components/useAction";
import { useI18n } from "../i18n";
import { validGroupName } from "./model";
import { type PickItem, PickList } from "./PickList";
import type { UnixGroup } from "./types";

export function GroupForm({ people, onCreated }: { people: readonly PickItem[]; onCreated: (g: UnixGroup) => void }) {
  const { t } = useI18n();
  const id = useId();
  const [name, setName] = useState("");
  const [members, setMembers] = useState<number[]>([]);
  const [tried, setTried] = useState(false);
  const { busy, error, setError, run } = useAction();
  const invalid = !validGroupName(name.trim());

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    setError(null);
    if (invalid) return;
    const group = await run(() => post<UnixGroup>("/api/v1/unix-groups", { name: name.trim(), members }));
    if (!group) return;
    onCreated(group);
    setName("");
    setMembers([]);
    setTried(false);
  };

  const showInvalid = tried && invalid;
  return (
    <form className="card admin-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t("access.groups.new")}</h3>
      <div className="form-grid">
        <div className="field">
          <label>
            {t("access.groups.name")}
            <input
              name="group-name"
              value={name}
              maxLength={32}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              aria-invalid={showInvalid || undefined}
              aria-describedby={`${id}-hint`}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <span id={`${id}-hint`} className="hint">
            {t("access.groups.nameHint")}
          </span>
        </div>
      </div>
      <PickList
        legend={t("access.groups.members")}
        filterLabel={t("access.groups.findUsers")}
        items={people}
        selected={members}
        onChange={setMembers}
      />
      {showInvalid && (
        <p className="error" role="alert">
          {t("access.groups.nameInvalid")}
        </p>
      )}
      <ErrorText error={error} />
      <div>
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? t("access.groups.creating") : t("access.groups.create")}
        </button>
      </div>
    </form>
  );
}
