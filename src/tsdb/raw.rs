//! The raw tier's chunk format: a piece of one series' samples is two compressed columns
//! (timestamps and values, [`super::codec`]) in `ts_raw`, laid out by [`super::pieces`].
//! Sealing writes pieces through [`POINTS`]; queries and retention read them through
//! [`read`] and [`decode`]. The one place that knows what a raw piece holds.
//!
//! It must not decide when anything is sealed, rolled up or pruned.

use redb::ReadTransaction;

use super::pieces::{PIECE_SPAN_MS, Points};
use super::{RAW, TsdbError, codec};

/// How raw samples are read, written and merged into pieces: a later sample of the same
/// time replaces the stored one (last write wins, the documented rule).
pub(super) const POINTS: Points<(i64, f64)> = Points { decode, encode, ts: |p| p.0, merge: merge_samples };

/// The samples of one piece, sorted by time.
pub fn decode(bytes: &[u8]) -> Result<Vec<(i64, f64)>, codec::CodecError> {
    let c = codec::decode(bytes)?;
    Ok(c.ts.into_iter().zip(c.cols.into_iter().next().unwrap_or_default()).collect())
}

fn encode(samples: &[(i64, f64)]) -> Result<Vec<u8>, codec::CodecError> {
    let ts: Vec<i64> = samples.iter().map(|s| s.0).collect();
    let vals: Vec<f64> = samples.iter().map(|s| s.1).collect();
    codec::encode(&ts, &[&vals])
}

/// The stored samples of series `id` in `[from, to)`, sorted by time. A piece is keyed by
/// its first sample and spans less than [`PIECE_SPAN_MS`], so the pieces to read start in
/// `[from - PIECE_SPAN_MS, to)`.
pub fn read(txn: &ReadTransaction, id: u32, from: i64, to: i64) -> Result<Vec<(i64, f64)>, TsdbError> {
    let table = txn.open_table(RAW)?;
    let mut out = Vec::new();
    for row in table.range((id, from - PIECE_SPAN_MS)..(id, to))? {
        out.extend(decode(row?.1.value())?.into_iter().filter(|(t, _)| (from..to).contains(t)));
    }
    Ok(out)
}

/// Sorted merge where `newer` wins on equal timestamps (last write wins).
fn merge_samples(mut older: Vec<(i64, f64)>, newer: &[(i64, f64)]) -> Vec<(i64, f64)> {
    // The usual case: the next hour, after everything stored.
    if older.last().is_none_or(|l| newer.first().is_none_or(|n| n.0 > l.0)) {
        older.extend_from_slice(newer);
        return older;
    }
    older.retain(|o| newer.binary_search_by_key(&o.0, |n| n.0).is_err());
    older.extend_from_slice(newer);
    older.sort_by_key(|s| s.0);
    older
}

#[cfg(test)]
mod tests {
    #[test]
    fn merging_keeps_order_and_lets_the_newer_sample_win() {
        let merged = super::merge_samples(vec![(1, 1.0), (3, 3.0), (5, 5.0)], &[(2, 2.0), (3, 30.0)]);
        assert_eq!(merged, vec![(1, 1.0), (2, 2.0), (3, 30.0), (5, 5.0)]);
        assert_eq!(super::merge_samples(vec![(1, 1.0)], &[(2, 2.0)]), vec![(1, 1.0), (2, 2.0)]);
        assert_eq!(super::merge_samples(Vec::new(), &[(2, 2.0)]), vec![(2, 2.0)]);
    }
}
