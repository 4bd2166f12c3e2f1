//! The single writer thread. Batches queued by many requests are coalesced into one write
//! transaction (one fsync) that appends a write-ahead row per batch; only after the commit
//! are the batches applied to the head and acknowledged. Maintenance (sealing, pruning)
//! runs here too, in slices between groups, so it never fights ingest for redb's one
//! write lock. The rows it writes are read back here too, at start ([`replay`]): both
//! sides of the write-ahead table in one place ([`super::wal`] is the row format).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use redb::{ReadTransaction, ReadableTable, WriteTransaction};
use tokio::sync::{mpsc, oneshot};

use super::head::Head;
use super::index::Index;
use super::{
    Appended, Committed, IngestId, Maintained, SERIES, Sample, SeriesKey, Shared, TsdbError, WAL, read, seal, wal,
    write,
};
use crate::store::META;

/// Batches waiting for the writer; senders wait when it is full (back-pressure).
pub const QUEUE: usize = 1024;
const GROUP_MAX_JOBS: usize = 1024;
const GROUP_MAX_SAMPLES: usize = 500_000;
const PRUNE_EVERY_MS: i64 = 3_600_000;
pub const NEXT_SEQ_KEY: &str = "ts.next_seq";
pub const NEXT_SERIES_KEY: &str = "ts.next_series";
/// Ingest ids remembered per host: a retry arrives seconds after the lost answer, and a
/// resend older than this is still harmless (a sample replaces itself, see the docs).
const RECENT_PER_HOST: usize = 256;

pub enum Job {
    Append(AppendJob),
    Maintain { now: i64, ack: oneshot::Sender<Result<Maintained, TsdbError>> },
    DropHost { host: u64, ack: oneshot::Sender<Result<usize, TsdbError>> },
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Id(u32),
    New(u32),
}

pub struct AppendJob {
    host: u64,
    ingest_id: Option<IngestId>,
    new_series: Vec<Arc<SeriesKey>>,
    samples: Vec<(Slot, i64, f64)>,
    result: Appended,
    ack: oneshot::Sender<Result<Appended, TsdbError>>,
}

type Ack = oneshot::Receiver<Result<Appended, TsdbError>>;

/// Checks a batch against the rules and resolves known series, off the writer thread.
pub fn prepare(
    shared: &Shared,
    host: u64,
    ingest_id: Option<IngestId>,
    samples: Vec<Sample>,
    now: i64,
) -> Result<(AppendJob, Ack), TsdbError> {
    let limits = shared.limits;
    let (oldest, newest) = (now - limits.raw_retention_ms, now + limits.max_future_ms);
    let mut result = Appended::default();
    let mut new_series: Vec<Arc<SeriesKey>> = Vec::new();
    let mut new_slots: HashMap<Arc<SeriesKey>, u32> = HashMap::new();
    let mut out = Vec::with_capacity(samples.len());
    let index = read(&shared.index);
    for s in samples {
        if !s.value.is_finite() {
            result.dropped_non_finite += 1;
        } else if s.ts < oldest {
            result.dropped_too_old += 1;
        } else if s.ts > newest {
            result.dropped_too_new += 1;
        } else {
            let slot = match index.get(host, &s.key) {
                Some(id) => Slot::Id(id),
                None => match new_slots.get(&s.key) {
                    Some(&i) => Slot::New(i),
                    None => {
                        let key = Arc::new(s.key);
                        let i = new_series.len() as u32;
                        new_slots.insert(key.clone(), i);
                        new_series.push(key);
                        Slot::New(i)
                    }
                },
            };
            out.push((slot, s.ts, s.value));
        }
    }
    limits.check_series(host, index.host_count(host), new_series.len())?;
    let dropped = result.dropped_non_finite + result.dropped_too_old + result.dropped_too_new;
    shared.stats.dropped.fetch_add(u64::from(dropped), Ordering::Relaxed);
    let (ack, rx) = oneshot::channel();
    Ok((AppendJob { host, ingest_id, new_series, samples: out, result, ack }, rx))
}

/// Recent ingest ids per host, with what each stored.
#[derive(Debug, Default)]
pub struct Recent(HashMap<u64, VecDeque<(String, u32)>>);

impl Recent {
    pub fn remember(&mut self, host: u64, id: String, accepted: u32) {
        let q = self.0.entry(host).or_default();
        if q.len() == RECENT_PER_HOST {
            q.pop_front();
        }
        q.push_back((id, accepted));
    }

