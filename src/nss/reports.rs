//! What each host's agent last reported about installing its bundle: the version it holds
//! and the error that kept it from a newer one. Kept in the store so an admin sees it after
//! a restart (agents report only changes).

use redb::{TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::caller::OrgId;
use crate::store::{Reads, StoreError, get_json, put_json};

/// (org, host id) -> JSON of [`SyncReport`].
const REPORTS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("nss_reports");

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(REPORTS)?;
    Ok(())
}

/// What an agent sends to `POST /api/v1/agent/nss/status`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// The version installed (or refused).
    #[serde(default)]
    pub version: String,
    pub ok: bool,
    #[serde(default)]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SyncReport {
    pub version: String,
    pub ok: bool,
    pub error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

impl SyncReport {
    /// A report as stored: bounded, printable.
    pub fn from_request(r: StatusRequest, now: OffsetDateTime) -> Self {
        let clip = |s: &str, n: usize| s.chars().filter(|c| !c.is_control()).take(n).collect::<String>();
        Self { version: clip(&r.version, 64), ok: r.ok, error: r.error.map(|e| clip(&e, 1000)), at: now }
    }
}

pub fn get(txn: &impl Reads, org: OrgId, host: u64) -> Result<Option<SyncReport>, StoreError> {
    get_json(&txn.read_table(REPORTS)?, (org.0, host))
}

pub fn put(txn: &WriteTransaction, org: OrgId, host: u64, report: &SyncReport) -> Result<(), StoreError> {
    put_json(&mut txn.open_table(REPORTS)?, (org.0, host), report)
}
