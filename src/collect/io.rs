//! Filesystems, disk I/O and network I/O: the cumulative counters and the rates derived
//! from them between two collects.

use std::collections::HashMap;
use std::path::Path;

use sysinfo::{Disk, DiskRefreshKind, Disks};

use super::{Reading, ignored, push};

/// Filesystem types that are not local storage: memory-backed, kernel interfaces, container
/// layers, read-only images, and network filesystems (their space belongs to another host).
const PSEUDO_FILESYSTEMS: &[&str] = &[
    "autofs",
    "binfmt_misc",
    "bpf",
    "cgroup",
    "cgroup2",
    "cifs",
    "configfs",
    "debugfs",
    "devpts",
    "devtmpfs",
    "efivarfs",
    "fusectl",
    "hugetlbfs",
    "iso9660",
    "mqueue",
    "nfs",
    "nfs4",
    "nfsd",
    "nsfs",
    "overlay",
    "proc",
    "pstore",
    "ramfs",
    "rootfs",
    "rpc_pipefs",
    "securityfs",
    "selinuxfs",
    "smb3",
    "squashfs",
    "sysfs",
    "tmpfs",
    "tracefs",
];

/// Mount trees that only ever hold kernel or runtime state, whatever the filesystem type.
const PSEUDO_MOUNT_ROOTS: &[&str] = &["/proc", "/sys", "/dev", "/run"];

