import { describe, expect, it } from "vitest";

import { EMPTY_SSH_FORM, type SshForm, checkSshForm, findFingerprint, isAddress, sshRequest } from "./sshForm";

const FP = "SHA256:GHRqWrB41KnB3h8I21Xbs6dVtrnsEYgX+wcJSuuWmLc";
const good: SshForm = { ...EMPTY_SSH_FORM, address: "db-1.example.net", username: "monitor", password: "secret" };
const fields = (f: SshForm) => checkSshForm(f).map((p) => p.field);

describe("ssh host form", () => {
  it("starts with port 22, 15 s, enabled, password authentication", () => {
    expect(EMPTY_SSH_FORM).toMatchObject({ port: "22", interval: "15", enabled: true, auth: "password" });
    expect(fields(EMPTY_SSH_FORM)).toEqual(["address", "username", "password"]);
  });

  it("accepts a complete form", () => {
    expect(checkSshForm(good)).toEqual([]);
    expect(checkSshForm({ ...good, auth: "key", password: "", keyId: "3", tags: "db rack:3", fingerprint: FP })).toEqual([]);
  });

  it("names each bad field", () => {
    expect(fields({ ...good, address: "bad host" })).toEqual(["address"]);
    expect(fields({ ...good, port: "0" })).toEqual(["port"]);
    expect(fields({ ...good, port: "65536" })).toEqual(["port"]);
    expect(fields({ ...good, port: "22.5" })).toEqual(["port"]);
    expect(fields({ ...good, username: "-oProxyCommand" })).toEqual(["username"]);
    expect(fields({ ...good, username: "a b" })).toEqual(["username"]);
    expect(fields({ ...good, interval: "3601" })).toEqual(["interval"]);
    expect(fields({ ...good, interval: "" })).toEqual(["interval"]);
    expect(fields({ ...good, auth: "key", keyId: "" })).toEqual(["keyId"]);
    expect(fields({ ...good, fingerprint: "SHA256:short" })).toEqual(["fingerprint"]);
    expect(fields({ ...good, name: "x".repeat(65) })).toEqual(["name"]);
    expect(checkSshForm({ ...good, tags: "ok bad/tag" })).toEqual([
      { field: "tags", key: "hostsAdmin.check.tagInvalid", params: { tag: "bad/tag" } },
    ]);
  });

  it("knows addresses", () => {
    for (const a of ["db-1.example.net", "10.0.0.7", "::1", "[fe80::1]", "localhost", "host.", "a_b"]) expect(isAddress(a), a).toBe(true);
    for (const a of ["", "-bad.example", "bad-.example", "a..b", "sp ace", "x".repeat(64)]) expect(isAddress(a), a).toBe(false);
  });

  it("finds a fingerprint in what ssh-keygen prints", () => {
    expect(findFingerprint("")).toBe("");
    expect(findFingerprint(`  ${FP} `)).toBe(FP);
    expect(findFingerprint(`256 ${FP} root@db-1 (ED25519)`)).toBe(FP);
    expect(findFingerprint("MD5:aa:bb")).toBeNull();
    expect(findFingerprint(`${FP}AAAA`)).toBeNull();
  });

  it("builds the request with only the chosen credential", () => {
    expect(sshRequest({ ...good, keyId: "4", tags: "db, db, web" })).toEqual({
      kind: "ssh",
      address: "db-1.example.net",
      port: 22,
      username: "monitor",
      password: "secret",
      tags: ["db", "web"],
      interval_s: 15,
      enabled: true,
    });
    const keyed = sshRequest({ ...good, auth: "key", keyId: "4", name: " db ", address: "[::1]", port: "2222", fingerprint: `256 ${FP} x`, enabled: false });
    expect(keyed).toEqual({
      kind: "ssh",
      name: "db",
      address: "::1",
      port: 2222,
      username: "monitor",
      key_id: 4,
      tags: [],
      interval_s: 15,
      enabled: false,
      host_key_fingerprint: FP,
    });
    expect(keyed).not.toHaveProperty("password");
  });
});
