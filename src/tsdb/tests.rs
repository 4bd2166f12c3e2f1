use std::sync::Arc;

use time::macros::datetime;

use super::*;
use crate::clock::ManualClock;

const T0: i64 = 1_700_000_000_000 - 1_700_000_000_000 % 3_600_000;

fn limits() -> Limits {
    Limits {
        raw_retention_ms: 7 * DAY_MS,
        minute_retention_ms: 90 * DAY_MS,
        hour_retention_ms: 1825 * DAY_MS,
        max_future_ms: 600_000,
        seal_grace_ms: 120_000,
        max_series_per_host: 50,
    }
}

fn clock() -> Arc<ManualClock> {
    // T0 is 2023-11-14 22:00:00 UTC, an hour boundary.
    ManualClock::new(datetime!(2023-11-14 22:00:00 UTC))
}

fn open(store: &Store, clock: &Arc<ManualClock>) -> Tsdb {
    Tsdb::open(store.clone(), limits(), clock.clone()).unwrap()
}

fn store() -> Store {
    Store::in_memory(&crate::app::migrations()).unwrap()
}

fn key(metric: &str, labels: &[(&str, &str)]) -> SeriesKey {
    SeriesKey::new(MetricName::parse(metric).unwrap(), Labels::new(labels.iter().copied()).unwrap())
}

fn id(s: &str) -> Option<IngestId> {
    Some(IngestId::parse(s.to_string()).unwrap())
}

fn sample(metric: &str, ts: i64, value: f64) -> Sample {
    Sample { key: key(metric, &[]), ts, value }
}

fn query(metric: &str, from: i64, to: i64, step: Option<i64>) -> Query {
    Query { host: 1, metric: MetricName::parse(metric).unwrap(), labels: Labels::default(), from, to, step }
}

/// Every non-null average of the single series of a query, in order.
fn averages(r: &QueryResult) -> Vec<f64> {
    r.series.iter().flat_map(|s| s.avg.iter().flatten().copied()).collect()
}

/// Samples every 5 s over `[from, to)`, value = seconds since T0.
fn ramp(metric: &str, from: i64, to: i64) -> Vec<Sample> {
    (from..to).step_by(5_000).map(|ts| sample(metric, ts, ((ts - T0) / 1000) as f64)).collect()
}

/// One-decimal noise every `step` ms over `[from, to)` from a seeded generator: about a
/// byte a sample compressed.
fn noisy(from: i64, to: i64, step: usize, mut seed: u64) -> Vec<Sample> {
    (from..to)
        .step_by(step)
        .map(|ts| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            sample("x", ts, ((seed >> 33) % 1000) as f64 / 10.0)
        })
        .collect()
}

#[tokio::test]
async fn appended_samples_are_queryable_at_once() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    let r = db.append(1, None, ramp("uptime_s", T0 - 60_000, T0)).await.unwrap();
    assert_eq!(r.accepted, 12);
    let q = db.query(query("uptime_s", T0 - 60_000, T0, Some(5_000))).await.unwrap();
    assert_eq!(q.tier, Tier::Raw);
    assert_eq!(averages(&q), (-60..0).step_by(5).map(f64::from).collect::<Vec<_>>());
    assert_eq!(db.latest(1)[0].1, T0 - 5_000);
    assert!(db.latest(2).is_empty(), "another host sees nothing");
}

#[tokio::test]
async fn odd_samples_are_dropped_by_the_documented_rules_and_counted() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    let batch = vec![
        sample("a", T0 - 1_000, f64::NAN),
        sample("a", T0 - 1_000, f64::INFINITY),
        sample("a", T0 - 8 * DAY_MS, 1.0),
        sample("a", T0 + 3_600_000, 1.0),
        sample("a", T0 - 1_000, 7.0),
    ];
    let r = db.append(1, None, batch).await.unwrap();
    assert_eq!((r.accepted, r.dropped_non_finite, r.dropped_too_old, r.dropped_too_new), (1, 2, 1, 1));
    assert_eq!(db.stats().samples_dropped, 4);
}

#[tokio::test]
async fn a_resent_ingest_id_is_stored_once_even_after_a_restart() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    let first = db.append(1, id("b-1"), ramp("x", T0 - 50_000, T0)).await.unwrap();
    let again = db.append(1, id("b-1"), ramp("x", T0 - 50_000, T0)).await.unwrap();
    assert_eq!((again.accepted, again.duplicate, first.duplicate), (10, true, false));
    assert_eq!(db.stats().samples_accepted, 10);
    drop(db);
    let db = open(&store, &clock);
    assert!(db.append(1, id("b-1"), ramp("x", T0 - 50_000, T0)).await.unwrap().duplicate);
    assert!(!db.append(2, id("b-1"), ramp("x", T0 - 50_000, T0)).await.unwrap().duplicate, "ids are per host");
}

