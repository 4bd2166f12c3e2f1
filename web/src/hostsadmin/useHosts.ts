// The organization's hosts for the admin page: read from GET /hosts, and read again shortly
// after the live stream reports a host the list does not have (a machine just enrolled) or
// a status or state that changed, so pending agents appear without a reload.
import { useEffect, useRef } from "react";

import type { HostUpdate, HostsMessage } from "../api/types";
import { useList } from "../components/useList";
import { useStream } from "../live/stream";
import { differs } from "./model";
import type { Host } from "./types";

export function useHosts() {
  const { items: hosts, loaded, error, reload } = useList<Host>("/api/v1/hosts");
  // The stream's callback compares with the list as last read, not as first rendered.
  const current = useRef<Host[]>(hosts);
  current.current = hosts;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  useStream<HostsMessage | HostUpdate>("/api/v1/ws/hosts", (m) => {
    const updates = m.type === "hosts" ? m.hosts : [m];
    if (updates.some((u) => differs(current.current, u))) {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void reload(), 700);
    }
  });

  return { hosts, loaded, error, reload };
}
