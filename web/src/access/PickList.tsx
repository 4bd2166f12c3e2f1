// Choosing several of many (hosts, users): a filter field over a list of checkboxes, at most
// LIMIT shown at once so a thousand hosts stay quick, and the chosen ones as removable chips.
import { useId, useState } from "react";

import { useI18n } from "../i18n";

export interface PickItem {
  id: number;
  label: string;
}

const LIMIT = 100;
/// Below this many, the list is short enough to need no filter.
const FILTER_FROM = 8;

interface Props {
  legend: string;
  filterLabel: string;
  items: readonly PickItem[];
  selected: readonly number[];
  onChange: (ids: number[]) => void;
  describedBy?: string;
}

export function PickList({ legend, filterLabel, items, selected, onChange, describedBy }: Props) {
  const { t } = useI18n();
  const id = useId();
  const [filter, setFilter] = useState("");
  const chosen = new Set(selected);
  const needle = filter.trim().toLowerCase();
  const matches = needle ? items.filter((i) => i.label.toLowerCase().includes(needle)) : items;
  const shown = matches.slice(0, LIMIT);
  const toggle = (item: number, on: boolean) =>
    onChange(on ? [...selected.filter((s) => s !== item), item] : selected.filter((s) => s !== item));
  const labels = new Map(items.map((i) => [i.id, i.label]));
  return (
    <fieldset className="pick" aria-describedby={describedBy}>
      <legend>{legend}</legend>
      {items.length >= FILTER_FROM && (
        <label>
          {filterLabel}
          <input type="search" value={filter} autoComplete="off" spellCheck={false} onChange={(e) => setFilter(e.target.value)} />
        </label>
      )}
      <ul className="pick-list" aria-describedby={`${id}-count`}>
        {shown.map((item) => (
          <li key={item.id}>
            <label className="inline">
              <input type="checkbox" checked={chosen.has(item.id)} onChange={(e) => toggle(item.id, e.target.checked)} />
              {item.label}
            </label>
          </li>
        ))}
      </ul>
      {needle && matches.length === 0 && <p className="hint">{t("access.pick.none", { filter: filter.trim() })}</p>}
      {matches.length > shown.length && <p className="hint">{t("access.pick.more", { shown: shown.length, total: matches.length })}</p>}
      <p id={`${id}-count`} className="hint" aria-live="polite">
        {t("access.pick.selected", { count: selected.length })}
      </p>
      {selected.length > 0 && (
        <ul className="pick-chips">
          {selected.map((s) => (
            <li key={s}>
              <button
                type="button"
                className="chip"
                aria-label={t("access.pick.remove", { name: labels.get(s) ?? String(s) })}
                onClick={() => toggle(s, false)}
              >
                {labels.get(s) ?? s} <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
