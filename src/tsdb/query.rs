//! History queries: the series of one host and metric over a time range, as points aligned
//! to a step with average, minimum and maximum. The tier is chosen from the step; windows
//! still in the head are rolled up on the fly, so the newest minutes are always there.

use redb::{ReadTransaction, TableDefinition};
use serde::Serialize;
use utoipa::ToSchema;

use super::head::{Head, window_of};
use super::pieces::PIECE_SPAN_MS;
use super::rollup::{self, Bucket, HOUR_MS, MINUTE_MS};
use super::seal::HOUR_CHUNK_MS;
use super::{HOUR, Labels, MINUTE, MetricName, Shared, TsdbError, raw, read};

/// At most this many points per series; a finer step is widened to fit.
pub const MAX_POINTS: i64 = 400;
/// At most this many series in one answer (e.g. cores of a very large machine).
pub const MAX_SERIES: usize = 512;
const MIN_STEP_MS: i64 = 1_000;
const MAX_RANGE_MS: i64 = 20 * 366 * 86_400_000;

#[derive(Debug, Clone)]
pub struct Query {
    pub host: u64,
    pub metric: MetricName,
    /// Only series carrying all of these labels; empty: every series of the metric.
    pub labels: Labels,
    pub from: i64,
    pub to: i64,
    /// Requested step in ms; `None` picks the finest that fits in [`MAX_POINTS`].
    pub step: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum Tier {
    #[serde(rename = "raw")]
    Raw,
    #[serde(rename = "1m")]
    Minute,
    #[serde(rename = "1h")]
    Hour,
}

/// Columnar, ready for a chart: `ts` is the grid and every series has one entry per grid
/// point in each of `avg`, `min` and `max` (null where there is no data).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueryResult {
    pub metric: String,
    pub from: i64,
    pub to: i64,
    pub step: i64,
    pub tier: Tier,
    pub ts: Vec<i64>,
    pub series: Vec<SeriesPoints>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesPoints {
    #[schema(value_type = std::collections::HashMap<String, String>)]
    pub labels: Labels,
    pub avg: Vec<Option<f64>>,
    pub min: Vec<Option<f64>>,
    pub max: Vec<Option<f64>>,
}

/// The step actually used: at least 1 s, at least range/400, and a whole number of the
/// tier's resolution so rollup buckets never straddle two points.
pub fn effective_step(from: i64, to: i64, requested: Option<i64>) -> i64 {
    let span = to - from;
    let fit = (span + MAX_POINTS - 1) / MAX_POINTS;
    let step = requested.unwrap_or(0).max(fit).max(MIN_STEP_MS);
    let unit = if step >= HOUR_MS {
        HOUR_MS
    } else if step >= MINUTE_MS {
        MINUTE_MS
    } else {
        MIN_STEP_MS
    };
    (step + unit - 1) / unit * unit
}

/// The grid: points at multiples of `step` from `from` rounded down, each covering
/// `[ts, ts + step)`, the last one holding `to - 1`. Rounding `from` down can make it one
/// point longer than [`MAX_POINTS`]; then the first (partial) point is left out.
pub fn grid(from: i64, to: i64, step: i64) -> (i64, usize) {
    let mut first = from.div_euclid(step) * step;
    let mut n = (to - first + step - 1) / step;
    if n > MAX_POINTS {
        first += step * (n - MAX_POINTS);
        n = MAX_POINTS;
    }
    (first, n as usize)
}

pub fn tier_for(step: i64, from: i64, now: i64, shared: &Shared) -> Tier {
    let l = shared.limits;
    let tier = if step < MINUTE_MS {
        Tier::Raw
    } else if step < HOUR_MS {
        Tier::Minute
    } else {
        Tier::Hour
    };
    // Past a tier's retention only a coarser one still has data.
    match tier {
        Tier::Raw if from < now - l.raw_retention_ms => {
            if from < now - l.minute_retention_ms {
                Tier::Hour
            } else {
                Tier::Minute
            }
        }
        Tier::Minute if from < now - l.minute_retention_ms => Tier::Hour,
        t => t,
    }
}

pub fn run(shared: &Shared, q: &Query, now: i64) -> Result<QueryResult, TsdbError> {
    if q.to <= q.from || q.to - q.from > MAX_RANGE_MS {
        return Err(TsdbError::InvalidQuery(format!(
            "from {} must be before to {} and at most 20 years apart",
            q.from, q.to
        )));
    }
    if q.step.is_some_and(|s| s <= 0) {
        return Err(TsdbError::InvalidQuery("step must be positive".into()));
    }
    let step = effective_step(q.from, q.to, q.step);
    let tier = tier_for(step, q.from, now, shared);
    let (first, n) = grid(q.from, q.to, step);
    let end = first + n as i64 * step;
    let ts: Vec<i64> = (0..n as i64).map(|i| first + i * step).collect();
    let mut ids: Vec<(Labels, u32)> = {
        let index = read(&shared.index);
        index
            .host_series(q.host)
            .iter()
            .filter_map(|&id| index.info(id).map(|i| (id, i.key.clone())))
            .filter(|(_, k)| k.metric == q.metric && k.labels.matches(&q.labels))
            .map(|(id, k)| (k.labels.clone(), id))
            .collect()
    };
    ids.sort();
    ids.truncate(MAX_SERIES);
    let head = read(&shared.head);
    let series = shared.store.read_sync(|txn| -> Result<Vec<SeriesPoints>, TsdbError> {
        ids.into_iter()
            .map(|(labels, id)| {
                let buckets = gather(txn, &head, tier, id, first, end)?;
                Ok(to_points(labels, &buckets, first, step, n))
            })
            .collect()
    })?;
    Ok(QueryResult { metric: q.metric.to_string(), from: q.from, to: q.to, step, tier, ts, series })
}

/// The series' data in [from, to) at the tier's resolution, sorted by time. Both ends are
/// multiples of the resolution, so stored and head rollup buckets are whole alike. The
/// 1-minute tier is the raw samples rolled up where they still exist, and stored 1-minute
/// points before.
fn gather(
    txn: &ReadTransaction,
    head: &Head,
    tier: Tier,
    id: u32,
    from: i64,
    to: i64,
) -> Result<Vec<Bucket>, TsdbError> {
    let (resolution, mut stored) = match tier {
        Tier::Raw => (0, raw::read(txn, id, from, to)?.into_iter().map(|(t, v)| Bucket::of(t, v)).collect()),
        Tier::Minute => {
            // Retired minutes, then those still raw: a minute is in one or the other.
            let mut minutes = rollups_from_disk(txn, MINUTE, id, from - PIECE_SPAN_MS, from, to)?;
            minutes.extend(rollup::rollup(&raw::read(txn, id, from, to)?, MINUTE_MS));
            (MINUTE_MS, minutes)
        }
        Tier::Hour => {
            let chunk = from.div_euclid(HOUR_CHUNK_MS) * HOUR_CHUNK_MS;
            (HOUR_MS, rollups_from_disk(txn, HOUR, id, chunk, from, to)?)
        }
    };
    let fresh: Vec<Bucket> = head
        .windows_in(id, window_of(from), to)
        .into_iter()
        .flat_map(|(_, samples)| match resolution {
            0 => samples.iter().map(|&(t, v)| Bucket::of(t, v)).collect(),
            r => rollup::rollup(&samples, r),
        })
        .filter(|b| b.ts >= from && b.ts < to)
        .collect();
    if fresh.is_empty() {
        return Ok(stored);
    }
    // Late samples of a sealed window sit in the head until the next seal: fold them in.
    stored.extend(fresh);
    stored.sort_by_key(|b| b.ts);
    let mut out: Vec<Bucket> = Vec::with_capacity(stored.len());
    for b in stored {
        match out.last_mut() {
            Some(last) if last.ts == b.ts && resolution == 0 => *last = b,
            Some(last) if last.ts == b.ts => last.absorb(&b),
            _ => out.push(b),
        }
    }
    Ok(out)
}

fn rollups_from_disk(
    txn: &ReadTransaction,
    def: TableDefinition<(u32, i64), &[u8]>,
    id: u32,
    first_chunk: i64,
    from: i64,
    to: i64,
) -> Result<Vec<Bucket>, TsdbError> {
    let table = txn.open_table(def)?;
    let mut out = Vec::new();
    for row in table.range((id, first_chunk)..(id, to))? {
        out.extend(rollup::decode(row?.1.value())?.into_iter().filter(|b| b.ts >= from && b.ts < to));
    }
    Ok(out)
}

fn to_points(labels: Labels, buckets: &[Bucket], first: i64, step: i64, n: usize) -> SeriesPoints {
    let mut acc: Vec<Option<Bucket>> = vec![None; n];
    for b in buckets {
        let i = (b.ts - first).div_euclid(step);
        let Some(slot) = usize::try_from(i).ok().and_then(|i| acc.get_mut(i)) else { continue };
        match slot {
            Some(a) => a.absorb(b),
            None => *slot = Some(*b),
        }
    }
    SeriesPoints {
        labels,
        avg: acc.iter().map(|b| b.map(|b| b.avg())).collect(),
        min: acc.iter().map(|b| b.map(|b| b.min)).collect(),
        max: acc.iter().map(|b| b.map(|b| b.max)).collect(),
    }
}
