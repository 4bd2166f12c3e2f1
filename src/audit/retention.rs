//! Retention: removing the oldest entries while keeping what remains verifiable.
//!
//! Entries go strictly from the oldest end, and the last one removed is remembered as the
//! anchor the remaining chain starts from. This file must never remove an entry from the
//! middle or the newest end, nor one it could not verify: deleting a broken stretch would
//! destroy the evidence of tampering along with it.

use redb::{ReadableTable, WriteTransaction};
use time::{Duration, OffsetDateTime};

use super::chain::{ANCHOR_KEY, Link, read_link};
use super::verify::Walker;
use super::{AUDIT, AuditError};
use crate::store::{META, Store, put_json};

/// Keeps one retention pass short enough not to hold the write lock for long.
const PRUNE_BATCH: usize = 10_000;

/// Drops entries older than `now - retention_days`, at most [`PRUNE_BATCH`] in one write
/// transaction, and returns how many went; call again while it returns a full batch.
///
/// Stops early at the first entry that is recent enough (entries written after the clock
/// stepped back wait for it), and at the first entry that fails verification, which is
/// logged and left in place for `steward audit verify` to report.
pub fn prune(store: &Store, now: OffsetDateTime, retention_days: u32) -> Result<u64, AuditError> {
    prune_batch(store, now, retention_days, PRUNE_BATCH)
}

pub(super) fn prune_batch(
    store: &Store,
    now: OffsetDateTime,
    retention_days: u32,
    max: usize,
) -> Result<u64, AuditError> {
    let Some(cutoff) = now.checked_sub(Duration::days(retention_days.into())) else {
        return Ok(0);
    };
    store.write_sync(|txn| prune_txn(txn, cutoff, max))
}

fn prune_txn(txn: &WriteTransaction, cutoff: OffsetDateTime, max: usize) -> Result<u64, AuditError> {
    let anchor = read_link(&txn.open_table(META)?, ANCHOR_KEY)?;
    let mut walker = Walker::new(anchor.as_ref());
    let mut table = txn.open_table(AUDIT)?;
    let mut doomed = Vec::new();
    let mut new_anchor = None;
    for row in table.iter()?.take(max) {
        let (k, v) = row?;
        match walker.step(k.value(), v.value()) {
            Ok(entry) if entry.at < cutoff => {
                doomed.push(entry.seq);
                new_anchor = Some(Link { seq: entry.seq, hash: entry.hash });
            }
            Ok(_) => break,
            Err(problem) => {
                tracing::error!(%problem, "audit retention stopped at an entry that fails verification");
                break;
            }
        }
    }
    for seq in &doomed {
        table.remove(seq)?;
    }
    drop(table);
    if let Some(link) = new_anchor {
        put_json(&mut txn.open_table(META)?, ANCHOR_KEY, &link)?;
    }
    Ok(doomed.len() as u64)
}