#[tokio::test]
async fn a_batch_over_the_series_limit_is_refused_whole() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    let many: Vec<Sample> = (0..60)
        .map(|i| Sample { key: key("cpu.core_pct", &[("core", &i.to_string())]), ts: T0 - 1, value: 1.0 })
        .collect();
    let err = db.append(1, None, many).await.unwrap_err();
    assert!(matches!(err, TsdbError::SeriesLimit { would_have: 60, limit: 50, .. }), "{err}");
    assert_eq!(db.stats().series, 0);
    assert!(db.latest(1).is_empty());
}

#[tokio::test]
async fn the_head_is_rebuilt_from_the_write_ahead_rows() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    db.append(1, None, ramp("x", T0 - 600_000, T0)).await.unwrap();
    drop(db);
    let db = open(&store, &clock);
    let q = db.query(query("x", T0 - 600_000, T0, Some(5_000))).await.unwrap();
    assert_eq!(averages(&q).len(), 120);
    assert_eq!(db.stats().head_samples, 120);
}

#[tokio::test]
async fn sealing_compresses_drops_the_write_ahead_rows_and_keeps_every_sample() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    db.append(1, None, ramp("x", T0 - 3_600_000, T0 - 1_800_000)).await.unwrap();
    db.append(1, None, ramp("x", T0 - 1_800_000, T0)).await.unwrap();
    let before = db.query(query("x", T0 - 3_600_000, T0, Some(10_000))).await.unwrap();
    clock.advance(time::Duration::minutes(3));
    db.append(1, None, ramp("x", T0, T0 + 60_000)).await.unwrap();
    let m = db.maintain().await.unwrap();
    assert_eq!((m.sealed, m.wal_rows_dropped), (1, 2), "the newest row still holds unsealed samples");
    assert_eq!(db.stats().head_samples, 12);
    let after = db.query(query("x", T0 - 3_600_000, T0, Some(10_000))).await.unwrap();
    assert_eq!(averages(&before), averages(&after));
    drop(db);
    let db = open(&store, &clock);
    assert_eq!(db.stats().head_samples, 12, "only the unsealed row is replayed");
    let again = db.query(query("x", T0 - 3_600_000, T0, Some(10_000))).await.unwrap();
    assert_eq!(averages(&before), averages(&again));
}

#[tokio::test]
async fn late_samples_merge_into_a_sealed_window() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    db.append(1, None, vec![sample("x", T0 - 3_000_000, 1.0), sample("x", T0 - 1_000_000, 3.0)]).await.unwrap();
    clock.advance(time::Duration::minutes(3));
    db.maintain().await.unwrap();
    db.append(1, None, vec![sample("x", T0 - 2_000_000, 2.0), sample("x", T0 - 1_000_000, 30.0)]).await.unwrap();
    let q = query("x", T0 - 3_600_000, T0, Some(1_000));
    assert_eq!(averages(&db.query(q.clone()).await.unwrap()), vec![1.0, 2.0, 30.0], "before the next seal");
    db.maintain().await.unwrap();
    assert_eq!(averages(&db.query(q).await.unwrap()), vec![1.0, 2.0, 30.0], "after merging");
    let hourly = db.query(query("x", T0 - 3_600_000, T0, Some(3_600_000))).await.unwrap();
    assert_eq!(hourly.tier, Tier::Hour);
    assert_eq!(hourly.series[0].avg, vec![Some(11.0)]);
    assert_eq!((hourly.series[0].min[0], hourly.series[0].max[0]), (Some(1.0), Some(30.0)));
}

#[tokio::test]
async fn tiers_expire_by_their_own_retention() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    db.append(1, None, ramp("x", T0 - 3_600_000, T0)).await.unwrap();
    clock.advance(time::Duration::minutes(3));
    db.maintain().await.unwrap();
    clock.advance(time::Duration::days(8));
    let m = db.maintain().await.unwrap();
    assert_eq!(m.pruned, 1, "the raw chunk went, the rollups stay");
    let minute = db.query(query("x", T0 - 3_600_000, T0, Some(60_000))).await.unwrap();
    assert_eq!(minute.tier, Tier::Minute);
    assert_eq!(averages(&minute).len(), 60);
    let raw = db.query(query("x", T0 - 3_600_000, T0 - 3_500_000, Some(5_000))).await.unwrap();
    assert_eq!(raw.tier, Tier::Minute, "raw data is gone, so the query falls back to 1-minute points");
    clock.advance(time::Duration::days(90));
    assert_eq!(db.maintain().await.unwrap().pruned, 1);
    let hourly = db.query(query("x", T0 - 3_600_000, T0, None)).await.unwrap();
    assert_eq!(hourly.tier, Tier::Hour);
    assert_eq!(averages(&hourly).len(), 1);
}

