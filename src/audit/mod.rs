//! The audit trail: an append-only, hash-chained record of who did what, in which
//! organization, with what outcome.
//!
//! Owns the `audit` table and the `audit:head` / `audit:anchor` records in the store's
//! meta table. Features record their changes by calling [`append`] inside their own write
//! transaction, so an entry commits (or rolls back) together with the change it records.
//! This module must not call into other features, and nothing but [`append`] and
//! [`prune`] may write its table: the chain is only meaningful if every write goes
//! through the hashing here.
//!
//! The chain makes edits to the store file evident (an altered, removed or cut-off entry
//! no longer fits the hashes around it); it cannot stop someone who rewrites the whole
//! chain from the altered entry onwards. Exporting entries off the appliance is what
//! closes that gap.

mod api_error;
mod chain;
mod query;
mod retention;
pub mod routes;
mod verify;

pub use chain::append;
pub use query::{DEFAULT_LIMIT, Filter, MAX_LIMIT, Page, query};
pub use retention::prune;
pub use routes::configure;
pub use verify::{FirstBad, Problem, Verification, VerifyReport, verify, verify_as, verify_txn};

use redb::{TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::caller::{Actor, OrgId};
use crate::store::StoreError;

/// Sequence number -> JSON of one [`Entry`].
const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");

#[derive(Debug, Error)]
pub enum AuditError {
    #[error(transparent)]
    Forbidden(#[from] crate::caller::Forbidden),
    #[error("reading or writing the audit trail: {0}")]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(AuditError);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
    /// Refused for lack of rights (as opposed to failing while allowed).
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// What a feature hands to [`append`]; the trail adds sequence, time and hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub org: OrgId,
    pub actor: Actor,
    /// A dotted verb such as `user.create`; queries can match on its prefix (`user`).
    pub action: String,
    pub target: String,
    pub outcome: Outcome,
    pub detail: Option<String>,
}

impl Event {
    pub fn new(org: OrgId, actor: Actor, action: &str, target: impl Into<String>, outcome: Outcome) -> Self {
        Self { org, actor, action: action.to_string(), target: target.into(), outcome, detail: None }
    }

    pub fn detail(self, d: impl Into<String>) -> Self {
        Self { detail: Some(d.into()), ..self }
    }
}

/// One recorded entry, as stored and as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Entry {
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub org: OrgId,
    /// The actor's display name at the time (user names can change; `actor_id` does not).
    pub actor: String,
    pub actor_id: Option<u64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub action: String,
    pub target: String,
    pub outcome: Outcome,
    pub detail: Option<String>,
    /// Hex SHA-256 of the previous entry (64 zeros for the first entry ever written).
    pub prev_hash: String,
    /// Hex SHA-256 over `prev_hash` and the canonical form of the other fields.
    pub hash: String,
}

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(AUDIT)?;
    Ok(())
}

#[cfg(test)]
mod tests;
