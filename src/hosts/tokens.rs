//! Machine tokens: `stm_` + 256 random bits, one per approved agent host, handed to the
//! agent once in an ingest answer; only its SHA-256 is stored.
//!
//! Owns the `host_tokens` tables: hash -> (org, host), and per host the token's record.
//! The hash never leaves these tables (it is not part of [`super::Host`]). It must not
//! decide when a token is issued or accepted: `ingest` does.

use redb::{ReadTransaction, ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Host, HostError};
use crate::audit::{self, Event, Outcome};
use crate::auth::hash_token;
use crate::caller::{Actor, OrgId};
use crate::store::{Reads, StoreError, get_json, put_json};

/// (org, host id) -> JSON of [`MachineToken`].
const TOKENS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("host_tokens");
/// SHA-256 of the token -> (org, host id).
const BY_HASH: TableDefinition<&[u8], (u64, u64)> = TableDefinition::new("host_tokens_by_hash");
pub const PREFIX: &str = "stm_";

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(TOKENS)?;
    txn.open_table(BY_HASH)?;
    Ok(())
}

/// A host's token, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineToken {
    /// Hex SHA-256, so the index row can be removed without a scan.
    hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// The agent has pushed with it: from then on its ingest key cannot take the machine
    /// over again.
    pub used: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

impl MachineToken {
    /// Whether a push at `now` must be written down: the first use, then at most once
    /// every `every`.
    pub fn needs_mark(&self, now: OffsetDateTime, every: time::Duration) -> bool {
        !self.used || self.last_used_at.is_none_or(|t| now - t >= every)
    }
}

/// The host (org, id) a presented token names, with its record.
pub fn resolve(txn: &ReadTransaction, value: &str) -> Result<Option<(OrgId, u64, MachineToken)>, StoreError> {
    if !value.starts_with(PREFIX) {
        return Ok(None);
    }
    let hash = hash_token(value);
    let Some((org, host)) = txn.open_table(BY_HASH)?.get(hash.as_slice())?.map(|v| v.value()) else {
        return Ok(None);
    };
    let token = get_json::<(u64, u64), MachineToken>(&txn.open_table(TOKENS)?, (org, host))?;
    Ok(token.map(|t| (OrgId(org), host, t)))
}

/// A host's token record, if it has one.
pub fn get(txn: &impl Reads, org: OrgId, host: u64) -> Result<Option<MachineToken>, StoreError> {
    get_json(&txn.read_table(TOKENS)?, (org.0, host))
}

/// Mints a new token for `host`, replacing any it had, and records the issue. Returns the
/// value, to be shown once.
pub fn issue(txn: &WriteTransaction, host: &Host, now: OffsetDateTime, actor: Actor) -> Result<String, HostError> {
    remove(txn, host.org, host.id)?;
    let crate::auth::Minted { value, hash, shown } = crate::auth::mint(PREFIX).map_err(|_| HostError::Random)?;
    let record = MachineToken { hash: hex::encode(hash), issued_at: now, used: false, last_used_at: None };
    txn.open_table(BY_HASH)?.insert(hash.as_slice(), (host.org.0, host.id))?;
    put_json(&mut txn.open_table(TOKENS)?, (host.org.0, host.id), &record)?;
    let target = format!("host {} ({})", host.id, host.name);
    let event = Event::new(host.org, actor, "host.token_issue", target, Outcome::Success).detail(shown);
    audit::append(txn, now, event)?;
    Ok(value)
}

/// Records a push with the token. `false` when the host no longer has a token (rejected or
/// deleted since it was read).
pub fn mark_used(txn: &WriteTransaction, org: OrgId, host: u64, now: OffsetDateTime) -> Result<bool, StoreError> {
    let mut table = txn.open_table(TOKENS)?;
    let Some(mut token) = get_json::<(u64, u64), MachineToken>(&table, (org.0, host))? else { return Ok(false) };
    token.used = true;
    token.last_used_at = Some(now);
    put_json(&mut table, (org.0, host), &token)?;
    Ok(true)
}

/// Deletes a host's token, if it has one; its agent is refused from then on.
pub fn remove(txn: &WriteTransaction, org: OrgId, host: u64) -> Result<bool, StoreError> {
    let mut table = txn.open_table(TOKENS)?;
    let Some(token) = get_json::<(u64, u64), MachineToken>(&table, (org.0, host))? else { return Ok(false) };
    table.remove((org.0, host))?;
    let hash = hex::decode(&token.hash).map_err(|_| StoreError::Corrupt(format!("host {host} token hash")))?;
    txn.open_table(BY_HASH)?.remove(hash.as_slice())?;
    Ok(true)
}

/// Every (org, host) that holds a token; for tests and checks.
pub fn holders(txn: &ReadTransaction) -> Result<Vec<(u64, u64)>, StoreError> {
    let mut out = Vec::new();
    for row in txn.open_table(TOKENS)?.iter()? {
        out.push(row?.0.value());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(used: bool, last: Option<i64>) -> MachineToken {
        let at = |s: i64| OffsetDateTime::from_unix_timestamp(s).unwrap();
        MachineToken { hash: String::new(), issued_at: at(0), used, last_used_at: last.map(at) }
    }

    #[test]
    fn a_token_is_marked_on_first_use_then_once_a_minute() {
        let minute = time::Duration::minutes(1);
        let now = OffsetDateTime::from_unix_timestamp(1_000).unwrap();
        assert!(token(false, None).needs_mark(now, minute));
        assert!(token(false, Some(999)).needs_mark(now, minute), "unused: always");
        assert!(!token(true, Some(990)).needs_mark(now, minute));
        assert!(token(true, Some(940)).needs_mark(now, minute));
        assert!(token(true, None).needs_mark(now, minute));
    }
}
