use std::collections::HashSet;
use std::time::Duration;

use super::io::{CounterSpec, DISK_IO, Mount, NET_IO, PrevCounters, dedupe_by_device, is_local_filesystem, rate};
use super::system::{sensor_rescan_due, unique_labels};
use super::*;

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap()
}

/// Tests run on machines with and without NVIDIA GPUs; without, GPU series must be absent.
fn nvml_present() -> bool {
    nvml_wrapper::Nvml::init().is_ok()
}

fn names(readings: &[Reading]) -> HashSet<&'static str> {
    readings.iter().map(|r| r.name).collect()
}

fn find<'a>(readings: &'a [Reading], name: &str, label: &str) -> Option<&'a Reading> {
    readings.iter().find(|r| r.name == name && r.labels.iter().any(|(_, v)| v == label))
}

/// Every reading is a declared metric with exactly its declared label keys, in order, a
/// finite value, and (for sizes, counters and rates) no negative value.
fn assert_schema(readings: &[Reading]) {
    for r in readings {
        let doc = MetricDoc::find(r.name).unwrap_or_else(|| panic!("{} is not in METRICS", r.name));
        let keys: Vec<&str> = r.labels.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, doc.labels, "label keys of {}", r.name);
        assert!(r.value.is_finite(), "{} = {}", r.name, r.value);
        if doc.unit != "°C" {
            assert!(r.value >= 0.0, "{} {:?} = {}", r.name, r.labels, r.value);
        }
        assert!(r.labels.iter().all(|(_, v)| !v.is_empty()), "empty label value in {r:?}");
    }
}

// ---- pure functions, with fixtures ----

#[test]
fn rate_is_bytes_per_second_over_the_caller_clock() {
    assert_eq!(rate(1_000, 3_000, 1_000), Some(2_000.0));
    assert_eq!(rate(0, 1_500, 500), Some(3_000.0));
    assert_eq!(rate(10, 10, 5_000), Some(0.0));
    // Rounded to whole bytes per second.
    assert_eq!(rate(0, 1, 3_000), Some(0.0));
    assert_eq!(rate(0, 2, 3_000), Some(1.0));
    // Large counters near u64::MAX do not overflow.
    assert_eq!(rate(u64::MAX - 1_000, u64::MAX, 1_000), Some(1_000.0));
}

#[test]
fn rate_refuses_resets_and_broken_clocks() {
    assert_eq!(rate(5_000, 100, 1_000), None, "counter went backwards");
    assert_eq!(rate(u64::MAX, 0, 1_000), None, "wrapped counter");
    assert_eq!(rate(100, 200, 0), None, "no time passed");
    assert_eq!(rate(100, 200, -1_000), None, "clock went backwards");
}

fn emit(prev: &mut PrevCounters, spec: &CounterSpec, now: i64, current: &[(&str, [u64; 2])]) -> Vec<Reading> {
    let mut out = Vec::new();
    let current = current.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    prev.emit(spec, now, current, &mut out);
    assert_schema(&out);
    out
}

#[test]
fn first_cycle_has_counters_only_then_rates_follow() {
    let mut prev = PrevCounters::default();
    let first = emit(&mut prev, &NET_IO, 10_000, &[("eth0", [1_000, 500])]);
    assert_eq!(names(&first), HashSet::from(["net.rx_bytes", "net.tx_bytes"]));
    assert_eq!(find(&first, "net.rx_bytes", "eth0").map(|r| r.value), Some(1_000.0));

    let second = emit(&mut prev, &NET_IO, 12_000, &[("eth0", [5_000, 500])]);
    assert_eq!(find(&second, "net.rx_bps", "eth0").map(|r| r.value), Some(2_000.0));
    assert_eq!(find(&second, "net.tx_bps", "eth0").map(|r| r.value), Some(0.0));
    assert_eq!(second.len(), 4);
}

#[test]
fn counter_reset_skips_only_that_rate_for_one_cycle() {
    let mut prev = PrevCounters::default();
    emit(&mut prev, &DISK_IO, 0, &[("sda", [9_000, 9_000]), ("sdb", [0, 0])]);
    let reset = emit(&mut prev, &DISK_IO, 1_000, &[("sda", [100, 10_000]), ("sdb", [1_000, 0])]);
    assert!(find(&reset, "disk.read_bps", "sda").is_none(), "read counter went backwards");
    assert_eq!(find(&reset, "disk.write_bps", "sda").map(|r| r.value), Some(1_000.0));
    assert_eq!(find(&reset, "disk.read_bps", "sdb").map(|r| r.value), Some(1_000.0));
    assert_eq!(find(&reset, "disk.read_bytes", "sda").map(|r| r.value), Some(100.0), "counter still reported");
    // The cycle after the reset rates from the new baseline again.
    let after = emit(&mut prev, &DISK_IO, 2_000, &[("sda", [600, 10_000]), ("sdb", [1_000, 0])]);
    assert_eq!(find(&after, "disk.read_bps", "sda").map(|r| r.value), Some(500.0));
}

