//! Sealing and retention, run by the writer thread: windows that are over become one
//! compressed raw chunk plus their 1-minute and 1-hour rollups, in the transaction that
//! drops the write-ahead rows no longer needed; expired chunks are pruned per tier.

use std::borrow::Cow;
use std::sync::atomic::Ordering;

use redb::{ReadableTable, Table, WriteTransaction};

use super::head::WINDOW_MS;
use super::rollup::{self, HOUR_MS, MINUTE_MS};
use super::{DAY_MS, HOUR, MINUTE, RAW, SERIES, Shared, TsdbError, WAL, codec, read, write};

/// Windows sealed per transaction: bounds how long ingest waits behind a seal.
const SLICE: usize = 2_000;
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

    /// One window: merged with a chunk already sealed for it (late samples), so nothing
    /// that arrives within raw retention is ever refused or lost.
    fn seal(&mut self, id: u32, start: i64, samples: &[(i64, f64)]) -> Result<(), TsdbError> {
        let existing = self.raw.get((id, start))?.map(|g| codec::decode(g.value()));
        let merged: Cow<'_, [(i64, f64)]> = match existing {
            None => Cow::Borrowed(samples),
            Some(Ok(old)) => {
                Cow::Owned(merge_samples(old.ts.iter().copied().zip(old.cols[0].iter().copied()), samples))
            }
            Some(Err(e)) => {
                tracing::error!(series = id, window = start, error = %e, "sealed chunk unreadable; replacing it with the new samples");
                Cow::Borrowed(samples)
            }
        };
        let ts: Vec<i64> = merged.iter().map(|s| s.0).collect();
        let vals: Vec<f64> = merged.iter().map(|s| s.1).collect();
        self.raw.insert((id, start), codec::encode(&ts, &[&vals])?.as_slice())?;
        let minutes = rollup::rollup(&merged, MINUTE_MS);
        self.minute.insert((id, start), rollup::encode(&minutes)?.as_slice())?;
        let hour = rollup::rollup(&merged, HOUR_MS);
        let chunk = start.div_euclid(HOUR_CHUNK_MS) * HOUR_CHUNK_MS;
        let older = match self.hour.get((id, chunk))?.map(|g| rollup::decode(g.value())) {
            Some(Ok(b)) => b,
            Some(Err(e)) => {
                tracing::error!(series = id, chunk, error = %e, "hourly chunk unreadable; starting it again");
                Vec::new()
            }
            None => Vec::new(),
        };
        self.hour.insert((id, chunk), rollup::encode(&rollup::merge(older, &hour))?.as_slice())?;
        Ok(())
    }
}

/// Sorted merge where `newer` wins on equal timestamps (last write wins).
fn merge_samples(older: impl Iterator<Item = (i64, f64)>, newer: &[(i64, f64)]) -> Vec<(i64, f64)> {
    let mut out: Vec<(i64, f64)> = older.filter(|o| newer.binary_search_by_key(&o.0, |n| n.0).is_err()).collect();
    out.extend_from_slice(newer);
    out.sort_by_key(|s| s.0);
    out
}

/// Deletes chunks wholly older than each tier's retention. Returns how many.
pub fn prune(shared: &Shared, now: i64) -> Result<usize, TsdbError> {
    let ids: Vec<u32> = read(&shared.index).ids().collect();
    let l = shared.limits;
    let pruned = shared.store.write_sync(|txn| -> Result<usize, TsdbError> {
        let mut n = 0;
        let tiers = [
            (RAW, l.raw_retention_ms, WINDOW_MS),
            (MINUTE, l.minute_retention_ms, WINDOW_MS),
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
        let merged = super::merge_samples([(1, 1.0), (3, 3.0), (5, 5.0)].into_iter(), &[(2, 2.0), (3, 30.0)]);
        assert_eq!(merged, vec![(1, 1.0), (2, 2.0), (3, 30.0), (5, 5.0)]);
    }
}
