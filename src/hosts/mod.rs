//! Hosts: the machines an organization monitors (the appliance itself, push agents, later
//! SSH-polled hosts), their facts, and how they are found again by fingerprint.
//!
//! Owns the `hosts` tables and the host routes (overview, detail, history). Samples live in
//! [`crate::tsdb`], reached through its public functions; this module must not read the
//! time-series tables itself.

pub mod local;
mod overview;
pub mod routes;
mod service;

pub use overview::{HostSummary, Status, Vitals, status_of};
pub use routes::configure;
pub use service::{Machine, Origin, delete, ensure_local, find, get, list, register, update_facts};

use redb::{TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::collect::Facts;
use crate::orgs::OrgId;
use crate::store::StoreError;

/// (org, host id) -> JSON of [`Host`].
const HOSTS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("hosts");
/// (org, fingerprint) -> host id: a machine pushing again is the same host.
const BY_FINGERPRINT: TableDefinition<(u64, &str), u64> = TableDefinition::new("hosts_by_fingerprint");

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(HOSTS)?;
    txn.open_table(BY_FINGERPRINT)?;
    Ok(())
}

#[derive(Debug, Error)]
pub enum HostError {
    #[error("host {0} not found")]
    NotFound(u64),
    #[error("invalid machine: {0}")]
    InvalidMachine(String),
    #[error("the appliance's own host cannot be deleted")]
    Local,
    #[error(transparent)]
    Forbidden(#[from] crate::orgs::Forbidden),
    #[error(transparent)]
    Metrics(#[from] crate::tsdb::TsdbError),
    #[error("reading or writing hosts: {0}")]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(HostError);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HostKind {
    /// The appliance's own machine, collected in-process.
    Local,
    /// A machine running `steward agent`, pushing its samples.
    Agent,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Host {
    pub id: u64,
    #[schema(value_type = u64)]
    pub org: OrgId,
    pub name: String,
    pub kind: HostKind,
    /// What the machine calls itself across renames and reinstalls (machine id or agent
    /// key); unique within the organization.
    pub fingerprint: String,
    pub os: String,
    pub tags: Vec<String>,
    /// Seconds between samples the host is expected to send; offline after three missed.
    pub interval_s: u32,
    #[schema(value_type = Option<Object>)]
    pub facts: Option<Facts>,
    /// The ingest key that registered it, for agents.
    pub ingest_key: Option<u64>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}
