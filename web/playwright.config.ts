// End-to-end tests: Debian's Chromium (headless) against the real steward binary, started
// by e2e/global-setup.ts on a free port with a temporary data directory.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { defineConfig } from "@playwright/test";

// Chosen once, in the main process; the workers inherit them through the environment.
if (!process.env.E2E_PORT) {
  const probe = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  process.env.E2E_PORT = execFileSync(process.execPath, ["-e", probe]).toString().trim();
  process.env.E2E_DIR = mkdtempSync(join(tmpdir(), "steward-e2e-"));
}

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  // One appliance, one worker: the tests share its accounts and hosts. The "first login"
  // project signs the admin in once and saves the browser state the others start from
  // (e2e/helpers.ts), so the run stays far below the appliance's login rate limit.
  workers: 1,
  fullyParallel: false,
  projects: [
    { name: "first login", testMatch: /.*\.setup\.ts/ },
    { name: "app", testMatch: /.*\.spec\.ts/, dependencies: ["first login"] },
  ],
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${process.env.E2E_PORT}`,
    headless: true,
    screenshot: "only-on-failure",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
