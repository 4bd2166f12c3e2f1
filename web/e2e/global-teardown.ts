// Stops the appliance global-setup.ts started and removes its temporary directory (kept
// with E2E_KEEP=1). It waits for the process to be gone, not a fixed time, so the data
// directory is not removed under a binary still writing to it.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export default async function globalTeardown() {
  const dir = process.env.E2E_DIR ?? "";
  let pid = 0;
  try {
    pid = Number(readFileSync(join(dir, "steward.pid"), "utf8"));
    process.kill(pid, "SIGTERM");
  } catch {
    /* never started, or already gone */
  }
  const deadline = Date.now() + 10_000;
  while (pid > 0 && alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (!process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
}
