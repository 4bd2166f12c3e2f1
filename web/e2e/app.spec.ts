// The UI against the real appliance, in order: the embedded build, the first login with its
// forced password change, the live overview, the host page (live chart, history range),
// languages and theme, the admin pages, and central accounts (an access rule, an SSH key).
// Each page is saved as a screenshot under test-results/screenshots.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { type Page, expect, test } from "@playwright/test";

const OPERATOR_PASSWORD = "e2e-Operator-password-77";
const PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl e2e@test";

const DIR = process.env.E2E_DIR ?? "";
const NEW_PASSWORD = "e2e-Admin-password-2026";

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

async function signIn(page: Page, password: string, username = "admin") {
  await page.goto("/");
  await page.getByLabel(/username/i).fill(username);
  await page.getByLabel(/^password/i).fill(password);
  await page.getByRole("button", { name: /sign in/i }).click();
}

test.describe.serial("steward", () => {
  test("the binary serves its embedded app: cached, precompressed, small", async ({ request }) => {
    const index = await request.get("/", { headers: { "Accept-Encoding": "identity" } });
    expect(index.status()).toBe(200);
    expect(index.headers()["content-type"]).toContain("text/html");
    expect(index.headers()["cache-control"]).toBe("no-cache");
    const html = await index.text();
    const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? "");
    expect(scripts.length).toBeGreaterThan(0);
    let gzipped = 0;
    for (const path of scripts) {
      const res = await request.get(path, { headers: { "Accept-Encoding": "gzip" } });
      expect(res.headers()["cache-control"]).toContain("immutable");
      expect(res.headers()["content-encoding"]).toBe("gzip");
      // The client decodes the body; the bytes on the wire are the header's.
      const wire = Number(res.headers()["content-length"]);
      expect(wire).toBeGreaterThan(0);
      expect(wire).toBeLessThan((await res.body()).length);
      gzipped += wire;
    }
    // First load: at most 300 KB of gzipped JavaScript.
    expect(gzipped).toBeLessThan(300 * 1024);
    const br = await request.get(scripts[0] ?? "", { headers: { "Accept-Encoding": "br, gzip" } });
    expect(br.headers()["content-encoding"]).toBe("br");
    // A client-side route gets the app; a missing file does not.
    const route = await request.get("/hosts/1");
    expect(await route.text()).toBe(html);
    expect((await request.get("/assets/missing-123.js")).status()).toBe(404);
    expect((await request.get("/api/v1/nothing")).status()).toBe(404);
  });

  test("first login forces a password change, then shows the overview", async ({ page }) => {
    const initial = readFileSync(join(DIR, "data", "initial-admin-password"), "utf8").trim();
    await signIn(page, "wrong-password-123");
    await expect(page.getByRole("alert")).toContainText(/wrong username or password/i);
    await shot(page, "01-login-error");
    await signIn(page, initial);
    await expect(page.getByRole("heading", { name: /change your password/i })).toBeVisible();
    await shot(page, "02-forced-password-change");
    await page.getByLabel(/current password/i).fill(initial);
    await page.getByLabel(/^new password/i).fill("short");
    await page.getByLabel(/repeat/i).fill("short");
    await page.getByRole("button", { name: /change password/i }).click();
    // The browser's own minlength check or the appliance's answer: either way, still here.
    await expect(page.getByRole("heading", { name: /change your password/i })).toBeVisible();
    await page.getByLabel(/^new password/i).fill(NEW_PASSWORD);
    await page.getByLabel(/repeat/i).fill(NEW_PASSWORD);
    await page.getByRole("button", { name: /change password/i }).click();
    await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  });

  test("the overview shows the appliance's own host, live", async ({ page }) => {
    await signIn(page, NEW_PASSWORD);
    const row = page.getByTestId("host-row").first();
    await expect(row).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
    const cpu = row.getByTestId("cpu");
    await expect(cpu).toContainText("%");
    const first = await cpu.textContent();
    await expect.poll(async () => cpu.textContent(), { timeout: 20_000 }).not.toBe(first);
    await shot(page, "03-overview");
  });

  test("the host page's charts update live and switch to a history range", async ({ page }) => {
    await signIn(page, NEW_PASSWORD);
    await page.getByTestId("host-row").first().getByRole("link").click();
    const cpu = page.getByTestId("chart-cpu");
    await expect(cpu).toBeVisible();
    const points = async () => Number(await cpu.getAttribute("data-points"));
    const before = await points();
    await expect.poll(points, { timeout: 20_000 }).toBeGreaterThan(before);
    await expect(page.getByTestId("chart-cores")).toBeVisible();
    await expect(page.getByText("Kernel")).toBeVisible();
    await shot(page, "04-host-live");
    const answer = page.waitForResponse((r) => r.url().includes("/series?") && r.url().includes("from=-6h"));
    await page.getByRole("button", { name: "6 hours" }).click();
    expect((await answer).status()).toBe(200);
    await expect(page.getByRole("button", { name: "6 hours" })).toHaveAttribute("aria-pressed", "true");
    await expect(cpu).toBeVisible();
    expect(await points()).toBeGreaterThan(0);
    await shot(page, "05-host-history");
    // Dragging across a chart zooms every chart into that span.
    const box = await cpu.locator(".u-over").boundingBox();
    if (!box) throw new Error("the CPU chart has no plot area");
    const zoomed = page.waitForResponse((r) => r.url().includes("/series?") && /from=\d{13}/.test(r.url()));
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    expect((await zoomed).status()).toBe(200);
    await page.getByRole("button", { name: "Reset zoom" }).click();
    await expect(page.getByRole("button", { name: "6 hours" })).toHaveAttribute("aria-pressed", "true");
  });

  test("the language switch to Spanish and Russian persists", async ({ page }) => {
    await signIn(page, NEW_PASSWORD);
    await page.getByTestId("language").selectOption("es");
    await expect(page.getByRole("heading", { name: "Resumen" })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("heading", { name: "Resumen" })).toBeVisible();
    await shot(page, "06-overview-es");
    await page.getByTestId("language").selectOption("ru");
    await expect(page.locator("html")).toHaveAttribute("lang", "ru");
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("lang", "ru");
    await expect(page.getByRole("heading", { level: 1 })).not.toHaveText("Overview");
    await shot(page, "07-overview-ru");
    await page.getByTestId("language").selectOption("en");
  });

  test("the dark theme applies and persists", async ({ page }) => {
    await signIn(page, NEW_PASSWORD);
    await page.getByTestId("theme").selectOption("dark");
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe("rgb(15, 18, 22)");
    await shot(page, "08-overview-dark");
    await page.getByTestId("host-row").first().getByRole("link").click();
    await expect(page.getByTestId("chart-cpu")).toBeVisible();
    await shot(page, "09-host-dark");
  });

  test("on a phone the navigation folds into a menu", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, NEW_PASSWORD);
    await expect(page.getByRole("button", { name: "Menu" })).toBeVisible();
    await shot(page, "10-overview-phone");
  });

  test("the keyboard alone reaches the content, a host and its page, with focus visible", async ({ page }) => {
    await signIn(page, NEW_PASSWORD);
    await expect(page.getByTestId("host-row").first()).toBeVisible();
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press("Enter");
    await expect(page.locator("main")).toBeFocused();
    const hostLink = page.getByTestId("host-row").first().getByRole("link");
    for (let i = 0; i < 40 && !(await hostLink.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    await expect(hostLink).toBeFocused();
    const outline = await hostLink.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).toBe("solid");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/hosts\/\d+$/);
    await expect(page.getByTestId("chart-cpu")).toBeVisible();
  });

  test("admin pages: an ingest key shown once, an SSH key generated", async ({ page }) => {
    await signIn(page, NEW_PASSWORD);
    await page.getByRole("link", { name: "Hosts" }).click();
    const keyForm = page.getByRole("form", { name: "Create an ingest key" });
    await keyForm.getByLabel("Name").fill("web servers");
    await keyForm.getByRole("button", { name: "Create key" }).click();
    await expect(page.getByText(/shown only this once/)).toBeVisible();
    await expect(page.getByText(/steward-agent --server http:\/\/127\.0\.0\.1:\d+ --key sti_/)).toBeVisible();
    await shot(page, "12-hosts-admin");
    await page.getByRole("link", { name: "SSH keys" }).click();
    const generate = page.getByRole("form", { name: "Generate a key" });
    await generate.getByLabel("Name").fill("poller");
    await generate.getByRole("button", { name: "Generate key" }).click();
    await expect(page.getByText("poller", { exact: true }).first()).toBeVisible();
    await expect(page.getByText(/SHA256:/).first()).toBeVisible();
    await shot(page, "13-ssh-keys");
  });

  test("an admin creates an operator, who sees no admin page and is refused admin calls", async ({ page, browser }) => {
    await signIn(page, NEW_PASSWORD);
    await page.getByRole("link", { name: "Users" }).click();
    const form = page.getByRole("form", { name: "New user" });
    await form.getByLabel("Username").fill("olga");
    await form.getByLabel("Display name").fill("Olga Operator");
    await form.getByLabel("Email").fill("olga@example.com");
    await form.getByLabel("Role").selectOption("operator");
    await form.getByRole("button", { name: "Create user" }).click();
    const secret = page.getByLabel("Generated password");
    await expect(secret).toBeVisible();
    const generated = ((await secret.textContent()) ?? "").trim();
    expect(generated.length).toBeGreaterThanOrEqual(12);
    await shot(page, "14-users");

    const operator = await (await browser.newContext()).newPage();
    await signIn(operator, generated, "olga");
    await expect(operator.getByRole("heading", { name: /change your password/i })).toBeVisible();
    await operator.getByLabel(/current password/i).fill(generated);
    await operator.getByLabel(/^new password/i).fill(OPERATOR_PASSWORD);
    await operator.getByLabel(/repeat/i).fill(OPERATOR_PASSWORD);
    await operator.getByRole("button", { name: /change password/i }).click();
    await expect(operator.getByRole("heading", { name: "Overview" })).toBeVisible();
    const nav = operator.getByRole("navigation", { name: "Main navigation" });
    await expect(nav.getByRole("link")).toHaveText(["Overview", "Profile"]);
    const me = await (await operator.request.get("/api/v1/auth/me")).json();
    expect(me.user.role).toBe("operator");
    expect((await operator.request.get("/api/v1/users")).status()).toBe(403);
    expect((await operator.request.get("/api/v1/audit")).status()).toBe(403);
    const refused = await operator.request.post("/api/v1/ingest-keys", {
      headers: { "X-CSRF-Token": me.csrf_token as string },
      data: { name: "sneaky" },
    });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).code).toBe("auth.forbidden");
    await shot(operator, "15-operator-overview");
    await operator.context().close();

    await page.getByRole("link", { name: "Audit log" }).click();
    await expect(page.getByText(/Chain verified: \d+ entries intact/)).toBeVisible();
    const table = page.getByRole("table");
    await expect(table.getByText("User created").first()).toBeVisible();
    await expect(table.getByText("olga").first()).toBeVisible();
    await shot(page, "16-audit");
  });

  test("profile: a personal API token is shown once", async ({ page }) => {
    await signIn(page, NEW_PASSWORD);
    await page.getByRole("link", { name: "Profile" }).click();
    await page.getByLabel("Token name").fill("ci");
    await page.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByText(/stw_/).first()).toBeVisible();
    await shot(page, "17-profile");
  });

  test("a thousand hosts: the overview keeps only the rows in view and finds the last", async ({ page }) => {
    await signIn(page, NEW_PASSWORD);
    await expect(page.getByTestId("host-row").first()).toBeVisible();
    const me = await (await page.request.get("/api/v1/auth/me")).json();
    const headers = { "X-CSRF-Token": me.csrf_token as string };
    for (let start = 0; start < 1000; start += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          page.request
            .post("/api/v1/hosts", {
              headers,
              data: {
                kind: "ssh",
                name: `fleet-${String(start + k).padStart(4, "0")}`,
                address: "192.0.2.1",
                username: "monitor",
                password: "not-used-1",
                enabled: false,
                tags: [start + k < 500 ? "rack:a" : "rack:b"],
              },
            })
            .then((r) => expect(r.status()).toBe(201)),
        ),
      );
    }
    await page.reload();
    await expect(page.getByText("1,001 hosts")).toBeVisible();
    const rows = page.getByTestId("host-row");
    expect(await rows.count()).toBeLessThan(60);
    await page.getByTestId("host-scroll").evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(page.locator('[data-host="vm"], [data-host="fleet-0999"]').last()).toBeVisible();
    expect(await rows.count()).toBeLessThan(60);
    await page.getByLabel("Search hosts").fill("fleet-0999");
    await expect(rows).toHaveCount(1);
    await page.getByLabel("Search hosts").fill("");
    await page.getByLabel("Tag").selectOption("rack:b");
    await expect(page.getByText("500 of 1,001 shown")).toBeVisible();
    await shot(page, "11-overview-1000-hosts");
  });

  test("access: a rule for olga on all hosts with sudo, an SSH key on the profile, the host's accounts", async ({ page }) => {
    await signIn(page, NEW_PASSWORD);
    await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: "Access" }).click();
    await expect(page.getByRole("heading", { name: "Access", level: 1 })).toBeVisible();
    await expect(page.getByText(/once a rule lets them in/)).toBeVisible();
    await expect(page.getByText(/see Central accounts in the README/)).toBeVisible();
    const form = page.getByRole("form", { name: "Grant access" });
    await form.getByLabel("User").selectOption({ label: "olga (Olga Operator)" });
    await form.getByLabel("All hosts, present and future").check();
    await form.getByLabel(/With sudo/).check();
    await form.getByRole("button", { name: "Grant access" }).click();
    const rules = page.getByTestId("access-rules");
    const row = rules.getByRole("row").filter({ hasText: "olga" });
    await expect(row).toHaveCount(1);
    await expect(row.getByText("All hosts")).toBeVisible();
    await expect(row.getByText("Yes")).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: "olga was given access" })).toBeVisible();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, "18-access");

    await page.getByRole("link", { name: "Profile" }).click();
    const ssh = page.getByRole("region", { name: "SSH access" });
    await expect(ssh.getByText(/No SSH keys yet/)).toBeVisible();
    await ssh.getByLabel("Public key").fill(PUBLIC_KEY);
    await ssh.getByRole("button", { name: "Add key" }).click();
    const blob = Buffer.from(PUBLIC_KEY.split(" ")[1] ?? "", "base64");
    const fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
    const keys = ssh.getByTestId("ssh-keys");
    await expect(keys.getByText(fingerprint)).toBeVisible();
    await expect(keys.getByText("e2e@test")).toBeVisible();
    await expect(keys.getByText("ssh-ed25519")).toBeVisible();
    // A key gives the account its uid.
    await expect(ssh.getByTestId("ssh-facts")).toContainText(/UID\s*\d{4,}/);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, "19-profile-ssh");

    // olga may log in everywhere, so on the appliance's own host too.
    const hosts: { id: number; name: string }[] = await (await page.request.get("/api/v1/hosts")).json();
    const first = [...hosts].sort((a, b) => a.id - b.id)[0];
    if (!first) throw new Error("no hosts");
    await page.goto(`/hosts/${first.id}`);
    const accounts = page.getByTestId("host-accounts");
    await expect(accounts.getByRole("rowheader", { name: "olga" })).toBeVisible();
    await shot(page, "20-host-accounts");
  });
});
