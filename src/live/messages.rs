//! What the streams send: JSON text messages, each with a `type`. Owns their shapes and
//! their schemas: the OpenAPI document lists them (its `components(schemas(...))`), so the
//! UI's types are generated from the same source as the rest of the API; in the schemas each
//! `type` is a one-value string enum, which lets the UI tell the messages apart. It must not
//! read the store or hold connections (the sessions do).

use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

use crate::hosts::{Host, HostState, HostSummary, LastError, Status, Vitals};
use crate::tsdb::{Committed, Labels};

/// `hello`: the host a `/ws/hosts/{id}` stream follows, as the overview shows it; the
/// stream's first message.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = HelloMessage)]
pub struct Hello<'a> {
    /// Always `hello`.
    #[schema(schema_with = hello_type)]
    pub r#type: &'static str,
    pub host: &'a HostSummary,
}

/// `samples`: one committed collection of the followed host.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SamplesMessage)]
pub struct Samples {
    /// Always `samples`.
    #[schema(schema_with = samples_type)]
    pub r#type: &'static str,
    pub host_id: u64,
    pub samples: Vec<SampleOut>,
}

/// One value of a `samples` message: the metric, its labels, when it was taken (ms since the
/// Unix epoch) and the value.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = LiveSample)]
pub struct SampleOut {
    pub metric: String,
    #[schema(value_type = std::collections::HashMap<String, String>)]
    pub labels: Labels,
    pub ts: i64,
    pub value: f64,
}

impl Samples {
    pub fn of(c: &Committed) -> Self {
        let samples = c
            .samples
            .iter()
            .map(|(k, ts, value)| SampleOut {
                metric: k.metric.to_string(),
                labels: k.labels.clone(),
                ts: *ts,
                value: *value,
            })
            .collect();
        Self { r#type: "samples", host_id: c.host, samples }
    }
}

/// `host`: one host's status and headline values changed (it committed samples, or went
/// offline). `hosts` carries all of them at once when a stream opens.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HostUpdate {
    /// Always `host`, in a `hosts` message too.
    #[schema(schema_with = host_type)]
    pub r#type: &'static str,
    pub id: u64,
    pub name: String,
    /// Whether an admin let its samples in.
    pub state: HostState,
    pub status: Status,
    pub last_seen_ms: Option<i64>,
    pub vitals: Vitals,
    /// SSH hosts: the last poll error (code, message, when).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<LastError>,
}

impl HostUpdate {
    pub fn of(s: &HostSummary) -> Self {
        Self {
            r#type: "host",
            id: s.host.id,
            name: s.host.name.clone(),
            state: s.host.state,
            status: s.status,
            last_seen_ms: s.last_seen_ms,
            vitals: s.vitals.clone(),
            last_error: s.poll.as_ref().and_then(|p| p.last_error.clone()),
        }
    }
}

/// `hosts`: every host of the caller's organization; the first message of `/ws/hosts`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = HostsMessage)]
pub struct Hosts<'a> {
    /// Always `hosts`.
    #[schema(schema_with = hosts_type)]
    pub r#type: &'static str,
    pub hosts: &'a [HostUpdate],
}

/// The schema of a `type` field: a string that is always `name`.
fn tag(name: &str) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some([name])).build()
}

// `schema_with` takes a function without arguments, so one per message.
fn hello_type() -> Object {
    tag("hello")
}

fn samples_type() -> Object {
    tag("samples")
}

fn host_type() -> Object {
    tag("host")
}

fn hosts_type() -> Object {
    tag("hosts")
}

/// Summary of a host now, from the time-series store's latest values and its last push.
pub fn summary(ctx: &crate::ctx::Ctx, host: Host) -> HostSummary {
    let latest = ctx.tsdb.latest(host.id);
    crate::hosts::routes::summary(ctx, host, &latest)
}

pub fn to_text<T: Serialize>(m: &T) -> String {
    // Serializing plain structs of strings and numbers cannot fail; an empty message
    // would be ignored by clients anyway.
    serde_json::to_string(m).unwrap_or_default()
}
