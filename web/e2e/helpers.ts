// What the browser tests share: where the signed-in admin's state is kept, the passwords
// the story sets, screenshots, and the main navigation's links.
//
// Signing in costs one of the appliance's login attempts per minute from 127.0.0.1
// (`auth.login_rate_per_minute`, 10 by default, unchanged for the tests). So the admin
// signs in once (first-login.setup.ts), the browser's state is saved here, and every
// other test starts from it in a fresh context: signed in, and with no language or theme
// a previous test picked.
import { join } from "node:path";

import type { Locator, Page } from "@playwright/test";

export const DIR = process.env.E2E_DIR ?? "";
/// The admin's cookies and local storage after the first login (Playwright storageState).
export const ADMIN_STATE = join(DIR, "admin-state.json");
export const ADMIN_PASSWORD = "e2e-Admin-password-2026";
export const OPERATOR = "olga";
export const OPERATOR_PASSWORD = "e2e-Operator-password-77";

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/// The login form filled and sent; what follows is the caller's to check.
export async function signIn(page: Page, username: string, password: string) {
  await page.goto("/");
  await page.getByLabel(/username/i).fill(username);
  await page.getByLabel(/^password/i).fill(password);
  await page.getByRole("button", { name: /sign in/i }).click();
}

/// A link of the main navigation, by its exact English name (the overview may hold links
/// with the same words, such as a host called "hosts").
export function navLink(page: Page, name: string): Locator {
  return page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name, exact: true });
}

/// The CSRF header a signed-in page's own API calls must send.
export async function csrf(page: Page): Promise<Record<string, string>> {
  const me = await (await page.request.get("/api/v1/auth/me")).json();
  return { "X-CSRF-Token": me.csrf_token as string };
}
