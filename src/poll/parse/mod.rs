//! Pure parsers of the poll script's output: bytes in, a [`Snapshot`] out. No I/O, no
//! clock, no panics on any input (fuzzed): garbage, truncation, binary, huge lines and
//! missing sections make fields absent, never wrong.

use crate::collect::Facts;

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
    pub uptime_s: Option<f64>,
    /// Interface -> [rx bytes, tx bytes].
    pub net: Vec<(String, [u64; 2])>,
    /// Whole block device -> [read bytes, written bytes].
    pub disks: Vec<(String, [u64; 2])>,
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
}

/// Parses one poll's output; errors only when nothing usable came back.
pub fn parse(_output: &[u8], _nonce: &str) -> Result<Snapshot, OutputError> {
    unimplemented!("helper A")
}