#[test]
fn vanished_keys_and_backward_clocks_give_no_rates() {
    let mut prev = PrevCounters::default();
    emit(&mut prev, &NET_IO, 0, &[("wg0", [10, 10]), ("eth0", [10, 10])]);
    // wg0 goes away for a cycle and comes back: it is a new interface, so no rate.
    emit(&mut prev, &NET_IO, 1_000, &[("eth0", [20, 20])]);
    let back = emit(&mut prev, &NET_IO, 2_000, &[("wg0", [50, 50]), ("eth0", [30, 30])]);
    assert!(find(&back, "net.rx_bps", "wg0").is_none());
    assert!(find(&back, "net.rx_bytes", "wg0").is_some());
    assert_eq!(find(&back, "net.rx_bps", "eth0").map(|r| r.value), Some(10.0));
    // A caller clock that steps back yields counters without rates, never a negative rate.
    let skew = emit(&mut prev, &NET_IO, 1_500, &[("eth0", [40, 40])]);
    assert!(skew.iter().all(|r| !r.name.ends_with("_bps")));
    let same = emit(&mut prev, &NET_IO, 1_500, &[("eth0", [50, 50])]);
    assert!(same.iter().all(|r| !r.name.ends_with("_bps")));
}

#[test]
fn only_local_filesystems_are_reported() {
    for (fstype, mount) in [("ext4", "/"), ("xfs", "/srv"), ("btrfs", "/home"), ("zfs", "/tank"), ("vfat", "/boot/efi")]
    {
        assert!(is_local_filesystem(fstype, mount), "{fstype} on {mount}");
    }
    assert!(is_local_filesystem("fuseblk", "/mnt/windows"));
    assert!(is_local_filesystem("ext4", "/run/media/alice/usb"));
    for (fstype, mount) in [
        ("tmpfs", "/tmp"),
        ("devtmpfs", "/dev"),
        ("overlay", "/"),
        ("squashfs", "/snap/core/1"),
        ("proc", "/proc"),
        ("sysfs", "/sys"),
        ("nsfs", "/run/docker/netns/abc"),
        ("cgroup2", "/sys/fs/cgroup"),
        ("fuse.lxcfs", "/var/lib/lxcfs"),
        ("fuse.sshfs", "/mnt/remote"),
        ("nfs4", "/mnt/nas"),
        ("ext4", "/run/something"),
        ("ext4", "/dev/shm"),
    ] {
        assert!(!is_local_filesystem(fstype, mount), "{fstype} on {mount}");
    }
    // A prefix is a path prefix, not a string prefix.
    assert!(is_local_filesystem("ext4", "/devdata"));
    assert!(is_local_filesystem("ext4", "/srv/proc"));
}

fn mount(mount: &str, device: &str) -> Mount {
    Mount {
        mount: mount.to_owned(),
        device: device.to_owned(),
        fstype: "ext4".to_owned(),
        total: 100,
        available: 40,
        used: 55,
        read: 1,
        written: 2,
    }
}

#[test]
fn same_device_mounted_twice_keeps_the_shortest_path() {
    let kept = dedupe_by_device(vec![
        mount("/etc/hosts", "vda"),
        mount("/var/lib/docker", "sdb1"),
        mount("/", "vda"),
        mount("/etc/resolv.conf", "vda"),
        mount("/data", "sdb1"),
        mount("/boot", "vdb"),
    ]);
    let got: Vec<(&str, &str)> = kept.iter().map(|m| (m.mount.as_str(), m.device.as_str())).collect();
    assert_eq!(got, vec![("/", "vda"), ("/boot", "vdb"), ("/data", "sdb1")]);
    // Equal lengths tie-break by name, so the choice does not depend on mount order.
    let a = dedupe_by_device(vec![mount("/b", "x"), mount("/a", "x")]);
    let b = dedupe_by_device(vec![mount("/a", "x"), mount("/b", "x")]);
    assert_eq!(a, b);
    assert_eq!(a[0].mount, "/a");
}

#[test]
fn ignore_lists_match_exactly_or_by_star_prefix() {
    let list = vec!["/mnt/backup".to_owned(), "veth*".to_owned(), "docker0".to_owned()];
    assert!(ignored(&list, "/mnt/backup"));
    assert!(!ignored(&list, "/mnt/backup2"));
    assert!(ignored(&list, "veth1a2b3c"));
    assert!(ignored(&list, "docker0"));
    assert!(!ignored(&list, "docker1"));
    assert!(!ignored(&[], "eth0"));
}

