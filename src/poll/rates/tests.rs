//! Rates between polls: the first poll, steady polls, counter resets, reboots, clock faults
//! and devices that come and go.

use super::*;
use crate::collect::MetricDoc;
use crate::poll::parse::{Filesystem, GpuReading, Memory};

const T0: i64 = 1_700_000_000_000;

/// A host at one instant: `ticks` of CPU time so far (a quarter of them busy unless `busy`
/// says otherwise), and byte counters.
fn snap(busy: u64, total: u64, uptime: f64, net: &[(&str, [u64; 2])], disks: &[(&str, [u64; 2])]) -> Snapshot {
    Snapshot {
        cpu: Some(CpuTimes { busy, total }),
        cores: vec![(0, CpuTimes { busy, total }), (3, CpuTimes { busy: busy / 2, total })],
        boot_time: Some(1_699_990_000),
        memory: Some(Memory { total: 8_000, available: 3_000, swap_total: 100, swap_free: 40 }),
        load: Some([0.123, 1.0, 2.556]),
        uptime_s: Some(uptime),
        net: net.iter().map(|(n, v)| ((*n).to_owned(), *v)).collect(),
        disks: disks.iter().map(|(n, v)| ((*n).to_owned(), *v)).collect(),
        filesystems: vec![Filesystem {
            mount: "/".into(),
            device: "sda1".into(),
            fstype: "ext4".into(),
            total: 1_000,
            used: 400,
            available: 550,
        }],
        gpus: vec![GpuReading {
            index: 0,
            name: "NVIDIA T4".into(),
            util_pct: Some(12.0),
            mem_used_bytes: Some(1 << 20),
            mem_total_bytes: None,
            temp_c: Some(41.0),
            power_w: Some(27.349),
        }],
        ..Snapshot::default()
    }
}

fn base() -> Snapshot {
    snap(1_000, 4_000, 10_000.5, &[("eth0", [1_000, 2_000]), ("eth1", [0, 0])], &[("sda1", [512, 1_024])])
}

/// Five seconds later: 500 of 1000 ticks busy, eth0 received 5000 bytes and sent 500.
fn later() -> Snapshot {
    snap(1_500, 5_000, 10_005.5, &[("eth0", [6_000, 2_500]), ("eth1", [0, 0])], &[("sda1", [10_752, 1_024])])
}

fn value(c: &Collection, name: &str, label: &str) -> Option<f64> {
    c.readings
        .iter()
        .find(|r| r.name == name && (label.is_empty() || r.labels.iter().any(|(_, v)| v == label)))
        .map(|r| r.value)
}

fn has_rates(c: &Collection) -> bool {
    c.readings.iter().any(|r| r.name.ends_with("_bps") || r.name.starts_with("cpu."))
}

fn assert_schema(c: &Collection) {
    for r in &c.readings {
        let doc = MetricDoc::find(r.name).unwrap();
        assert_eq!(r.labels.iter().map(|(k, _)| *k).collect::<Vec<_>>(), doc.labels, "{}", r.name);
        assert!(r.value.is_finite() && r.value >= 0.0, "{r:?}");
    }
}

#[test]
fn first_poll_has_gauges_and_counters_but_no_rates() {
    let first = Deltas::default().collect(&base(), T0);
    assert_schema(&first);
    assert_eq!(first.ts_ms, T0);
    assert!(!has_rates(&first));
    assert_eq!(value(&first, "net.rx_bytes", "eth0"), Some(1_000.0));
    assert_eq!(value(&first, "disk.written_bytes", "sda1"), Some(1_024.0));
    assert_eq!(value(&first, "mem.used_bytes", ""), Some(5_000.0));
    assert_eq!(value(&first, "swap.used_bytes", ""), Some(60.0));
    assert_eq!(value(&first, "disk.used_bytes", "/"), Some(400.0));
    // The local collector's rounding: load to 2 places, power to 1, uptime in whole seconds.
    assert_eq!(value(&first, "load.1", ""), Some(0.12));
    assert_eq!(value(&first, "load.15", ""), Some(2.56));
    assert_eq!(value(&first, "uptime_s", ""), Some(10_000.0));
    assert_eq!(value(&first, "gpu.power_w", "NVIDIA T4"), Some(27.3));
    assert_eq!(value(&first, "gpu.mem_used_bytes", "NVIDIA T4"), Some(1_048_576.0));
    assert_eq!(value(&first, "gpu.mem_total_bytes", "NVIDIA T4"), None);
}

