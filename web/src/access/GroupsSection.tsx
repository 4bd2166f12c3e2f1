// The organization's Unix groups: gid and members, a dialog to change the members, deletion
// (asked first) and a form for a new group.
import { useState } from "react";

import { ApiError, del } from "../api/client";
import { ErrorText } from "../components/ErrorText";
import { ConfirmButton } from "../components/ConfirmButton";
import { TableHead } from "../components/TableHead";
import { useList } from "../components/useList";
import { useI18n } from "../i18n";
import { GroupForm } from "./GroupForm";
import { MembersDialog } from "./MembersDialog";
import { type Names, memberNames } from "./model";
import type { PickItem } from "./PickList";
import type { UnixGroup } from "./types";

interface Props {
  people: readonly PickItem[];
  names: Names;
  onStatus: (message: string) => void;
}

export function GroupsSection({ people, names, onStatus }: Props) {
  const { t } = useI18n();
  const { items, loaded, error, reload } = useList<UnixGroup>("/api/v1/unix-groups");
  const [editing, setEditing] = useState<UnixGroup | null>(null);
  const groups = [...items].sort((a, b) => a.name.localeCompare(b.name));
  const cols = {
    name: t("access.groups.col.name"),
    gid: t("access.groups.col.gid"),
    members: t("access.groups.col.members"),
    actions: t("access.col.actions"),
  };

  const remove = async (g: UnixGroup) => {
    try {
      await del(`/api/v1/unix-groups/${g.gid}`);
    } catch (e) {
      // Already gone is what was wanted.
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
    onStatus(t("access.groups.deleted", { name: g.name }));
    await reload();
  };

  return (
    <section className="admin-section" aria-labelledby="access-groups-title">
      <h2 id="access-groups-title">{t("access.groups.title")}</h2>
      <p className="hint">{t("access.groups.intro")}</p>
      <ErrorText error={error} />
      {!loaded && <p className="loading">{t("app.loading")}</p>}
      {loaded && groups.length === 0 && !error && <p className="card empty">{t("access.groups.empty")}</p>}
      {groups.length > 0 && (
        <div className="admin-table-wrap">
          <table className="admin-table" aria-labelledby="access-groups-title">
            <TableHead cols={cols} />
            <tbody>
              {groups.map((g) => {
                const members = memberNames(t, g.members, names);
                return (
                  <tr key={g.gid}>
                    <th scope="row" data-label={cols.name}>
                      <span className="mono">{g.name}</span>
                    </th>
                    <td data-label={cols.gid} className="num">
                      {g.gid}
                    </td>
                    <td data-label={cols.members}>
                      {members.length ? (
                        <span className="break">{members.join(", ")}</span>
                      ) : (
                        <span className="muted">{t("access.groups.noMembers")}</span>
                      )}
                    </td>
                    <td data-label={cols.actions}>
                      <div className="row-actions">
                        <button type="button" aria-label={t("access.groups.editFor", { name: g.name })} onClick={() => setEditing(g)}>
                          {t("access.groups.edit")}
                        </button>
                        <ConfirmButton
                          danger
                          label={t("access.groups.delete")}
                          ariaLabel={t("access.groups.deleteFor", { name: g.name })}
                          title={t("access.groups.deleteTitle", { name: g.name })}
                          confirmLabel={t("access.groups.delete")}
                          busyLabel={t("access.groups.deleting")}
                          onConfirm={() => remove(g)}
                        >
                          <p>{t("access.groups.deleteExplain", { gid: String(g.gid) })}</p>
                        </ConfirmButton>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <GroupForm
        people={people}
        onCreated={(g) => {
          onStatus(t("access.groups.created", { name: g.name, gid: String(g.gid) }));
          void reload();
        }}
      />
      {editing && (
        <MembersDialog
          group={editing}
          people={people}
          onClose={() => setEditing(null)}
          onSaved={(g) => {
            setEditing(null);
            onStatus(t("access.groups.saved", { name: g.name }));
            void reload();
          }}
        />
      )}
    </section>
  );
}
