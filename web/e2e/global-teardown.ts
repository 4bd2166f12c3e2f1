import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export default async function globalTeardown() {
  const dir = process.env.E2E_DIR ?? "";
  try {
    process.kill(Number(readFileSync(join(dir, "steward.pid"), "utf8")), "SIGTERM");
  } catch {
    /* already gone */
  }
  await new Promise((r) => setTimeout(r, 500));
  if (!process.env.E2E_KEEP) rmSync(dir, { recursive: true, force: true });
}
