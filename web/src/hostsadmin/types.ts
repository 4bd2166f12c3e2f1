// The appliance's schemas this area uses, by name (generated from openapi.json).
import type { components } from "../api/schema";

type S = components["schemas"];
export type Host = S["HostSummary"];
export type HostKind = S["HostKind"];
export type HostState = S["HostState"];
export type NewSshHost = S["NewSshHost"];
export type SshHostPatch = S["SshHostPatch"];
export type PinRequest = S["PinRequest"];
export type TestReport = S["TestReport"];
export type IngestKey = S["IngestKey"];
export type CreatedKey = S["CreatedKey"];
export type KeyPatch = S["KeyPatch"];
export type NewKey = S["NewKey"];
export type SshKey = S["SshKey"];
export type NewSshKey = S["NewSshKey"];
export type ImportSshKey = S["ImportSshKey"];
export type HostRef = S["HostRef"];