    fn get(&self, host: u64, id: &str) -> Option<u32> {
        self.0.get(&host)?.iter().rev().find(|(i, _)| i == id).map(|(_, n)| *n)
    }

    fn forget_host(&mut self, host: u64) {
        self.0.remove(&host);
    }
}

/// A counter kept in the meta table (0 when never written).
pub fn stored_counter(txn: &ReadTransaction, key: &str) -> Result<u64, TsdbError> {
    let meta = txn.open_table(META)?;
    let v = meta.get(key)?.map(|v| v.value().to_vec());
    Ok(v.and_then(|b| b.try_into().ok()).map_or(0, u64::from_be_bytes))
}

/// Replays the write-ahead rows at start: the head they hold, the recent ingest ids of
/// each host and the next row number. The read side of what [`Writer::stage`] writes.
pub fn replay(txn: &ReadTransaction, index: &Index) -> Result<(Head, u64, Recent), TsdbError> {
    let mut head = Head::default();
    let mut recent = Recent::default();
    let mut next_seq = 0;
    for row in txn.open_table(WAL)?.iter()? {
        let (seq, bytes) = row?;
        let seq = seq.value();
        let row = wal::decode(bytes.value())?;
        // Rows can outlive the series they name (the host was deleted): skip those.
        for &(id, ts, v) in row.samples.iter().filter(|s| index.info(s.0).is_some()) {
            head.insert(id, ts, v, seq);
        }
        if let Some(ingest_id) = row.ingest_id {
            recent.remember(row.host, ingest_id, row.samples.len() as u32);
        }
        next_seq = seq + 1;
    }
    if next_seq == 0 {
        next_seq = stored_counter(txn, NEXT_SEQ_KEY)?;
    }
    Ok((head, next_seq, recent))
}

pub fn spawn(
    shared: Arc<Shared>,
    rx: mpsc::Receiver<Job>,
    next_seq: u64,
    recent: Recent,
) -> Result<std::thread::JoinHandle<()>, TsdbError> {
    let writer = Writer { shared, next_seq, recent, maintenance: None, last_prune: None };
    std::thread::Builder::new()
        .name("tsdb-writer".into())
        .spawn(move || writer.run(rx))
        .map_err(|e| TsdbError::WriterStart(e.to_string()))
}

struct Pending {
    now: i64,
    acks: Vec<oneshot::Sender<Result<Maintained, TsdbError>>>,
    done: Maintained,
    phase: Phase,
}

/// Where a maintenance pass is: sealing, then pruning from a series id on.
#[derive(Clone, Copy)]
enum Phase {
    Seal,
    Prune(u32),
}

struct Writer {
    shared: Arc<Shared>,
    next_seq: u64,
    recent: Recent,
    maintenance: Option<Pending>,
    /// Pruning walks every series, so it runs at most hourly.
    last_prune: Option<i64>,
}

/// What one batch became inside the group transaction.
enum Staged {
    Stored { seq: u64, rows: Vec<(u32, i64, f64)>, created: Created },
    Duplicate(u32),
    Refused(TsdbError),
}

/// Series created for one batch: id and key.
type Created = Vec<(u32, Arc<SeriesKey>)>;

/// Series created by the group being staged, not yet in the index.
struct NewSeries<'t> {
    table: redb::Table<'t, u32, &'static [u8]>,
    next_id: u32,
    here: HashMap<(u64, Arc<SeriesKey>), u32>,
    per_host: HashMap<u64, usize>,
}

impl NewSeries<'_> {
    /// Ids for a batch's new series, creating those nobody created yet.
    fn resolve(&mut self, index: &Index, job: &AppendJob) -> Result<(Vec<u32>, Created), TsdbError> {
        let mut created = Vec::new();
        let mut ids = Vec::with_capacity(job.new_series.len());
        for key in &job.new_series {
            let known = index.get(job.host, key).or_else(|| self.here.get(&(job.host, key.clone())).copied());
            let id = match known {
                Some(id) => id,
                None => {
                    let id = self.next_id;
                    self.next_id =
                        id.checked_add(1).ok_or_else(|| TsdbError::Corrupt("series ids exhausted".into()))?;
                    self.table.insert(id, super::encode_series(job.host, key).as_slice())?;
                    self.here.insert((job.host, key.clone()), id);
                    *self.per_host.entry(job.host).or_default() += 1;
                    created.push((id, key.clone()));
                    id
                }
            };
            ids.push(id);
        }
        Ok((ids, created))
    }
}

