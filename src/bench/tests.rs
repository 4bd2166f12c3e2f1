//! The pure parts of the bench: the simulated host and the arithmetic of the report. No
//! timing is asserted anywhere.

use std::time::Duration;

use super::report::{Latencies, mib, thousands};
use super::workload::{Host, Rng, SERIES, STEP_MS, keys, round_to, series};
use crate::collect::{Kind, MetricDoc};

const T0: i64 = 1_764_000_000_000;

/// A simulated day, one collection every 5 s.
fn day(seed: u64) -> Vec<Vec<f64>> {
    let mut host = Host::new(seed);
    (0..17_280).map(|i| host.collect(T0 + i * STEP_MS)).collect()
}

fn index_of(metric: &str, label: Option<(&str, &str)>) -> usize {
    series()
        .iter()
        .position(|d| {
            d.metric == metric && label.is_none_or(|(k, v)| d.labels.iter().any(|(dk, dv)| *dk == k && dv == v))
        })
        .unwrap_or_else(|| panic!("no series {metric} {label:?}"))
}

#[test]
fn the_host_reports_60_distinct_series_of_the_documented_schema() {
    let defs = series();
    assert_eq!(defs.len(), SERIES);
    let keys = keys(&defs).expect("valid names and labels");
    let distinct: std::collections::HashSet<_> = keys.iter().collect();
    assert_eq!(distinct.len(), SERIES, "every series is distinct");
    for d in &defs {
        let doc = MetricDoc::find(d.metric).unwrap_or_else(|| panic!("{} is not in the schema", d.metric));
        let label_keys: Vec<&str> = d.labels.iter().map(|(k, _)| *k).collect();
        assert_eq!(label_keys, doc.labels, "labels of {}", d.metric);
    }
}

/// The rounding column of docs/metrics.md.
fn documented_decimals(metric: &str) -> i32 {
    match metric {
        "cpu.usage_pct" | "cpu.core_pct" | "temp_c" => 1,
        "load.1" | "load.5" | "load.15" => 2,
        _ => 0,
    }
}

#[test]
fn every_value_is_finite_and_rounded_as_the_collector_rounds() {
    let defs = series();
    for values in day(1) {
        assert_eq!(values.len(), SERIES);
        for (d, v) in defs.iter().zip(values) {
            let decimals = documented_decimals(d.metric);
            assert!(v.is_finite() && v >= 0.0, "{} = {v}", d.metric);
            assert_eq!(round_to(v, decimals), v, "{} = {v} has more than {decimals} decimals", d.metric);
        }
    }
}

#[test]
fn counters_only_grow_and_gauges_stay_in_range() {
    let defs = series();
    let rows = day(2);
    for (i, d) in defs.iter().enumerate() {
        let column: Vec<f64> = rows.iter().map(|r| r[i]).collect();
        if MetricDoc::find(d.metric).is_some_and(|m| m.kind == Kind::Counter) || d.metric == "uptime_s" {
            assert!(column.windows(2).all(|w| w[1] >= w[0]), "{} went backwards", d.metric);
        }
        if d.metric.ends_with("_pct") {
            assert!(column.iter().all(|v| (0.0..=100.0).contains(v)), "{} out of 0-100", d.metric);
        }
    }
    let uptime = index_of("uptime_s", None);
    assert!(rows.windows(2).all(|w| w[1][uptime] - w[0][uptime] == 5.0), "uptime moves 5 s per collection");
    let (used, available, total) =
        (index_of("mem.used_bytes", None), index_of("mem.available_bytes", None), index_of("mem.total_bytes", None));
    assert!(rows.iter().all(|r| r[used] + r[available] == r[total]), "used is total minus available");
    assert!(rows.windows(2).all(|w| w[0][total] == w[1][total]), "memory size is constant");
    let disk = index_of("disk.used_bytes", Some(("mount", "/")));
    assert!(rows.iter().all(|r| r[disk] % 4096.0 == 0.0), "disk space is counted in blocks");
    let (disk_available, disk_total) =
        (index_of("disk.available_bytes", Some(("mount", "/"))), index_of("disk.total_bytes", Some(("mount", "/"))));
    assert!(
        rows.iter().all(|r| r[disk] + r[disk_available] < r[disk_total]),
        "ext4 keeps blocks for root that are neither used nor available"
    );
}

#[test]
fn values_move_like_a_real_host_rather_than_standing_still() {
    let rows = day(3);
    let distinct = |i: usize| {
        let mut v: Vec<u64> = rows.iter().map(|r| r[i].to_bits()).collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    assert!(distinct(index_of("cpu.usage_pct", None)) > 100, "cpu usage varies");
    assert!(distinct(index_of("net.rx_bytes", Some(("iface", "eth0")))) > 10_000, "traffic keeps counting");
    assert_eq!(distinct(index_of("swap.total_bytes", None)), 1, "swap size never changes");
}

#[test]
fn the_same_seed_gives_the_same_host() {
    assert_eq!(day(9)[..100], day(9)[..100]);
    assert_ne!(day(9)[..100], day(10)[..100]);
    let mut rng = Rng::new(0);
    assert_ne!(rng.next_u64(), rng.next_u64(), "seed 0 does not get stuck");
}

#[test]
fn percentiles_use_the_nearest_rank() {
    let ms = |n: u64| Duration::from_millis(n);
    let l = Latencies::new((1..=100).rev().map(ms).collect());
    assert_eq!((l.percentile(50.0), l.percentile(99.0), l.percentile(100.0)), (ms(50), ms(99), ms(100)));
    assert_eq!(Latencies::new(vec![ms(7)]).percentile(99.0), ms(7));
    assert_eq!(Latencies::new(Vec::new()).percentile(50.0), Duration::ZERO);
}

#[test]
fn figures_are_formatted_for_people() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(7_257_600), "7,257,600");
    assert_eq!(thousands(1_000_000), "1,000,000");
    assert_eq!(mib(6 * 1024 * 1024 + 100_000), "6.1 MiB");
    assert_eq!(mib(2048), "2.0 KiB");
}
