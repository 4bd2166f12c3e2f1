//! The local collector: reads this host's metrics and facts, shared by the appliance (for its
//! own host) and by the push agent, so both produce one schema ([`METRICS`]).
//!
//! It owns reading the local host only: CPU, memory, load, uptime, filesystems, disk and
//! network I/O, temperatures, NVIDIA GPUs, and the host inventory ([`Facts`]). It must not
//! store anything, talk to the network, or scan processes: the caller decides when to collect
//! (time is a parameter) and where readings go. Every call is synchronous and blocking (it
//! reads `/proc` and `/sys`), so async callers run it on the blocking pool.
//!
//! Rates are derived here, from counter deltas between two [`Collector::collect`] calls, because
//! only the collector sees consecutive raw counters; storage keeps the cumulative counters too.

mod facts;
mod gpu;
pub(crate) mod io;
mod schema;
mod system;

#[cfg(test)]
mod tests;

use sysinfo::{Components, Disks, System};

pub use schema::{Kind, METRICS, MetricDoc};

use gpu::Gpus;
use io::PrevCounters;

/// What to leave out and whether to try NVIDIA GPUs.
///
/// Entries of `ignore_mounts` and `ignore_ifaces` match exactly, or as a prefix when they end
/// with `*` (`/var/lib/docker/*`, `veth*`), so hosts full of container mounts and veth pairs
/// stay readable.
#[derive(Debug, Clone, Default)]
pub struct CollectorOptions {
    pub ignore_mounts: Vec<String>,
    pub ignore_ifaces: Vec<String>,
    pub gpu: bool,
}

/// One cycle's readings, all stamped with the same timestamp.
#[derive(Debug, Clone)]
pub struct Collection {
    /// Sample time in milliseconds since the Unix epoch, as passed to [`Collector::collect`].
    pub ts_ms: i64,
    pub readings: Vec<Reading>,
}

/// One value of one series; `name` and label keys are always those declared in [`METRICS`].
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub name: &'static str,
    pub labels: Vec<(&'static str, String)>,
    pub value: f64,
}

/// The host inventory: stored as facts of the host, not as series.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Facts {
    pub hostname: String,
    /// Pretty name, e.g. "Debian GNU/Linux 12 (bookworm)".
    pub os: String,
    /// Distribution version, e.g. "12".
    pub os_version: String,
    /// Kernel release, e.g. "6.1.0-18-amd64".
    pub kernel: String,
    pub arch: String,
    pub cpu_model: String,
    /// Logical CPUs.
    pub cpu_cores: u32,
    pub cpu_physical_cores: Option<u32>,
    pub memory_bytes: u64,
    pub swap_bytes: u64,
    /// Boot time in seconds since the Unix epoch.
    pub boot_time: i64,
    pub gpus: Vec<GpuFact>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct GpuFact {
    pub index: u32,
    pub name: String,
    pub memory_bytes: u64,
}

/// Reads the local host. Keeps the sysinfo handles between calls because CPU usage and
/// rates are differences between consecutive refreshes.
pub struct Collector {
    options: CollectorOptions,
    // Each source is optional so that one sysinfo handle failing to open on an unusual
    // platform costs its series only, never the whole collector.
    system: Option<System>,
    disks: Option<Disks>,
    components: Option<Components>,
    /// When the sensor list was last rescanned; `None` forces a rescan.
    components_scanned_ms: Option<i64>,
    gpus: Option<Gpus>,
    disk_io: PrevCounters,
    net_io: PrevCounters,
    /// Physical core count is recomputed by sysinfo from all of /proc/cpuinfo on every call;
    /// it cannot change without a reboot, so it is read once.
    physical_cores: Option<Option<u32>>,
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector")
            .field("options", &self.options)
            .field("gpu", &self.gpus.is_some())
            .finish_non_exhaustive()
    }
}

impl Collector {
    /// Never fails: a missing NVIDIA library means no GPU series and one `tracing::info!` line.
    pub fn new(options: CollectorOptions) -> Self {
        let mut system = open("system", System::new());
        if let Some(sys) = system.as_mut() {
            // CPU usage is the difference between two refreshes: take the first one now so the
            // first collect() already has a baseline (sysinfo ignores refreshes closer than
            // MINIMUM_CPU_UPDATE_INTERVAL, so a collect() right after new() may still read 0).
            sys.refresh_cpu_usage();
        }
        let gpus = if options.gpu { Gpus::init() } else { None };
        Self {
            options,
            system,
            disks: open("disks", Disks::new()),
            components: open("components", Components::new()),
            components_scanned_ms: None,
            gpus,
            disk_io: PrevCounters::default(),
            net_io: PrevCounters::default(),
            physical_cores: None,
        }
    }

    /// Refreshes only what it reports and returns this cycle's readings. `now_ms` is the sample
    /// timestamp (ms since the Unix epoch) passed in by the caller (time is a parameter).
    pub fn collect(&mut self, now_ms: i64) -> Collection {
        let mut readings = Vec::with_capacity(64);
        if let Some(sys) = self.system.as_mut() {
            system::cpu(sys, &mut readings);
            system::memory(sys, &mut readings);
        }
        system::load_and_uptime(&mut readings);
        if let Some(disks) = self.disks.as_mut() {
            let devices = io::filesystems(disks, &self.options.ignore_mounts, &mut readings);
            self.disk_io.emit(&io::DISK_IO, now_ms, devices, &mut readings);
        }
        if let Some(ifaces) = io::interfaces(&self.options.ignore_ifaces) {
            self.net_io.emit(&io::NET_IO, now_ms, ifaces, &mut readings);
        }
        if let Some(components) = self.components.as_mut() {
            let rescan = system::sensor_rescan_due(self.components_scanned_ms, now_ms);
            if rescan {
                self.components_scanned_ms = Some(now_ms);
            }
            system::temperatures(components, rescan, &mut readings);
        }
        if let Some(gpus) = &self.gpus {
            gpus.readings(&mut readings);
        }
        Collection { ts_ms: now_ms, readings }
    }

    /// Host inventory; cheap enough to call each cycle but callers send it only when it changed.
    pub fn facts(&mut self) -> Facts {
        let physical = *self
            .physical_cores
            .get_or_insert_with(|| System::physical_core_count().ok().and_then(|n| u32::try_from(n).ok()));
        let mut facts = facts::read(self.system.as_mut());
        facts.cpu_physical_cores = physical;
        if let Some(gpus) = &self.gpus {
            facts.gpus = gpus.facts();
        }
        facts
    }
}

/// Keeps a sysinfo handle, or logs why that source is off for this process.
fn open<T>(what: &'static str, handle: Result<T, sysinfo::Error>) -> Option<T> {
    match handle {
        Ok(h) => Some(h),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read host {what}; its metrics are off");
            None
        }
    }
}

/// Appends a reading unless the value is not finite: a NaN or infinity would poison
/// aggregates downstream, and a missing point is the honest record of "no value".
pub(crate) fn push(out: &mut Vec<Reading>, name: &'static str, labels: Vec<(&'static str, String)>, value: f64) {
    if value.is_finite() {
        out.push(Reading { name, labels, value });
    }
}

/// Rounds to `decimals` places so repeated values compress well in storage.
pub(crate) fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Whether `name` is listed in an ignore list (exact entry, or prefix entry ending in `*`).
fn ignored(list: &[String], name: &str) -> bool {
    list.iter().any(|entry| match entry.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => entry == name,
    })
}
