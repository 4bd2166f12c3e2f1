//! Readings from snapshots: CPU percentages and byte rates are deltas between two polls of
//! one host; counter resets (interface re-created) and reboots (boot time moved) drop the
//! rate for that poll instead of producing a negative or absurd one.
//!
//! It owns the previous poll's counters of one host and the mapping of a [`Snapshot`] to
//! the shared schema ([`crate::collect::METRICS`]): same names, label keys, units, rounding
//! and order as the local collector, whose counter bookkeeping (`PrevCounters`) and
//! helpers it reuses. It must not parse output, read a clock (time is a parameter) or
//! store anything beyond one poll.

use std::collections::HashMap;

use super::parse::{CpuTimes, Snapshot};
use crate::collect::io::{DISK_IO, NET_IO, PrevCounters};
use crate::collect::{Collection, Reading, push, round_to};

/// How far `btime` may move without a reboot: the kernel derives it from the wall clock
/// minus the time since boot, so clock adjustments make it wobble by a second, while a
/// reboot moves it by at least the previous uptime.
const BOOT_TIME_WOBBLE_S: i64 = 2;

/// The previous poll's counters of one host.
#[derive(Debug, Default)]
pub struct Deltas {
    prev: Option<Baseline>,
    disk_io: PrevCounters,
    net_io: PrevCounters,
}

/// What the next poll's CPU percentages and reboot check compare against.
#[derive(Debug)]
struct Baseline {
    ts_ms: i64,
    boot_time: Option<i64>,
    uptime_s: Option<f64>,
    cpu: Option<CpuTimes>,
    cores: HashMap<u32, CpuTimes>,
}

impl Deltas {
    /// Readings in the shared schema ([`crate::collect::METRICS`]) for a snapshot taken at `ts_ms`.
    ///
    /// The first poll, and the first after a reboot, has counters and gauges but no rates
    /// and no CPU percentages; so does a poll whose `ts_ms` is not after the previous one.
    /// Either way this snapshot becomes the baseline for the next.
    pub fn collect(&mut self, snap: &Snapshot, ts_ms: i64) -> Collection {
        let mut out = Vec::with_capacity(64);
        let same_boot = self.prev.as_ref().filter(|prev| same_boot(prev, snap));
        if same_boot.is_none() {
            // Counters restarted from zero (or cannot be told not to have): forget them all,
            // not just the ones that went backwards, since one that grew past its old value
            // since the reboot would pass for a small rate.
            self.disk_io = PrevCounters::default();
            self.net_io = PrevCounters::default();
        }
        let cpu_base = same_boot.filter(|prev| ts_ms > prev.ts_ms);
        cpu(snap, cpu_base, &mut out);
        memory(snap, &mut out);
        load_and_uptime(snap, &mut out);
        filesystems(snap, &mut out);
        self.disk_io.emit(&DISK_IO, ts_ms, snap.disks.clone(), &mut out);
        self.net_io.emit(&NET_IO, ts_ms, snap.net.clone(), &mut out);
        gpus(snap, &mut out);
        self.prev = Some(Baseline {
            ts_ms,
            boot_time: snap.boot_time,
            uptime_s: snap.uptime_s,
            cpu: snap.cpu,
            cores: snap.cores.iter().copied().collect(),
        });
        Collection { ts_ms, readings: out }
    }
}

/// Whether `snap` is from the boot `prev` was: boot time unchanged and uptime not gone
/// down. When neither can be compared (sections missing), a reboot cannot be ruled out.
fn same_boot(prev: &Baseline, snap: &Snapshot) -> bool {
    let boot = match (prev.boot_time, snap.boot_time) {
        (Some(a), Some(b)) => Some(a.abs_diff(b) <= BOOT_TIME_WOBBLE_S.unsigned_abs()),
        _ => None,
    };
    let uptime = match (prev.uptime_s, snap.uptime_s) {
        (Some(a), Some(b)) => Some(b >= a),
        _ => None,
    };
    match (boot, uptime) {
        (None, None) => false,
        (boot, uptime) => boot.unwrap_or(true) && uptime.unwrap_or(true),
    }
}

