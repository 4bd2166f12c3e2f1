// A list a page reads from the API (GET `path`, a JSON array) and reads again after a
// change. `null` reads nothing (a list the caller may not see). An answer for a path no
// longer asked for is dropped, so switching quickly never shows the older list.
import { useCallback, useEffect, useRef, useState } from "react";

import { get } from "../api/client";

export interface List<T> {
  items: T[];
  /// The first answer (or failure) arrived.
  loaded: boolean;
  error: unknown;
  reload: () => Promise<void>;
}

export function useList<T>(path: string | null): List<T> {
  const [items, setItems] = useState<T[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const asked = useRef(path);
  asked.current = path;
  const reload = useCallback(async () => {
    if (path == null) return;
    try {
      const list = await get<T[]>(path);
      if (asked.current !== path) return;
      setItems(list);
      setError(null);
    } catch (e) {
      if (asked.current === path) setError(e);
    } finally {
      if (asked.current === path) setLoaded(true);
    }
  }, [path]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { items, loaded, error, reload };
}