#[tokio::test]
async fn retired_raw_samples_answer_minute_queries_as_before() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    db.append(1, None, noisy(T0 - 3 * 3_600_000, T0, 5_000, 5)).await.unwrap();
    clock.advance(time::Duration::minutes(3));
    db.maintain().await.unwrap();
    let q = query("x", T0 - 3 * 3_600_000, T0, Some(60_000));
    let before = db.query(q.clone()).await.unwrap();
    let minutes = |store: &Store| {
        store.read_sync(|txn| Ok::<_, TsdbError>(redb::ReadableTableMetadata::len(&txn.open_table(MINUTE)?)?)).unwrap()
    };
    assert_eq!(minutes(&store), 0, "no 1-minute points are written while the samples are raw");
    clock.advance(time::Duration::days(8) + time::Duration::hours(2));
    assert!(db.maintain().await.unwrap().pruned >= 1);
    assert!(minutes(&store) >= 1, "retired samples became 1-minute points");
    let after = db.query(q).await.unwrap();
    assert_eq!(after.tier, Tier::Minute);
    let points = |r: &QueryResult| (r.series[0].avg.clone(), r.series[0].min.clone(), r.series[0].max.clone());
    assert_eq!(points(&before), points(&after));
    assert_eq!(averages(&after).len(), 180);
}

#[tokio::test]
async fn dropping_a_host_forgets_its_series_and_chunks() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    db.append(1, None, ramp("x", T0 - 3_600_000, T0)).await.unwrap();
    db.append(2, None, ramp("x", T0 - 3_600_000, T0)).await.unwrap();
    clock.advance(time::Duration::minutes(3));
    db.maintain().await.unwrap();
    assert_eq!(db.drop_host(1).await.unwrap(), 1);
    assert!(db.query(query("x", T0 - 3_600_000, T0, None)).await.unwrap().series.is_empty());
    assert_eq!(db.stats().series, 1);
    drop(db);
    let db = open(&store, &clock);
    assert_eq!(db.stats().series, 1);
}

#[tokio::test]
async fn committed_batches_reach_subscribers() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    let mut rx = db.subscribe();
    db.append(7, None, vec![sample("load.1", T0 - 1, 0.5)]).await.unwrap();
    let c = rx.recv().await.unwrap();
    assert_eq!((c.host, c.samples.len(), c.samples[0].0.metric.as_str()), (7, 1, "load.1"));
}

#[test]
fn the_step_is_widened_to_400_points_and_to_the_tier_resolution() {
    assert_eq!(query::effective_step(0, 3_600_000, Some(1)), 9_000);
    assert_eq!(query::effective_step(0, 86_400_000, None), 240_000);
    assert_eq!(query::effective_step(0, 86_400_000, Some(60_000)), 240_000);
    assert_eq!(query::effective_step(0, 3_600_000, Some(90_000)), 120_000);
    assert_eq!(query::effective_step(0, 30 * DAY_MS, Some(3_600_000)), 7_200_000);
    assert_eq!(query::effective_step(0, 60_000, None), 1_000);
}

#[tokio::test]
async fn bad_queries_are_refused() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    assert!(matches!(db.query(query("x", T0, T0, None)).await, Err(TsdbError::InvalidQuery(_))));
    assert!(matches!(db.query(query("x", T0, T0 + 1, Some(-5))).await, Err(TsdbError::InvalidQuery(_))));
}

#[test]
fn the_grid_never_has_more_than_400_points() {
    // 400 steps of 9 s from an unaligned start would round down into a 401st point.
    assert_eq!(query::grid(4_500, 3_604_500, 9_000), (9_000, 400));
    assert_eq!(query::grid(0, 3_600_000, 9_000), (0, 400));
    assert_eq!(query::grid(1, 2, 1_000), (0, 1));
}

#[tokio::test]
async fn hours_are_kept_in_page_sized_pieces_and_late_samples_find_theirs() {
    let (store, clock) = (store(), clock());
    let db = open(&store, &clock);
    // Six hours of noisy one-decimal samples every second: about 27 KB compressed, so
    // seven pieces of a page each.
    let noisy = noisy(T0 - 6 * 3_600_000, T0, 1_000, 7);
    for hour in noisy.chunks(3_600) {
        db.append(1, None, hour.to_vec()).await.unwrap();
    }
    clock.advance(time::Duration::minutes(3));
    assert_eq!(db.maintain().await.unwrap().sealed, 6);
    let pieces = store
        .read_sync(|txn| Ok::<_, TsdbError>(redb::ReadableTableMetadata::len(&txn.open_table(RAW)?)? as usize))
        .unwrap();
    assert!((6..=8).contains(&pieces), "{pieces} pieces");
    let late_ts = T0 - 5 * 3_600_000 + 1_800_500;
    db.append(1, None, vec![sample("x", late_ts, 555.5)]).await.unwrap();
    db.maintain().await.unwrap();
    let q = db.query(query("x", T0 - 5 * 3_600_000, T0 - 4 * 3_600_000, Some(9_000))).await.unwrap();
    let maxima: Vec<f64> = q.series[0].max.iter().flatten().copied().collect();
    assert_eq!(maxima.len(), 400);
    assert_eq!(maxima.iter().copied().fold(f64::MIN, f64::max), 555.5);
    assert_eq!(maxima.iter().filter(|&&m| m > 100.0).count(), 1, "the late sample went into its hour only");
    let minutes = db.query(query("x", T0 - 6 * 3_600_000, T0, Some(60_000))).await.unwrap();
    assert_eq!(minutes.tier, Tier::Minute);
    assert_eq!(averages(&minutes).len(), 360, "every minute of the six hours, across pieces");
}
