// The organizations a superadmin can pick from (GET /api/v1/orgs, oldest first), reloadable
// after one is created. Others get their own organization only, so nothing is fetched for
// them.
import { useMemo } from "react";

import type { components } from "../api/schema";
import { useList } from "./useList";

export type Org = components["schemas"]["Org"];

export function useOrgs(enabled: boolean) {
  const { items, error, loaded, reload } = useList<Org>(enabled ? "/api/v1/orgs" : null);
  const orgs = useMemo(() => [...items].sort((a, b) => a.id - b.id), [items]);
  return { orgs, error, loaded, reload };
}
