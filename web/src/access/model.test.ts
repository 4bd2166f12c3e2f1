import { describe, expect, it } from "vitest";

import { loadMessages, translator } from "../i18n";
import { en } from "../i18n/locales/en";
import {
  addTag,
  describeTarget,
  grantRequest,
  keyProblem,
  knownTags,
  memberNames,
  sortRules,
  validGroupName,
} from "./model";
import type { RuleView } from "./types";

const t = translator(en, "en");
const hosts = new Map([
  [1, "web-1"],
  [2, "web-2"],
  [3, "db-1"],
  [4, "db-2"],
  [5, "cache"],
]);

describe("a rule's hosts in words", () => {
  it("says all hosts, or the tags joined with or", () => {
    expect(describeTarget(t, "en", { on: "all" }, hosts)).toBe("All hosts");
    expect(describeTarget(t, "en", { on: "tags", tags: ["web"] }, hosts)).toBe("Hosts tagged web");
    expect(describeTarget(t, "en", { on: "tags", tags: ["web", "db"] }, hosts)).toBe("Hosts tagged web or db");
    expect(describeTarget(t, "en", { on: "tags", tags: ["a", "b", "c"] }, hosts)).toBe("Hosts tagged a, b, or c");
  });

  it("names the hosts, sorted, deleted ones by id, and shortens long lists", () => {
    expect(describeTarget(t, "en", { on: "hosts", hosts: [2, 1] }, hosts)).toBe("web-1 and web-2");
    expect(describeTarget(t, "en", { on: "hosts", hosts: [1, 1234] }, hosts)).toBe("host #1234 and web-1");
    expect(describeTarget(t, "en", { on: "hosts", hosts: [1, 2, 3, 4] }, hosts)).toBe("db-1, db-2, web-1, and web-2");
    expect(describeTarget(t, "en", { on: "hosts", hosts: [1, 2, 3, 4, 5] }, hosts)).toBe("cache, db-1, db-2, and 2 more");
    expect(describeTarget(t, "en", { on: "hosts", hosts: [1, 2, 3, 4, 5] }, hosts, 50)).toBe("cache, db-1, db-2, web-1, and web-2");
  });

  it("speaks the language of the page", async () => {
    const fr = translator(await loadMessages("fr"), "fr");
    expect(describeTarget(fr, "fr", { on: "tags", tags: ["web", "db"] }, hosts)).toBe("Hôtes étiquetés web ou db");
    const ru = translator(await loadMessages("ru"), "ru");
    expect(describeTarget(ru, "ru", { on: "all" }, hosts)).toBe("Все хосты");
    expect(describeTarget(ru, "ru", { on: "hosts", hosts: [1, 2, 3, 4, 5] }, hosts)).toBe("cache, db-1, db-2 и ещё 2");
    const ja = translator(await loadMessages("ja"), "ja");
    expect(describeTarget(ja, "ja", { on: "hosts", hosts: [1, 2] }, hosts)).toBe("web-1、web-2");
  });
});

describe("the grant form's request", () => {
  const base = { userId: 3, where: "all" as const, tagsText: "", hostIds: [], sudo: false };

  it("asks for a user first", () => {
    expect(grantRequest({ ...base, userId: null })).toEqual({ problem: { kind: "user" } });
  });

  it("sends all hosts, with or without sudo", () => {
    expect(grantRequest(base)).toEqual({ body: { user_id: 3, on: "all", sudo: false } });
    expect(grantRequest({ ...base, sudo: true })).toEqual({ body: { user_id: 3, on: "all", sudo: true } });
  });

  it("sends tags split, deduplicated and checked as the appliance checks them", () => {
    const tags = { ...base, where: "tags" as const };
    expect(grantRequest({ ...tags, tagsText: " web, db web " })).toEqual({ body: { user_id: 3, on: "tags", tags: ["web", "db"], sudo: false } });
    expect(grantRequest({ ...tags, tagsText: " , " })).toEqual({ problem: { kind: "tags" } });
    expect(grantRequest({ ...tags, tagsText: "web, b/ad" })).toEqual({ problem: { kind: "tag", problem: { kind: "invalid", tag: "b/ad" } } });
  });

  it("sends chosen hosts once each, and needs at least one", () => {
    const named = { ...base, where: "hosts" as const };
    expect(grantRequest(named)).toEqual({ problem: { kind: "hosts" } });
    expect(grantRequest({ ...named, hostIds: [7, 9, 7] })).toEqual({ body: { user_id: 3, on: "hosts", hosts: [7, 9], sudo: false } });
  });
});

describe("checks before sending", () => {
  it("accepts group names of the Unix form only", () => {
    for (const ok of ["ops", "_svc", "web-team", "a1_b-2", "a".repeat(32)]) expect(validGroupName(ok), ok).toBe(true);
    for (const bad of ["", "Ops", "1ops", "-ops", "web team", "a".repeat(33), "ops!"]) expect(validGroupName(bad), bad).toBe(false);
  });

  it("catches an empty paste, several lines and private keys", () => {
    expect(keyProblem("  ")).toBe("empty");
    expect(keyProblem("ssh-ed25519 AAAA a@b\nssh-ed25519 BBBB c@d")).toBe("multiline");
    expect(keyProblem("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----")).toBe("private");
    expect(keyProblem("  ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMq e2e@test\n")).toBeNull();
  });
});

describe("lists", () => {
  it("sorts rules by user, newest first", () => {
    const rule = (id: number, username: string, created_at: string): RuleView => ({ id, user_id: id, username, on: "all", sudo: false, created_at });
    const sorted = sortRules([rule(1, "bob", "2026-01-01T00:00:00Z"), rule(2, "alice", "2026-01-01T00:00:00Z"), rule(3, "bob", "2026-02-01T00:00:00Z")]);
    expect(sorted.map((r) => r.id)).toEqual([2, 3, 1]);
  });

  it("names members, deleted ones by id", () => {
    expect(memberNames(t, [9, 2, 1], new Map([[1, "zoe"], [2, "adam"]]))).toEqual(["adam", "user #9", "zoe"]);
  });

  it("suggests each tag in use once, and adds one to the line", () => {
    expect(knownTags([{ tags: ["web", "eu"] }, { tags: ["db", "eu"] }, { tags: [] }])).toEqual(["db", "eu", "web"]);
    expect(addTag("", "web")).toBe("web");
    expect(addTag("web db", "eu")).toBe("web, db, eu");
    expect(addTag("web, db", "db")).toBe("web, db");
  });
});