impl Writer {
    fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        loop {
            let first = if self.maintenance.is_some() {
                match rx.try_recv() {
                    Ok(job) => Some(job),
                    Err(mpsc::error::TryRecvError::Empty) => None,
                    Err(mpsc::error::TryRecvError::Disconnected) => break,
                }
            } else {
                match rx.blocking_recv() {
                    Some(job) => Some(job),
                    None => break,
                }
            };
            if let Some(job) = first {
                let mut group = Vec::new();
                let mut samples = 0;
                self.route(job, &mut group, &mut samples);
                while group.len() < GROUP_MAX_JOBS && samples < GROUP_MAX_SAMPLES {
                    match rx.try_recv() {
                        Ok(job) => self.route(job, &mut group, &mut samples),
                        Err(_) => break,
                    }
                }
                self.commit(std::mem::take(&mut group));
            }
            // One slice per turn: ingest never waits for more than one slice of sealing.
            if self.maintenance.is_some() {
                self.maintain_slice();
            }
        }
    }

    fn route(&mut self, job: Job, group: &mut Vec<AppendJob>, samples: &mut usize) {
        match job {
            Job::Append(j) => {
                *samples += j.samples.len();
                group.push(j);
            }
            Job::Maintain { now, ack } => match &mut self.maintenance {
                Some(p) => {
                    p.now = p.now.max(now);
                    p.acks.push(ack);
                }
                None => {
                    self.maintenance =
                        Some(Pending { now, acks: vec![ack], done: Maintained::default(), phase: Phase::Seal })
                }
            },
            Job::DropHost { host, ack } => {
                // Batches queued before the drop belong to the host being dropped.
                self.commit(std::mem::take(group));
                *samples = 0;
                let _ = ack.send(self.drop_host(host));
            }
        }
    }

    fn commit(&mut self, group: Vec<AppendJob>) {
        if group.is_empty() {
            return;
        }
        let store = self.shared.store.clone();
        match store.write_sync(|txn| self.stage(txn, &group)) {
            Ok((staged, next_seq)) => {
                self.next_seq = next_seq;
                self.apply(group, staged);
            }
            Err(e) => {
                tracing::error!(error = %e, batches = group.len(), "committing samples failed");
                for job in group {
                    let _ = job.ack.send(Err(TsdbError::CommitFailed(e.to_string())));
                }
            }
        }
    }

    /// Writes the group's rows; returns what each batch became and the next row number.
    fn stage(&self, txn: &WriteTransaction, group: &[AppendJob]) -> Result<(Vec<Staged>, u64), TsdbError> {
        let mut wal_t = txn.open_table(WAL)?;
        let index = read(&self.shared.index);
        let mut new = NewSeries {
            table: txn.open_table(SERIES)?,
            next_id: index.next_id,
            here: HashMap::new(),
            per_host: HashMap::new(),
        };
        let mut ids_here: HashMap<(u64, &str), u32> = HashMap::new();
        let mut seq = self.next_seq;
        let mut out = Vec::with_capacity(group.len());
        for job in group {
            if let Some(id) = job.ingest_id.as_ref().map(IngestId::as_str) {
                let seen = ids_here.get(&(job.host, id)).copied().or_else(|| self.recent.get(job.host, id));
                if let Some(accepted) = seen {
                    out.push(Staged::Duplicate(accepted));
                    continue;
                }
            }
            // The limit is checked again here, where batches of one host are serialized:
            // concurrent batches each under it must not exceed it together.
            let fresh = job
                .new_series
                .iter()
                .filter(|k| index.get(job.host, k).is_none() && !new.here.contains_key(&(job.host, (*k).clone())))
                .count();
            let existing = index.host_count(job.host) + new.per_host.get(&job.host).copied().unwrap_or(0);
            if let Err(e) = self.shared.limits.check_series(job.host, existing, fresh) {
                out.push(Staged::Refused(e));
                continue;
            }
            if let Some(id) = job.ingest_id.as_ref().map(IngestId::as_str) {
                ids_here.insert((job.host, id), job.samples.len() as u32);
            }
            let (ids, created) = new.resolve(&index, job)?;
            let rows: Vec<(u32, i64, f64)> = job
                .samples
                .iter()
                .map(|&(slot, ts, v)| match slot {
                    Slot::Id(id) => (id, ts, v),
                    Slot::New(i) => (ids[i as usize], ts, v),
                })
                .collect();
            wal_t.insert(seq, wal::encode(job.host, job.ingest_id.as_ref().map(IngestId::as_str), &rows).as_slice())?;
            out.push(Staged::Stored { seq, rows, created });
            seq += 1;
        }
        let mut meta = txn.open_table(META)?;
        meta.insert(NEXT_SEQ_KEY, seq.to_be_bytes().as_slice())?;
        if new.next_id != index.next_id {
            meta.insert(NEXT_SERIES_KEY, u64::from(new.next_id).to_be_bytes().as_slice())?;
        }
        Ok((out, seq))
    }

    /// After the commit: the batches are durable. Make them visible, then answer.
    fn apply(&mut self, group: Vec<AppendJob>, staged: Vec<Staged>) {
        let stats = &self.shared.stats;
        stats.commits.fetch_add(1, Ordering::Relaxed);
        {
            let mut index = write(&self.shared.index);
            for (job, s) in group.iter().zip(&staged) {
                if let Staged::Stored { created, .. } = s {
                    for (id, key) in created {
                        index.insert(*id, job.host, key.clone());
                    }
                }
            }
        }
        {
            let mut head = write(&self.shared.head);
            for s in &staged {
                if let Staged::Stored { seq, rows, .. } = s {
                    for &(id, ts, v) in rows {
                        head.insert(id, ts, v, *seq);
                    }
                }
            }
        }
        let listening = self.shared.events.receiver_count() > 0;
        for (job, s) in group.into_iter().zip(staged) {
            let mut result = job.result;
            match s {
                Staged::Refused(e) => {
                    let _ = job.ack.send(Err(e));
                    continue;
                }
                Staged::Duplicate(accepted) => {
                    result.accepted = accepted;
                    result.duplicate = true;
                    stats.duplicates.fetch_add(1, Ordering::Relaxed);
                }
                Staged::Stored { rows, .. } => {
                    result.accepted = rows.len() as u32;
                    stats.samples.fetch_add(rows.len() as u64, Ordering::Relaxed);
                    if let Some(id) = job.ingest_id {
                        self.recent.remember(job.host, id.into(), result.accepted);
                    }
                    if listening && !rows.is_empty() {
                        self.publish(job.host, &rows);
                    }
                }
            }
            stats.batches.fetch_add(1, Ordering::Relaxed);
            let _ = job.ack.send(Ok(result));
        }
    }

    fn publish(&self, host: u64, rows: &[(u32, i64, f64)]) {
        let index = read(&self.shared.index);
        let samples = rows.iter().filter_map(|&(id, ts, v)| Some((index.info(id)?.key.clone(), ts, v))).collect();
        let _ = self.shared.events.send(Arc::new(Committed { host, samples }));
    }

    fn maintain_slice(&mut self) {
        let Some(mut p) = self.maintenance.take() else { return };
        let step = match p.phase {
            Phase::Seal => seal::seal_slice(&self.shared, p.now, self.next_seq).map(|(sealed, wal_dropped)| {
                p.done.sealed += sealed;
                p.done.wal_rows_dropped += wal_dropped;
                if sealed == 0 {
                    p.phase = Phase::Prune(0);
                }
                false
            }),
            Phase::Prune(0) if self.last_prune.is_some_and(|t| p.now - t < PRUNE_EVERY_MS) => Ok(true),
            Phase::Prune(from) => seal::prune_slice(&self.shared, p.now, from).map(|(pruned, next)| {
                p.done.pruned += pruned;
                match next {
                    Some(id) => p.phase = Phase::Prune(id),
                    None => self.last_prune = Some(p.now),
                }
                next.is_none()
            }),
        };
        match step {
            Ok(false) => self.maintenance = Some(p),
            Ok(true) => {
                for ack in p.acks {
                    let _ = ack.send(Ok(p.done.clone()));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "metrics maintenance failed");
                let msg = e.to_string();
                for ack in p.acks {
                    let _ = ack.send(Err(TsdbError::CommitFailed(msg.clone())));
                }
            }
        }
    }

    fn drop_host(&mut self, host: u64) -> Result<usize, TsdbError> {
        let ids = read(&self.shared.index).host_series(host).to_vec();
        seal::delete_series(&self.shared, &ids)?;
        write(&self.shared.index).remove_host(host);
        let mut head = write(&self.shared.head);
        for &id in &ids {
            head.drop_series(id);
        }
        self.recent.forget_host(host);
        Ok(ids.len())
    }
}
