// Changing a group's members in a dialog: the list of users to tick, saved in one request.
import { type FormEvent, useState } from "react";

import { patch } from "../api/client";
import { ErrorText } from "../components/ErrorText";
import { Modal } from "../components/Modal";
import { useAction } from "../components/useAction";
import { useI18n } from "../i18n";
import { type PickItem, PickList } from "./PickList";
import type { UnixGroup } from "./types";

interface Props {
  group: UnixGroup;
  people: readonly PickItem[];
  onClose: () => void;
  onSaved: (g: UnixGroup) => void;
}

export function MembersDialog({ group, people, onClose, onSaved }: Props) {
  const { t } = useI18n();
  const [members, setMembers] = useState<number[]>(group.members);
  const { busy, error, run } = useAction();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await run(() => patch<UnixGroup>(`/api/v1/unix-groups/${group.gid}`, { members }));
    if (saved) onSaved(saved);
  };
  return (
    <Modal title={t("access.groups.editTitle", { name: group.name })} busy={busy} onClose={onClose}>
      <form className="modal-form" onSubmit={(e) => void save(e)}>
        <PickList
          legend={t("access.groups.members")}
          filterLabel={t("access.groups.findUsers")}
          items={people}
          selected={members}
          onChange={setMembers}
        />
        <ErrorText error={error} />
        <div className="modal-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            {busy ? t("access.groups.saving") : t("access.groups.save")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
