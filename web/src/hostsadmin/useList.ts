// A list the page reads from the API and reads again after a change.
import { useCallback, useEffect, useState } from "react";

import { get } from "../api/client";

export function useList<T>(path: string) {
  const [items, setItems] = useState<T[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    try {
      setItems(await get<T[]>(path));
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoaded(true);
    }
  }, [path]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { items, loaded, error, reload };
}
