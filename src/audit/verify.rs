//! Verification: walking the chain from the retention anchor (or the genesis) to the head
//! record and naming the first entry that does not fit.
//!
//! The walk is shared with retention, which must not delete a stretch it cannot vouch for.
//! This file only reads; it must never repair or rewrite entries, since a "fixed" chain
//! would hide exactly what it exists to show.

use redb::{ReadTransaction, ReadableTable};
use serde::Serialize;
use utoipa::ToSchema;

use super::chain::{ANCHOR_KEY, GENESIS, HEAD_KEY, Hash, Link, decode_hash, entry_hash, read_link};
use super::{AUDIT, AuditError, Entry};
use crate::caller::{Role, Scope};
use crate::store::{META, Store};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct VerifyReport {
    /// Entries found consistent, up to the first problem.
    pub checked: u64,
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
    /// Retention removed every entry up to and including this one; the walk starts after it.
    pub pruned_through: Option<u64>,
    pub problem: Option<Problem>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// The first thing found wrong with the chain, naming the entry concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// The entry's contents no longer match the hashes recorded for it.
    Altered { seq: u64 },
    /// Entries between `after` and `next` (both exclusive) are gone.
    Missing { after: u64, next: u64 },
    /// The oldest remaining entry does not chain to the record retention left behind.
    AnchorMismatch { seq: u64 },
    /// The newest entries, after `last` up to `head`, are gone.
    Truncated { last: u64, head: u64 },
    /// The head record is missing or disagrees with the newest entry, `seq`.
    HeadMismatch { seq: u64 },
}

impl Problem {
    /// The sequence number of the entry concerned: the first missing one for a gap or a
    /// cut-off end.
    pub fn seq(&self) -> u64 {
        match *self {
            Problem::Altered { seq } | Problem::AnchorMismatch { seq } | Problem::HeadMismatch { seq } => seq,
            Problem::Missing { after, .. } => after + 1,
            Problem::Truncated { last, .. } => last + 1,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Problem::Altered { seq } => write!(f, "audit entry {seq} was altered: it no longer matches the hash chain"),
            Problem::Missing { after, next } if next == after + 2 => {
                write!(f, "audit entry {} is missing (between {after} and {next})", after + 1)
            }
            Problem::Missing { after, next } => {
                write!(f, "audit entries {} to {} are missing (between {after} and {next})", after + 1, next - 1)
            }
            Problem::AnchorMismatch { seq } => {
                write!(f, "audit entry {seq} does not follow the entries removed by retention")
            }
            Problem::Truncated { last, head } => {
                write!(f, "audit entries after {last} up to {head} were removed from the end of the chain")
            }
            Problem::HeadMismatch { seq } => {
                write!(f, "the audit chain head record does not match entry {seq}")
            }
        }
    }
}

/// Walks entries in ascending order, checking each against its own hash and its link to
/// the one before.
pub(super) struct Walker {
    expected: u64,
    /// What the next entry must chain to; `None` when the anchor record is unreadable, so
    /// nothing can match it.
    prev: Option<Hash>,
    anchored: bool,
    checked: u64,
    first_ok: Option<u64>,
    last_ok: Option<u64>,
}

impl Walker {
    pub fn new(anchor: Option<&Link>) -> Self {
        let (expected, prev) = match anchor {
            Some(a) => (a.seq.saturating_add(1), a.hash_bytes()),
            None => (1, Some(GENESIS)),
        };
        Self { expected, prev, anchored: anchor.is_some(), checked: 0, first_ok: None, last_ok: None }
    }

    /// Checks the entry stored under `key` and returns it when it fits the chain.
    pub fn step(&mut self, key: u64, bytes: &[u8]) -> Result<Entry, Problem> {
        if key < self.expected {
            return Err(if self.anchored {
                Problem::AnchorMismatch { seq: key }
            } else {
                Problem::Altered { seq: key }
            });
        }
        if key > self.expected {
            return Err(Problem::Missing { after: self.expected - 1, next: key });
        }
        let (entry, prev, own) = self_consistent(key, bytes).ok_or(Problem::Altered { seq: key })?;
        if Some(prev) != self.prev {
            return Err(self.broken_link(key));
        }
        self.prev = Some(own);
        self.expected = key.saturating_add(1);
        self.checked += 1;
        self.first_ok.get_or_insert(key);
        self.last_ok = Some(key);
        Ok(entry)
    }

