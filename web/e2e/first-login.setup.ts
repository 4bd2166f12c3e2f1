// The admin's first login, through the UI: a wrong password refused in words, the initial
// password forcing a change, a too short one kept out, then the overview. The signed-in
// state is saved for every other test (see helpers.ts); this runs first, as the "first
// login" project the others depend on.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect, test } from "@playwright/test";

import { ADMIN_PASSWORD, ADMIN_STATE, DIR, shot, signIn } from "./helpers";

test("first login forces a password change, then shows the overview", async ({ page }) => {
  const initial = readFileSync(join(DIR, "data", "initial-admin-password"), "utf8").trim();
  await signIn(page, "admin", "wrong-password-123");
  await expect(page.getByRole("alert")).toContainText(/wrong username or password/i);
  await shot(page, "01-login-error");
  await signIn(page, "admin", initial);
  await expect(page.getByRole("heading", { name: /change your password/i })).toBeVisible();
  await shot(page, "02-forced-password-change");
  await page.getByLabel(/current password/i).fill(initial);
  await page.getByLabel(/^new password/i).fill("short");
  await page.getByLabel(/repeat/i).fill("short");
  await page.getByRole("button", { name: /change password/i }).click();
  // The browser's own minlength check or the appliance's answer: either way, still here.
  await expect(page.getByRole("heading", { name: /change your password/i })).toBeVisible();
  await page.getByLabel(/^new password/i).fill(ADMIN_PASSWORD);
  await page.getByLabel(/repeat/i).fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: /change password/i }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.context().storageState({ path: ADMIN_STATE });
});
