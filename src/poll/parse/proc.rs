//! `/proc` files: stat, meminfo, loadavg, uptime, net/dev and diskstats, plus the
//! device-mapper names that tie `/dev/mapper/NAME` filesystems to their diskstats entry.
//! Formats differ across kernels (2.6 to 6.x); a line that does not fit is skipped whole. It
//! must not guess a field's meaning from a layout it does not know.

use std::collections::{HashMap, HashSet};

use super::text::{MAX_NAME, decimal, label, uint};
use super::{CpuTimes, Filesystem, MAX_CORES, MAX_DISKS, MAX_INTERFACES, Memory, Snapshot};

/// Lines of diskstats or device-mapper names read at most: hosts with thousands of loop
/// devices exist, but only the few holding a filesystem matter.
const MAX_BLOCK_DEVICES: usize = 4096;

/// Bytes per diskstats sector: always 512, whatever the device's real sector size.
const SECTOR: u64 = 512;

/// `cpu`, `cpuN` and `btime` of `/proc/stat`.
pub(super) fn stat(lines: &[String], snap: &mut Snapshot) {
    let mut seen = HashSet::new();
    for line in lines {
        let mut fields = line.split_whitespace();
        let Some(key) = fields.next() else { continue };
        if key == "btime" {
            let btime = fields.next().and_then(uint).and_then(|v| i64::try_from(v).ok());
            if snap.boot_time.is_none() {
                snap.boot_time = btime;
            }
        } else if key == "cpu" {
            if snap.cpu.is_none() {
                snap.cpu = cpu_times(fields);
            }
        } else if let Some(index) = key.strip_prefix("cpu").and_then(uint).and_then(|n| u32::try_from(n).ok())
            && snap.cores.len() < MAX_CORES
            && let Some(times) = cpu_times(fields)
            && seen.insert(index)
        {
            snap.cores.push((index, times));
        }
    }
}

/// Columns are user nice system idle iowait irq softirq steal guest guest_nice; kernels
/// before 2.6.11 stop after fewer (2.4 has the first four). Guest time is already counted in
/// user and nice, so the total stops at steal; busy is everything but idle and iowait, as the
/// local collector counts it.
fn cpu_times<'a>(fields: impl Iterator<Item = &'a str>) -> Option<CpuTimes> {
    let values: Vec<u64> = fields.take(8).map(uint).collect::<Option<_>>()?;
    if values.len() < 4 {
        return None;
    }
    let total = values.iter().try_fold(0u64, |sum, v| sum.checked_add(*v))?;
    let idle = values[3].checked_add(values.get(4).copied().unwrap_or(0))?;
    Some(CpuTimes { busy: total.checked_sub(idle)?, total })
}

/// Memory totals in bytes. Kernels before 3.14 have no `MemAvailable`; like the local
/// collector (sysinfo), the estimate is then free + buffers + page cache + reclaimable slab
/// - shared memory.
pub(super) fn meminfo(lines: &[String]) -> Option<Memory> {
    let mut kib: HashMap<&str, u64> = HashMap::new();
    for line in lines {
        let Some((key, rest)) = line.split_once(':') else { continue };
        let mut parts = rest.split_whitespace();
        let (Some(value), Some("kB"), None) = (parts.next().and_then(uint), parts.next(), parts.next()) else {
            continue;
        };
        if let Some(bytes) = value.checked_mul(1024) {
            kib.entry(key.trim()).or_insert(bytes);
        }
    }
    let get = |key: &str| kib.get(key).copied();
    let total = get("MemTotal")?;
    let available = match get("MemAvailable") {
        Some(available) => available,
        None => get("MemFree")?
            .checked_add(get("Buffers").unwrap_or(0))?
            .checked_add(get("Cached").unwrap_or(0))?
            .checked_add(get("SReclaimable").unwrap_or(0))?
            .saturating_sub(get("Shmem").unwrap_or(0)),
    };
    Some(Memory {
        total,
        available,
        swap_total: get("SwapTotal").unwrap_or(0),
        swap_free: get("SwapFree").unwrap_or(0),
    })
}

