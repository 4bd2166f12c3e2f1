// Names for the schemas of the appliance's OpenAPI document (schema.d.ts is generated from
// openapi.json by `npm run api:gen`; `npm run api:check` fails when either drifts).
import type { components } from "./schema";

type S = components["schemas"];
export type UserView = S["UserView"];
export type Role = S["Role"];
export type LoginResponse = S["LoginResponse"];
export type MeResponse = S["MeResponse"];
export type HostSummary = S["HostSummary"];
export type HostDetail = S["HostDetail"];
export type Vitals = S["Vitals"];
export type Status = S["Status"];
export type QueryResult = S["QueryResult"];
export type LatestValue = S["LatestValue"];
export type ErrorBody = S["ErrorBody"];

// What the live streams send (src/live/messages.rs): `/ws/hosts` a `hosts` message, then
// `host` ones; `/ws/hosts/{id}` a `hello`, then `samples` ones. Each `type` is a one-value
// enum in the document, so `m.type` tells a union of them apart.
export type HostsMessage = S["HostsMessage"];
/// A `host` message, and each entry of a `hosts` one.
export type HostUpdate = S["HostUpdate"];
export type HelloMessage = S["HelloMessage"];
export type SamplesMessage = S["SamplesMessage"];
export type Sample = S["LiveSample"];
