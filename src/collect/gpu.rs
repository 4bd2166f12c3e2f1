//! NVIDIA GPUs through NVML. The library is loaded at run time, so hosts without the driver
//! build and run the same binary with GPU series off.

use nvml_wrapper::enum_wrappers::device::TemperatureSensor;
use nvml_wrapper::{Device, Nvml};

use super::{GpuFact, Reading, push, round_to};

pub(super) struct Gpus {
    nvml: Nvml,
}

impl Gpus {
    /// Loads NVML once. Failure is the normal case on a host without an NVIDIA driver: it is
    /// logged once at info level and never retried, since the driver does not appear while
    /// the process runs.
    pub(super) fn init() -> Option<Self> {
        match Nvml::init() {
            Ok(nvml) => Some(Self { nvml }),
            Err(e) => {
                tracing::info!(error = %e, "no nvidia gpu library; gpu metrics off");
                None
            }
        }
    }

    /// One set of series per GPU. A query the device does not support (power on many
    /// consumer cards) or a GPU that fell off the bus costs only those readings: no log,
    /// since it would repeat every cycle.
    pub(super) fn readings(&self, out: &mut Vec<Reading>) {
        let count = self.nvml.device_count().unwrap_or(0);
        for index in 0..count {
            let Ok(device) = self.nvml.device_by_index(index) else { continue };
            let name = device_name(&device, index);
            let labels = || vec![("gpu", index.to_string()), ("name", name.clone())];
            if let Ok(util) = device.utilization_rates() {
                push(out, "gpu.util_pct", labels(), f64::from(util.gpu));
            }
            if let Ok(memory) = device.memory_info() {
                push(out, "gpu.mem_used_bytes", labels(), memory.used as f64);
                push(out, "gpu.mem_total_bytes", labels(), memory.total as f64);
            }
            if let Ok(celsius) = device.temperature(TemperatureSensor::Gpu) {
                push(out, "gpu.temp_c", labels(), f64::from(celsius));
            }
            if let Ok(milliwatts) = device.power_usage() {
                push(out, "gpu.power_w", labels(), round_to(f64::from(milliwatts) / 1000.0, 1));
            }
        }
    }

    pub(super) fn facts(&self) -> Vec<GpuFact> {
        let count = self.nvml.device_count().unwrap_or(0);
        (0..count)
            .filter_map(|index| {
                let device = self.nvml.device_by_index(index).ok()?;
                Some(GpuFact {
                    index,
                    name: device_name(&device, index),
                    memory_bytes: device.memory_info().map(|m| m.total).unwrap_or(0),
                })
            })
            .collect()
    }
}

/// The marketing name ("NVIDIA A100-SXM4-40GB"), or a stand-in so the label is never empty.
fn device_name(device: &Device<'_>, index: u32) -> String {
    device.name().unwrap_or_else(|_| format!("gpu {index}"))
}
