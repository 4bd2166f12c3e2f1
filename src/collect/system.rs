//! CPU, memory, load, uptime and temperature readings.

use std::collections::HashMap;

use sysinfo::{Components, System};

use super::{Reading, push, round_to};

/// How often the sensor list is rescanned. Listing walks every hwmon directory and reads
/// several files per sensor, while a known sensor is one file read; sensors appear only
/// with new hardware or a driver load, so a rescan every few minutes is enough.
const SENSOR_RESCAN_MS: i64 = 5 * 60 * 1000;

pub(super) fn cpu(sys: &mut System, out: &mut Vec<Reading>) {
    sys.refresh_cpu_usage();
    push(out, "cpu.usage_pct", Vec::new(), pct(sys.global_cpu_usage()));
    for (index, cpu) in sys.cpus().iter().enumerate() {
        push(out, "cpu.core_pct", vec![("core", index.to_string())], pct(cpu.usage()));
    }
}

pub(super) fn memory(sys: &mut System, out: &mut Vec<Reading>) {
    sys.refresh_memory();
    let total = sys.total_memory();
    let available = sys.available_memory();
    // sysinfo subtracts without saturating; a container's odd meminfo must not underflow.
    push(out, "mem.used_bytes", Vec::new(), total.saturating_sub(available) as f64);
    push(out, "mem.available_bytes", Vec::new(), available as f64);
    push(out, "mem.total_bytes", Vec::new(), total as f64);
    let swap_total = sys.total_swap();
    push(out, "swap.used_bytes", Vec::new(), swap_total.saturating_sub(sys.free_swap()) as f64);
    push(out, "swap.total_bytes", Vec::new(), swap_total as f64);
}

pub(super) fn load_and_uptime(out: &mut Vec<Reading>) {
    // Both are static reads of /proc; an error means the platform lacks them, so no series.
    if let Ok(load) = System::load_average() {
        push(out, "load.1", Vec::new(), round_to(load.one, 2));
        push(out, "load.5", Vec::new(), round_to(load.five, 2));
        push(out, "load.15", Vec::new(), round_to(load.fifteen, 2));
    }
    if let Ok(uptime) = System::uptime() {
        push(out, "uptime_s", Vec::new(), uptime as f64);
    }
}

/// Whether the sensor list should be rescanned this cycle: never scanned, due, or the
/// caller's clock went backwards (then the remembered time means nothing).
pub(super) fn sensor_rescan_due(last_ms: Option<i64>, now_ms: i64) -> bool {
    match last_ms {
        None => true,
        Some(last) => now_ms < last || now_ms - last >= SENSOR_RESCAN_MS,
    }
}

pub(super) fn temperatures(components: &mut Components, rescan: bool, out: &mut Vec<Reading>) {
    if rescan {
        components.refresh(true);
    } else {
        for component in components.iter_mut() {
            component.refresh();
        }
    }
    let labels = unique_labels(components.iter().map(|c| c.label()));
    for (component, label) in components.iter().zip(labels) {
        if let Some(celsius) = component.temperature() {
            push(out, "temp_c", vec![("sensor", label)], round_to(f64::from(celsius), 1));
        }
    }
}

/// Makes sensor labels unique by appending " #2", " #3"... to repeats, in list order.
/// Several chips often share a label (two "coretemp Package id 0" on a dual-socket board,
/// identical NVMe drives) and each must stay its own series.
pub(super) fn unique_labels<'a>(labels: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    labels
        .map(|label| {
            let count = seen.entry(label).or_insert(0);
            *count += 1;
            if *count == 1 { label.to_owned() } else { format!("{label} #{count}") }
        })
        .collect()
}

/// A percentage from sysinfo, rounded to one decimal.
fn pct(value: f32) -> f64 {
    round_to(f64::from(value), 1)
}
