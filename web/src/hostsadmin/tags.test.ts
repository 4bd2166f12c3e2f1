import { describe, expect, it } from "vitest";

import { checkTags, joinTags, parseTags, splitTags } from "./tags";

describe("tags", () => {
  it("splits on commas and spaces, dropping empties and duplicates", () => {
    expect(splitTags(" db, rack:3  db,,web\tprod\n")).toEqual(["db", "rack:3", "web", "prod"]);
    expect(splitTags("")).toEqual([]);
    expect(splitTags(" , ")).toEqual([]);
  });

  it("accepts what the appliance accepts", () => {
    expect(checkTags(["db", "rack:3", "env=prod", "a_b.c-d", "x".repeat(32)])).toBeNull();
    expect(checkTags([])).toBeNull();
    expect(checkTags(Array.from({ length: 16 }, (_, i) => `t${i}`))).toBeNull();
  });

  it("refuses bad characters, long tags and more than 16", () => {
    expect(checkTags(["ok", "bad/tag"])).toEqual({ kind: "invalid", tag: "bad/tag" });
    expect(checkTags(["é"])).toEqual({ kind: "invalid", tag: "é" });
    expect(checkTags(["x".repeat(33)])).toEqual({ kind: "invalid", tag: "x".repeat(33) });
    expect(checkTags(Array.from({ length: 17 }, (_, i) => `t${i}`))).toEqual({ kind: "tooMany", count: 17 });
  });

  it("counts tags after removing duplicates, as the appliance stores them", () => {
    const text = Array.from({ length: 20 }, (_, i) => `t${i % 10}`).join(",");
    expect(parseTags(text)).toEqual({ tags: splitTags(text), problem: null });
    expect(parseTags(text).tags).toHaveLength(10);
  });

  it("joins for the editor and round-trips", () => {
    expect(joinTags(["db", "rack:3"])).toBe("db, rack:3");
    expect(splitTags(joinTags(["db", "rack:3"]))).toEqual(["db", "rack:3"]);
  });
});
