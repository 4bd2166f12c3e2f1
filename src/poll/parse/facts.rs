//! The host inventory ([`Facts`]) from os-release, `uname`, the cpuinfo model line and the
//! parsed `/proc` values, and GPU readings from `nvidia-smi` CSV. It must not fill a fact it
//! cannot read with a guess: an unknown fact stays empty (or 0).

use std::collections::HashSet;

use crate::collect::{Facts, GpuFact};

use super::sections::Sections;
use super::text::{MAX_LABEL, decimal, fact, label, uint};
use super::{GpuReading, MAX_GPUS, Snapshot};

/// Bytes per MiB, the unit of `nvidia-smi` memory columns with `nounits`.
const MIB: u64 = 1024 * 1024;

/// Facts from the inventory sections and from the already parsed values of `snap`.
pub(super) fn facts(sections: &Sections, snap: &Snapshot) -> Facts {
    let release = sections.lines("os-release");
    let uname = Uname::parse(sections.lines("uname").first().map(String::as_str).unwrap_or(""));
    let arch = sections.lines("arch").first().map(|a| fact(a)).filter(|a| !a.is_empty());
    let os_version = os_release_value(release, "VERSION_ID").unwrap_or_default();
    let os = os_release_value(release, "PRETTY_NAME")
        .or_else(|| os_release_value(release, "NAME").map(|n| format!("{n} {os_version}").trim().to_owned()))
        .unwrap_or_else(|| uname.system.clone());
    Facts {
        hostname: uname.hostname,
        os: fact(&os),
        os_version: fact(&os_version),
        kernel: uname.release,
        arch: arch.unwrap_or(uname.machine),
        cpu_model: sections.lines("cpuinfo").first().map(|l| cpu_model(l)).unwrap_or_default(),
        cpu_cores: u32::try_from(snap.cores.len()).unwrap_or(u32::MAX),
        cpu_physical_cores: None,
        memory_bytes: snap.memory.map(|m| m.total).unwrap_or(0),
        swap_bytes: snap.memory.map(|m| m.swap_total).unwrap_or(0),
        boot_time: snap.boot_time.unwrap_or(0),
        gpus: snap
            .gpus
            .iter()
            .map(|g| GpuFact { index: g.index, name: g.name.clone(), memory_bytes: g.mem_total_bytes.unwrap_or(0) })
            .collect(),
    }
}

/// Carries the facts only the inventory sections give (a [`crate::poll::script::Scope::Readings`]
/// poll leaves them out) over from `known`; the rest come from `/proc` every poll.
pub fn keep_inventory(facts: &mut Facts, known: &Facts) {
    facts.hostname.clone_from(&known.hostname);
    facts.os.clone_from(&known.os);
    facts.os_version.clone_from(&known.os_version);
    facts.kernel.clone_from(&known.kernel);
    facts.arch.clone_from(&known.arch);
    facts.cpu_model.clone_from(&known.cpu_model);
    facts.cpu_physical_cores = known.cpu_physical_cores;
}

/// The value of `key` in os-release lines, unquoted and unescaped as the local collector
/// does; `None` when absent or empty.
fn os_release_value(lines: &[String], key: &str) -> Option<String> {
    lines.iter().find_map(|line| {
        let value = line.trim().strip_prefix(key)?.strip_prefix('=')?.trim();
        let unquoted = match value.as_bytes() {
            [b'"', .., b'"'] | [b'\'', .., b'\''] => &value[1..value.len() - 1],
            _ => value,
        };
        let unescaped = unquoted.replace("\\\"", "\"").replace("\\$", "$").replace("\\`", "`").replace("\\\\", "\\");
        let value = fact(&unescaped);
        (!value.is_empty()).then_some(value)
    })
}

/// The fields of `uname -a` this parser can place: system, node name and release come first
/// and hold no spaces; the machine is found from the end (see [`Uname::machine_from_end`]).
#[derive(Debug, Default, PartialEq)]
struct Uname {
    system: String,
    hostname: String,
    release: String,
    machine: String,
}

impl Uname {
    fn parse(line: &str) -> Uname {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        if tokens.len() < 3 {
            return Uname::default();
        }
        Uname {
            system: fact(tokens[0]),
            hostname: fact(tokens[1]),
            release: fact(tokens[2]),
            machine: Self::machine_from_end(tokens[0], &tokens[3..]),
        }
    }

    /// GNU prints `... machine [processor] [platform] GNU/Linux`, leaving out processor and
    /// platform when `unknown` (older coreutils print them as `unknown`, RHEL repeats the
    /// machine); busybox ends with `machine Linux`. So: the line must end with an operating
    /// system name, and the machine is the last field before it that is not `unknown`. A
    /// free-form version field can still fool this, which is why the script prints
    /// `uname -m` on its own and this is only the fallback.
    fn machine_from_end(system: &str, rest: &[&str]) -> String {
        let Some((os, before)) = rest.split_last() else { return String::new() };
        if !(os.ends_with("Linux") || *os == system || *os == "Android") {
            return String::new();
        }
        let known: Vec<&str> = before.iter().copied().filter(|t| *t != "unknown").collect();
        let Some(last) = known.last() else { return String::new() };
        let looks_like_arch = last.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !last.contains(':');
        if looks_like_arch { fact(last) } else { String::new() }
    }
}