#[test]
fn repeated_sensor_labels_get_numbered() {
    let labels = unique_labels(
        ["coretemp Core 0", "nvme Composite", "coretemp Core 0", "nvme Composite", "coretemp Core 0"].into_iter(),
    );
    assert_eq!(
        labels,
        vec!["coretemp Core 0", "nvme Composite", "coretemp Core 0 #2", "nvme Composite #2", "coretemp Core 0 #3"]
    );
}

#[test]
fn sensors_are_rescanned_on_start_periodically_and_after_clock_steps() {
    assert!(sensor_rescan_due(None, 0));
    assert!(!sensor_rescan_due(Some(1_000), 2_000));
    assert!(sensor_rescan_due(Some(1_000), 1_000 + 5 * 60 * 1000));
    assert!(sensor_rescan_due(Some(10_000), 5_000));
}

#[test]
fn os_release_pretty_name_is_unquoted() {
    let debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n";
    assert_eq!(facts::os_release_value(debian, "PRETTY_NAME").as_deref(), Some("Debian GNU/Linux 12 (bookworm)"));
    assert_eq!(facts::os_release_value(debian, "VERSION_ID").as_deref(), Some("12"));
    assert_eq!(
        facts::os_release_value("PRETTY_NAME='Alpine Linux v3.19'", "PRETTY_NAME").as_deref(),
        Some("Alpine Linux v3.19")
    );
    assert_eq!(facts::os_release_value("PRETTY_NAME=Arch Linux", "PRETTY_NAME").as_deref(), Some("Arch Linux"));
    assert_eq!(facts::os_release_value("PRETTY_NAME=\"say \\\"hi\\\"\"", "PRETTY_NAME").as_deref(), Some("say \"hi\""));
    // A longer key with the same prefix is not a match; an empty value is no value.
    assert_eq!(facts::os_release_value("PRETTY_NAME_X=nope\n", "PRETTY_NAME"), None);
    assert_eq!(facts::os_release_value("PRETTY_NAME=\"\"\n", "PRETTY_NAME"), None);
}

#[test]
fn rounding_keeps_the_declared_precision() {
    assert_eq!(round_to(12.345_678, 1), 12.3);
    assert_eq!(round_to(0.456, 2), 0.46);
    assert_eq!(round_to(1234.5, 0), 1235.0);
    let mut out = Vec::new();
    push(&mut out, "load.1", Vec::new(), f64::NAN);
    push(&mut out, "load.1", Vec::new(), f64::INFINITY);
    assert!(out.is_empty(), "non-finite values are skipped");
}

// ---- the schema table ----

#[test]
fn schema_is_consistent() {
    let mut seen = HashSet::new();
    for m in METRICS {
        assert!(seen.insert(m.name), "duplicate metric {}", m.name);
        assert!(!m.help.is_empty(), "{} has no help", m.name);
        assert_eq!(m.name.ends_with("_bps"), m.kind == Kind::Rate, "{}: rates and only rates end in _bps", m.name);
        if m.kind == Kind::Counter {
            assert_eq!(m.unit, "bytes", "{}", m.name);
        }
    }
}

#[test]
fn every_metric_is_documented() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/metrics.md");
    let doc = std::fs::read_to_string(path).unwrap();
    for m in METRICS {
        assert!(doc.contains(&format!("`{}`", m.name)), "docs/metrics.md does not mention `{}`", m.name);
    }
    assert!(doc.contains("## Storage, rules and limits"));
}

// ---- the real machine ----