#[test]
fn two_polls_five_seconds_apart() {
    let mut deltas = Deltas::default();
    deltas.collect(&base(), T0);
    let second = deltas.collect(&later(), T0 + 5_000);
    assert_schema(&second);
    assert_eq!(value(&second, "cpu.usage_pct", ""), Some(50.0));
    let core =
        |n: &str| second.readings.iter().find(|r| r.name == "cpu.core_pct" && r.labels[0].1 == n).map(|r| r.value);
    assert_eq!((core("0"), core("3")), (Some(50.0), Some(25.0)));
    assert_eq!(value(&second, "net.rx_bps", "eth0"), Some(1_000.0));
    assert_eq!(value(&second, "net.tx_bps", "eth0"), Some(100.0));
    assert_eq!(value(&second, "net.rx_bps", "eth1"), Some(0.0));
    assert_eq!(value(&second, "disk.read_bps", "sda1"), Some(2_048.0));
    assert_eq!(value(&second, "disk.write_bps", "sda1"), Some(0.0));
    // Same order as the local collector: CPU first, then memory, ..., GPUs last.
    assert_eq!(second.readings.first().map(|r| r.name), Some("cpu.usage_pct"));
    assert_eq!(second.readings.last().map(|r| r.name), Some("gpu.power_w"));
}

#[test]
fn a_counter_that_goes_back_drops_only_its_rate() {
    let mut deltas = Deltas::default();
    deltas.collect(&base(), T0);
    let mut reset = later();
    reset.net[0].1 = [10, 2_500]; // eth0 re-created: rx restarted
    let second = deltas.collect(&reset, T0 + 5_000);
    assert_eq!(value(&second, "net.rx_bps", "eth0"), None);
    assert_eq!(value(&second, "net.rx_bytes", "eth0"), Some(10.0));
    assert_eq!(value(&second, "net.tx_bps", "eth0"), Some(100.0));
    assert_eq!(value(&second, "cpu.usage_pct", ""), Some(50.0));
    // The next poll measures from the restarted counter.
    let mut third = reset.clone();
    third.net[0].1 = [5_010, 2_500];
    third.uptime_s = Some(10_010.5);
    let third = deltas.collect(&third, T0 + 10_000);
    assert_eq!(value(&third, "net.rx_bps", "eth0"), Some(1_000.0));
}

#[test]
fn a_reboot_drops_every_rate_for_one_poll() {
    // Boot time moved; counters restarted but some already passed their old values.
    let mut deltas = Deltas::default();
    deltas.collect(&base(), T0);
    let mut rebooted = snap(1_200, 4_100, 30.0, &[("eth0", [9_000, 9_000])], &[("sda1", [99_999, 99_999])]);
    rebooted.boot_time = Some(1_700_000_100);
    let after = deltas.collect(&rebooted, T0 + 5_000);
    assert_schema(&after);
    assert!(!has_rates(&after), "{:?}", after.readings);
    assert_eq!(value(&after, "net.rx_bytes", "eth0"), Some(9_000.0), "counters are still emitted");
    assert_eq!(value(&after, "uptime_s", ""), Some(30.0));
    // And rates resume from the reboot's snapshot.
    let mut next = rebooted.clone();
    next.cpu = Some(CpuTimes { busy: 1_300, total: 4_500 });
    next.net[0].1 = [10_000, 9_000];
    next.uptime_s = Some(35.0);
    let next = deltas.collect(&next, T0 + 10_000);
    assert_eq!(value(&next, "net.rx_bps", "eth0"), Some(200.0));
    assert_eq!(value(&next, "cpu.usage_pct", ""), Some(25.0));
}

