// The appliance's schemas of central accounts, by name (generated from openapi.json).
import type { components } from "../api/schema";

type S = components["schemas"];
export type Target = S["Target"];
export type RuleView = S["RuleView"];
export type AccessRule = S["AccessRule"];
export type NewRuleRequest = S["NewRuleRequest"];
export type UnixGroup = S["UnixGroup"];
export type NewGroup = S["NewGroup"];
export type UnixView = S["UnixView"];
export type UserKey = S["UserKey"];
export type HostAccounts = S["HostAccounts"];
export type HostUser = S["HostUser"];
export type SyncReport = S["SyncReport"];
