import { describe, expect, it } from "vitest";

import { ALPHABET, generatePassword } from "./password";

describe("generated passwords", () => {
  it("are 20 characters of the alphabet, different each time", () => {
    const a = generatePassword();
    const b = generatePassword();
    expect(a).toHaveLength(20);
    expect([...a].every((c) => ALPHABET.includes(c))).toBe(true);
    expect(a).not.toBe(b);
  });

  it("skip bytes that would bias the alphabet's start", () => {
    // 57 letters: bytes from 228 up are dropped rather than wrapped around.
    let call = 0;
    const random = (bytes: Uint8Array) => {
      bytes.fill(call++ === 0 ? 250 : 0);
      return bytes;
    };
    expect(generatePassword(4, random)).toBe("AAAA");
    expect(call).toBe(2);
  });
});