#[test]
fn uptime_going_down_is_a_reboot_even_without_boot_time() {
    let mut deltas = Deltas::default();
    let mut first = base();
    first.boot_time = None;
    deltas.collect(&first, T0);
    let mut second = later();
    second.boot_time = None;
    second.uptime_s = Some(12.0);
    assert!(!has_rates(&deltas.collect(&second, T0 + 5_000)));
}

#[test]
fn boot_time_wobble_is_not_a_reboot_but_no_evidence_is() {
    let mut deltas = Deltas::default();
    deltas.collect(&base(), T0);
    let mut wobble = later();
    wobble.boot_time = wobble.boot_time.map(|b| b + 1);
    assert_eq!(value(&deltas.collect(&wobble, T0 + 5_000), "cpu.usage_pct", ""), Some(50.0));

    let mut blind = Deltas::default();
    let strip = |mut s: Snapshot| {
        s.boot_time = None;
        s.uptime_s = None;
        s
    };
    blind.collect(&strip(base()), T0);
    assert!(!has_rates(&blind.collect(&strip(later()), T0 + 5_000)), "cannot tell a reboot apart");
}

#[test]
fn equal_or_earlier_timestamps_give_no_rates() {
    let mut deltas = Deltas::default();
    deltas.collect(&base(), T0);
    let same = deltas.collect(&later(), T0);
    assert!(!has_rates(&same));
    assert_eq!(value(&same, "net.rx_bytes", "eth0"), Some(6_000.0));
    let mut third = later();
    third.net[0].1 = [7_000, 2_500];
    assert!(!has_rates(&deltas.collect(&third, T0 - 1_000)), "clock went back");
}

#[test]
fn devices_that_vanish_start_over_when_they_return() {
    let mut deltas = Deltas::default();
    deltas.collect(&base(), T0);
    let mut gone = later();
    gone.net.retain(|(n, _)| n != "eth1");
    gone.disks.clear();
    let second = deltas.collect(&gone, T0 + 5_000);
    assert_eq!(value(&second, "net.rx_bytes", "eth1"), None);
    assert_eq!(value(&second, "disk.read_bytes", "sda1"), None);

    let mut back = later();
    back.uptime_s = Some(10_010.5);
    let third = deltas.collect(&back, T0 + 10_000);
    assert_eq!(value(&third, "net.rx_bytes", "eth1"), Some(0.0));
    assert_eq!(value(&third, "net.rx_bps", "eth1"), None, "no rate across the gap");
    assert_eq!(value(&third, "disk.read_bps", "sda1"), None);
    assert_eq!(value(&third, "net.rx_bps", "eth0"), Some(0.0));

    let mut fourth = back.clone();
    fourth.disks[0].1 = [10_752 + 5_000, 1_024];
    fourth.uptime_s = Some(10_015.5);
    let fourth = deltas.collect(&fourth, T0 + 15_000);
    assert_eq!(value(&fourth, "disk.read_bps", "sda1"), Some(1_000.0));
    assert_eq!(value(&fourth, "net.rx_bps", "eth1"), Some(0.0));
}

#[test]
fn cpu_percent_is_rounded_and_capped() {
    assert_eq!(busy_pct(CpuTimes { busy: 0, total: 0 }, CpuTimes { busy: 1, total: 3 }), Some(33.3));
    // iowait going backwards inflates busy beyond the elapsed ticks.
    assert_eq!(busy_pct(CpuTimes { busy: 0, total: 0 }, CpuTimes { busy: 9, total: 3 }), Some(100.0));
    assert_eq!(busy_pct(CpuTimes { busy: 5, total: 10 }, CpuTimes { busy: 5, total: 10 }), None, "no ticks");
    assert_eq!(busy_pct(CpuTimes { busy: 5, total: 10 }, CpuTimes { busy: 4, total: 20 }), None);
    assert_eq!(busy_pct(CpuTimes { busy: 5, total: 10 }, CpuTimes { busy: 6, total: 9 }), None);
}
