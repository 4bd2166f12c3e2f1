//! The simulated host of the storage and overview phases: the 60 series a small server
//! with 8 logical CPUs, 4 filesystems, 3 block devices, 3 network interfaces and 6
//! temperature sensors reports (names and labels of `docs/metrics.md`), with values that
//! move the way real ones do (daily rhythm, noise, bursts, counters that only grow) and
//! are rounded the way the collector rounds them. A seeded generator makes every run store
//! the same data, so runs compare.
//!
//! Pure: no I/O, no clock, no dependency. It imitates the collector, so it must not be used
//! to judge it.

use std::f64::consts::TAU;

use crate::tsdb::{Labels, MetricName, SeriesKey, TsdbError};

/// Seconds between collections, as the collector's default interval.
pub const STEP_MS: i64 = 5_000;
/// Series per collection.
pub const SERIES: usize = 60;
const DAY_MS: i64 = 86_400_000;
const CORES: usize = 8;
const PAGE: i64 = 4_096;
const MEM_TOTAL_KIB: i64 = 16_256_932;
const SWAP_TOTAL_PAGES: i64 = 524_287;
/// Mount, device, filesystem, size in 4 KiB blocks. ext4 reserves 5 % for root: neither
/// used nor available (docs/metrics.md).
const MOUNTS: [(&str, &str, &str, i64); 4] = [
    ("/", "nvme0n1p2", "ext4", 61_035_156),
    ("/boot/efi", "nvme0n1p1", "vfat", 130_812),
    ("/var", "mapper/vg-var", "xfs", 24_413_696),
    ("/srv", "sdb1", "xfs", 488_378_646),
];
/// Block device and its typical written bytes per second: the system disk and the volume
/// of `/var` write all the time, the data disk only now and then.
const DEVICES: [(&str, f64); 3] = [("nvme0n1", 120_000.0), ("dm-0", 60_000.0), ("sdb", 0.0)];
/// Interface and its typical received bytes per second at the busiest time of day: the
/// public network, a backup network busy one hour a night, a container bridge.
const IFACES: [(&str, f64); 3] = [("eth0", 40_000.0), ("eth1", 0.0), ("docker0", 2_000.0)];
/// When the nightly backup runs, in ms after midnight.
const BACKUP: std::ops::Range<i64> = 3_600_000..7_200_000;
const SENSORS: [&str; 6] = [
    "coretemp Package id 0",
    "coretemp Core 0",
    "coretemp Core 1",
    "coretemp Core 2",
    "coretemp Core 3",
    "nvme Composite",
];

