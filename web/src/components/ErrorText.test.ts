import { describe, expect, it } from "vitest";

import { ApiError } from "../api/client";
import { translator } from "../i18n";
import { en } from "../i18n/locales/en";
import { describeError, errorKey } from "./ErrorText";

const t = translator(en, "en");

describe("errors in words", () => {
  it("says what a lockout, a rate limit or a wrong password means", () => {
    expect(describeError(t, new ApiError(403, "auth.locked", "account locked until ..."))).toMatch(/locked/);
    expect(describeError(t, new ApiError(429, "auth.rate_limited", "slow down"))).toMatch(/wait a minute/i);
    expect(describeError(t, new ApiError(401, "auth.invalid_credentials", "x"))).toBe("Wrong username or password.");
  });

  it("words every area's codes from the one error.<code> block", () => {
    expect(describeError(t, new ApiError(409, "users.self_change", "x"))).toMatch(/your own account/);
    expect(describeError(t, new ApiError(409, "ssh_key.in_use", "x"))).toMatch(/Hosts still log in/);
    expect(describeError(t, new ApiError(422, "accounts.invalid_key", "x"))).toMatch(/not a valid SSH public key/);
    expect(describeError(t, new ApiError(409, "orgs.exists", "x"))).toMatch(/already exists/);
  });

  it("falls back to the appliance's sentence, and never shows a 5xx cause", () => {
    expect(describeError(t, new ApiError(422, "hosts.invalid_tag", 'tag "a b" has a space'))).toBe(
      'Something went wrong: tag "a b" has a space',
    );
    expect(describeError(t, new ApiError(500, "internal", "db exploded"))).toMatch(/had a problem/);
    expect(describeError(t, new ApiError(0, "network.unreachable", ""))).toMatch(/did not answer/);
  });

  it("names every SSH failure the appliance reports", () => {
    for (const code of [
      "ssh.dns",
      "ssh.refused",
      "ssh.timeout",
      "ssh.unreachable",
      "ssh.protocol",
      "ssh.auth_failed",
      "ssh.host_key_mismatch",
      "ssh.command_missing",
      "ssh.output_too_large",
      "ssh.credentials",
    ]) {
      const key = errorKey(code);
      expect(key, code).toBe(`error.${code}`);
      expect(en[key!], code).toBeTruthy();
    }
  });

  it("has no words for unknown or missing codes", () => {
    expect(errorKey("hosts.invalid_tag")).toBeNull();
    expect(errorKey(undefined)).toBeNull();
    expect(errorKey("")).toBeNull();
  });
});
