//! Pieces: how the points of one series (raw samples, 1-minute buckets) are laid out in a
//! chunk table. A piece is keyed by (series, timestamp of its first point), encoded to at
//! most [`PIECE_BYTES`] so that it fills one 4 KiB page of redb's and no more, holds whole
//! minutes where it can, and spans less than [`PIECE_SPAN_MS`] so retention can drop it by
//! its key alone. Pieces of a series never overlap: each covers up to the next one's key.
//!
//! Pure layout over a table handed in: it must not decide when anything is sealed, rolled
//! up or pruned.

use redb::{ReadableTable, Table};

use super::codec::CodecError;
use super::rollup::MINUTE_MS;
use super::{DAY_MS, TsdbError};

/// Largest encoded piece: a 4,096-byte leaf page less redb's page header (4 bytes), the
/// value's length (4) and the (u32, i64) key (12). A piece one byte longer would take an
/// 8 KiB page and waste half of it; `a_full_piece_takes_one_page` holds redb to this.
pub const PIECE_BYTES: usize = 4_076;
/// A piece's points are all younger than its key plus this: a series that compresses to
/// almost nothing (a constant) still starts a new piece daily, so retention can let go.
pub const PIECE_SPAN_MS: i64 = DAY_MS;

pub type ChunkTable<'t> = Table<'t, (u32, i64), &'static [u8]>;

/// How one kind of point is read, written and merged.
pub struct Points<P> {
    pub decode: fn(&[u8]) -> Result<Vec<P>, CodecError>,
    pub encode: fn(&[P]) -> Result<Vec<u8>, CodecError>,
    pub ts: fn(&P) -> i64,
    /// Merges sorted `newer` points into sorted `older` ones, deciding what equal
    /// timestamps mean (replace, or fold together).
    pub merge: fn(Vec<P>, &[P]) -> Vec<P>,
}

/// Merges `points` (sorted, all within `[lo, hi)`) into the series' pieces, re-cutting the
/// pieces that held anything of `[lo, hi)`: in service, only the series' newest piece, to
/// which the points are appended. Returns every point of `[lo, hi)` now stored.
pub fn store<P: Clone>(
    table: &mut ChunkTable<'_>,
    id: u32,
    (lo, hi): (i64, i64),
    points: &[P],
    how: &Points<P>,
) -> Result<Vec<P>, TsdbError> {
    // The piece covering `lo` starts at or before it; later ones start inside the range.
    let first = table.range((id, i64::MIN)..=(id, lo))?.next_back().transpose()?.map_or(lo, |(k, _)| k.value().1);
    let mut old_keys = Vec::new();
    let mut old = Vec::new();
    for row in table.range((id, first)..(id, hi))? {
        let (k, v) = row?;
        let key = k.value().1;
        match (how.decode)(v.value()) {
            Ok(p) => old.extend(p),
            Err(e) => tracing::error!(series = id, piece = key, error = %e, "sealed piece unreadable; replacing it"),
        }
        old_keys.push(key);
    }
    let merged = (how.merge)(old, points);
    let pieces = cut(&merged, how)?;
    for key in old_keys {
        if !pieces.iter().any(|(k, _)| *k == key) {
            table.remove((id, key))?;
        }
    }
    for (key, bytes) in &pieces {
        table.insert((id, *key), bytes.as_slice())?;
    }
    let from = merged.partition_point(|p| (how.ts)(p) < lo);
    let to = merged.partition_point(|p| (how.ts)(p) < hi);
    Ok(merged.get(from..to).map(<[P]>::to_vec).unwrap_or_default())
}

/// Cuts sorted points into pieces, greedily: each as long as fits [`PIECE_BYTES`] and
/// [`PIECE_SPAN_MS`], ended at a minute boundary unless a single minute overflows a page.
/// Only the last piece is left short, and it grows as points are appended.
fn cut<P>(points: &[P], how: &Points<P>) -> Result<Vec<(i64, Vec<u8>)>, TsdbError> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = points.get(i) {
        let key = (how.ts)(p);
        let rest = &points[i..];
        let span = rest.partition_point(|p| (how.ts)(p) < key.saturating_add(PIECE_SPAN_MS));
        let whole = (how.encode)(&rest[..span])?;
        if whole.len() <= PIECE_BYTES {
            out.push((key, whole));
            i += span;
            continue;
        }
        let n = longest_fit(&rest[..span], how)?;
        let n = minute_start_at_or_before(&rest[..span], n, how).unwrap_or(n);
        out.push((key, (how.encode)(&rest[..n])?));
        i += n;
    }
    Ok(out)
}

/// The longest prefix (at least one point) whose encoding fits a piece, by bisection:
/// a prefix's size grows with its length, give or take the codec's choices, and a piece
/// a little short of full is as good as full.
fn longest_fit<P>(points: &[P], how: &Points<P>) -> Result<usize, TsdbError> {
    let (mut fits, mut too_long) = (1, points.len());
    while too_long - fits > 1 {
        let mid = fits + (too_long - fits) / 2;
        if (how.encode)(&points[..mid])?.len() <= PIECE_BYTES {
            fits = mid;
        } else {
            too_long = mid;
        }
    }
    Ok(fits)
}

/// The largest `m` in `1..=n` where point `m` starts a new minute (or is past the end), so
/// a cut there leaves every minute whole in one piece; None if the first `n + 1` points
/// share one minute.
fn minute_start_at_or_before<P>(points: &[P], n: usize, how: &Points<P>) -> Option<usize> {
    let minute = |i: usize| points.get(i).map(|p| (how.ts)(p).div_euclid(MINUTE_MS));
    (1..=n).rev().find(|&m| minute(m).is_none() || minute(m) != minute(m - 1))
}

#[cfg(test)]
mod tests;