/// xorshift64*: tiny, seeded and good enough for noise.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // Zero is xorshift's one fixed point; mixing in a constant keeps every seed usable.
        Self((seed ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal, mean 0 and standard deviation 1 (a sum of four uniforms).
    pub fn normal(&mut self) -> f64 {
        let sum: f64 = (0..4).map(|_| self.unit()).sum();
        (sum - 2.0) * 3f64.sqrt()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> i64 {
        (self.next_u64() % n.max(1)) as i64
    }
}

/// One series of the simulated host.
#[derive(Debug, Clone)]
pub struct SeriesDef {
    pub metric: &'static str,
    pub labels: Vec<(&'static str, String)>,
}

/// The 60 series, in the order [`Host::collect`] returns their values.
pub fn series() -> Vec<SeriesDef> {
    let def = |metric, labels: Vec<(&'static str, String)>| SeriesDef { metric, labels };
    let mut out = vec![def("cpu.usage_pct", vec![])];
    out.extend((0..CORES).map(|c| def("cpu.core_pct", vec![("core", c.to_string())])));
    out.extend(["load.1", "load.5", "load.15"].map(|m| def(m, vec![])));
    out.extend(["mem.used_bytes", "mem.available_bytes", "mem.total_bytes"].map(|m| def(m, vec![])));
    out.extend(["swap.used_bytes", "swap.total_bytes"].map(|m| def(m, vec![])));
    for (mount, device, fstype, _) in MOUNTS {
        let labels = vec![("mount", mount.to_string()), ("device", device.to_string()), ("fstype", fstype.to_string())];
        out.extend(["disk.used_bytes", "disk.available_bytes", "disk.total_bytes"].map(|m| def(m, labels.clone())));
    }
    for (device, _) in DEVICES {
        let metrics = ["disk.read_bps", "disk.write_bps", "disk.read_bytes", "disk.written_bytes"];
        out.extend(metrics.map(|m| def(m, vec![("device", device.to_string())])));
    }
    for (iface, _) in IFACES {
        let metrics = ["net.rx_bps", "net.tx_bps", "net.rx_bytes", "net.tx_bytes"];
        out.extend(metrics.map(|m| def(m, vec![("iface", iface.to_string())])));
    }
    out.push(def("uptime_s", vec![]));
    out.extend(SENSORS.map(|s| def("temp_c", vec![("sensor", s.to_string())])));
    out
}

/// The series as the engine names them.
pub fn keys(defs: &[SeriesDef]) -> Result<Vec<SeriesKey>, TsdbError> {
    defs.iter()
        .map(|d| Ok(SeriesKey::new(MetricName::parse(d.metric)?, Labels::new(d.labels.iter().map(|(k, v)| (*k, v)))?)))
        .collect()
}

pub fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// A byte counter and the bytes it grew by in the last collection.
#[derive(Debug, Clone, Copy, Default)]
struct Counter {
    total: i64,
    delta: i64,
}

impl Counter {
    fn add(&mut self, bytes: i64) {
        self.delta = bytes.max(0);
        self.total += self.delta;
    }

    /// Bytes per second over `elapsed_ms`, rounded to whole bytes as the collector does.
    fn rate(&self, elapsed_ms: i64) -> f64 {
        (self.delta as f64 * 1000.0 / elapsed_ms as f64).round()
    }
}

/// The simulated machine's state between collections.
#[derive(Debug, Clone)]
pub struct Host {
    rng: Rng,
    last_ts: Option<i64>,
    core_load: [f64; CORES],
    load: [f64; 3],
    mem_used_kib: i64,
    swap_used_pages: i64,
    disk_used_blocks: [i64; 4],
    io: [(Counter, Counter); 3],
    net: [(Counter, Counter); 3],
    uptime_s: i64,
    ambient: f64,
}

impl Host {
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let start = |rng: &mut Rng, scale: i64| Counter { total: scale + rng.below(scale as u64), delta: 0 };
        let io = [(); 3].map(|_| (start(&mut rng, 40_000_000_000), start(&mut rng, 90_000_000_000)));
        let net = [(); 3].map(|_| (start(&mut rng, 300_000_000_000), start(&mut rng, 80_000_000_000)));
        Self {
            last_ts: None,
            core_load: [10.0; CORES],
            load: [0.6, 0.5, 0.4],
            mem_used_kib: 4_200_000 + rng.below(1_000_000),
            swap_used_pages: 3_000 + rng.below(2_000),
            disk_used_blocks: MOUNTS.map(|(.., total)| total * 2 / 5 + rng.below(total as u64 / 5)),
            io,
            net,
            uptime_s: 1_000_000 + rng.below(5_000_000),
            ambient: 0.0,
            rng,
        }
    }

    /// One collection at `ts` (ms): 60 values in the order of [`series`].
    pub fn collect(&mut self, ts: i64) -> Vec<f64> {
        let elapsed = self.last_ts.map_or(STEP_MS, |t| (ts - t).max(1));
        self.last_ts = Some(ts);
        // Busiest in the afternoon, quietest at night.
        let day = 0.5 - 0.5 * (ts.rem_euclid(DAY_MS) as f64 / DAY_MS as f64 * TAU).cos();
        let mut out = Vec::with_capacity(SERIES);
        let usage = self.cpu(day, elapsed, &mut out);
        self.memory(&mut out);
        self.disks(&mut out);
        self.block_io(elapsed, &mut out);
        self.network(ts, day, elapsed, &mut out);
        self.uptime_s += elapsed / 1000;
        out.push(self.uptime_s as f64);
        self.temperatures(usage, &mut out);
        out
    }

    /// Usage, per-core usage and load averages; returns the usage.
    fn cpu(&mut self, day: f64, elapsed: i64, out: &mut Vec<f64>) -> f64 {
        let base = 5.0 + 20.0 * day;
        let mut cores = [0.0; CORES];
        for (level, value) in self.core_load.iter_mut().zip(cores.iter_mut()) {
            *level += 0.05 * (base - *level) + 1.5 * self.rng.normal();
            // Now and then a job (a build, a backup) keeps a core busy for a minute or two.
            if self.rng.chance(0.001) {
                *level += 60.0;
            }
            *level = level.clamp(0.0, 100.0);
            *value = round_to((*level + 2.0 * self.rng.normal()).clamp(0.0, 100.0), 1);
        }
        let usage = round_to(cores.iter().sum::<f64>() / CORES as f64, 1);
        out.push(usage);
        out.extend(cores);
        // The kernel's exponentially damped averages of runnable tasks.
        let running = (usage / 100.0 * CORES as f64 + 0.7 * self.rng.normal()).round().max(0.0);
        for (load, period_s) in self.load.iter_mut().zip([60.0, 300.0, 900.0]) {
            let decay = (-(elapsed as f64 / 1000.0) / period_s).exp();
            *load = *load * decay + running * (1.0 - decay);
            out.push(round_to(*load, 2));
        }
        usage
    }

    /// Memory moves by a few MiB between collections (page cache, allocations), by a GiB
    /// now and then; swap rarely moves at all.
    fn memory(&mut self, out: &mut Vec<f64>) {
        let mut change = (self.rng.normal() * 2_048.0).round() as i64;
        if self.rng.chance(0.0005) {
            change += (self.rng.normal() * 1_048_576.0) as i64;
        }
        self.mem_used_kib = (self.mem_used_kib + change).clamp(1_000_000, MEM_TOTAL_KIB * 9 / 10);
        let (total, used) = (MEM_TOTAL_KIB * 1024, self.mem_used_kib * 1024);
        out.extend([used, total - used, total].map(|b| b as f64));
        if self.rng.chance(0.002) {
            let pages = self.swap_used_pages + (self.rng.normal() * 64.0).round() as i64;
            self.swap_used_pages = pages.clamp(0, SWAP_TOTAL_PAGES);
        }
        out.extend([self.swap_used_pages * PAGE, SWAP_TOTAL_PAGES * PAGE].map(|b| b as f64));
    }

    /// Used space grows in blocks (logs, data), with a clean-up once in a while.
    fn disks(&mut self, out: &mut Vec<f64>) {
        for (i, &(.., total)) in MOUNTS.iter().enumerate() {
            let grow = match i {
                0 if self.rng.chance(0.2) => 1 + self.rng.below(8),
                2 => self.rng.below(4),
                3 if self.rng.chance(0.01) => self.rng.below(256),
                _ => 0,
            };
            let used = &mut self.disk_used_blocks[i];
            let cleaned = if i != 1 && self.rng.chance(0.0002) { *used / 100 } else { 0 };
            let reserved = if MOUNTS[i].2 == "ext4" { total / 20 } else { 0 };
            *used = (*used + grow - cleaned).clamp(0, total - reserved);
            let available = total - reserved - *used;
            out.extend([*used * PAGE, available * PAGE, total * PAGE].map(|b| b as f64));
        }
    }

    /// Writes are a steady trickle of pages with bursts; reads mostly hit the page cache, so
    /// most collections read nothing from the disk.
    fn block_io(&mut self, elapsed: i64, out: &mut Vec<f64>) {
        for ((read, written), (_, typical)) in self.io.iter_mut().zip(DEVICES) {
            let pages_per_step = typical * elapsed as f64 / 1000.0 / PAGE as f64;
            let mut write_pages = (pages_per_step * (1.0 + 0.5 * self.rng.normal())).round() as i64;
            if self.rng.chance(0.005) {
                write_pages += self.rng.below(25_000);
            }
            let read_pages = if self.rng.chance(0.05) { self.rng.below(2_000) } else { 0 };
            read.add(read_pages * PAGE);
            written.add(write_pages * PAGE);
            out.extend([read.rate(elapsed), written.rate(elapsed), read.total as f64, written.total as f64]);
        }
    }

    /// Traffic follows the day and sent is a fraction of received; the backup network
    /// carries the nightly backup (sent), and otherwise only the odd broadcast frame.
    fn network(&mut self, ts: i64, day: f64, elapsed: i64, out: &mut Vec<f64>) {
        let backup = BACKUP.contains(&ts.rem_euclid(DAY_MS));
        let secs = elapsed as f64 / 1000.0;
        for ((rx, tx), (_, typical)) in self.net.iter_mut().zip(IFACES) {
            let (rx_bytes, tx_bytes) = if typical > 0.0 {
                let per_s = typical * (0.2 + 0.8 * day);
                let noisy = |rng: &mut Rng, share: f64| (share * per_s * secs * (1.0 + 0.4 * rng.normal())).round();
                (noisy(&mut self.rng, 1.0) as i64, noisy(&mut self.rng, 0.3) as i64)
            } else if backup {
                let sent = 50_000_000.0 * secs * (1.0 + 0.1 * self.rng.normal());
                ((sent / 50.0).round() as i64, sent.round() as i64)
            } else {
                let chatter = if self.rng.chance(0.3) { 60 * (1 + self.rng.below(4)) } else { 0 };
                (chatter, 0)
            };
            rx.add(rx_bytes);
            tx.add(tx_bytes);
            out.extend([rx.rate(elapsed), tx.rate(elapsed), rx.total as f64, tx.total as f64]);
        }
    }

    /// coretemp reports whole degrees; NVMe drives report whole kelvins, so their Celsius
    /// values end in .85 before the collector's rounding to one decimal.
    fn temperatures(&mut self, usage: f64, out: &mut Vec<f64>) {
        self.ambient = (self.ambient + 0.02 * self.rng.normal()).clamp(-3.0, 3.0);
        let package = 38.0 + 0.35 * usage + self.ambient;
        out.push(round_to(package + 0.8 * self.rng.normal(), 0));
        for _ in 0..4 {
            out.push(round_to(package - 2.0 + 1.5 * self.rng.normal(), 0));
        }
        let kelvin = (310.0 + self.ambient + 0.05 * usage + 0.5 * self.rng.normal()).round();
        out.push(round_to(kelvin - 273.15, 1));
    }
}
