//! The time-series engine, in the appliance's redb file: series, durable ingest through
//! one group-committing writer thread, the in-memory head, compressed sealed chunks,
//! 1-minute and 1-hour rollups, retention, queries and the feed of committed samples.
//!
//! It knows hosts only as ids and must not know organizations, HTTP or where samples come
//! from: the ingest API, the local collector and the SSH poller all call [`Tsdb::append`].
//! The rules for odd samples are in `docs/metrics.md` ("Storage, rules and limits").

pub mod codec;
mod head;
mod index;
mod pieces;
mod query;
mod raw;
pub mod rollup;
mod seal;
mod series;
mod wal;
mod writer;

pub use query::{Query, QueryResult, SeriesPoints, Tier};
pub use series::{IngestId, Labels, MAX_LABELS, MetricName, SeriesKey, label_problem};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use redb::{ReadableTable, TableDefinition};
use serde::Serialize;
use thiserror::Error;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::clock::SharedClock;
use crate::config::MetricsConfig;
use crate::store::{Store, StoreError};

pub(crate) const SERIES: TableDefinition<u32, &[u8]> = TableDefinition::new("ts_series");
pub(crate) const WAL: TableDefinition<u64, &[u8]> = TableDefinition::new("ts_wal");
pub(crate) const RAW: TableDefinition<(u32, i64), &[u8]> = TableDefinition::new("ts_raw");
pub(crate) const MINUTE: TableDefinition<(u32, i64), &[u8]> = TableDefinition::new("ts_1m");
pub(crate) const HOUR: TableDefinition<(u32, i64), &[u8]> = TableDefinition::new("ts_1h");

pub fn create_tables(txn: &redb::WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(SERIES)?;
    txn.open_table(WAL)?;
    txn.open_table(RAW)?;
    txn.open_table(MINUTE)?;
    txn.open_table(HOUR)?;
    Ok(())
}

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Error)]
pub enum TsdbError {
    #[error("invalid metric name {0:?}: use lowercase [a-z][a-z0-9_]* segments joined by dots, at most 128 bytes")]
    InvalidMetric(String),
    #[error("invalid labels: {0}")]
    InvalidLabels(String),
    #[error("this batch would give its host {would_have} series, more than the limit of {limit}; nothing was stored")]
    SeriesLimit { host: u64, would_have: usize, limit: usize },
    #[error("ingest id {0:?} must be 1-64 characters of letters, digits, '-', '_', '.' or ':'")]
    InvalidIngestId(String),
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    #[error("the metrics writer has stopped")]
    WriterGone,
    #[error("starting the metrics writer: {0}")]
    WriterStart(String),
    #[error("committing samples: {0}")]
    CommitFailed(String),
    #[error("corrupt metrics data: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::impl_from_redb!(TsdbError);

impl From<crate::blocking::BlockingError> for TsdbError {
    fn from(e: crate::blocking::BlockingError) -> Self {
        Self::Store(StoreError::Blocking(e))
    }
}

impl From<codec::CodecError> for TsdbError {
    fn from(e: codec::CodecError) -> Self {
        Self::Corrupt(e.to_string())
    }
}

/// Retention and acceptance rules, from `[metrics]`, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub raw_retention_ms: i64,
    pub minute_retention_ms: i64,
    pub hour_retention_ms: i64,
    pub max_future_ms: i64,
    pub seal_grace_ms: i64,
    pub max_series_per_host: usize,
}

impl Limits {
    pub fn from_config(c: &MetricsConfig) -> Self {
        Self {
            raw_retention_ms: i64::from(c.raw_retention_days) * DAY_MS,
            minute_retention_ms: i64::from(c.minute_retention_days) * DAY_MS,
            hour_retention_ms: i64::from(c.hour_retention_days) * DAY_MS,
            max_future_ms: i64::from(c.max_future_s) * 1000,
            seal_grace_ms: i64::from(c.seal_grace_s) * 1000,
            max_series_per_host: c.max_series_per_host as usize,
        }
    }

