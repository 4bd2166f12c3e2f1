//! The chain itself: the canonical form an entry is hashed in, the head and anchor records,
//! input cleaning, and [`append`].
//!
//! The canonical form is a stored format: changing it invalidates every existing chain, so
//! it must only ever change together with a new format tag. This file must not decide
//! who may read or prune entries.

use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{AUDIT, Entry, Event};
use crate::store::{META, StoreError, get_json, put_json};

pub(super) type Hash = [u8; 32];
pub(super) const GENESIS: Hash = [0; 32];

/// Names the hash format inside the hashed bytes, so a future format cannot be confused
/// with this one even if the field layout happened to coincide.
const FORMAT_TAG: &str = "steward-audit-v1";
pub(super) const HEAD_KEY: &str = "audit:head";
pub(super) const ANCHOR_KEY: &str = "audit:anchor";

const MAX_NAME: usize = 128;
const MAX_ACTION: usize = 128;
const MAX_IP: usize = 64;
const MAX_TEXT: usize = 256;
const MAX_DETAIL: usize = 512;

/// A position in the chain: the newest entry (head) or the last pruned one (anchor).
/// The head lets verification notice entries cut off the end, which a chain alone cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Link {
    pub seq: u64,
    pub hash: String,
}

impl Link {
    pub fn hash_bytes(&self) -> Option<Hash> {
        decode_hash(&self.hash)
    }
}

pub(super) fn decode_hash(hex_str: &str) -> Option<Hash> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_str, &mut out).ok()?;
    Some(out)
}

/// Reads a head or anchor record. An undecodable record reads as absent: appends must keep
/// working on a tampered store, and verification reports the absence as a problem.
pub(super) fn read_link(
    meta: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<Option<Link>, StoreError> {
    match get_json::<&str, Link>(meta, key) {
        Ok(link) => Ok(link),
        Err(StoreError::Corrupt(reason)) => {
            tracing::warn!(key, %reason, "audit chain record is unreadable; run `steward audit verify`");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Feeds fields into the hash as a self-delimiting byte string: integers as fixed-width
/// big-endian (u64: 8 bytes; the timestamp: 16-byte signed Unix nanoseconds), text as its
/// UTF-8 length (u64) then bytes, optional values behind a 0 (absent) or 1 (present) byte.
/// No two different entries can produce the same byte string, whatever their text contains.
struct Canonical(Sha256);

impl Canonical {
    fn u64(&mut self, v: u64) {
        self.0.update(v.to_be_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.update(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.0.update([1]);
                self.str(s);
            }
            None => self.0.update([0]),
        }
    }

    fn opt_u64(&mut self, v: Option<u64>) {
        match v {
            Some(v) => {
                self.0.update([1]);
                self.u64(v);
            }
            None => self.0.update([0]),
        }
    }
}

/// SHA-256 over `prev` followed by the canonical form of every field but `prev_hash`
/// (already covered as raw bytes) and `hash`. Time enters as Unix nanoseconds, so the
/// hash does not depend on how the timestamp is rendered or which offset it carries.
pub(super) fn entry_hash(prev: &Hash, e: &Entry) -> Hash {
    let mut c = Canonical(Sha256::new());
    c.0.update(prev);
    c.str(FORMAT_TAG);
    c.u64(e.seq);
    c.0.update(e.at.unix_timestamp_nanos().to_be_bytes());
    c.u64(e.org.0);
    c.str(&e.actor);
    c.opt_u64(e.actor_id);
    c.opt_str(e.ip.as_deref());
    c.opt_str(e.user_agent.as_deref());
    c.str(&e.action);
    c.str(&e.target);
    c.str(e.outcome.as_str());
    c.opt_str(e.detail.as_deref());
    c.0.finalize().into()
}

/// Characters that could forge line breaks or reorder text on screen. Whitespace controls
/// become a space so words stay apart; the rest disappear.
fn clean_char(c: char) -> Option<char> {
    let invisible =
        matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}');
    match c {
        c if c.is_control() && c.is_whitespace() => Some(' '),
        c if c.is_control() || invisible => None,
        c => Some(c),
    }
}

/// Cleans hostile text and caps it at `max` characters, marking a cut with '…' so a
/// reader knows the value went on.
pub(super) fn clean(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 4));
    for (kept, c) in s.chars().filter_map(clean_char).enumerate() {
        if kept == max {
            out.pop();
            out.push('…');
            break;
        }
        out.push(c);
    }
    out
}

fn build_entry(seq: u64, now: OffsetDateTime, event: Event, prev: &Hash) -> Entry {
    let Event { org, actor, action, target, outcome, detail } = event;
    let mut entry = Entry {
        seq,
        // Only a date at the very edge of the representable range has no UTC form; the
        // hash does not depend on the offset, so keeping it as given is harmless.
        at: now.checked_to_offset(time::UtcOffset::UTC).unwrap_or(now),
        org,
        actor: clean(&actor.name, MAX_NAME),
        actor_id: actor.user_id,
        ip: actor.ip.as_deref().map(|s| clean(s, MAX_IP)),
        user_agent: actor.user_agent.as_deref().map(|s| clean(s, MAX_TEXT)),
        action: clean(&action, MAX_ACTION),
        target: clean(&target, MAX_TEXT),
        outcome,
        detail: detail.as_deref().map(|s| clean(s, MAX_DETAIL)),
        prev_hash: hex::encode(prev),
        hash: String::new(),
    };
    entry.hash = hex::encode(entry_hash(prev, &entry));
    entry
}

/// Where the next entry goes and what it chains to. Normally the head record; the other
/// candidates only matter on a damaged store, where taking the highest sequence seen
/// guarantees an append never overwrites an existing entry.
fn tip(txn: &WriteTransaction) -> Result<(u64, Hash), StoreError> {
    let (head, anchor) = {
        let meta = txn.open_table(META)?;
        (read_link(&meta, HEAD_KEY)?, read_link(&meta, ANCHOR_KEY)?)
    };
    let last = {
        let table = txn.open_table(AUDIT)?;
        let last = table.last()?;
        last.map(|(k, v)| {
            let hash = serde_json::from_slice::<Entry>(v.value()).map(|e| e.hash).unwrap_or_default();
            Link { seq: k.value(), hash }
        })
    };
    let best = [head, last, anchor].into_iter().flatten().reduce(|a, b| if b.seq > a.seq { b } else { a });
    Ok(best.map_or((0, GENESIS), |l| (l.seq, l.hash_bytes().unwrap_or(GENESIS))))
}

/// Appends inside the caller's write transaction, so the entry commits with the change it
/// records. Returns the entry's sequence number.
///
/// The caller must not hold the store's meta table or the audit table open across the call.
pub fn append(txn: &WriteTransaction, now: OffsetDateTime, event: Event) -> Result<u64, StoreError> {
    let (last_seq, prev) = tip(txn)?;
    let seq = last_seq
        .checked_add(1)
        .ok_or_else(|| StoreError::Corrupt("audit chain head is at the end of the sequence".into()))?;
    let entry = build_entry(seq, now, event, &prev);
    put_json(&mut txn.open_table(AUDIT)?, seq, &entry)?;
    put_json(&mut txn.open_table(META)?, HEAD_KEY, &Link { seq, hash: entry.hash })?;
    Ok(seq)
}
