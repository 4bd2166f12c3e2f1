// A live stream of the appliance (/api/v1/ws/...): JSON messages to a callback, reconnected
// with capped backoff when it drops, closed when the component goes away.
import { useEffect, useRef, useState } from "react";

export type StreamState = "connecting" | "live" | "reconnecting";

export function wsUrl(path: string, loc: Pick<Location, "protocol" | "host"> = location): string {
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}${path}`;
}

export function useStream<T>(path: string | null, onMessage: (message: T) => void): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    if (!path) return;
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let closed = false;
    const open = () => {
      socket = new WebSocket(wsUrl(path));
      socket.onopen = () => {
        attempt = 0;
        setState("live");
      };
      socket.onmessage = (e) => {
        try {
          handler.current(JSON.parse(String(e.data)) as T);
        } catch (err) {
          console.warn("a stream message that is not JSON", err);
        }
      };
      socket.onclose = () => {
        if (closed) return;
        setState("reconnecting");
        attempt += 1;
        timer = setTimeout(open, Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)));
      };
    };
    open();
    return () => {
      closed = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [path]);
  return state;
}
