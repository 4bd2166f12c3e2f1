// The organization's hosts for the admin page: read from GET /hosts, and read again shortly
// after the live stream reports a host the list does not have (a machine just enrolled) or
// a status or state that changed, so pending agents appear without a reload.
import { useCallback, useEffect, useRef, useState } from "react";

import { get } from "../api/client";
import type { HostMessage, HostsMessage } from "../api/types";
import { useStream } from "../live/stream";
import { differs } from "./model";
import type { Host } from "./types";

export function useHosts() {
  const [hosts, setHosts] = useState<Host[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const current = useRef<Host[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const reload = useCallback(async () => {
    try {
      const list = await get<Host[]>("/api/v1/hosts");
      current.current = list;
      setHosts(list);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoaded(true);
    }
  }, []);
  useEffect(() => {
    void reload();
    return () => clearTimeout(timer.current);
  }, [reload]);

  useStream<HostsMessage | HostMessage>("/api/v1/ws/hosts", (m) => {
    const updates = m.type === "hosts" ? m.hosts : [m];
    if (updates.some((u) => differs(current.current, u))) {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void reload(), 700);
    }
  });

  return { hosts, loaded, error, reload };
}
