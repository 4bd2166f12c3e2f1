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

/// What the live streams send (see src/live/messages.rs).
export interface HostUpdate {
  id: number;
  name: string;
  state: S["HostState"];
  status: Status;
  last_seen_ms: number | null;
  vitals: Vitals;
  last_error?: S["LastError"];
}
export interface HostsMessage {
  type: "hosts";
  hosts: HostUpdate[];
}
export interface HostMessage extends HostUpdate {
  type: "host";
}
export interface HelloMessage {
  type: "hello";
  host: HostSummary;
}
export interface Sample {
  metric: string;
  labels: Record<string, string>;
  ts: number;
  value: number;
}
export interface SamplesMessage {
  type: "samples";
  host_id: number;
  samples: Sample[];
}
