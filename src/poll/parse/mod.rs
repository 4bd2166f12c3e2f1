//! Pure parsers of the poll script's output: bytes in, a [`Snapshot`] out. No I/O, no
//! clock, no panics on any input (fuzzed): garbage, truncation, binary, huge lines and
//! missing sections make fields absent, never wrong.
//!
//! It owns splitting the output into sections (`sections`), the per-format parsers
//! (`proc`, `df`, `facts`), and the bounds every value and label must keep (`text`). It
//! must not compute rates (that is [`super::rates`]) nor know how the output was fetched.
//! Filtering mirrors the local collector ([`crate::collect`]) so a host polled over SSH has
//! the same series as one running the agent.

mod df;
mod facts;
pub use facts::keep_inventory;
mod proc;
mod sections;
mod text;

#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod tests;

use crate::collect::Facts;
pub(crate) use text::excerpt;

use sections::Sections;

/// At most this many series of each family per host, so hostile or broken output cannot
/// create unbounded series.
pub const MAX_INTERFACES: usize = 256;
pub const MAX_FILESYSTEMS: usize = 256;
pub const MAX_DISKS: usize = 256;
pub const MAX_GPUS: usize = 64;
pub const MAX_CORES: usize = 1024;

/// Cumulative CPU times in jiffies (USER_HZ ticks) of one line of `/proc/stat`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuTimes {
    pub busy: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Memory {
    pub total: u64,
    pub available: u64,
    pub swap_total: u64,
    pub swap_free: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Filesystem {
    pub mount: String,
    /// Without `/dev/`.
    pub device: String,
    /// `unknown` when the host's `df` cannot print types (old busybox).
    pub fstype: String,
    pub total: u64,
    pub used: u64,
    pub available: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GpuReading {
    pub index: u32,
    pub name: String,
    pub util_pct: Option<f64>,
    pub mem_used_bytes: Option<u64>,
    pub mem_total_bytes: Option<u64>,
    pub temp_c: Option<f64>,
    pub power_w: Option<f64>,
}

/// One poll's parsed output. Counters are raw; [`super::rates::Deltas`] turns two
/// snapshots into rates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// The `cpu` line: all CPUs.
    pub cpu: Option<CpuTimes>,
    /// `cpuN` lines, indexed by N.
    pub cores: Vec<(u32, CpuTimes)>,
    /// `btime` of `/proc/stat`: boot time in seconds since the epoch; a change is a reboot.
    pub boot_time: Option<i64>,
    pub memory: Option<Memory>,
    pub load: Option<[f64; 3]>,
    /// Raw seconds since boot, fractions included (the readings truncate them).
    pub uptime_s: Option<f64>,
    /// Interface -> [rx bytes, tx bytes], sorted by name, loopback left out.
    pub net: Vec<(String, [u64; 2])>,
    /// Device of a reported filesystem (as in [`Filesystem::device`]) -> [read bytes,
    /// written bytes]: like the local collector, I/O is reported for the devices that hold
    /// the reported filesystems, not for every block device of `/proc/diskstats`.
    pub disks: Vec<(String, [u64; 2])>,
    /// Local filesystems, one per device, sorted by mount point.
    pub filesystems: Vec<Filesystem>,
    pub gpus: Vec<GpuReading>,
    pub facts: Facts,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutputError {
    /// Not one marker line: the remote shell did not run the script.
    #[error("the poll script printed no sections{0}")]
    NoSections(String),
    /// The script ran but a command it needs is absent (e.g. no /proc).
    #[error("command missing on the host: {0}")]
    CommandMissing(String),
    /// The output stopped before the sections every poll needs were complete (connection
    /// dropped, output limit reached).
    #[error("the poll output was cut short: {0}")]
    Truncated(String),
}

/// Parses one poll's output; errors only when nothing usable came back.
pub fn parse(output: &[u8], nonce: &str) -> Result<Snapshot, OutputError> {
    let sections = Sections::split(output, nonce);
    if !sections.any_marker {
        return Err(OutputError::NoSections(text::excerpt(output)));
    }
    let mut snap = Snapshot::default();
    proc::stat(sections.lines("stat"), &mut snap);
    snap.memory = proc::meminfo(sections.lines("meminfo"));
    snap.load = proc::loadavg(sections.lines("loadavg"));
    snap.uptime_s = proc::uptime(sections.lines("uptime"));
    snap.net = proc::net_dev(sections.lines("netdev"));
    let filesystems = df::filesystems(sections.lines("df"));
    let diskstats = proc::diskstats(sections.lines("diskstats"));
    let dm_names = proc::dm_names(sections.lines("dm"));
    snap.disks = proc::disks_of(&filesystems, &diskstats, &dm_names);
    snap.filesystems = filesystems;
    snap.gpus = facts::nvidia(sections.lines("nvidia"));
    snap.facts = facts::facts(&sections, &snap);
    if snap.cpu.is_none() && snap.memory.is_none() {
        return Err(missing_core(&sections));
    }
    Ok(snap)
}

/// Why neither CPU nor memory came back: cut short before those sections were complete, or
/// the host has no such files (no `/proc`: not Linux, or a restricted shell).
fn missing_core(sections: &Sections) -> OutputError {
    let cut = ["stat", "meminfo"].iter().any(|name| !sections.has(name));
    if cut && !sections.complete {
        return OutputError::Truncated("output ended before /proc/stat and /proc/meminfo were complete".into());
    }
    let what = ["stat", "meminfo"]
        .iter()
        .map(|name| {
            let state = if sections.has(name) { "empty or unreadable" } else { "absent" };
            format!("/proc/{name} {state}")
        })
        .collect::<Vec<_>>()
        .join(", ");
    OutputError::CommandMissing(format!("{what} (is /proc mounted? is this Linux?)"))
}