/// `model name\t: AMD EPYC 7543 32-Core Processor` -> the part after the colon.
fn cpu_model(line: &str) -> String {
    line.split_once(':').map(|(_, model)| fact(model)).unwrap_or_default()
}

/// `index, name, util %, mem used MiB, mem total MiB, temp C, power W` per GPU. A value the
/// card does not report (`[N/A]`, `[Not Supported]`) is absent; a name holding commas keeps
/// them, since the numeric columns are counted from both ends.
pub(super) fn nvidia(lines: &[String]) -> Vec<GpuReading> {
    let mut seen = HashSet::new();
    let mut gpus = Vec::new();
    for line in lines {
        if gpus.len() >= MAX_GPUS {
            break;
        }
        if let Some(gpu) = gpu_line(line)
            && seen.insert(gpu.index)
        {
            gpus.push(gpu);
        }
    }
    gpus
}

fn gpu_line(line: &str) -> Option<GpuReading> {
    let raw: Vec<&str> = line.split(',').collect();
    if raw.len() < 7 {
        return None;
    }
    let fields: Vec<&str> = raw.iter().map(|f| f.trim()).collect();
    let index = u32::try_from(uint(fields[0])?).ok()?;
    let values = &fields[fields.len() - 5..];
    let name = raw[1..raw.len() - 5].join(",");
    let name = match name.trim() {
        "" => format!("gpu {index}"),
        given => label(given, MAX_LABEL)?,
    };
    let mib = |s: &str| uint(s)?.checked_mul(MIB);
    Some(GpuReading {
        index,
        name,
        util_pct: decimal(values[0]),
        mem_used_bytes: mib(values[1]),
        mem_total_bytes: mib(values[2]),
        temp_c: decimal(values[3]),
        power_w: decimal(values[4]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uname_machine_is_found_from_the_end() {
        let cases = [
            (
                "Linux web1 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64 GNU/Linux",
                "x86_64",
            ),
            (
                "Linux alpine 6.6.14-0-lts #1-Alpine SMP PREEMPT_DYNAMIC Fri, 26 Jan 2024 11:08:07 +0000 x86_64 Linux",
                "x86_64",
            ),
            (
                "Linux c7 3.10.0-1160.el7.x86_64 #1 SMP Mon Oct 19 16:18:59 UTC 2020 x86_64 x86_64 x86_64 GNU/Linux",
                "x86_64",
            ),
            ("Linux old 3.2.0-4-686-pae #1 SMP Debian 3.2.96-3 i686 unknown unknown GNU/Linux", "i686"),
            (
                "Linux pi 5.15.0-1034-raspi #37-Ubuntu SMP PREEMPT Mon Jul 3 08:13:51 UTC 2023 aarch64 aarch64 aarch64 GNU/Linux",
                "aarch64",
            ),
            ("Linux host 6.1.0 #1 SMP", ""),
            ("Linux host 6.1.0 #1 SMP PREEMPT", ""),
            ("Linux host", ""),
            ("", ""),
        ];
        for (line, machine) in cases {
            assert_eq!(Uname::parse(line).machine, machine, "{line}");
        }
        let u = Uname::parse(cases[0].0);
        assert_eq!((u.system.as_str(), u.hostname.as_str(), u.release.as_str()), ("Linux", "web1", "6.1.0-18-amd64"));
    }

    #[test]
    fn os_release_values_are_unquoted_and_unescaped() {
        let lines: Vec<String> = ["NAME=Alpine", "PRETTY_NAME=\"Say \\\"hi\\\" \\$5\"", "VERSION_ID='3.19.1'", "ID="]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(os_release_value(&lines, "NAME").as_deref(), Some("Alpine"));
        assert_eq!(os_release_value(&lines, "PRETTY_NAME").as_deref(), Some("Say \"hi\" $5"));
        assert_eq!(os_release_value(&lines, "VERSION_ID").as_deref(), Some("3.19.1"));
        assert_eq!(os_release_value(&lines, "ID"), None);
        assert_eq!(os_release_value(&lines, "NAM"), None);
    }

    #[test]
    fn gpu_lines_tolerate_missing_values_and_commas_in_names() {
        let gpus = nvidia(&[
            "0, NVIDIA GeForce RTX 3090, 7, 1024, 24576, 45, [N/A]".to_owned(),
            "1, Tesla K80, [Not Supported], 0, 11441, 30, 26.53".to_owned(),
            "2, Odd, Name, 1, 2, 3, 4, 5.5".to_owned(),
            "1, duplicate index, 1, 2, 3, 4, 5".to_owned(),
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.".to_owned(),
            "3, , 1, 2, 3, 4, -5".to_owned(),
        ]);
        assert_eq!(gpus.len(), 4);
        assert_eq!(gpus[0].power_w, None);
        assert_eq!(gpus[0].mem_total_bytes, Some(24576 * MIB));
        assert_eq!(gpus[1].util_pct, None);
        assert_eq!(gpus[1].power_w, Some(26.53));
        assert_eq!(gpus[2].name, "Odd, Name");
        assert_eq!((gpus[3].name.as_str(), gpus[3].power_w), ("gpu 3", None));
    }
}