    /// The series limit, the one rule every check of it applies: a batch that creates
    /// `fresh` series for a host holding `existing` is refused whole when the host would
    /// then hold more than the limit. `host` only names the host in the error.
    pub fn check_series(&self, host: u64, existing: usize, fresh: usize) -> Result<(), TsdbError> {
        let (would_have, limit) = (existing + fresh, self.max_series_per_host);
        if fresh > 0 && would_have > limit { Err(TsdbError::SeriesLimit { host, would_have, limit }) } else { Ok(()) }
    }
}

/// One sample as it arrives, already checked for shape.
#[derive(Debug, Clone)]
pub struct Sample {
    pub key: SeriesKey,
    pub ts: i64,
    pub value: f64,
}

/// What happened to a batch. Drops follow the documented rules and are counted, never
/// silent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Appended {
    /// Samples now durable.
    pub accepted: u32,
    /// The batch's `ingest_id` was already stored: nothing new was written, and `accepted`
    /// repeats what the first delivery stored.
    pub duplicate: bool,
    pub dropped_non_finite: u32,
    pub dropped_too_old: u32,
    pub dropped_too_new: u32,
}

/// A committed batch, as the live streams see it.
#[derive(Debug)]
pub struct Committed {
    pub host: u64,
    pub samples: Vec<(Arc<SeriesKey>, i64, f64)>,
}

/// Counters for status and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    pub samples: AtomicU64,
    pub batches: AtomicU64,
    pub commits: AtomicU64,
    pub duplicates: AtomicU64,
    pub dropped: AtomicU64,
    pub chunks_sealed: AtomicU64,
    pub chunks_pruned: AtomicU64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatsSnapshot {
    pub series: usize,
    pub head_samples: usize,
    pub samples_accepted: u64,
    pub batches: u64,
    pub commits: u64,
    pub duplicate_batches: u64,
    pub samples_dropped: u64,
    pub chunks_sealed: u64,
    pub chunks_pruned: u64,
}

/// What a maintenance pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Maintained {
    pub sealed: usize,
    pub wal_rows_dropped: usize,
    pub pruned: usize,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub store: Store,
    pub index: RwLock<index::Index>,
    pub head: RwLock<head::Head>,
    pub events: broadcast::Sender<Arc<Committed>>,
    pub stats: Stats,
    pub limits: Limits,
}

