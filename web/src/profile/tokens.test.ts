import { describe, expect, it } from "vitest";

import {
  type ApiToken,
  curlExample,
  expiryDays,
  isExpired,
  newTokenRequest,
  sortTokens,
  tokenName,
} from "./tokens";

function token(id: number, created_at: string, extra: Partial<ApiToken> = {}): ApiToken {
  return { id, org: 1, user: 1, name: `t${id}`, role: "viewer", prefix: "stw_abcdef", created_at, ...extra };
}

describe("tokens", () => {
  it("turns the expiry choice into expires_in_days, absent for never", () => {
    expect(expiryDays("never")).toBeUndefined();
    expect(expiryDays("30")).toBe(30);
    expect(expiryDays("90")).toBe(90);
    expect(expiryDays("365")).toBe(365);
    expect(newTokenRequest("  backup  ", "viewer", "never")).toEqual({ name: "backup", role: "viewer" });
    expect(newTokenRequest("ci", "operator", "30")).toEqual({ name: "ci", role: "operator", expires_in_days: 30 });
    expect(JSON.stringify(newTokenRequest("ci", "admin", "never"))).not.toContain("expires_in_days");
  });

  it("accepts the names the appliance accepts", () => {
    expect(tokenName("")).toBeNull();
    expect(tokenName("   ")).toBeNull();
    expect(tokenName("a\tb")).toBeNull();
    expect(tokenName("x".repeat(64))).toBe("x".repeat(64));
    expect(tokenName("x".repeat(65))).toBeNull();
    expect(tokenName("é".repeat(64))).toBe("é".repeat(64));
    expect(tokenName("Sauvegarde « nuit »")).toBe("Sauvegarde « nuit »");
    expect(newTokenRequest(" ", "viewer", "90")).toBeNull();
  });

  it("lists the newest first, ids breaking ties, without touching the input", () => {
    const input = [
      token(1, "2026-01-01T00:00:00Z"),
      token(3, "2026-03-01T00:00:00Z"),
      token(2, "2026-03-01T00:00:00Z"),
      token(4, "2025-12-31T23:59:59Z"),
    ];
    expect(sortTokens(input).map((t) => t.id)).toEqual([3, 2, 1, 4]);
    expect(input.map((t) => t.id)).toEqual([1, 3, 2, 4]);
  });

  it("knows an expired token", () => {
    const now = Date.parse("2026-06-01T00:00:00Z");
    expect(isExpired(token(1, "2026-01-01T00:00:00Z"), now)).toBe(false);
    expect(isExpired(token(1, "2026-01-01T00:00:00Z", { expires_at: null }), now)).toBe(false);
    expect(isExpired(token(1, "2026-01-01T00:00:00Z", { expires_at: "2026-05-31T00:00:00Z" }), now)).toBe(true);
    expect(isExpired(token(1, "2026-01-01T00:00:00Z", { expires_at: "2026-07-01T00:00:00Z" }), now)).toBe(false);
  });

  it("shows how to call the API with the token", () => {
    expect(curlExample("https://steward.example:8443", "stw_abc-_9")).toBe(
      'curl -H "Authorization: Bearer stw_abc-_9" https://steward.example:8443/api/v1/hosts',
    );
  });
});