/// How one family of paired counters (read/write, rx/tx) is named in the schema.
pub(crate) struct CounterSpec {
    label: &'static str,
    totals: [&'static str; 2],
    rates: [&'static str; 2],
}

pub(crate) const DISK_IO: CounterSpec = CounterSpec {
    label: "device",
    totals: ["disk.read_bytes", "disk.written_bytes"],
    rates: ["disk.read_bps", "disk.write_bps"],
};

pub(crate) const NET_IO: CounterSpec =
    CounterSpec { label: "iface", totals: ["net.rx_bytes", "net.tx_bytes"], rates: ["net.rx_bps", "net.tx_bps"] };

/// This cycle's paired counters of one device or interface, keyed by its label value.
pub(super) type Counters = Vec<(String, [u64; 2])>;

/// The previous cycle's counters of one family, kept to turn the next cycle's into rates.
#[derive(Debug, Default)]
pub(crate) struct PrevCounters {
    ts_ms: Option<i64>,
    values: HashMap<String, [u64; 2]>,
}

impl PrevCounters {
    /// Emits the counters, and the rates for every key also seen last cycle, then remembers
    /// this cycle. Keys that disappeared are forgotten, so a device that comes back starts
    /// over without a rate.
    pub(crate) fn emit(&mut self, spec: &CounterSpec, now_ms: i64, current: Counters, out: &mut Vec<Reading>) {
        let elapsed_ms = self.ts_ms.map(|prev| now_ms - prev);
        let mut next = HashMap::with_capacity(current.len());
        for (key, values) in current {
            for (i, value) in values.into_iter().enumerate() {
                push(out, spec.totals[i], vec![(spec.label, key.clone())], value as f64);
            }
            let prev = self.values.get(&key);
            if let (Some(prev), Some(elapsed_ms)) = (prev, elapsed_ms) {
                for i in 0..2 {
                    if let Some(bps) = rate(prev[i], values[i], elapsed_ms) {
                        push(out, spec.rates[i], vec![(spec.label, key.clone())], bps);
                    }
                }
            }
            next.insert(key, values);
        }
        self.ts_ms = Some(now_ms);
        self.values = next;
    }
}

/// Bytes per second between two readings of a cumulative counter, rounded to whole bytes.
/// `None` when there is no honest answer: no time passed (or the clock went back), or the
/// counter went backwards (reboot, driver reload, interface re-created), where the delta
/// would be negative or, read as unsigned, absurdly large.
pub(super) fn rate(prev: u64, cur: u64, elapsed_ms: i64) -> Option<f64> {
    if elapsed_ms <= 0 || cur < prev {
        return None;
    }
    Some(((cur - prev) as f64 * 1000.0 / elapsed_ms as f64).round())
}

/// One mounted filesystem as reported, before de-duplication.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mount {
    pub mount: String,
    /// Device name without `/dev/`.
    pub device: String,
    pub fstype: String,
    pub total: u64,
    pub available: u64,
    /// Blocks in use as `df` counts them (total - free), root-reserved blocks excluded.
    pub used: u64,
    pub read: u64,
    pub written: u64,
}

/// Whether a mount is real local storage worth a series.
pub(crate) fn is_local_filesystem(fstype: &str, mount: &str) -> bool {
    // FUSE filesystems are mostly remote or virtual (sshfs, rclone, lxcfs); fuseblk is the
    // exception: a FUSE driver over a local block device (ntfs-3g, exfat).
    let pseudo_type = PSEUDO_FILESYSTEMS.contains(&fstype) || fstype.starts_with("fuse.") || fstype == "fuse";
    let pseudo_root =
        PSEUDO_MOUNT_ROOTS.iter().any(|root| Path::new(mount).starts_with(root) && !mount.starts_with("/run/media/"));
    !pseudo_type && !pseudo_root
}

/// One mount per device, the one with the shortest path (ties by name): bind mounts and
/// btrfs subvolumes repeat the same device, and counting its space twice would lie.
/// Returns the survivors sorted by mount path so series come out in a stable order.
pub(crate) fn dedupe_by_device(mounts: Vec<Mount>) -> Vec<Mount> {
    let mut best: HashMap<String, Mount> = HashMap::new();
    for m in mounts {
        match best.get(&m.device) {
            Some(kept) if (kept.mount.len(), &kept.mount) <= (m.mount.len(), &m.mount) => {}
            _ => {
                best.insert(m.device.clone(), m);
            }
        }
    }
    let mut kept: Vec<Mount> = best.into_values().collect();
    kept.sort_by(|a, b| a.mount.cmp(&b.mount));
    kept
}

/// Refreshes the mount list, space and I/O counters, emits the space gauges and returns the
/// per-device I/O counters for [`PrevCounters::emit`].
pub(super) fn filesystems(disks: &mut Disks, ignore_mounts: &[String], out: &mut Vec<Reading>) -> Counters {
    // `true` drops unmounted filesystems; the disk kind (HDD/SSD) is not reported, so skip it.
    disks.refresh_specifics(true, DiskRefreshKind::nothing().with_storage().with_io_usage());
    let mounts = disks.iter().filter_map(local_mount).collect();
    let mut counters = Vec::new();
    for m in dedupe_by_device(mounts) {
        if ignored(ignore_mounts, &m.mount) {
            continue;
        }
        let labels = vec![("mount", m.mount), ("device", m.device.clone()), ("fstype", m.fstype)];
        push(out, "disk.used_bytes", labels.clone(), m.used as f64);
        push(out, "disk.available_bytes", labels.clone(), m.available as f64);
        push(out, "disk.total_bytes", labels, m.total as f64);
        // sysinfo reports 0/0 when the device has no /proc/diskstats entry (ZFS datasets,
        // an unresolvable /dev/root); a mounted filesystem has always read something, so
        // 0/0 means "unknown" and gets no I/O series rather than a flat false zero.
        if m.read != 0 || m.written != 0 {
            counters.push((m.device, [m.read, m.written]));
        }
    }
    counters
}

/// The reportable view of one sysinfo disk, or `None` when it is not local storage.
fn local_mount(disk: &Disk) -> Option<Mount> {
    let fstype = disk.file_system().to_string_lossy().into_owned();
    let mount = disk.mount_point().to_string_lossy().into_owned();
    if disk.total_space() == 0 || !is_local_filesystem(&fstype, &mount) {
        return None;
    }
    let name = disk.name().to_string_lossy();
    let device = name.strip_prefix("/dev/").unwrap_or(&name).to_owned();
    let usage = disk.usage();
    let (total, available) = (disk.total_space(), disk.available_space());
    Some(Mount {
        used: df_used(&mount).unwrap_or(total.saturating_sub(available)),
        mount,
        device,
        fstype,
        total,
        available,
        read: usage.total_read_bytes,
        written: usage.total_written_bytes,
    })
}

/// Space in use as `df` reports it: sysinfo only exposes total and available, and their
/// difference also counts the blocks reserved for root (5% by default on ext4, far more on
/// some images), which would make a disk look fuller than `df` says.
fn df_used(mount: &str) -> Option<u64> {
    let st = rustix::fs::statvfs(mount).ok()?;
    st.f_blocks.checked_sub(st.f_bfree)?.checked_mul(st.f_frsize)
}

/// Interface byte counters for [`PrevCounters::emit`], sorted by name; `None` when
/// `/proc/net/dev` cannot be read. One read covers every interface, where sysinfo opens nine
/// sysfs files per interface and a netlink socket on each refresh (most of a cycle's cost).
pub(super) fn interfaces(ignore_ifaces: &[String]) -> Option<Counters> {
    let text = std::fs::read_to_string("/proc/net/dev").ok()?;
    Some(parse_net_dev(&text, ignore_ifaces))
}

/// `/proc/net/dev`: two header lines, then `name: rx_bytes rx_packets ... (8 receive
/// fields) tx_bytes ...`. Loopback is left out: it is the host talking to itself and would
/// dwarf real traffic. Malformed lines are skipped.
pub(crate) fn parse_net_dev(text: &str, ignore_ifaces: &[String]) -> Counters {
    let mut counters: Counters = text
        .lines()
        .filter_map(|line| {
            let (name, fields) = line.split_once(':')?;
            let name = name.trim();
            if name.is_empty() || name == "lo" || ignored(ignore_ifaces, name) {
                return None;
            }
            let mut fields = fields.split_whitespace().map(|f| f.parse::<u64>().ok());
            let rx = fields.next()??;
            let tx = fields.nth(7)??;
            Some((name.to_string(), [rx, tx]))
        })
        .collect();
    counters.sort_by(|a, b| a.0.cmp(&b.0));
    counters
}