#[test]
fn collects_this_host() {
    let mut collector = Collector::new(CollectorOptions { gpu: true, ..CollectorOptions::default() });
    let t0 = now_ms();
    let first = collector.collect(t0);
    std::thread::sleep(Duration::from_millis(100));
    let t1 = now_ms();
    let second = collector.collect(t1);
    assert_eq!((first.ts_ms, second.ts_ms), (t0, t1));

    for c in [&first, &second] {
        assert_schema(&c.readings);
        let got = names(&c.readings);
        for required in ["cpu.usage_pct", "cpu.core_pct", "load.1", "load.5", "load.15", "mem.used_bytes"] {
            assert!(got.contains(required), "missing {required}");
        }
        for required in ["mem.available_bytes", "mem.total_bytes", "swap.total_bytes", "uptime_s"] {
            assert!(got.contains(required), "missing {required}");
        }
        assert!(got.contains("disk.used_bytes") && got.contains("disk.total_bytes"), "no filesystem found");
        if !nvml_present() {
            assert!(!got.iter().any(|n| n.starts_with("gpu.")), "gpu readings on a host without nvml");
        }
        assert!(find(&c.readings, "net.rx_bytes", "lo").is_none(), "loopback is reported");
        let pcts = c.readings.iter().filter(|r| r.name.ends_with("_pct"));
        assert!(pcts.clone().all(|r| r.value <= 100.0), "percentage above 100");
        let mem = |name| c.readings.iter().find(|r| r.name == name).map(|r| r.value).unwrap();
        assert!(mem("mem.total_bytes") > 0.0 && mem("mem.used_bytes") <= mem("mem.total_bytes"));
    }
    assert!(first.readings.iter().all(|r| !r.name.ends_with("_bps")), "first collect emitted rates");
    // Every interface and device counted in both cycles has its rates in the second.
    for r in second.readings.iter().filter(|r| r.name == "net.rx_bytes" || r.name == "disk.read_bytes") {
        let rate_name = if r.name == "net.rx_bytes" { "net.rx_bps" } else { "disk.read_bps" };
        let was_there = first.readings.iter().any(|f| f.name == r.name && f.labels == r.labels);
        let has_rate = second.readings.iter().any(|s| s.name == rate_name && s.labels == r.labels);
        assert_eq!(was_there, has_rate, "{r:?}");
    }
    let cores = second.readings.iter().filter(|r| r.name == "cpu.core_pct").count();
    assert_eq!(u32::try_from(cores).unwrap(), collector.facts().cpu_cores);
}

#[test]
fn ignored_mounts_and_interfaces_are_left_out() {
    let mut plain = Collector::new(CollectorOptions::default());
    let all = plain.collect(now_ms()).readings;
    let mounts: Vec<String> =
        all.iter().filter(|r| r.name == "disk.total_bytes").map(|r| r.labels[0].1.clone()).collect();
    let ifaces: Vec<String> = all.iter().filter(|r| r.name == "net.rx_bytes").map(|r| r.labels[0].1.clone()).collect();

    let mut filtered = Collector::new(CollectorOptions {
        ignore_mounts: mounts.clone(),
        ignore_ifaces: vec!["*".to_owned()],
        gpu: false,
    });
    let left = filtered.collect(now_ms()).readings;
    assert!(!mounts.is_empty());
    assert!(left.iter().all(|r| !r.name.starts_with("disk.") && !r.name.starts_with("net.")), "{ifaces:?}");
}

#[test]
fn facts_describe_this_host() {
    let mut collector = Collector::new(CollectorOptions { gpu: true, ..CollectorOptions::default() });
    let facts = collector.facts();
    assert!(!facts.hostname.is_empty());
    assert!(!facts.kernel.is_empty());
    assert!(!facts.arch.is_empty());
    assert!(!facts.os.is_empty());
    assert!(facts.memory_bytes > 0);
    assert!(facts.cpu_cores > 0);
    assert!(facts.cpu_physical_cores.is_none_or(|p| p > 0 && p <= facts.cpu_cores));
    assert!(facts.boot_time > 1_000_000_000 && facts.boot_time <= now_ms() / 1000);
    if nvml_present() {
        let gpu_series = collector.collect(now_ms()).readings.into_iter().filter(|r| r.name == "gpu.mem_total_bytes");
        assert_eq!(gpu_series.count(), facts.gpus.len());
    } else {
        assert!(facts.gpus.is_empty());
    }
    // Stable between calls, so "send only when changed" does not resend every cycle.
    assert_eq!(collector.facts(), facts);
    let json = serde_json::to_string(&facts).unwrap();
    assert_eq!(serde_json::from_str::<Facts>(&json).unwrap(), facts);
    // Facts from an older agent with fewer fields still parse.
    let old: Facts = serde_json::from_str(r#"{"hostname":"h","kernel":"6.1"}"#).unwrap();
    assert_eq!(old.hostname, "h");
}

#[test]
fn collector_can_move_to_a_worker_thread() {
    fn is_send<T: Send>() {}
    is_send::<Collector>();
}

#[test]
fn net_dev_gives_bytes_of_every_interface_but_loopback() {
    let text = "Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 9999 10 0 0 0 0 0 0 9999 10 0 0 0 0 0 0
  eth0: 123456 100 0 0 0 0 0 0 654321 90 0 0 0 0 0 0
veth12ab: 5 1 0 0 0 0 0 0 6 1 0 0 0 0 0 0
 wlan0:1 2 3
garbage line
";
    let got = super::io::parse_net_dev(text, &["veth*".to_string()]);
    assert_eq!(got, vec![("eth0".to_string(), [123_456, 654_321])]);
    let all = super::io::parse_net_dev(text, &[]);
    assert_eq!(all.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), ["eth0", "veth12ab"]);
}
