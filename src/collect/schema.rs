//! The metric schema: every series name the collector may emit, with its unit, label keys
//! and kind. Docs and tests are checked against this table, so a new metric starts here.

/// How a series behaves over time, which decides how it may be aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A value at the sample time (usage, sizes, temperatures).
    Gauge,
    /// A cumulative count that only grows until a reset (reboot, interface re-created).
    Counter,
    /// A per-second rate computed by the collector from two consecutive counter readings.
    Rate,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Gauge => "gauge",
            Kind::Counter => "counter",
            Kind::Rate => "rate",
        }
    }
}

/// One row of the schema table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricDoc {
    pub name: &'static str,
    pub unit: &'static str,
    /// Label keys, in the order readings carry them.
    pub labels: &'static [&'static str],
    pub kind: Kind,
    pub help: &'static str,
}

const fn gauge(
    name: &'static str,
    unit: &'static str,
    labels: &'static [&'static str],
    help: &'static str,
) -> MetricDoc {
    MetricDoc { name, unit, labels, kind: Kind::Gauge, help }
}

const fn counter(name: &'static str, labels: &'static [&'static str], help: &'static str) -> MetricDoc {
    MetricDoc { name, unit: "bytes", labels, kind: Kind::Counter, help }
}

const fn rate(name: &'static str, labels: &'static [&'static str], help: &'static str) -> MetricDoc {
    MetricDoc { name, unit: "bytes/s", labels, kind: Kind::Rate, help }
}

const NONE: &[&str] = &[];
const CORE: &[&str] = &["core"];
const MOUNT: &[&str] = &["mount", "device", "fstype"];
const DEVICE: &[&str] = &["device"];
const IFACE: &[&str] = &["iface"];
const SENSOR: &[&str] = &["sensor"];
const GPU: &[&str] = &["gpu", "name"];

/// Every series the collector emits; nothing outside this table is ever produced.
pub const METRICS: &[MetricDoc] = &[
    gauge("cpu.usage_pct", "%", NONE, "CPU busy time over all logical CPUs since the previous collect"),
    gauge("cpu.core_pct", "%", CORE, "busy time of one logical CPU since the previous collect"),
    gauge("load.1", "", NONE, "load average over 1 minute"),
    gauge("load.5", "", NONE, "load average over 5 minutes"),
    gauge("load.15", "", NONE, "load average over 15 minutes"),
    gauge("mem.used_bytes", "bytes", NONE, "memory in use: total minus available"),
    gauge("mem.available_bytes", "bytes", NONE, "memory available to new work without swapping (MemAvailable)"),
    gauge("mem.total_bytes", "bytes", NONE, "installed memory visible to the kernel"),
    gauge("swap.used_bytes", "bytes", NONE, "swap in use"),
    gauge("swap.total_bytes", "bytes", NONE, "swap configured"),
    gauge("disk.used_bytes", "bytes", MOUNT, "filesystem space in use as df counts it (total minus free)"),
    gauge("disk.available_bytes", "bytes", MOUNT, "filesystem space unprivileged users can still write"),
    gauge("disk.total_bytes", "bytes", MOUNT, "filesystem size"),
    rate("disk.read_bps", DEVICE, "bytes read from the block device per second"),
    rate("disk.write_bps", DEVICE, "bytes written to the block device per second"),
    counter("disk.read_bytes", DEVICE, "bytes read from the block device since boot"),
    counter("disk.written_bytes", DEVICE, "bytes written to the block device since boot"),
    rate("net.rx_bps", IFACE, "bytes received per second"),
    rate("net.tx_bps", IFACE, "bytes sent per second"),
    counter("net.rx_bytes", IFACE, "bytes received since the interface came up"),
    counter("net.tx_bytes", IFACE, "bytes sent since the interface came up"),
    gauge("uptime_s", "s", NONE, "seconds since boot"),
    gauge("temp_c", "°C", SENSOR, "temperature of a hardware sensor"),
    gauge("gpu.util_pct", "%", GPU, "time the GPU was executing kernels over the driver's last sample period"),
    gauge("gpu.mem_used_bytes", "bytes", GPU, "GPU memory allocated"),
    gauge("gpu.mem_total_bytes", "bytes", GPU, "GPU memory installed"),
    gauge("gpu.temp_c", "°C", GPU, "GPU die temperature"),
    gauge("gpu.power_w", "W", GPU, "GPU power draw"),
];

impl MetricDoc {
    /// The schema row for `name`, if it is a known metric.
    pub fn find(name: &str) -> Option<&'static MetricDoc> {
        METRICS.iter().find(|m| m.name == name)
    }
}
