// A list a page reads from the API (GET `path`, a JSON array), reads again after a change,
// or edits in place with what a change answered. `null` reads nothing (a list the caller
// may not see). The list belongs to its path: while another path is asked for, it is empty
// and not loaded, and an answer for a path no longer asked for is dropped, so switching
// quickly never shows the older list.
import { useCallback, useEffect, useRef, useState } from "react";

import { get } from "../api/client";

export interface List<T> {
  items: T[];
  /// The first answer (or failure) for this path arrived.
  loaded: boolean;
  error: unknown;
  reload: () => Promise<void>;
  /// Changes the items as read, without asking the appliance again.
  update: (change: (items: T[]) => T[]) => void;
}

interface Read<T> {
  path: string | null;
  items: T[];
  loaded: boolean;
  error: unknown;
}

export function useList<T>(path: string | null): List<T> {
  const [read, setRead] = useState<Read<T>>({ path, items: [], loaded: false, error: null });
  const asked = useRef(path);
  asked.current = path;
  const reload = useCallback(async () => {
    if (path == null) return;
    try {
      const items = await get<T[]>(path);
      if (asked.current === path) setRead({ path, items, loaded: true, error: null });
    } catch (error) {
      if (asked.current === path) setRead((r) => ({ path, items: r.path === path ? r.items : [], loaded: true, error }));
    }
  }, [path]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const update = useCallback(
    (change: (items: T[]) => T[]) => setRead((r) => (r.path === path ? { ...r, items: change(r.items) } : r)),
    [path],
  );
  const now = read.path === path ? read : { items: [] as T[], loaded: false, error: null };
  return { items: now.items, loaded: now.loaded, error: now.error, reload, update };
}
