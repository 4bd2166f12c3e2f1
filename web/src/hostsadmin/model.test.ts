import { describe, expect, it } from "vitest";

import { host } from "../test/hosts";
import {
  agentCommand,
  approvable,
  deletable,
  differs,
  editable,
  endpoint,
  enrolledWith,
  looksLikePublicKey,
  publicKeyFileName,
  rejectable,
  sortKeys,
  splitHosts,
  validKeyName,
} from "./model";

describe("hosts admin model", () => {
  it("puts pending agents apart, oldest first, and sorts the rest by name", () => {
    const hosts = [
      host(3, "web-10"),
      host(5, "new-b", { state: "pending" }),
      host(1, "web-9"),
      host(4, "new-a", { state: "pending" }),
      host(2, "Alpha", { state: "rejected" }),
    ];
    const { pending, others } = splitHosts(hosts);
    expect(pending.map((h) => h.id)).toEqual([4, 5]);
    expect(others.map((h) => h.name)).toEqual(["Alpha", "web-9", "web-10"]);
  });

  it("knows what each kind of host allows", () => {
    const local = host(1, "appliance", { kind: "local" });
    const ssh = host(2, "db", { kind: "ssh" });
    const pending = host(3, "new", { state: "pending" });
    const rejected = host(4, "old", { state: "rejected" });
    const approved = host(5, "ok");
    expect([local, ssh, approved, rejected].map(editable)).toEqual([true, true, true, false]);
    expect([local, ssh, approved].map(deletable)).toEqual([false, true, true]);
    expect([local, ssh, pending, rejected, approved].map(approvable)).toEqual([false, false, true, true, false]);
    expect([local, ssh, pending, rejected, approved].map(rejectable)).toEqual([false, false, true, false, true]);
  });

  it("writes endpoints with IPv6 in brackets", () => {
    expect(endpoint("db-1", 22)).toBe("db-1:22");
    expect(endpoint("fe80::1", 2222)).toBe("[fe80::1]:2222");
  });

  it("lists the hosts an ingest key enrolled", () => {
    const hosts = [host(1, "b", { ingest_key: 7 }), host(2, "a", { ingest_key: 7 }), host(3, "c", { ingest_key: 8 }), host(4, "d")];
    expect(enrolledWith(hosts, { id: 7 })).toEqual([
      { id: 2, name: "a" },
      { id: 1, name: "b" },
    ]);
    expect(enrolledWith(hosts, { id: 9 })).toEqual([]);
  });

  it("sorts keys by name", () => {
    expect(sortKeys([{ id: 2, name: "web" }, { id: 1, name: "db" }, { id: 3, name: "DB" }]).map((k) => k.id)).toEqual([1, 3, 2]);
  });

  it("notices live updates that change the list", () => {
    const hosts = [host(1, "a")];
    expect(differs(hosts, { id: 1, status: "online", state: "approved" })).toBe(false);
    expect(differs(hosts, { id: 1, status: "offline" })).toBe(true);
    expect(differs(hosts, { id: 1, status: "online", state: "rejected" })).toBe(true);
    expect(differs(hosts, { id: 2, status: "online" })).toBe(true);
  });

  it("builds the agent command and file names", () => {
    expect(agentCommand("https://steward.example", "sti_abc")).toBe("steward-agent --server https://steward.example --key sti_abc");
    expect(publicKeyFileName("web servers")).toBe("web-servers.pub");
    expect(publicKeyFileName("../../etc")).toBe("etc.pub");
    expect(publicKeyFileName("ключ")).toBe("key.pub");
  });

  it("recognises a public key pasted as a private one", () => {
    expect(looksLikePublicKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA test")).toBe(true);
    expect(looksLikePublicKey("ecdsa-sha2-nistp256 AAAAE2VjZHNh x")).toBe(true);
    expect(looksLikePublicKey("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn")).toBe(false);
  });

  it("checks key names as the appliance does", () => {
    expect(validKeyName("web servers")).toBe(true);
    expect(validKeyName("  x  ")).toBe(true);
    expect(validKeyName("é".repeat(64))).toBe(true);
    expect(validKeyName("")).toBe(false);
    expect(validKeyName("   ")).toBe(false);
    expect(validKeyName("x".repeat(65))).toBe(false);
    expect(validKeyName("a\nb")).toBe(false);
  });
});
