import { useEffect, useState } from "react";

/// The time, refreshed every `everyMs`: relative times ("5 seconds ago") stay true.
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
