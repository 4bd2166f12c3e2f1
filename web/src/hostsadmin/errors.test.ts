import { describe, expect, it } from "vitest";

import { en } from "../i18n/locales/en";
import { errorKey } from "./errors";

describe("error codes", () => {
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
      expect(key, code).not.toBeNull();
      expect(en[key!], code).toBeTruthy();
    }
  });

  it("leaves unknown codes to the shared error text", () => {
    expect(errorKey("auth.forbidden")).toBeNull();
    expect(errorKey(undefined)).toBeNull();
    expect(errorKey("")).toBeNull();
  });

  it("has a dictionary entry behind every key", () => {
    for (const code of ["ssh_key.in_use", "ssh_key.passphrase_required", "hosts.not_ssh", "ingest_keys.invalid_name"]) {
      expect(en[errorKey(code)!], code).toBeTruthy();
    }
  });
});
