//! The storage phase: a simulated week of one realistic host (60 series every 5 s for 7
//! days, 7,257,600 samples) appended through the engine a minute at a time with the clock
//! moved along, sealed as the appliance seals it, then measured on disk: the store file
//! (every overhead included), the chunk bytes of each tier, the pages redb holds free,
//! and the file again after compaction.
//!
//! It builds the history the query phase reads, and stops its appliance before returning
//! so the file can be measured and compacted; it must not reach into the engine beyond
//! `Tsdb::append`, `Tsdb::maintain` and reading the chunk tables.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use redb::{ReadableTable, ReadableTableMetadata, TableDefinition};

use super::report::{mib, thousands};
use super::workload::{self, Host, STEP_MS};
use crate::app::Appliance;
use crate::caller::Actor;
use crate::clock::{Clock, ManualClock};
use crate::config::Config;
use crate::hosts::{HostKind, HostState, Machine, Origin};
use crate::tsdb::rollup::{self, Bucket};
use crate::tsdb::{HOUR, MINUTE, RAW, Sample, SeriesKey, WAL, codec};

const HOUR_MS: i64 = 3_600_000;
const DAYS: i64 = 7;
const SEED: u64 = 7;

/// The week of history, its appliance stopped: what the query phase restarts.
pub struct History {
    pub config: Config,
    pub clock: Arc<ManualClock>,
    pub host: u64,
    pub report: StorageReport,
}

/// One table: rows, the bytes of their values, and the pages its tree occupies.
#[derive(Debug, Clone, Default)]
pub struct TableSize {
    pub rows: u64,
    pub value_bytes: u64,
    pub pages: u64,
}