/// The engine handle. Dropping it stops the writer after the batches already queued.
#[derive(Debug)]
pub struct Tsdb {
    shared: Arc<Shared>,
    clock: SharedClock,
    jobs: Option<mpsc::Sender<writer::Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Tsdb {
    /// Loads the series index, replays the write-ahead table into the head and starts the
    /// writer thread. Blocking: call at start-up or on the blocking pool.
    pub fn open(store: Store, limits: Limits, clock: SharedClock) -> Result<Self, TsdbError> {
        let (index, head, next_seq, recent) = load(&store)?;
        let (events, _) = broadcast::channel(1024);
        let shared = Arc::new(Shared {
            store,
            index: RwLock::new(index),
            head: RwLock::new(head),
            events,
            stats: Stats::default(),
            limits,
        });
        let (jobs, rx) = mpsc::channel(writer::QUEUE);
        let thread = writer::spawn(shared.clone(), rx, next_seq, recent)?;
        Ok(Self { shared, clock, jobs: Some(jobs), thread: Some(thread) })
    }

    fn now_ms(&self) -> i64 {
        (self.clock.now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Stores a batch of one host durably: returns once the write-ahead row is committed
    /// (fsync). Non-finite values and timestamps outside the retention/future bounds are
    /// dropped and counted; a batch that would exceed the host's series limit is refused
    /// whole.
    pub async fn append(
        &self,
        host: u64,
        ingest_id: Option<IngestId>,
        samples: Vec<Sample>,
    ) -> Result<Appended, TsdbError> {
        let now = self.now_ms();
        let (job, rx) = writer::prepare(&self.shared, host, ingest_id, samples, now)?;
        let jobs = self.jobs.as_ref().ok_or(TsdbError::WriterGone)?;
        jobs.send(writer::Job::Append(job)).await.map_err(|_| TsdbError::WriterGone)?;
        rx.await.map_err(|_| TsdbError::WriterGone)?
    }

    /// Seals windows that are over, drops write-ahead rows no longer needed, prunes what
    /// retention says is too old. Runs on the writer thread in bounded slices.
    pub async fn maintain(&self) -> Result<Maintained, TsdbError> {
        let (ack, rx) = oneshot::channel();
        let jobs = self.jobs.as_ref().ok_or(TsdbError::WriterGone)?;
        jobs.send(writer::Job::Maintain { now: self.now_ms(), ack }).await.map_err(|_| TsdbError::WriterGone)?;
        rx.await.map_err(|_| TsdbError::WriterGone)?
    }

    /// Deletes every series and sample of a host.
    pub async fn drop_host(&self, host: u64) -> Result<usize, TsdbError> {
        let (ack, rx) = oneshot::channel();
        let jobs = self.jobs.as_ref().ok_or(TsdbError::WriterGone)?;
        jobs.send(writer::Job::DropHost { host, ack }).await.map_err(|_| TsdbError::WriterGone)?;
        rx.await.map_err(|_| TsdbError::WriterGone)?
    }

    pub async fn query(&self, q: Query) -> Result<QueryResult, TsdbError> {
        let shared = self.shared.clone();
        let now = self.now_ms();
        crate::blocking::run(move || query::run(&shared, &q, now)).await?
    }

    /// The latest sample of each series of `host`.
    pub fn latest(&self, host: u64) -> Vec<(Arc<SeriesKey>, i64, f64)> {
        let index = read(&self.shared.index);
        let head = read(&self.shared.head);
        index
            .host_series(host)
            .iter()
            .filter_map(|&id| {
                let (ts, v) = head.latest(id)?;
                Some((index.info(id)?.key.clone(), ts, v))
            })
            .collect()
    }

    /// The acceptance rules, for checks made before a batch gets here.
    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>> {
        self.shared.events.subscribe()
    }

    pub fn stats(&self) -> StatsSnapshot {
        let s = &self.shared.stats;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            series: read(&self.shared.index).series(),
            head_samples: read(&self.shared.head).samples(),
            samples_accepted: get(&s.samples),
            batches: get(&s.batches),
            commits: get(&s.commits),
            duplicate_batches: get(&s.duplicates),
            samples_dropped: get(&s.dropped),
            chunks_sealed: get(&s.chunks_sealed),
            chunks_pruned: get(&s.chunks_pruned),
        }
    }
}

impl Drop for Tsdb {
    /// Lets the writer finish what was acknowledged-to-be and release its store handle, so
    /// the file can be reopened as soon as the appliance is gone.
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(crate) fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind, still consistent enough to
    // serve: every mutation is a single insert or remove.
    l.read().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

type Loaded = (index::Index, head::Head, u64, writer::Recent);

/// The series index, then what the write-ahead rows rebuild ([`writer::replay`]).
fn load(store: &Store) -> Result<Loaded, TsdbError> {
    store.read_sync(|txn| {
        let mut index = index::Index::default();
        for row in txn.open_table(SERIES)?.iter()? {
            let (id, bytes) = row?;
            let (host, key) = decode_series(bytes.value())?;
            index.insert(id.value(), host, Arc::new(key));
        }
        let (head, next_seq, recent) = writer::replay(txn, &index)?;
        // Ids of deleted series are never handed out again.
        index.next_id =
            index.next_id.max(u32::try_from(writer::stored_counter(txn, writer::NEXT_SERIES_KEY)?).unwrap_or(u32::MAX));
        Ok((index, head, next_seq, recent))
    })
}

fn encode_series(host: u64, key: &SeriesKey) -> Vec<u8> {
    let mut out = host.to_be_bytes().to_vec();
    out.extend_from_slice(&key.to_bytes());
    out
}

fn decode_series(bytes: &[u8]) -> Result<(u64, SeriesKey), TsdbError> {
    let (host, key) = bytes.split_at_checked(8).ok_or_else(|| TsdbError::Corrupt("series row too short".into()))?;
    let mut h = [0u8; 8];
    h.copy_from_slice(host);
    Ok((u64::from_be_bytes(h), SeriesKey::from_bytes(key)?))
}

#[cfg(test)]
mod tests;
