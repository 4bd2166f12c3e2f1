import { describe, expect, it } from "vitest";

import { translator } from "../i18n";
import { en } from "../i18n/locales/en";
import { ACTIONS, ACTION_PREFIXES, actionLabel } from "./auditActions";
import { EMPTY_FILTER, auditQuery, chainSummary, filterProblem, localToRfc3339 } from "./auditQuery";

describe("audit filter", () => {
  it("reads datetime-local values as local time and writes RFC 3339 in UTC", () => {
    const local = new Date(2025, 4, 1, 10, 30).toISOString().replace(".000Z", "Z");
    expect(localToRfc3339("2025-05-01T10:30")).toBe(local);
    expect(localToRfc3339("2025-05-01T10:30:15")).toMatch(/:15Z$/);
    expect(localToRfc3339("")).toBeNull();
    expect(localToRfc3339("yesterday")).toBeNull();
    expect(localToRfc3339("2025-13-45T10:30")).toBeNull();
  });

  it("leaves empty fields out and keeps the cursor and limit", () => {
    expect(auditQuery(EMPTY_FILTER)).toBe("limit=50");
    const q = new URLSearchParams(
      auditQuery({ ...EMPTY_FILTER, actor: " alice ", action: "user", target: "bob & co", from: "2025-05-01T10:30", org: "2" }, 41, 10),
    );
    expect(q.get("actor")).toBe("alice");
    expect(q.get("action")).toBe("user");
    expect(q.get("target")).toBe("bob & co");
    expect(q.get("from")).toBe(localToRfc3339("2025-05-01T10:30"));
    expect(q.has("to")).toBe(false);
    expect(q.get("org")).toBe("2");
    expect(q.get("cursor")).toBe("41");
    expect(q.get("limit")).toBe("10");
  });

  it("refuses an empty or reversed range", () => {
    expect(filterProblem(EMPTY_FILTER)).toBeNull();
    expect(filterProblem({ ...EMPTY_FILTER, from: "2025-05-02T00:00", to: "2025-05-01T00:00" })).toBe("badRange");
    expect(filterProblem({ ...EMPTY_FILTER, from: "2025-05-01T00:00", to: "2025-05-01T00:00" })).toBe("badRange");
    expect(filterProblem({ ...EMPTY_FILTER, from: "2025-05-01T00:00", to: "2025-05-02T00:00" })).toBeNull();
    expect(filterProblem({ ...EMPTY_FILTER, to: "soon" })).toBe("badTime");
  });
});

describe("chain summary", () => {
  it("intact, with what retention removed", () => {
    expect(chainSummary({ ok: true, entries: 12, pruned_through: 3 })).toEqual({ tone: "ok", entries: 12, prunedThrough: 3 });
  });

  it("broken at the first bad entry", () => {
    const s = chainSummary({
      ok: false,
      entries: 3,
      first_bad: { id: 4, reason: "audit entry 4 was altered", problem: { kind: "altered", seq: 4 } },
    });
    expect(s).toEqual({ tone: "bad", entries: 3, id: 4, kind: "altered", reason: "audit entry 4 was altered" });
  });
});

describe("audit actions", () => {
  it("every known action has words, and families are their first part", () => {
    const t = translator(en, "en");
    for (const a of ACTIONS) expect(actionLabel(t, a), a).not.toBeNull();
    expect(actionLabel(t, "user.create")).toBe("User created");
    expect(actionLabel(t, "made.up")).toBeNull();
    expect(ACTION_PREFIXES).toContain("user");
    expect(ACTION_PREFIXES).toContain("ingest_key");
  });
});
