//! Hosts: the machines an organization monitors (the appliance itself, push agents,
//! SSH-polled hosts), their facts, how they are found again by fingerprint, whether an
//! admin let them in ([`HostState`]), the machine tokens approved agents push with, and an
//! SSH host's connection settings ([`ssh`]) and what the poller reports about it ([`Polls`]).
//!
//! Owns the `hosts` and `host_tokens` tables and the host routes (overview, detail,
//! history, approval), on which the SSH poller mounts its own ([`routes::Mounts`]).
//! Samples live in [`crate::tsdb`], reached through its public functions; this module must
//! not read the time-series tables itself, nor decide who may push (`ingest` does, through
//! the functions here), nor know the poller, the SSH key store or ingest: they sit above it.

mod api_error;
mod approval;
pub mod local;
mod overview;
mod polls;
mod pushes;
pub mod routes;
mod service;
pub mod ssh;
pub mod tokens;

pub use approval::{approve, rebind, reject};
pub use overview::{HostSummary, Status, Vitals, status_of};
pub use polls::{HostPoll, LastError, PollStatus, Polls, SeenKey};
pub use pushes::LastPush;
pub use routes::configure;
pub use service::{
    Machine, Origin, delete, ensure_local, find, get, get_in, insert, list, list_kind, load, machine_changed,
    refresh_machine, register, save, update_facts, using_ssh_key,
};
pub use ssh::{PinSource, PinnedKey, SshAuth, SshSettings};

use redb::{TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::caller::OrgId;
use crate::collect::Facts;
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

/// The machine token tables (schema version 3).
pub fn create_token_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    tokens::create_tables(txn)
}

#[derive(Debug, Error)]
pub enum HostError {
    #[error("host {0} not found")]
    NotFound(u64),
    #[error("invalid machine: {0}")]
    InvalidMachine(String),
    #[error("host {0} is the appliance's own: it is always approved, and cannot be deleted, approved or rejected")]
    Local(u64),
    #[error("no randomness available to mint a machine token")]
    Random,
    #[error(transparent)]
    Forbidden(#[from] crate::caller::Forbidden),
    #[error(transparent)]
    Metrics(#[from] crate::tsdb::TsdbError),
    #[error(transparent)]
    Seal(#[from] crate::seal::SealError),
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
    /// A machine the appliance polls over SSH (the `poll` feature).
    Ssh,
}

/// Whether a host's samples are accepted: an admin approves a machine enrolled with an
/// ingest key before it may push (unless the key auto-approves).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum HostState {
    /// Registered by a push; waiting for an admin.
    Pending,
    /// Its samples are accepted. Records written before enrollment existed read as this.
    #[default]
    Approved,
    /// Refused by an admin; its machine token is gone.
    Rejected,
}

impl HostState {
    pub fn as_str(self) -> &'static str {
        match self {
            HostState::Pending => "pending",
            HostState::Approved => "approved",
            HostState::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Host {
    pub id: u64,
    #[schema(value_type = u64)]
    pub org: OrgId,
    pub name: String,
    pub kind: HostKind,
    #[serde(default)]
    pub state: HostState,
    /// What the machine calls itself across renames and reinstalls (machine id or agent
    /// key); unique within the organization.
    pub fingerprint: String,
    pub os: String,
    pub tags: Vec<String>,
    /// Seconds between samples the host is expected to send; offline after three missed.
    pub interval_s: u32,
    #[schema(value_type = Option<Object>)]
    pub facts: Option<Facts>,
    /// The ingest key it is enrolled with, for agents: revoking or deleting that key stops
    /// its machine token too.
    pub ingest_key: Option<u64>,
    /// How to reach it, for hosts of kind `ssh`; never a credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<SshSettings>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::{Host, HostState};

    #[test]
    fn records_from_before_enrollment_read_as_approved() {
        let old = serde_json::json!({
            "id": 3, "org": 1, "name": "web-1", "kind": "agent", "fingerprint": "fp", "os": "", "tags": [],
            "interval_s": 5, "facts": null, "ingest_key": 2, "created_at": "2025-01-01T00:00:00Z"
        });
        let host: Host = serde_json::from_value(old).unwrap();
        assert_eq!(host.state, HostState::Approved);
        let back = serde_json::to_value(&host).unwrap();
        assert_eq!(back["state"], "approved");
        assert!(back.get("token").is_none() && back.get("hash").is_none(), "{back}");
        let pending: HostState = serde_json::from_str("\"pending\"").unwrap();
        assert_eq!((pending, pending.as_str()), (HostState::Pending, "pending"));
    }
}