    /// The entry at `key` is intact yet chains elsewhere: its predecessor was rewritten
    /// (hash recomputed, so only the link shows it), or the anchor was.
    fn broken_link(&self, key: u64) -> Problem {
        match (self.last_ok, self.anchored) {
            (Some(prev), _) => Problem::Altered { seq: prev },
            (None, true) => Problem::AnchorMismatch { seq: key },
            (None, false) => Problem::Altered { seq: key },
        }
    }

    /// Compares where the walk ended with the head record, which catches entries cut off
    /// the end (the chain alone cannot tell a shorter chain from a complete one).
    pub fn finish(&self, head: Option<&Link>) -> Option<Problem> {
        let last = self.expected - 1;
        match head {
            None if last == 0 => None,
            None => Some(Problem::HeadMismatch { seq: last }),
            Some(h) if h.seq > last => Some(Problem::Truncated { last, head: h.seq }),
            Some(h) if h.seq < last || h.hash_bytes() != self.prev => Some(Problem::HeadMismatch { seq: last }),
            Some(_) => None,
        }
    }

    fn report(&self, pruned_through: Option<u64>, problem: Option<Problem>) -> VerifyReport {
        VerifyReport {
            checked: self.checked,
            first_seq: self.first_ok,
            last_seq: self.last_ok,
            pruned_through,
            problem,
        }
    }
}

/// Decodes an entry and checks it against its own hash: `(entry, prev_hash, hash)`, or
/// `None` when anything about it is off.
fn self_consistent(key: u64, bytes: &[u8]) -> Option<(Entry, Hash, Hash)> {
    let entry: Entry = serde_json::from_slice(bytes).ok()?;
    let prev = decode_hash(&entry.prev_hash)?;
    let own = decode_hash(&entry.hash)?;
    (entry.seq == key && entry_hash(&prev, &entry) == own).then_some((entry, prev, own))
}

/// Walks the whole chain (blocking; CLI and tests call it, or through the Store::read
/// wrapper with [`verify_txn`]) and reports the first altered or missing entry.
pub fn verify(store: &Store) -> Result<VerifyReport, AuditError> {
    store.read_sync(verify_txn)
}

/// [`verify`] inside a read transaction the caller already has, e.g. from
/// `store.read(|txn| audit::verify_txn(txn))`.
pub fn verify_txn(txn: &ReadTransaction) -> Result<VerifyReport, AuditError> {
    let (anchor, head) = {
        let meta = txn.open_table(META)?;
        (read_link(&meta, ANCHOR_KEY)?, read_link(&meta, HEAD_KEY)?)
    };
    let table = txn.open_table(AUDIT)?;
    let mut walker = Walker::new(anchor.as_ref());
    let mut problem = None;
    for row in table.iter()? {
        let (k, v) = row?;
        if let Err(p) = walker.step(k.value(), v.value()) {
            problem = Some(p);
            break;
        }
    }
    let problem = problem.or_else(|| walker.finish(head.as_ref()));
    Ok(walker.report(anchor.map(|a| a.seq), problem))
}

/// What `GET /api/v1/audit/verify` answers: the state of the whole chain (one chain holds
/// every organization's entries, so there is nothing narrower to vouch for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Verification {
    /// Whether every entry fits the chain and the head record.
    pub ok: bool,
    /// Entries found intact: all of them when `ok`, those before the problem otherwise.
    pub entries: u64,
    /// Retention removed every entry up to and including this one; the walk starts after it.
    pub pruned_through: Option<u64>,
    /// The first entry that does not fit, when one does not.
    pub first_bad: Option<FirstBad>,
}

/// The first entry that does not fit the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FirstBad {
    /// Sequence number of the entry concerned (the first missing one for a gap).
    pub id: u64,
    /// The problem in words, as `steward audit verify` prints it.
    pub reason: String,
    pub problem: Problem,
}

impl From<VerifyReport> for Verification {
    fn from(r: VerifyReport) -> Self {
        Self {
            ok: r.is_ok(),
            entries: r.checked,
            pruned_through: r.pruned_through,
            first_bad: r.problem.map(|p| FirstBad { id: p.seq(), reason: p.to_string(), problem: p }),
        }
    }
}

/// [`verify`] for the API: admins (of any organization) and superadmins, off the executor.
pub async fn verify_as(store: &Store, scope: &Scope) -> Result<Verification, AuditError> {
    scope.require(Role::Admin)?;
    Ok(store.read(verify_txn).await?.into())
}
