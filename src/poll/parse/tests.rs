//! Fixture tests: real captures of the script on this machine's OS, and outputs modeled on
//! the documented formats of other distributions (each fixture's first line says which).

use super::*;
use crate::collect::Reading;
use crate::poll::rates::Deltas;
use crate::poll::script::marker;

pub(super) const NONCE: &str = "0123456789abcdef";
const KIB: u64 = 1024;
const SECTOR: u64 = 512;
const MIB: u64 = 1024 * 1024;

/// Every fixture, by file name.
pub(super) const FIXTURES: &[(&str, &str)] = &[
    ("debian12.txt", include_str!("fixtures/debian12.txt")),
    ("debian12-busybox.txt", include_str!("fixtures/debian12-busybox.txt")),
    ("centos7.txt", include_str!("fixtures/centos7.txt")),
    ("centos5-kernel2.6.18.txt", include_str!("fixtures/centos5-kernel2.6.18.txt")),
    ("alpine319-busybox.txt", include_str!("fixtures/alpine319-busybox.txt")),
    ("rpi4-ubuntu2204-arm64.txt", include_str!("fixtures/rpi4-ubuntu2204-arm64.txt")),
    ("ubuntu2204-nvidia.txt", include_str!("fixtures/ubuntu2204-nvidia.txt")),
];

