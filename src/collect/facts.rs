//! The host inventory: names, versions and sizes that change rarely (on upgrade or reboot).

use sysinfo::System;

use super::Facts;

/// Where the pretty OS name lives; `/usr/lib` is the fallback the os-release spec defines.
const OS_RELEASE: &[&str] = &["/etc/os-release", "/usr/lib/os-release"];

/// Everything but the physical core count and GPUs, which the collector fills in.
pub(super) fn read(system: Option<&mut System>) -> Facts {
    let os_version = System::os_version().unwrap_or_default();
    let mut facts = Facts {
        hostname: System::host_name().unwrap_or_default(),
        os: pretty_os_name(&os_version),
        os_version,
        kernel: System::kernel_version().unwrap_or_default(),
        arch: System::cpu_arch(),
        boot_time: i64::try_from(System::boot_time().unwrap_or(0)).unwrap_or(0),
        ..Facts::default()
    };
    if let Some(sys) = system {
        // Totals only; cheap (one read of /proc/meminfo) and needed if facts() runs first.
        sys.refresh_memory();
        facts.memory_bytes = sys.total_memory();
        facts.swap_bytes = sys.total_swap();
        let cpus = sys.cpus();
        facts.cpu_cores = u32::try_from(cpus.len()).unwrap_or(u32::MAX);
        facts.cpu_model = cpus.first().map(|c| c.brand().trim().to_owned()).unwrap_or_default();
    }
    facts
}

/// `PRETTY_NAME` from os-release (e.g. "Debian GNU/Linux 12 (bookworm)"); sysinfo only
/// offers `NAME` and `VERSION_ID`, so those are the fallback, then the kernel's name.
fn pretty_os_name(os_version: &str) -> String {
    let from_file = OS_RELEASE
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .find_map(|content| os_release_value(&content, "PRETTY_NAME"));
    if let Some(pretty) = from_file {
        return pretty;
    }
    match System::name() {
        Ok(name) if os_version.is_empty() => name,
        Ok(name) => format!("{name} {os_version}"),
        Err(_) => System::long_os_version().unwrap_or_else(|_| std::env::consts::OS.to_owned()),
    }
}

/// The value of `key` in os-release content, unquoted; `None` when absent or empty.
pub(super) fn os_release_value(content: &str, key: &str) -> Option<String> {
    content.lines().find_map(|line| {
        let value = line.trim().strip_prefix(key)?.strip_prefix('=')?.trim();
        let unquoted = match value.as_bytes() {
            [b'"', .., b'"'] | [b'\'', .., b'\''] => &value[1..value.len() - 1],
            _ => value,
        };
        // Shell-style escapes are allowed in os-release; unescape the ones that occur in practice.
        let unescaped = unquoted.replace("\\\"", "\"").replace("\\$", "$").replace("\\`", "`").replace("\\\\", "\\");
        (!unescaped.is_empty()).then_some(unescaped)
    })
}