/// `0.52 0.58 0.59 1/467 12345`: the three averages.
pub(super) fn loadavg(lines: &[String]) -> Option<[f64; 3]> {
    let mut fields = lines.first()?.split_whitespace().map(decimal);
    Some([fields.next()??, fields.next()??, fields.next()??])
}

/// `33270.59 32879.97`: seconds since boot, then idle seconds summed over CPUs.
pub(super) fn uptime(lines: &[String]) -> Option<f64> {
    decimal(lines.first()?.split_whitespace().next()?)
}

/// Every interface but loopback, through the local collector's own parser; names must be
/// printable and short, the first copy of a repeated name wins.
pub(super) fn net_dev(lines: &[String]) -> Vec<(String, [u64; 2])> {
    let text = lines.join("\n");
    let mut seen = HashSet::new();
    let mut net: Vec<(String, [u64; 2])> = Vec::new();
    for (name, counters) in crate::collect::io::parse_net_dev(&text, &[]) {
        if net.len() >= MAX_INTERFACES {
            break;
        }
        if label(&name, MAX_NAME).is_some() && seen.insert(name.clone()) {
            net.push((name, counters));
        }
    }
    net
}

/// Device name -> [read bytes, written bytes]. Fields are major minor name, then reads,
/// reads merged, sectors read, ms reading, writes, writes merged, sectors written...: the
/// same first columns in the 14-field (to 4.17), 18-field (4.18+, discards) and 20-field
/// (5.5+, flushes) layouts. Kernels before 2.6.25 print 7 fields for partitions: reads,
/// sectors read, writes, sectors written.
pub(super) fn diskstats(lines: &[String]) -> HashMap<String, [u64; 2]> {
    let mut disks = HashMap::new();
    for line in lines.iter().take(MAX_BLOCK_DEVICES) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (read, written) = match fields.len() {
            7 => (fields[4], fields[6]),
            n if n >= 14 => (fields[5], fields[9]),
            _ => continue,
        };
        let bytes = |sectors: &str| uint(sectors)?.checked_mul(SECTOR);
        let (Some(name), Some(read), Some(written)) = (label(fields[2], MAX_NAME), bytes(read), bytes(written)) else {
            continue;
        };
        disks.entry(name).or_insert([read, written]);
    }
    disks
}

/// `dm-0 vg-root` lines -> `mapper/vg-root` -> `dm-0`.
pub(super) fn dm_names(lines: &[String]) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for line in lines.iter().take(MAX_BLOCK_DEVICES) {
        let Some((kernel, name)) = line.trim().split_once(' ') else { continue };
        let (Some(kernel), Some(name)) = (label(kernel, MAX_NAME), label(name.trim(), MAX_NAME)) else { continue };
        if kernel.starts_with("dm-") && !name.contains('/') {
            names.entry(format!("mapper/{name}")).or_insert(kernel);
        }
    }
    names
}

/// The I/O counters of the devices holding the reported filesystems, labelled as the
/// filesystem's device. As in the local collector, 0/0 means the kernel keeps no counters
/// for it (ZFS datasets, an unresolvable `/dev/root`): no series rather than a false zero.
pub(super) fn disks_of(
    filesystems: &[Filesystem],
    diskstats: &HashMap<String, [u64; 2]>,
    dm_names: &HashMap<String, String>,
) -> Vec<(String, [u64; 2])> {
    let mut disks = Vec::new();
    for fs in filesystems {
        let kernel_name = dm_names.get(&fs.device).unwrap_or(&fs.device);
        let Some(&counters) = diskstats.get(kernel_name) else { continue };
        let known = disks.iter().any(|(d, _)| *d == fs.device);
        if counters != [0, 0] && !known && disks.len() < MAX_DISKS {
            disks.push((fs.device.clone(), counters));
        }
    }
    disks
}