fn cpu(snap: &Snapshot, base: Option<&Baseline>, out: &mut Vec<Reading>) {
    let Some(base) = base else { return };
    if let (Some(prev), Some(cur)) = (base.cpu, snap.cpu)
        && let Some(pct) = busy_pct(prev, cur)
    {
        push(out, "cpu.usage_pct", Vec::new(), pct);
    }
    // Cores are labelled by the kernel's CPU number (`cpuN`). The local collector labels them
    // by position in sysinfo's list, which is the same number unless a CPU is offline; then
    // the kernel's number is the one that stays put when CPUs come and go.
    for (index, cur) in &snap.cores {
        if let Some(pct) = base.cores.get(index).and_then(|prev| busy_pct(*prev, *cur)) {
            push(out, "cpu.core_pct", vec![("core", index.to_string())], pct);
        }
    }
}

/// Busy share of the ticks between two readings, rounded to one decimal like the local
/// collector. Capped at 100: iowait can go backwards on some kernels, which inflates busy.
fn busy_pct(prev: CpuTimes, cur: CpuTimes) -> Option<f64> {
    let total = cur.total.checked_sub(prev.total).filter(|t| *t > 0)?;
    let busy = cur.busy.checked_sub(prev.busy)?;
    Some(round_to((busy as f64 / total as f64 * 100.0).min(100.0), 1))
}

fn memory(snap: &Snapshot, out: &mut Vec<Reading>) {
    let Some(m) = snap.memory else { return };
    push(out, "mem.used_bytes", Vec::new(), m.total.saturating_sub(m.available) as f64);
    push(out, "mem.available_bytes", Vec::new(), m.available as f64);
    push(out, "mem.total_bytes", Vec::new(), m.total as f64);
    push(out, "swap.used_bytes", Vec::new(), m.swap_total.saturating_sub(m.swap_free) as f64);
    push(out, "swap.total_bytes", Vec::new(), m.swap_total as f64);
}

fn load_and_uptime(snap: &Snapshot, out: &mut Vec<Reading>) {
    if let Some([one, five, fifteen]) = snap.load {
        push(out, "load.1", Vec::new(), round_to(one, 2));
        push(out, "load.5", Vec::new(), round_to(five, 2));
        push(out, "load.15", Vec::new(), round_to(fifteen, 2));
    }
    if let Some(uptime) = snap.uptime_s {
        // Whole seconds, as the local collector reads them.
        push(out, "uptime_s", Vec::new(), uptime.floor());
    }
}

fn filesystems(snap: &Snapshot, out: &mut Vec<Reading>) {
    for fs in &snap.filesystems {
        let labels = vec![("mount", fs.mount.clone()), ("device", fs.device.clone()), ("fstype", fs.fstype.clone())];
        push(out, "disk.used_bytes", labels.clone(), fs.used as f64);
        push(out, "disk.available_bytes", labels.clone(), fs.available as f64);
        push(out, "disk.total_bytes", labels, fs.total as f64);
    }
}

fn gpus(snap: &Snapshot, out: &mut Vec<Reading>) {
    for gpu in &snap.gpus {
        let labels = || vec![("gpu", gpu.index.to_string()), ("name", gpu.name.clone())];
        if let Some(util) = gpu.util_pct {
            push(out, "gpu.util_pct", labels(), util);
        }
        if let Some(used) = gpu.mem_used_bytes {
            push(out, "gpu.mem_used_bytes", labels(), used as f64);
        }
        if let Some(total) = gpu.mem_total_bytes {
            push(out, "gpu.mem_total_bytes", labels(), total as f64);
        }
        if let Some(celsius) = gpu.temp_c {
            push(out, "gpu.temp_c", labels(), celsius);
        }
        if let Some(watts) = gpu.power_w {
            push(out, "gpu.power_w", labels(), round_to(watts, 1));
        }
    }
}

#[cfg(test)]
mod tests;
