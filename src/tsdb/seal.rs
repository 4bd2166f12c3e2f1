//! Sealing and retention, run by the writer thread: windows that are over become one
//! compressed raw chunk plus their 1-minute and 1-hour rollups, in the transaction that
//! drops the write-ahead rows no longer needed; expired chunks are pruned per tier.

use std::sync::atomic::Ordering;

use redb::{ReadableTable, Table, WriteTransaction};

use super::head::WINDOW_MS;
use super::rollup::{self, HOUR_MS, MINUTE_MS};
use super::{DAY_MS, HOUR, MINUTE, RAW, SERIES, Shared, TsdbError, WAL, codec, read, write};

/// Windows sealed per transaction: bounds how long ingest waits behind a seal.
const SLICE: usize = 2_000;
/// Raw samples and 1-minute points are kept in pieces within a day (see
/// [`store_in_piece`]); no piece spans two days, so queries start at the day of `from`.
pub const CHUNK_MS: i64 = DAY_MS;
/// Largest piece grown by appending hours: one page of redb's, less its bookkeeping.
const PIECE_BYTES: usize = 3_800;
/// 1-hour points are kept in chunks of a week (168 points), rewritten as hours are added.
pub const HOUR_CHUNK_MS: i64 = 7 * DAY_MS;

type ChunkTable<'t> = Table<'t, (u32, i64), &'static [u8]>;

/// Seals up to one slice of due windows. Returns (windows sealed, write-ahead rows dropped);
/// zero windows means nothing is due.
pub fn seal_slice(shared: &Shared, now: i64, next_seq: u64) -> Result<(usize, usize), TsdbError> {
    let cutoff = now - shared.limits.seal_grace_ms;
    // Only this thread changes the head, so holding the read lock through the
    // transaction costs queries nothing and spares a copy of every window.
    let head = read(&shared.head);
    let due = head.due(cutoff, SLICE);
    if due.is_empty() {
        return Ok((0, 0));
    }
    let watermark = head.min_seq_except(&due).unwrap_or(next_seq);
    let dropped = shared.store.write_sync(|txn| -> Result<usize, TsdbError> {
        let index = read(&shared.index);
        let mut t = Tables::open(txn)?;
        for &(id, start) in &due {
            // A series whose host was deleted can linger in write-ahead rows: let it go.
            if index.info(id).is_none() {
                continue;
            }
            if let Some(w) = head.window(id, start) {
                t.seal(id, start, &w.samples)?;
            }
        }
        let mut wal_t = txn.open_table(WAL)?;
        let dropped = wal_t.extract_from_if(..watermark, |_, _| true)?.count();
        Ok(dropped)
    })?;
    drop(head);
    let mut head = write(&shared.head);
    for &(id, start) in &due {
        head.remove(id, start);
    }
    shared.stats.chunks_sealed.fetch_add(due.len() as u64, Ordering::Relaxed);
    Ok((due.len(), dropped))
}

struct Tables<'t> {
    raw: ChunkTable<'t>,
    minute: ChunkTable<'t>,
    hour: ChunkTable<'t>,
}

impl<'t> Tables<'t> {
    fn open(txn: &'t WriteTransaction) -> Result<Self, TsdbError> {
        Ok(Self { raw: txn.open_table(RAW)?, minute: txn.open_table(MINUTE)?, hour: txn.open_table(HOUR)? })
    }

    /// One window, merged into the piece of its day that holds (or would hold) that hour,
    /// so late samples are merged, never refused or lost.
    fn seal(&mut self, id: u32, start: i64, samples: &[(i64, f64)]) -> Result<(), TsdbError> {
        let raw = Points { decode: decode_raw, encode: encode_raw, ts: |p| p.0, merge: merge_samples };
        let stored = store_in_piece(&mut self.raw, id, start, samples, &raw)?;
        let lo = stored.partition_point(|s| s.0 < start);
        let hi = stored.partition_point(|s| s.0 < start + WINDOW_MS);
        let window = &stored[lo..hi];
        let rollups = Points { decode: rollup::decode, encode: rollup::encode, ts: |b| b.ts, merge: rollup::merge };
        store_in_piece(&mut self.minute, id, start, &rollup::rollup(window, MINUTE_MS), &rollups)?;
        let week = start.div_euclid(HOUR_CHUNK_MS) * HOUR_CHUNK_MS;
        update_rollups(&mut self.hour, id, week, &rollup::rollup(window, HOUR_MS))
    }
}

/// How one kind of chunk (raw samples, rollup buckets) is read, written and merged.
struct Points<P> {
    decode: fn(&[u8]) -> Result<Vec<P>, codec::CodecError>,
    encode: fn(&[P]) -> Result<Vec<u8>, codec::CodecError>,
    ts: fn(&P) -> i64,
    merge: fn(Vec<P>, &[P]) -> Vec<P>,
}

fn decode_raw(bytes: &[u8]) -> Result<Vec<(i64, f64)>, codec::CodecError> {
    let c = codec::decode(bytes)?;
    Ok(c.ts.into_iter().zip(c.cols.into_iter().next().unwrap_or_default()).collect())
}

