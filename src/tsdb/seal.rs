//! Sealing and retention, run by the writer thread: windows that are over are merged into
//! their series' raw pieces and 1-hour rollups, in the transaction that drops the
//! write-ahead rows no longer needed; raw pieces past retention become 1-minute points,
//! and each tier drops what is older than it keeps.

use std::sync::atomic::Ordering;

use redb::{ReadableTable, WriteTransaction};

use super::head::WINDOW_MS;
use super::pieces::{self, ChunkTable, PIECE_SPAN_MS, Points};
use super::rollup::{self, HOUR_MS, MINUTE_MS};
use super::{DAY_MS, HOUR, MINUTE, RAW, SERIES, Shared, TsdbError, WAL, raw, read, write};

/// Windows sealed per transaction: bounds how long ingest waits behind a seal.
const SLICE: usize = 2_000;
/// Series pruned per transaction, for the same reason.
const PRUNE_SLICE: usize = 2_000;
/// 1-hour points are kept in chunks of a week (168 points), rewritten as hours are added.
pub const HOUR_CHUNK_MS: i64 = 7 * DAY_MS;

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

    /// One window, merged into the raw piece that covers it (so late samples are merged,
    /// never refused or lost), and its 1-hour point recomputed from what is now stored.
    /// 1-minute points are not written here: while raw samples exist they are the
    /// 1-minute tier (queries roll them up); they are written as the samples retire.
    fn seal(&mut self, id: u32, start: i64, samples: &[(i64, f64)]) -> Result<(), TsdbError> {
        let window = pieces::store(&mut self.raw, id, (start, start + WINDOW_MS), samples, &raw::POINTS)?;
        let week = start.div_euclid(HOUR_CHUNK_MS) * HOUR_CHUNK_MS;
        update_rollups(&mut self.hour, id, week, &rollup::rollup(&window, HOUR_MS))
    }

    /// Raw pieces past retention become 1-minute points (when that tier outlives raw), in
    /// the transaction that deletes them, so every sample is counted once and only once;
    /// then each tier drops what it no longer keeps. Returns the pieces and chunks deleted.
    fn prune(&mut self, id: u32, cuts: &Cuts) -> Result<usize, TsdbError> {
        let mut samples: Vec<(i64, f64)> = Vec::new();
        let mut n = 0;
        for row in self.raw.extract_from_if((id, i64::MIN)..=(id, cuts.raw), |_, _| true)? {
            let (k, v) = row?;
            n += 1;
            match raw::decode(v.value()) {
                Ok(s) => samples.extend(s),
                Err(e) => tracing::error!(series = id, piece = k.value().1, error = %e, "retiring an unreadable piece"),
            }
        }
        if cuts.materialise
            && let (Some(first), Some(last)) = (samples.first(), samples.last())
        {
            let buckets = rollup::rollup(&samples, MINUTE_MS);
            pieces::store(&mut self.minute, id, (first.0, last.0 + 1), &buckets, &RETIRED_MINUTES)?;
        }
        n += self.minute.extract_from_if((id, i64::MIN)..=(id, cuts.minute), |_, _| true)?.count();
        n += self.hour.extract_from_if((id, i64::MIN)..=(id, cuts.hour), |_, _| true)?.count();
        Ok(n)
    }
}

/// Retiring samples are each counted once: a minute cut across two pieces (only when a
/// single minute overflows a piece) is folded together, not replaced.
const RETIRED_MINUTES: Points<rollup::Bucket> =
    Points { decode: rollup::decode, encode: rollup::encode, ts: |b| b.ts, merge: rollup::fold };

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

/// The newest key each tier deletes up to: a piece or chunk starting there ended before
/// its tier's retention. Raw pieces wait an hour more, so that no sample young enough to
/// be accepted (ingest drops those older than raw retention) can still belong to them.
struct Cuts {
    raw: i64,
    minute: i64,
    hour: i64,
    /// Whether retired raw samples become 1-minute points: not if that tier is gone first.
    materialise: bool,
}

impl Cuts {
    fn at(now: i64, l: &super::Limits) -> Self {
        let before = |keep: i64, span: i64| now.saturating_sub(keep).saturating_sub(span);
        Self {
            raw: before(l.raw_retention_ms, PIECE_SPAN_MS + HOUR_MS),
            minute: before(l.minute_retention_ms, PIECE_SPAN_MS),
            hour: before(l.hour_retention_ms, HOUR_CHUNK_MS),
            materialise: l.minute_retention_ms > l.raw_retention_ms,
        }
    }
}

/// Prunes the series from id `from` on, a slice of them per transaction. Returns the
/// pieces and chunks deleted and the id to go on from, None when every series is done.
pub fn prune_slice(shared: &Shared, now: i64, from: u32) -> Result<(usize, Option<u32>), TsdbError> {
    let mut ids: Vec<u32> = read(&shared.index).ids_from(from).take(PRUNE_SLICE + 1).collect();
    let next = ids.get(PRUNE_SLICE).copied();
    ids.truncate(PRUNE_SLICE);
    let cuts = Cuts::at(now, &shared.limits);
    let pruned = shared.store.write_sync(|txn| -> Result<usize, TsdbError> {
        let mut t = Tables::open(txn)?;
        ids.iter().try_fold(0, |n, &id| Ok::<_, TsdbError>(n + t.prune(id, &cuts)?))
    })?;
    shared.stats.chunks_pruned.fetch_add(pruned as u64, Ordering::Relaxed);
    Ok((pruned, next))
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
