//! The script run for real on this machine, by every shell that is installed, and parsed.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::*;
use crate::collect::{Collector, CollectorOptions, Reading};
use crate::poll::parse::{Snapshot, parse};
use crate::poll::rates::Deltas;

const NONCE: &str = "0123456789abcdef";

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
}

/// Feeds `input` to `program args` on stdin and returns its stdout; `None` when the program
/// is not installed. `path` replaces the whole environment with just that PATH.
fn run(program: &Path, args: &[&str], path: Option<&Path>, input: &str) -> Vec<u8> {
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(path) = path {
        cmd.env_clear().env("PATH", path);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out.stdout
}

/// What any Linux host must give back; the inventory facts only from a full poll.
fn assert_usable(who: &str, output: &[u8], scope: Scope) -> Snapshot {
    let snap = parse(output, NONCE).unwrap_or_else(|e| panic!("{who}: {e}\n{}", String::from_utf8_lossy(output)));
    assert!(snap.cpu.is_some() && snap.memory.is_some(), "{who}: {snap:?}");
    assert!(snap.load.is_some() && snap.uptime_s.is_some(), "{who}: {snap:?}");
    assert!(!snap.filesystems.is_empty(), "{who}: no filesystem in\n{}", String::from_utf8_lossy(output));
    let f = &snap.facts;
    let inventory = !f.hostname.is_empty() && !f.kernel.is_empty() && !f.arch.is_empty() && !f.os.is_empty();
    assert_eq!(inventory, scope == Scope::Full, "{who} {scope:?}: {f:?}");
    assert!(f.cpu_cores > 0 && f.memory_bytes > 0 && f.boot_time > 0, "{who}: {f:?}");
    snap
}

/// The section names of an output, in the order their markers came.
fn markers(output: &[u8]) -> Vec<String> {
    let prefix = marker(NONCE, "");
    let text = String::from_utf8_lossy(output);
    text.lines().filter_map(|l| l.strip_prefix(&prefix)).map(str::to_owned).collect()
}

/// The sections a poll of `scope` prints on this machine, in order (`dm` only where there
/// are device-mapper devices).
fn expected(scope: Scope) -> Vec<String> {
    let dm =
        std::fs::read_dir("/sys/block").unwrap().flatten().any(|e| e.file_name().to_string_lossy().starts_with("dm-"));
    SECTIONS
        .iter()
        .chain([&END])
        .filter(|s| dm || **s != "dm")
        .filter(|s| scope == Scope::Full || !INVENTORY.contains(s))
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn markers_come_in_order_and_only_the_full_scope_asks_for_the_inventory() {
    let Some(sh) = find_in_path("sh") else { return };
    for scope in [Scope::Full, Scope::Readings] {
        let text = script(NONCE, scope);
        assert!(text.starts_with("LC_ALL=C; export LC_ALL\n"));
        assert_eq!(markers(&run(&sh, &["-s"], None, &text)), expected(scope), "{scope:?}");
    }
    assert!(!script(NONCE, Scope::Readings).contains("uname"));
    assert_eq!(marker(NONCE, "df"), "@@steward-0123456789abcdef@@ df");
}

#[test]
fn a_nonce_cannot_break_out_of_its_quotes() {
    let text = script("ab'; rm -rf / #\n$(reboot)", Scope::Full);
    assert!(text.contains("m='@@steward-abrmrfreboot@@'\n"), "{text}");
    assert!(!text.contains("rm -rf") && !text.contains("$(reboot)"));
    assert_eq!(marker("ab'; rm -rf / #\n$(reboot)", "end"), "@@steward-abrmrfreboot@@ end");
}

#[test]
fn runs_in_dash_and_bash() {
    for scope in [Scope::Full, Scope::Readings] {
        let text = script(NONCE, scope);
        for shell in ["sh", "dash", "bash"] {
            let Some(program) = find_in_path(shell) else { continue };
            assert_usable(shell, &run(&program, &["-s"], None, &text), scope);
        }
    }
}

/// A directory holding links named `commands` to `target` (or each to itself in PATH).
fn only(commands: &[&str], target: Option<&Path>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for command in commands {
        let to = target.map(Path::to_path_buf).or_else(|| find_in_path(command)).unwrap();
        std::os::unix::fs::symlink(to, dir.path().join(command)).unwrap();
    }
    dir
}

#[test]
fn runs_in_busybox_sh_and_with_busybox_applets_only() {
    let Some(busybox) = find_in_path("busybox") else {
        eprintln!("busybox is not installed; skipped");
        return;
    };
    let text = script(NONCE, Scope::Full);
    assert_usable("busybox sh", &run(&busybox, &["sh", "-s"], None, &text), Scope::Full);

    // Only busybox on PATH: its df has no -l, so the script must fall back; with and without
    // its awk applet.
    for applets in [&["awk", "cat", "df", "grep", "uname"][..], &["cat", "df", "grep", "uname"]] {
        let dir = only(applets, Some(&busybox));
        let output = run(&busybox, &["sh", "-s"], Some(dir.path()), &text);
        let snap = assert_usable("busybox applets", &output, Scope::Full);
        assert!(String::from_utf8_lossy(&output).contains("Filesystem           Type"), "busybox df -T layout");
        assert!(snap.filesystems.iter().any(|f| f.mount == "/"));
        assert_eq!(markers(&output), expected(Scope::Full), "{applets:?}");
    }
}

#[test]
fn without_awk_cat_prints_the_same_sections() {
    let Some(sh) = find_in_path("sh") else { return };
    let text = script(NONCE, Scope::Full);
    let with = only(&["awk", "cat", "df", "grep", "uname"], None);
    let without = only(&["cat", "df", "grep", "uname"], None);
    let a = run(&sh, &["-s"], Some(with.path()), &text);
    let b = run(&sh, &["-s"], Some(without.path()), &text);
    assert_eq!(markers(&a), markers(&b));
    let (a, b) = (parse(&a, NONCE).unwrap(), parse(&b, NONCE).unwrap());
    assert_eq!(a.facts, b.facts);
    assert_eq!(
        (a.memory.map(|m| m.total), a.disks.len(), a.net.len()),
        (b.memory.map(|m| m.total), b.disks.len(), b.net.len())
    );
}

#[test]
fn shellcheck_finds_nothing() {
    let Some(shellcheck) = find_in_path("shellcheck") else {
        eprintln!("shellcheck is not installed; skipped");
        return;
    };
    for dialect in ["sh", "dash", "bash"] {
        let mut cmd = Command::new(&shellcheck);
        cmd.args(["-s", dialect, "-"]).stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let text = script(NONCE, Scope::Full) + &script(NONCE, Scope::Readings);
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "shellcheck -s {dialect}:\n{}", String::from_utf8_lossy(&out.stdout));
    }
}

#[test]
fn a_script_cut_in_transit_runs_nothing() {
    let Some(sh) = find_in_path("sh") else { return };
    let text = script(NONCE, Scope::Full);
    for cut in [text.len() / 3, text.len() / 2, text.len() - 3] {
        let out = run(&sh, &["-s"], None, &text[..cut]);
        assert!(out.is_empty(), "cut at {cut} printed {}", String::from_utf8_lossy(&out));
    }
}

/// The series that both collectors can see, by name and labels.
fn identities(readings: &[Reading]) -> BTreeSet<String> {
    const SHARED: &[&str] = &[
        "mem.total_bytes",
        "swap.total_bytes",
        "load.1",
        "uptime_s",
        "disk.total_bytes",
        "disk.read_bytes",
        "disk.written_bytes",
        "net.rx_bytes",
        "net.tx_bytes",
    ];
    readings.iter().filter(|r| SHARED.contains(&r.name)).map(|r| format!("{} {:?}", r.name, r.labels)).collect()
}

#[test]
fn this_host_polled_by_the_script_has_the_local_collectors_series() {
    let Some(sh) = find_in_path("sh") else { return };
    let snap = assert_usable("sh", &run(&sh, &["-s"], None, &script(NONCE, Scope::Full)), Scope::Full);
    let polled = Deltas::default().collect(&snap, 1_000);
    let local = Collector::new(CollectorOptions::default()).collect(1_000);
    let ours = identities(&polled.readings);
    assert!(ours.iter().any(|s| s.starts_with("disk.total_bytes")), "{ours:?}");
    assert_eq!(ours, identities(&local.readings));
    // Sizes that do not move while the test runs must agree to the byte.
    let sizes = |c: &crate::collect::Collection| -> Vec<(String, f64)> {
        let fixed = ["mem.total_bytes", "swap.total_bytes", "disk.total_bytes"];
        c.readings.iter().filter(|r| fixed.contains(&r.name)).map(|r| (format!("{r:?}"), r.value)).collect()
    };
    assert_eq!(sizes(&polled), sizes(&local));
}
