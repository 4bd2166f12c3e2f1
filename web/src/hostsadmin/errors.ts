// The error codes of this area in words: SSH test and poll failures, the key store's
// refusals, and host and ingest key conflicts. Anything else goes to the shared ErrorText.
import type { Key } from "../i18n";

const KEYS: Record<string, Key> = {
  "ssh.dns": "hostsAdmin.sshError.dns",
  "ssh.refused": "hostsAdmin.sshError.refused",
  "ssh.timeout": "hostsAdmin.sshError.timeout",
  "ssh.unreachable": "hostsAdmin.sshError.unreachable",
  "ssh.protocol": "hostsAdmin.sshError.protocol",
  "ssh.auth_failed": "hostsAdmin.sshError.auth_failed",
  "ssh.host_key_mismatch": "hostsAdmin.sshError.host_key_mismatch",
  "ssh.command_missing": "hostsAdmin.sshError.command_missing",
  "ssh.output_too_large": "hostsAdmin.sshError.output_too_large",
  "ssh.credentials": "hostsAdmin.sshError.credentials",
  "hosts.not_found": "hostsAdmin.error.not_found",
  "hosts.not_ssh": "hostsAdmin.error.not_ssh",
  "hosts.local": "hostsAdmin.error.local",
  "hosts.ssh_key_not_found": "hostsAdmin.error.ssh_key_not_found",
  "ingest_keys.not_found": "hostsAdmin.error.key_not_found",
  "ingest_keys.invalid_name": "hostsAdmin.error.key_name",
  "ssh_key.not_found": "sshKeys.error.not_found",
  "ssh_key.in_use": "sshKeys.error.in_use",
  "ssh_key.invalid_name": "sshKeys.error.invalid_name",
  "ssh_key.invalid_comment": "sshKeys.error.invalid_comment",
  "ssh_key.too_large": "sshKeys.error.too_large",
  "ssh_key.invalid": "sshKeys.error.invalid",
  "ssh_key.unsupported_algorithm": "sshKeys.error.unsupported_algorithm",
  "ssh_key.too_weak": "sshKeys.error.too_weak",
  "ssh_key.unsupported_format": "sshKeys.error.unsupported_format",
  "ssh_key.passphrase_required": "sshKeys.error.passphrase_required",
  "ssh_key.bad_passphrase": "sshKeys.error.bad_passphrase",
};

/// The dictionary key for an error code this area knows, else null.
export function errorKey(code: string | null | undefined): Key | null {
  return (code && KEYS[code]) || null;
}