fn fixture(name: &str) -> Snapshot {
    let (_, text) = FIXTURES.iter().find(|(n, _)| *n == name).unwrap();
    parse(text.as_bytes(), NONCE).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The readings of a first poll: gauges and counters, no rates.
pub(super) fn readings(snap: &Snapshot) -> Vec<Reading> {
    Deltas::default().collect(snap, 1_000).readings
}

fn value(readings: &[Reading], name: &str, labels: &[&str]) -> Option<f64> {
    readings
        .iter()
        .find(|r| r.name == name && r.labels.iter().map(|(_, v)| v.as_str()).eq(labels.iter().copied()))
        .map(|r| r.value)
}

fn mounts(snap: &Snapshot) -> Vec<(&str, &str, &str)> {
    snap.filesystems.iter().map(|f| (f.mount.as_str(), f.device.as_str(), f.fstype.as_str())).collect()
}

fn names<T>(list: &[(String, T)]) -> Vec<&str> {
    list.iter().map(|(n, _)| n.as_str()).collect()
}

/// Wraps sections in markers, with the end marker when `complete`.
pub(super) fn output(sections: &[(&str, &str)], complete: bool) -> String {
    let mut out = String::new();
    for (name, body) in sections {
        out.push_str(&marker(NONCE, name));
        out.push('\n');
        out.push_str(body);
    }
    if complete {
        out.push_str(&marker(NONCE, "end"));
        out.push('\n');
    }
    out
}

const STAT: &str = "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 100 0 50 800 50 0 0 0 0 0\nbtime 1700000000\n";
const MEMINFO: &str = "MemTotal: 1000 kB\nMemAvailable: 400 kB\nSwapTotal: 10 kB\nSwapFree: 4 kB\n";

// ---- real captures ----

#[test]
fn debian12_real_capture() {
    let snap = fixture("debian12.txt");
    assert_eq!(snap.cpu, Some(CpuTimes { busy: 3_516_480, total: 6_858_040 }));
    assert_eq!(snap.cores.len(), 2);
    assert_eq!(snap.cores[0], (0, CpuTimes { busy: 1_669_872, total: 3_430_135 }));
    assert_eq!(snap.boot_time, Some(1_795_478_738));
    let mem = snap.memory.unwrap();
    assert_eq!((mem.total, mem.available, mem.swap_total), (24_684_096 * KIB, 21_727_448 * KIB, 0));
    assert_eq!(snap.load, Some([5.42, 4.81, 3.73]));
    assert_eq!(snap.uptime_s, Some(34_370.41));
    assert_eq!(
        snap.net,
        vec![("eth0".into(), [338_911_770, 947_658]), ("ifb0".into(), [0, 0]), ("ifb1".into(), [0, 0])]
    );
    assert_eq!(mounts(&snap), [("/", "vda", "ext4")]);
    let root = &snap.filesystems[0];
    assert_eq!((root.total, root.used, root.available), (270_553_174_016, 63_889_281_024, 33_683_468_288));
    assert_eq!(snap.disks, vec![("vda".into(), [173_347_338 * SECTOR, 368_331_368 * SECTOR])]);
    assert!(snap.gpus.is_empty());
    let f = &snap.facts;
    assert_eq!((f.hostname.as_str(), f.kernel.as_str(), f.arch.as_str()), ("vm", "6.18.44-fc-v595", "x86_64"));
    assert_eq!((f.os.as_str(), f.os_version.as_str()), ("Debian GNU/Linux 12 (bookworm)", "12"));
    assert_eq!((f.cpu_model.as_str(), f.cpu_cores), ("AMD EPYC", 2));
    assert_eq!((f.memory_bytes, f.swap_bytes, f.boot_time), (24_684_096 * KIB, 0, 1_795_478_738));
}

#[test]
fn debian12_busybox_real_capture_uses_the_df_fallback() {
    let snap = fixture("debian12-busybox.txt");
    assert_eq!(snap.cpu, Some(CpuTimes { busy: 3_517_339, total: 6_858_953 }));
    // busybox df printed /dev/shm twice and has no -l: only the local disk is left.
    assert_eq!(mounts(&snap), [("/", "vda", "ext4")]);
    let root = &snap.filesystems[0];
    assert_eq!((root.total, root.used, root.available), (270_553_174_016, 64_101_474_304, 33_471_275_008));
    assert_eq!(names(&snap.disks), ["vda"]);
    assert_eq!((snap.facts.hostname.as_str(), snap.facts.arch.as_str()), ("vm", "x86_64"));
}

// ---- modeled on documented formats ----

#[test]
fn centos7_lvm_disks_find_their_device_mapper_counters() {
    let snap = fixture("centos7.txt");
    assert_eq!(snap.cpu, Some(CpuTimes { busy: 1_714_149, total: 96_768_369 }));
    assert_eq!(snap.cores.len(), 4);
    let mem = snap.memory.unwrap();
    assert_eq!((mem.available, mem.swap_total, mem.swap_free), (5_402_112 * KIB, 4_063_228 * KIB, 4_001_020 * KIB));
    assert_eq!(snap.net[0], ("eth0".into(), [98_234_567_123, 12_345_678_901]));
    assert_eq!(names(&snap.net), ["eth0", "virbr0", "virbr0-nic"]);
    assert_eq!(
        mounts(&snap),
        [("/", "mapper/centos-root", "xfs"), ("/boot", "sda1", "xfs"), ("/home", "mapper/centos-home", "xfs")]
    );
    assert_eq!(
        snap.disks,
        vec![
            ("mapper/centos-root".into(), [22_123_456 * SECTOR, 80_123_456 * SECTOR]),
            ("sda1".into(), [123_456 * SECTOR, 8_765 * SECTOR]),
            ("mapper/centos-home".into(), [1_098_765 * SECTOR, 6_543_210 * SECTOR]),
        ]
    );
    let r = readings(&snap);
    assert_eq!(value(&r, "swap.used_bytes", &[]), Some(((4_063_228 - 4_001_020) * KIB) as f64));
    assert_eq!(value(&r, "uptime_s", &[]), Some(1_234_567.0));
    assert_eq!(value(&r, "disk.used_bytes", &["/", "mapper/centos-root", "xfs"]), Some(9_876_545_536.0));
    let f = &snap.facts;
    assert_eq!(
        (f.hostname.as_str(), f.kernel.as_str(), f.arch.as_str()),
        ("c7-db01", "3.10.0-1160.el7.x86_64", "x86_64")
    );
    assert_eq!((f.os.as_str(), f.os_version.as_str()), ("CentOS Linux 7 (Core)", "7"));
    assert_eq!(f.cpu_model, "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz");
    assert_eq!(f.boot_time, 1_717_400_000);
}

#[test]
fn old_kernel_without_mem_available_guest_or_dm_names() {
    let snap = fixture("centos5-kernel2.6.18.txt");
    // 8 columns: no guest time, steal is the last.
    assert_eq!(snap.cpu, Some(CpuTimes { busy: 5_162, total: 22_637_014 }));
    assert_eq!(snap.cores[1], (1, CpuTimes { busy: 1_990, total: 11_318_449 }));
    let mem = snap.memory.unwrap();
    assert_eq!(mem.total, 2_055_036 * KIB);
    assert_eq!(mem.available, (109_044 + 208_912 + 1_311_200) * KIB, "free + buffers + cached");
    // Counters glued to the colon on old kernels.
    assert_eq!(snap.net, vec![("eth0".into(), [3_456_789_012, 987_654_321]), ("sit0".into(), [0, 0])]);
    assert_eq!(mounts(&snap), [("/", "mapper/VolGroup00-LogVol00", "ext3"), ("/boot", "sda1", "ext3")]);
    // The 7-field partition line gives /boot its counters; without dm names (2.6.29+) the
    // LVM root has none rather than a guess.
    assert_eq!(snap.disks, vec![("sda1".into(), [824 * SECTOR, 112 * SECTOR])]);
    let f = &snap.facts;
    assert_eq!((f.os.as_str(), f.os_version.as_str()), ("Linux", ""), "no os-release: the kernel's name");
    assert_eq!((f.kernel.as_str(), f.hostname.as_str()), ("2.6.18-419.el5", "legacy5"));
    assert_eq!(f.cpu_model, "Intel(R) Xeon(R) CPU           E5420  @ 2.50GHz");
}

#[test]
fn alpine_busybox_df_without_types_scaled_from_kib() {
    let snap = fixture("alpine319-busybox.txt");
    assert_eq!(snap.cpu, Some(CpuTimes { busy: 129_997, total: 9_256_465 }));
    // CRLF line ends are tolerated.
    assert_eq!(snap.memory.map(|m| m.total), Some(1_004_504 * KIB));
    assert_eq!(snap.uptime_s, Some(91_234.56));
    // The bind mount of /dev/sda3 folds into /, NFS and tmpfs are left out, and the mount
    // point with a space keeps it.
    assert_eq!(
        mounts(&snap),
        [("/", "sda3", "unknown"), ("/boot", "sda1", "unknown"), ("/mnt/usb disk", "sdb1", "unknown")]
    );
    let root = &snap.filesystems[0];
    assert_eq!((root.total, root.used, root.available), (7_186_884 * KIB, 1_420_120 * KIB, 5_394_512 * KIB));
    assert_eq!(
        snap.disks,
        vec![
            ("sda3".into(), [1_856_766 * SECTOR, 3_456_765 * SECTOR]),
            ("sda1".into(), [12_345 * SECTOR, 24 * SECTOR]),
            ("sdb1".into(), [97_600 * SECTOR, 80 * SECTOR]),
        ]
    );
    assert_eq!(names(&snap.net), ["docker0", "eth0"]);
    let f = &snap.facts;
    assert_eq!((f.os.as_str(), f.os_version.as_str()), ("Alpine Linux v3.19", "3.19.1"));
    assert_eq!((f.hostname.as_str(), f.kernel.as_str(), f.arch.as_str()), ("alpine319", "6.6.14-0-virt", "x86_64"));
}

#[test]
fn raspberry_pi_arm64_with_sd_card() {
    let snap = fixture("rpi4-ubuntu2204-arm64.txt");
    assert_eq!(snap.cpu, Some(CpuTimes { busy: 720_491, total: 40_856_292 }));
    assert_eq!(snap.cores.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert_eq!(mounts(&snap), [("/", "mmcblk0p2", "ext4"), ("/boot/firmware", "mmcblk0p1", "vfat")]);
    assert_eq!(
        snap.disks,
        vec![
            ("mmcblk0p2".into(), [9_838_456 * SECTOR, 23_456_787 * SECTOR]),
            ("mmcblk0p1".into(), [34_567 * SECTOR, 2 * SECTOR]),
        ]
    );
    assert_eq!(names(&snap.net), ["eth0", "wlan0"]);
    let f = &snap.facts;
    assert_eq!((f.arch.as_str(), f.cpu_model.as_str(), f.cpu_cores), ("aarch64", "BCM2835", 4));
    assert_eq!((f.os.as_str(), f.os_version.as_str()), ("Ubuntu 22.04.3 LTS", "22.04"));
    assert_eq!(f.kernel, "5.15.0-1034-raspi");
    assert_eq!((f.memory_bytes, f.swap_bytes), (3_880_192 * KIB, 1_048_572 * KIB));
}

#[test]
fn nvidia_gpus_with_a_missing_power_reading() {
    let snap = fixture("ubuntu2204-nvidia.txt");
    // Guest time (36536 ticks) is inside user time already: not counted twice.
    assert_eq!(snap.cpu, Some(CpuTimes { busy: 666_576, total: 10_286_640 }));
    assert_eq!(snap.cores.len(), 8);
    assert_eq!(snap.gpus.len(), 2);
    let r = readings(&snap);
    let a6000 = ["0", "NVIDIA RTX A6000"];
    assert_eq!(value(&r, "gpu.util_pct", &a6000), Some(87.0));
    assert_eq!(value(&r, "gpu.mem_used_bytes", &a6000), Some((31_234 * MIB) as f64));
    assert_eq!(value(&r, "gpu.mem_total_bytes", &a6000), Some((49_140 * MIB) as f64));
    assert_eq!(value(&r, "gpu.temp_c", &a6000), Some(71.0));
    assert_eq!(value(&r, "gpu.power_w", &a6000), Some(243.6));
    let gt1030 = ["1", "NVIDIA GeForce GT 1030"];
    assert_eq!(value(&r, "gpu.util_pct", &gt1030), Some(0.0));
    assert_eq!(value(&r, "gpu.power_w", &gt1030), None, "[N/A] is no reading");
    let gpus: Vec<_> = snap.facts.gpus.iter().map(|g| (g.index, g.name.as_str(), g.memory_bytes)).collect();
    assert_eq!(gpus, [(0, "NVIDIA RTX A6000", 49_140 * MIB), (1, "NVIDIA GeForce GT 1030", 2_048 * MIB)]);
    assert_eq!(
        mounts(&snap),
        [
            ("/", "nvme0n1p2", "ext4"),
            ("/boot/efi", "nvme0n1p1", "vfat"),
            ("/media/ml user/Data Sets", "nvme1n1", "xfs")
        ]
    );
    assert_eq!(names(&snap.disks), ["nvme0n1p2", "nvme0n1p1", "nvme1n1"]);
    assert_eq!(names(&snap.net), ["docker0", "enp65s0f0", "veth1a2b3c4"]);
    assert_eq!(snap.net[1].1, [87_654_321_098_765, 12_345_678_901_234]);
    assert_eq!(value(&r, "load.1", &[]), Some(12.31));
    assert_eq!(snap.facts.cpu_model, "AMD Ryzen Threadripper PRO 5955WX 16-Cores");
}

#[test]
fn every_fixture_gives_schema_readings() {
    for (name, text) in FIXTURES {
        assert!(text.starts_with("# "), "{name} must say what it is on its first line");
        let snap = parse(text.as_bytes(), NONCE).unwrap_or_else(|e| panic!("{name}: {e}"));
        super::fuzz::assert_sane(&readings(&snap));
        assert!(snap.memory.is_some() && snap.load.is_some() && snap.uptime_s.is_some(), "{name}");
        assert!(!snap.filesystems.is_empty() && !snap.net.is_empty(), "{name}");
        assert!(!snap.facts.hostname.is_empty() && !snap.facts.arch.is_empty(), "{name}");
    }
}

// ---- errors and hostile output ----

#[test]
fn no_marker_quotes_what_came_back() {
    let err = parse(b"This account is currently not available.\n", NONCE).unwrap_err();
    assert_eq!(err, OutputError::NoSections(": \"This account is currently not available.\"".into()));
    assert_eq!(err.to_string(), "the poll script printed no sections: \"This account is currently not available.\"");
    assert_eq!(parse(b"", NONCE), Err(OutputError::NoSections(" (no output)".into())));
    let OutputError::NoSections(long) = parse(&[b'x'; 5000], NONCE).unwrap_err() else { panic!() };
    assert!(long.len() < 130 && long.ends_with("...\""), "{long}");
    let OutputError::NoSections(binary) = parse(b"\x1b[31mred\x00\x07 \"quoted\"\n", NONCE).unwrap_err() else {
        panic!()
    };
    assert_eq!(binary, ": \"[31mred quoted\"");
}

#[test]
fn markers_of_another_nonce_do_not_count() {
    let forged = output(&[("stat", STAT), ("meminfo", MEMINFO)], true).replace(NONCE, "ffffffffffffffff");
    assert!(matches!(parse(forged.as_bytes(), NONCE), Err(OutputError::NoSections(_))));
    // Inside a real section, a forged marker is just a line.
    let body = format!("{}\n{MEMINFO}", marker("ffffffffffffffff", "meminfo"));
    let text = output(&[("stat", STAT), ("os-release", &body)], true);
    let snap = parse(text.as_bytes(), NONCE).unwrap();
    assert_eq!(snap.memory, None);
}

#[test]
fn no_proc_is_a_missing_command() {
    let text = output(&[("stat", ""), ("meminfo", ""), ("loadavg", "")], true);
    let err = parse(text.as_bytes(), NONCE).unwrap_err();
    assert!(matches!(err, OutputError::CommandMissing(_)));
    assert!(err.to_string().contains("/proc/stat empty") && err.to_string().contains("/proc/meminfo empty"), "{err}");
}

#[test]
fn output_cut_before_the_core_sections_is_truncated() {
    let text = output(&[("stat", STAT), ("meminfo", MEMINFO)], false);
    // meminfo is the last, possibly cut, section: dropped, but stat survives.
    let snap = parse(text.as_bytes(), NONCE).unwrap();
    assert!(snap.cpu.is_some() && snap.memory.is_none());
    let text = output(&[("stat", STAT)], false);
    assert!(matches!(parse(text.as_bytes(), NONCE), Err(OutputError::Truncated(_))));
}

#[test]
fn a_cut_number_is_never_read() {
    let text = output(&[("stat", STAT), ("meminfo", MEMINFO), ("loadavg", "1.25 1.50 1.75 1/2 3\n")], true);
    let cut = text.find("1.75").unwrap() + 2; // "1.7"
    let snap = parse(&text.as_bytes()[..cut], NONCE).unwrap();
    assert_eq!(snap.load, None);
    assert_eq!(snap.memory.map(|m| m.total), Some(1000 * KIB));
}

#[test]
fn duplicated_sections_keep_the_first_and_garbage_after_end_is_ignored() {
    let mut text =
        output(&[("stat", STAT), ("meminfo", MEMINFO), ("meminfo", "MemTotal: 1 kB\nMemFree: 1 kB\n")], true);
    text.push_str("garbage\nMemTotal: 7 kB\n");
    let snap = parse(text.as_bytes(), NONCE).unwrap();
    assert_eq!(snap.memory.map(|m| m.total), Some(1000 * KIB));
}

#[test]
fn huge_binary_and_invalid_lines_are_skipped() {
    let huge = format!("cpu  {}\n", "9".repeat(5000));
    let stat = format!("{huge}cpu0 1 2 3 4\ncpu1 \u{0}1 2 3 4\nbtime -5\n");
    let netdev = "  eth0: 1 2 3 4 5 6 7 8 9 10\n e\u{7}th1: 1 2 3 4 5 6 7 8 9 10\n  eth2: -1 2 3 4 5 6 7 8 9 10\n";
    let loadavg = "nan inf -1 1/1 1\n";
    let mut text =
        output(&[("stat", &stat), ("meminfo", MEMINFO), ("loadavg", loadavg), ("netdev", netdev)], true).into_bytes();
    text.splice(0..0, b"\xff\xfe\x00 banner\n".iter().copied());
    let snap = parse(&text, NONCE).unwrap();
    assert_eq!(snap.cpu, None);
    assert_eq!(snap.cores, vec![(0, CpuTimes { busy: 6, total: 10 })]);
    assert_eq!(snap.boot_time, None);
    assert_eq!(snap.load, None);
    assert_eq!(names(&snap.net), ["eth0"]);
}

#[test]
fn meminfo_overflow_and_odd_units_are_absent() {
    let text = output(&[("meminfo", "MemTotal: 18446744073709551615 kB\nMemAvailable: 1 kB\n")], true);
    assert!(matches!(parse(text.as_bytes(), NONCE), Err(OutputError::CommandMissing(_))));
    let text = output(&[("meminfo", "MemTotal: 100 MB\nMemAvailable: 1 kB\n")], true);
    assert!(parse(text.as_bytes(), NONCE).is_err());
}

#[test]
fn series_counts_are_capped() {
    let mut stat = String::from("cpu 1 1 1 1\n");
    let mut netdev = String::new();
    for i in 0..2_000 {
        stat.push_str(&format!("cpu{i} 1 1 1 1\n"));
        netdev.push_str(&format!("  if{i}: 1 0 0 0 0 0 0 0 1 0\n"));
    }
    let mut df = String::from("Filesystem Type 1-blocks Used Available Capacity Mounted on\n");
    let mut nvidia = String::new();
    for i in 0..500 {
        df.push_str(&format!("/dev/d{i} ext4 100 1 99 1% /m{i}\n"));
        nvidia.push_str(&format!("{i}, GPU, 1, 1, 1, 1, 1\n"));
    }
    let text = output(&[("stat", &stat), ("netdev", &netdev), ("df", &df), ("nvidia", &nvidia)], true);
    let snap = parse(text.as_bytes(), NONCE).unwrap();
    assert_eq!(snap.cores.len(), MAX_CORES);
    assert_eq!(snap.net.len(), MAX_INTERFACES);
    assert_eq!(snap.filesystems.len(), MAX_FILESYSTEMS);
    assert_eq!(snap.gpus.len(), MAX_GPUS);
}

#[test]
fn labels_must_be_printable_and_short() {
    let long_mount = format!("/{}", "m".repeat(300));
    let df = format!(
        "Filesystem Type 1-blocks Used Available Capacity Mounted on\n\
         /dev/sda1 ext4 100 1 99 1% /ok\n\
         /dev/sdb1 ext4 100 1 99 1% {long_mount}\n\
         /dev/sdc1 ext4 100 1 99 1% /bad\u{1b}[2J\n\
         /dev/sdd1 ext4 100 1 99 1% /rtl\u{202e}txt\n\
         /dev/{} ext4 100 1 99 1% /longdev\n\
         tank/home zfs 4096 1024 3072 25% /home\n",
        "d".repeat(80)
    );
    let text = output(&[("stat", STAT), ("df", &df)], true);
    let snap = parse(text.as_bytes(), NONCE).unwrap();
    assert_eq!(mounts(&snap), [("/home", "tank/home", "zfs"), ("/ok", "sda1", "ext4")]);
}

#[test]
fn df_layouts_and_headers() {
    let df = |body: &str| {
        let text = output(&[("stat", STAT), ("df", body)], true);
        parse(text.as_bytes(), NONCE).unwrap().filesystems
    };
    // No header: the block size is unknown, nothing is guessed.
    assert!(df("/dev/sda1 ext4 100 1 99 1% /\n").is_empty());
    // -k without types, 512-blocks (BSD), and a human-readable header that is not parsed.
    let k = df("Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 10 4 6 40% /\n");
    assert_eq!((k[0].total, k[0].used, k[0].available, k[0].fstype.as_str()), (10_240, 4_096, 6_144, "unknown"));
    let b = df("Filesystem 512-blocks Used Avail Capacity Mounted on\n/dev/sda1 10 4 6 40% /\n");
    assert_eq!(b[0].total, 5_120);
    assert!(df("Filesystem Size Used Avail Use% Mounted on\n/dev/sda1 10G 4G 6G 40% /\n").is_empty());
    // Zero-sized, pseudo, network and mount-root entries are not storage.
    let skipped = df("Filesystem Type 1-blocks Used Available Capacity Mounted on\n\
         /dev/sda1 ext4 0 0 0 - /empty\n\
         server:/export nfs4 100 1 99 1% /mnt/nfs\n\
         sshfs#me@host: fuse.sshfs 100 1 99 1% /mnt/ssh\n\
         /dev/sdb1 ext4 100 1 99 1% /run/media/usb\n\
         /dev/sdc1 ext4 100 1 99 1% /run/lock\n\
         /dev/sdd1 ext4 100 x 99 1% /bad-number\n");
    assert_eq!(skipped.iter().map(|f| f.mount.as_str()).collect::<Vec<_>>(), ["/run/media/usb"]);
}

#[test]
fn diskstats_layouts() {
    let lines: Vec<String> = [
        "8 0 sda 1 2 3 4 5 6 7 8 9 10 11",                        // 14 fields
        "8 16 sdb 1 2 30 4 5 6 70 8 9 10 11 12 13 14 15",         // 18 fields
        "8 32 sdc 1 2 300 4 5 6 700 8 9 10 11 12 13 14 15 16 17", // 20 fields
        "8 33 sdc1 1 3000 2 7000",                                // 7 fields (2.6.18 partition)
        "8 48 sdd 1 2 3",
        "8 64 sde 1 2 -3 4 5 6 7 8 9 10 11",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let stats = proc::diskstats(&lines);
    assert_eq!(stats.get("sda"), Some(&[3 * SECTOR, 7 * SECTOR]));
    assert_eq!(stats.get("sdb"), Some(&[30 * SECTOR, 70 * SECTOR]));
    assert_eq!(stats.get("sdc"), Some(&[300 * SECTOR, 700 * SECTOR]));
    assert_eq!(stats.get("sdc1"), Some(&[3000 * SECTOR, 7000 * SECTOR]));
    assert_eq!(stats.len(), 4);
}

#[test]
fn cpu_lines_of_every_kernel_generation() {
    let stat = "cpu  10 20 30 40\n\
                cpu0 1 1 1 10 1 1 1\n\
                cpu1 1 1 1 10 1 1 1 1\n\
                cpu2 1 1 1 10 1 1 1 1 5 5 99\n\
                cpu3 1 1 1\n\
                cpu4 1 1 1 10 1 1 1 1 5 5\n\
                cpu4 9 9 9 9\n\
                cpux 1 1 1 1\n";
    let text = output(&[("stat", stat)], true);
    let snap = parse(text.as_bytes(), NONCE).unwrap();
    assert_eq!(snap.cpu, Some(CpuTimes { busy: 60, total: 100 }));
    let cores: Vec<(u32, CpuTimes)> = vec![
        (0, CpuTimes { busy: 5, total: 16 }),
        (1, CpuTimes { busy: 6, total: 17 }),
        (2, CpuTimes { busy: 6, total: 17 }),
        (4, CpuTimes { busy: 6, total: 17 }),
    ];
    assert_eq!(snap.cores, cores);
    assert_eq!(snap.facts.cpu_cores, 4);
}

#[test]
fn numbers_are_plain_digits() {
    assert_eq!(text::decimal("0.52"), Some(0.52));
    assert_eq!(text::decimal("12"), Some(12.0));
    for bad in ["", ".5", "-1", "+1", "1e3", "nan", "inf", "1.2.3", "1,5", " 1"] {
        assert_eq!(text::decimal(bad), None, "{bad:?}");
    }
    assert_eq!(text::decimal(&"9".repeat(400)), None, "infinite");
    assert_eq!(text::uint("18446744073709551615"), Some(u64::MAX));
    assert_eq!(text::uint("18446744073709551616"), None);
    assert_eq!(text::uint("+5"), None);
}
