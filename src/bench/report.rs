//! How figures are computed and written: latency percentiles, number formats, and the
//! CPU time each kind of thread used during a phase (where the time went).
//!
//! Pure arithmetic and formatting, plus reading `/proc/self/task`; it must not measure by
//! itself or decide what a phase does.

use std::collections::BTreeMap;
use std::time::Duration;

/// Latencies of one kind of request, sorted.
#[derive(Debug, Clone)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn new(mut all: Vec<Duration>) -> Self {
        all.sort_unstable();
        Self(all)
    }

    /// Nearest-rank percentile: the smallest latency at least `pct` % of requests beat or
    /// matched. Zero when nothing was measured.
    pub fn percentile(&self, pct: f64) -> Duration {
        let n = self.0.len();
        let rank = ((pct / 100.0) * n as f64).ceil() as usize;
        self.0.get(rank.clamp(1, n.max(1)) - 1).copied().unwrap_or_default()
    }

    /// `p50 0.92 ms p99 1.7 ms`.
    pub fn summary(&self) -> String {
        format!("p50 {} p99 {}", millis(self.percentile(50.0)), millis(self.percentile(99.0)))
    }
}

/// Milliseconds with two significant decimals below 10 ms, one above.
pub fn millis(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 { format!("{ms:.2} ms") } else { format!("{ms:.1} ms") }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes in MiB with one decimal (KiB below one MiB).
pub fn mib(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// CPU time per thread of this process, from the scheduler's own accounting
/// (`/proc/self/task/*/schedstat`, nanoseconds), and the whole machine's busy and total
/// time (`/proc/stat`): the cores are shared, so a figure is only fair with both.
#[derive(Debug, Clone, Default)]
pub struct CpuSnapshot {
    threads: BTreeMap<u32, (String, u64)>,
    machine: Option<(u64, u64)>,
}

/// What a phase used: CPU seconds per kind of thread, and how busy the machine was.
#[derive(Debug, Clone, Default)]
pub struct CpuUse {
    pub threads: Vec<(String, f64)>,
    /// Busy share of all cores (0-1), this process included.
    pub machine: Option<f64>,
}

impl CpuSnapshot {
    /// Empty when `/proc` does not tell (the figure is then left out, not guessed).
    pub fn take() -> Self {
        let mut threads = BTreeMap::new();
        for task in std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten() {
            let Some(tid) = task.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
            let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            let ns = std::fs::read_to_string(task.path().join("schedstat"))
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
            if let Some(ns) = ns {
                threads.insert(tid, (name.trim().to_string(), ns));
            }
        }
        Self { threads, machine: machine_ticks() }
    }

    /// Use since `before`: CPU seconds summed per thread name (workers of one pool share a
    /// name), largest first. Threads that ended in between are not counted.
    pub fn since(&self, before: &CpuSnapshot) -> CpuUse {
        let mut by_name: BTreeMap<String, u64> = BTreeMap::new();
        for (tid, (name, ns)) in &self.threads {
            let start = before.threads.get(tid).map_or(0, |(_, ns)| *ns);
            *by_name.entry(group_name(name)).or_default() += ns.saturating_sub(start);
        }
        let mut threads: Vec<(String, f64)> =
            by_name.into_iter().map(|(n, ns)| (n, ns as f64 / 1e9)).filter(|(_, s)| *s >= 0.005).collect();
        threads.sort_by(|a, b| b.1.total_cmp(&a.1));
        let machine = match (before.machine, self.machine) {
            (Some((b0, t0)), Some((b1, t1))) if t1 > t0 => Some(b1.saturating_sub(b0) as f64 / (t1 - t0) as f64),
            _ => None,
        };
        CpuUse { threads, machine }
    }
}

/// Busy and total time of all cores since boot, in clock ticks (idle and I/O wait are not
/// busy: a thread waiting for fsync leaves its core to others).
fn machine_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .take(8)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    let idle = fields.get(3)? + fields.get(4)?;
    let total: u64 = fields.iter().sum();
    Some((total.saturating_sub(idle), total))
}

/// Thread names carry indexes (`actix-rt|system:0|arbiter:1`, truncated by the kernel to
/// 15 bytes): one line per pool reads better than one per thread.
fn group_name(name: &str) -> String {
    let known = [
        ("actix-rt", "http workers"),
        ("actix-server", "http acceptor"),
        ("tokio-r", "blocking pool"),
        ("tsdb-writer", "tsdb writer"),
        ("steward", "main thread"),
    ];
    let found = known.iter().find(|(prefix, _)| name.starts_with(prefix));
    found.map_or_else(|| name.to_string(), |(_, group)| (*group).to_string())
}

impl CpuUse {
    /// `  cpu: 1.10 of 2 cores busy in the appliance and clients: http workers 0.50, ...`
    /// (with `per_thread`) and `  machine: 1.98 of 2 cores busy, 0.88 of them outside this
    /// process`; lines without figures are left out.
    pub fn lines(&self, wall: Duration, per_thread: bool) -> Vec<String> {
        let secs = wall.as_secs_f64();
        if secs <= 0.0 {
            return Vec::new();
        }
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let ours: f64 = self.threads.iter().map(|(_, s)| s).sum::<f64>() / secs;
        let mut out = Vec::new();
        if per_thread && !self.threads.is_empty() {
            let parts: Vec<String> = self.threads.iter().map(|(n, s)| format!("{n} {:.2}", s / secs)).collect();
            out.push(format!("  cpu: {ours:.2} of {cores} cores busy in this process: {}", parts.join(", ")));
        }
        if let Some(share) = self.machine {
            let busy = share * cores as f64;
            let others = (busy - ours).max(0.0);
            out.push(format!("  machine: {busy:.2} of {cores} cores busy, {others:.2} of them outside this process"));
        }
        out
    }
}