fn encode_raw(samples: &[(i64, f64)]) -> Result<Vec<u8>, codec::CodecError> {
    let ts: Vec<i64> = samples.iter().map(|s| s.0).collect();
    let vals: Vec<f64> = samples.iter().map(|s| s.1).collect();
    codec::encode(&ts, &[&vals])
}

/// Stores an hour's points in the day's pieces: chunks keyed by the first hour they hold,
/// grown hour by hour up to [`PIECE_BYTES`], after which the next hour starts a new one.
/// Pieces that fill one 4 KiB page (or share one) waste little of redb's space, where a
/// chunk a little over a power of two of pages wastes up to half. An hour already held by
/// a piece (late points) is merged into it, whatever its size. Returns the points of the
/// piece the hour went into.
fn store_in_piece<P: Clone>(
    table: &mut ChunkTable<'_>,
    id: u32,
    start: i64,
    points: &[P],
    how: &Points<P>,
) -> Result<Vec<P>, TsdbError> {
    let day = start.div_euclid(CHUNK_MS) * CHUNK_MS;
    let last = table
        .range((id, day)..=(id, start))?
        .next_back()
        .transpose()?
        .map(|(k, v)| (k.value().1, (how.decode)(v.value())));
    let (key, old) = match last {
        None => (start, Vec::new()),
        Some((key, Ok(old))) => (key, old),
        Some((key, Err(e))) => {
            tracing::error!(series = id, piece = key, error = %e, "sealed chunk unreadable; replacing it with the new points");
            (key, Vec::new())
        }
    };
    let holds_hour = old.last().is_some_and(|p| (how.ts)(p) >= start);
    let merged = (how.merge)(old, points);
    let bytes = (how.encode)(&merged)?;
    if key == start || holds_hour || bytes.len() <= PIECE_BYTES {
        table.insert((id, key), bytes.as_slice())?;
        return Ok(merged);
    }
    table.insert((id, start), (how.encode)(points)?.as_slice())?;
    Ok(points.to_vec())
}

/// Read-modify-write of a week's 1-hour chunk: `buckets` replace those of the same time.
fn update_rollups(
    table: &mut ChunkTable<'_>,
    id: u32,
    chunk: i64,
    buckets: &[rollup::Bucket],
) -> Result<(), TsdbError> {
    let older = match table.get((id, chunk))?.map(|g| rollup::decode(g.value())) {
        Some(Ok(b)) => b,
        Some(Err(e)) => {
            tracing::error!(series = id, chunk, error = %e, "rollup chunk unreadable; starting it again");
            Vec::new()
        }
        None => Vec::new(),
    };
    table.insert((id, chunk), rollup::encode(&rollup::merge(older, buckets))?.as_slice())?;
    Ok(())
}

/// Sorted merge where `newer` wins on equal timestamps (last write wins).
fn merge_samples(mut older: Vec<(i64, f64)>, newer: &[(i64, f64)]) -> Vec<(i64, f64)> {
    // The usual case: the next hour of the day, after everything stored.
    if older.last().is_none_or(|l| newer.first().is_none_or(|n| n.0 > l.0)) {
        older.extend_from_slice(newer);
        return older;
    }
    older.retain(|o| newer.binary_search_by_key(&o.0, |n| n.0).is_err());
    older.extend_from_slice(newer);
    older.sort_by_key(|s| s.0);
    older
}

/// Deletes chunks wholly older than each tier's retention. Returns how many.
pub fn prune(shared: &Shared, now: i64) -> Result<usize, TsdbError> {
    let ids: Vec<u32> = read(&shared.index).ids().collect();
    let l = shared.limits;
    let pruned = shared.store.write_sync(|txn| -> Result<usize, TsdbError> {
        let mut n = 0;
        let tiers = [
            (RAW, l.raw_retention_ms, CHUNK_MS),
            (MINUTE, l.minute_retention_ms, CHUNK_MS),
            (HOUR, l.hour_retention_ms, HOUR_CHUNK_MS),
        ];
        for (def, keep, span) in tiers {
            let mut table = txn.open_table(def)?;
            // A chunk starting at or before this ended at or before now - keep.
            let last_start = now.saturating_sub(keep).saturating_sub(span);
            for &id in &ids {
                n += table.extract_from_if((id, i64::MIN)..=(id, last_start), |_, _| true)?.count();
            }
        }
        Ok(n)
    })?;
    shared.stats.chunks_pruned.fetch_add(pruned as u64, Ordering::Relaxed);
    Ok(pruned)
}

/// Removes series and every chunk of theirs.
pub fn delete_series(shared: &Shared, ids: &[u32]) -> Result<(), TsdbError> {
    shared.store.write_sync(|txn| -> Result<(), TsdbError> {
        let mut series = txn.open_table(SERIES)?;
        for def in [RAW, MINUTE, HOUR] {
            let mut table = txn.open_table(def)?;
            for &id in ids {
                table.retain_in((id, i64::MIN)..=(id, i64::MAX), |_, _| false)?;
            }
        }
        for &id in ids {
            series.remove(id)?;
        }
        Ok(())
    })
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
