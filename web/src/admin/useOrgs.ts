// The organizations a superadmin can pick from (GET /api/v1/orgs), reloadable after one
// is created. Others get their own organization only, so nothing is fetched for them.
import { useCallback, useEffect, useState } from "react";

import { get } from "../api/client";
import type { components } from "../api/schema";

export type Org = components["schemas"]["Org"];

export function useOrgs(enabled: boolean) {
  const [orgs, setOrgs] = useState<Org[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [loaded, setLoaded] = useState(false);
  const reload = useCallback(() => {
    if (!enabled) return;
    get<Org[]>("/api/v1/orgs")
      .then((list) => {
        setOrgs([...list].sort((a, b) => a.id - b.id));
        setError(null);
      })
      .catch(setError)
      .finally(() => setLoaded(true));
  }, [enabled]);
  useEffect(reload, [reload]);
  return { orgs, error, loaded, reload };
}
