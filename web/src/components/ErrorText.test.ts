import { describe, expect, it } from "vitest";

import { ApiError } from "../api/client";
import { translator } from "../i18n";
import { en } from "../i18n/locales/en";
import { describeError } from "./ErrorText";

const t = translator(en, "en");

describe("errors in words", () => {
  it("says what a lockout, a rate limit or a wrong password means", () => {
    expect(describeError(t, new ApiError(403, "auth.locked", "account locked until ..."))).toMatch(/locked/);
    expect(describeError(t, new ApiError(429, "auth.rate_limited", "slow down"))).toMatch(/wait a minute/i);
    expect(describeError(t, new ApiError(401, "auth.invalid_credentials", "x"))).toBe("Wrong username or password.");
  });

  it("falls back to the appliance's sentence, and never shows a 5xx cause", () => {
    expect(describeError(t, new ApiError(422, "hosts.invalid_tag", 'tag "a b" has a space'))).toBe(
      'Something went wrong: tag "a b" has a space',
    );
    expect(describeError(t, new ApiError(500, "internal", "db exploded"))).toMatch(/had a problem/);
    expect(describeError(t, new ApiError(0, "network.unreachable", ""))).toMatch(/did not answer/);
  });
});