#[derive(Debug, Clone, Default)]
pub struct StorageReport {
    pub samples: u64,
    pub file_bytes: u64,
    /// The file's blocks on disk: the file grows by doubling, sparsely, so its length
    /// counts pages never written.
    pub disk_bytes: u64,
    pub raw: TableSize,
    pub minute: TableSize,
    pub hour: TableSize,
    pub wal: TableSize,
    pub page_size: u64,
    pub allocated_pages: u64,
    pub compacted_bytes: u64,
    /// What the week's 1-minute points will take once its raw samples retire (not yet
    /// stored at 7 days: until then the raw samples are that tier): each series' days
    /// rolled up and encoded as the tier encodes them.
    pub retired_minute_bytes: u64,
    /// Raw chunk bytes per metric name with its series count, largest first: each series'
    /// hours compressed alone with the engine's codec, as sealing does.
    pub raw_by_metric: Vec<(&'static str, u64, u64)>,
}

/// Builds and measures the week. The clock starts 7 days before the last whole hour, so
/// the history ends about now.
pub async fn build(dir: &Path) -> anyhow::Result<History> {
    let end = super::ms(time::OffsetDateTime::now_utc()).div_euclid(HOUR_MS) * HOUR_MS;
    let start = end - DAYS * 24 * HOUR_MS;
    let clock = ManualClock::new(super::at_ms(start)?);
    let config = super::config(dir, &[])?;
    let appliance = Appliance::start(config.clone(), clock.clone(), false).await.context("starting the appliance")?;
    let filled = fill(&appliance, &clock, start).await;
    appliance.stop().await;
    let (host, mut report) = filled?;
    let path = config.store_path();
    let measured = crate::blocking::run(move || measure_file(&path)).await?;
    (report.file_bytes, report.disk_bytes, report.page_size, report.allocated_pages, report.compacted_bytes) =
        measured?;
    Ok(History { config, clock, host, report })
}

/// Registers the host, appends and seals every hour, and measures the tables.
async fn fill(appliance: &Appliance, clock: &ManualClock, start: i64) -> anyhow::Result<(u64, StorageReport)> {
    let ctx = &appliance.ctx;
    let (org, now) = (ctx.default_org, ctx.clock.now());
    let host = ctx
        .store
        .write(move |txn| {
            let machine = Machine::new("bench-week", "Debian GNU/Linux 12 (bookworm)", "bench-week")?;
            let origin = Origin { kind: HostKind::Agent, ingest_key: None, interval_s: 5, state: HostState::Approved };
            Ok::<_, crate::hosts::HostError>(
                crate::hosts::register(txn, org, &machine, origin, now, Actor::system())?.0,
            )
        })
        .await?;
    let keys = workload::keys(&workload::series())?;
    let mut sim = Host::new(SEED);
    let hours = DAYS * 24;
    let bar = super::progress("storage", Some(hours as u64), "simulated hours");
    let grace = i64::from(ctx.config.metrics.seal_grace_s) * 1000;
    let mut samples = 0u64;
    let mut raw_bytes = vec![0u64; keys.len()];
    let mut minutes: Vec<Vec<Bucket>> = vec![Vec::new(); keys.len()];
    let mut retired_minute_bytes = 0u64;
    for h in 0..hours {
        let from = start + h * HOUR_MS;
        // At the hour's end its samples are all in the past; they arrive before its grace
        // is over, as they do in service, so the appliance's own maintenance task (every
        // minute of real time) can never seal half an hour and the layout is the same in
        // every run.
        advance_to(clock, from + HOUR_MS);
        let (batch, sizes) = hour_of(&mut sim, &keys, from)?;
        raw_bytes.iter_mut().zip(sizes).for_each(|(total, n)| *total += n as u64);
        retired_minute_bytes += minute_points(&batch, keys.len(), &mut minutes, h % 24 == 23)?;
        // A minute per batch (12 collections), as an agent that spooled a little would
        // send them: the write-ahead table churns as it does in service.
        for minute in batch.chunks(keys.len() * 12) {
            let want = minute.len() as u32;
            let got = ctx.tsdb.append(host.id, None, minute.to_vec()).await?;
            if got.accepted != want {
                bail!("hour {h}: {} of {want} samples accepted ({got:?})", got.accepted);
            }
            samples += u64::from(got.accepted);
        }
        advance_to(clock, from + HOUR_MS + grace + 1_000);
        ctx.tsdb.maintain().await?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let tables = ctx.store.clone();
    let (raw, minute, hour, wal) = crate::blocking::run(move || {
        tables.read_sync(|txn| -> anyhow::Result<_> {
            Ok((size(txn, RAW)?, size(txn, MINUTE)?, size(txn, HOUR)?, size(txn, WAL)?))
        })
    })
    .await??;
    let raw_by_metric = by_metric(&raw_bytes);
    Ok((
        host.id,
        StorageReport {
            samples,
            raw,
            minute,
            hour,
            wal,
            raw_by_metric,
            retired_minute_bytes,
            ..StorageReport::default()
        },
    ))
}

fn advance_to(clock: &ManualClock, target_ms: i64) {
    let now = super::ms(clock.now());
    if target_ms > now {
        clock.advance(time::Duration::milliseconds(target_ms - now));
    }
}

/// 720 collections of the simulated host, from `from` every 5 s, as samples; and the size
/// of each series' hour compressed alone, which is what its raw chunk will hold.
fn hour_of(sim: &mut Host, keys: &[SeriesKey], from: i64) -> anyhow::Result<(Vec<Sample>, Vec<usize>)> {
    let times: Vec<i64> = (from..from + HOUR_MS).step_by(STEP_MS as usize).collect();
    let mut columns = vec![Vec::with_capacity(times.len()); keys.len()];
    for &ts in &times {
        columns.iter_mut().zip(sim.collect(ts)).for_each(|(column, value)| column.push(value));
    }
    let sizes = columns.iter().map(|c| codec::encode(&times, &[c]).map(|b| b.len())).collect::<Result<_, _>>()?;
    let mut samples = Vec::with_capacity(times.len() * keys.len());
    for (i, &ts) in times.iter().enumerate() {
        let row =
            keys.iter().zip(&columns).filter_map(|(key, c)| Some(Sample { key: key.clone(), ts, value: *c.get(i)? }));
        samples.extend(row);
    }
    Ok((samples, sizes))
}

/// Rolls an hour's samples (series interleaved, as `hour_of` lays them out) up into each
/// series' minutes; at the end of a day, encodes and forgets them. Returns the bytes encoded.
fn minute_points(batch: &[Sample], series: usize, minutes: &mut [Vec<Bucket>], day_ends: bool) -> anyhow::Result<u64> {
    for (i, buckets) in minutes.iter_mut().enumerate() {
        let samples: Vec<(i64, f64)> = batch.iter().skip(i).step_by(series).map(|s| (s.ts, s.value)).collect();
        buckets.extend(rollup::rollup(&samples, 60_000));
    }
    if !day_ends {
        return Ok(0);
    }
    minutes.iter_mut().try_fold(0, |n, b| Ok(n + rollup::encode(&std::mem::take(b))?.len() as u64))
}

/// Bytes per metric name (summing its series) with the series count, largest first.
fn by_metric(per_series: &[u64]) -> Vec<(&'static str, u64, u64)> {
    let mut out: Vec<(&'static str, u64, u64)> = Vec::new();
    for (def, &bytes) in workload::series().iter().zip(per_series) {
        match out.iter_mut().find(|(m, ..)| *m == def.metric) {
            Some((_, total, n)) => {
                *total += bytes;
                *n += 1;
            }
            None => out.push((def.metric, bytes, 1)),
        }
    }
    out.sort_by_key(|m| std::cmp::Reverse(m.1));
    out
}

fn size<K: redb::Key + 'static>(
    txn: &redb::ReadTransaction,
    def: TableDefinition<'_, K, &'static [u8]>,
) -> anyhow::Result<TableSize> {
    let table = txn.open_table(def)?;
    let stats = table.stats()?;
    let mut out = TableSize { pages: stats.leaf_pages() + stats.branch_pages(), ..TableSize::default() };
    for row in table.iter()? {
        let (_, value) = row?;
        out.rows += 1;
        out.value_bytes += value.value().len() as u64;
    }
    Ok(out)
}

/// With the appliance stopped: the file size, redb's page size and allocated pages, and
/// the size after `Database::compact` (which the store does not expose; opening the file
/// directly is the bench's privilege, the appliance never does it). Blocking.
fn measure_file(path: &Path) -> anyhow::Result<(u64, u64, u64, u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let file_size = || std::fs::metadata(path).map(|m| m.len()).context("reading the store's size");
    let before = file_size()?;
    let disk = std::fs::metadata(path).context("reading the store's size")?.blocks() * 512;
    let mut db = redb::Database::open(path).context("opening the store for compaction")?;
    let (page_size, allocated) = {
        let txn = db.begin_write()?;
        let stats = txn.stats()?;
        txn.abort()?;
        (stats.page_size() as u64, stats.allocated_pages())
    };
    // Each pass moves what it can; a few passes reach the end.
    for _ in 0..8 {
        if !db.compact().context("compacting the store")? {
            break;
        }
    }
    drop(db);
    Ok((before, disk, page_size, allocated, file_size()?))
}

impl StorageReport {
    pub fn lines(&self) -> Vec<String> {
        let per = |bytes: u64| bytes as f64 / self.samples.max(1) as f64;
        let chunks = |name: &str, t: &TableSize| {
            format!(
                "{name} {} in {} chunks ({:.3} B/sample; {} of pages)",
                mib(t.value_bytes),
                thousands(t.rows),
                per(t.value_bytes),
                mib(t.pages * self.page_size),
            )
        };
        let free = (self.file_bytes / self.page_size.max(1)).saturating_sub(self.allocated_pages) * self.page_size;
        vec![
            format!(
                "storage  {:.2} bytes/sample (file {} for {} samples: {} series every {} s for {DAYS} days)",
                per(self.file_bytes),
                mib(self.file_bytes),
                thousands(self.samples),
                workload::SERIES,
                STEP_MS / 1000,
            ),
            format!(
                "  chunks: {}; {}; {}; write-ahead rows left: {}",
                chunks("raw", &self.raw),
                chunks("1m", &self.minute),
                chunks("1h", &self.hour),
                thousands(self.wal.rows),
            ),
            format!(
                "  file: {} long, {} on disk, in redb pages of {} B ({} allocated, {} free); compacted: {} = {:.2} bytes/sample",
                mib(self.file_bytes),
                mib(self.disk_bytes),
                self.page_size,
                mib(self.allocated_pages * self.page_size),
                mib(free),
                mib(self.compacted_bytes),
                per(self.compacted_bytes),
            ),
            format!(
                "  then, as raw samples retire after 7 days, their 1-minute points: {:.3} B per sample retired",
                per(self.retired_minute_bytes),
            ),
            self.metric_line(),
            "  goal: 1.0 bytes/sample or less, all overhead included".to_string(),
        ]
    }

    /// `  raw bytes/sample by metric: net.rx_bytes 2.10 (3 series, 14%), ...`: the costliest
    /// metrics, so codec work can aim.
    fn metric_line(&self) -> String {
        let total: u64 = self.raw_by_metric.iter().map(|m| m.1).sum();
        let per_series_samples = self.samples as f64 / workload::SERIES as f64;
        let parts: Vec<String> = self
            .raw_by_metric
            .iter()
            .take(8)
            .map(|(metric, bytes, n)| {
                let per = *bytes as f64 / (*n as f64 * per_series_samples).max(1.0);
                format!("{metric} {per:.2} ({n} series, {:.0}%)", 100.0 * *bytes as f64 / total.max(1) as f64)
            })
            .collect();
        format!("  raw bytes/sample by metric, costliest first: {}", parts.join(", "))
    }
}
