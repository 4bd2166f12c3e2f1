// Starts the real binary (E2E_BIN, default the release build in cargo's target directory)
// with a fresh data directory on the chosen port and waits until it answers. It runs from
// the data directory, so a release binary can only serve the UI it embeds.
import { spawn } from "node:child_process";
import { existsSync, openSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export default async function globalSetup() {
  const port = process.env.E2E_PORT ?? "";
  const dir = process.env.E2E_DIR ?? "";
  // Cargo's target directory may be moved (CARGO_TARGET_DIR, relative to the repository).
  const target = resolve("..", process.env.CARGO_TARGET_DIR ?? "target");
  const bin = resolve(process.env.E2E_BIN ?? join(target, "release", "steward"));
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build it first with \`cargo build --release\``);
  const log = openSync(join(dir, "steward.log"), "a");
  const child = spawn(bin, ["serve", "--data-dir", join(dir, "data"), "--listen", `127.0.0.1:${port}`], {
    cwd: dir,
    stdio: ["ignore", log, log],
    env: {
      ...process.env,
      STEWARD_METRICS__COLLECT_INTERVAL_S: "1",
      STEWARD_AUTH__BCRYPT_COST: "4",
      STEWARD_LOG_FORMAT: "text",
    },
  });
  writeFileSync(join(dir, "steward.pid"), String(child.pid));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode}; see ${join(dir, "steward.log")}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${bin} did not answer on port ${port} within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
