//! Two jobs: build the web UI (`web/` → `web/dist`, embedded by `src/http/assets.rs`), and,
//! in release builds on GNU/Linux, lay the agent's per-cycle code out together.
//!
//! The web UI is built with npm whenever its sources changed (cargo reruns this script only
//! then). `STEWARD_WEB_PREBUILT=1` skips npm and uses an existing `web/dist` (a machine
//! without Node, a packager that built it elsewhere). Without npm and without that, the
//! build fails saying what to install.
//!
//! The agent's resident memory is mostly code pages, and the kernel reads and maps
//! executable code in windows (read-ahead, 64 KiB fault-around). With the functions a
//! collection cycle runs scattered across 14 MB of code, every cycle keeps several
//! megabytes resident; packed together they take well under one. `src/agent/hot.txt`
//! lists them as link-section patterns; this script turns it into a linker script that
//! adds one output section in front of `.text` (GNU ld and lld both honour `INSERT`).
//! Debug builds and other targets link as usual.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

const HOT_LIST: &str = "src/agent/hot.txt";

/// What the web build reads: a change to any of these rebuilds the UI.
const WEB_INPUTS: &[&str] = &[
    "web/src",
    "web/public",
    "web/index.html",
    "web/package.json",
    "web/package-lock.json",
    "web/vite.config.ts",
    "web/tsconfig.json",
    "web/tsconfig.app.json",
    "web/scripts/compress.mjs",
];

fn main() {
    println!("cargo:rerun-if-changed={HOT_LIST}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=STEWARD_WEB_PREBUILT");
    for input in WEB_INPUTS {
        println!("cargo:rerun-if-changed={input}");
    }
    if let Err(e) = web() {
        panic!("{e}");
    }
    agent_layout();
}

/// Builds `web/dist`, or checks a prebuilt one is there.
fn web() -> Result<(), String> {
    let web = Path::new("web");
    let index = web.join("dist/index.html");
    if env::var("STEWARD_WEB_PREBUILT").is_ok_and(|v| v == "1") {
        return match index.exists() {
            true => Ok(()),
            false => Err(format!("STEWARD_WEB_PREBUILT=1 but {} is missing: build the UI first", index.display())),
        };
    }
    let version = Command::new("npm").arg("--version").output();
    if !version.is_ok_and(|o| o.status.success()) {
        return Err("building the web UI needs Node.js 20+ and npm (https://nodejs.org, or apt install nodejs npm); \
             or set STEWARD_WEB_PREBUILT=1 to use an already built web/dist"
            .into());
    }
    let installed = web.join("node_modules/.package-lock.json");
    if modified(&installed) < modified(&web.join("package-lock.json")) {
        npm(web, &["ci", "--no-audit", "--no-fund"])?;
    }
    npm(web, &["run", "build"])
}

fn npm(dir: &Path, args: &[&str]) -> Result<(), String> {
    let status = Command::new("npm").args(args).current_dir(dir).status();
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("`npm {}` in {} failed ({s}); its output is above", args.join(" "), dir.display())),
        Err(e) => Err(format!("running `npm {}` in {}: {e}", args.join(" "), dir.display())),
    }
}

/// A file's modification time; the epoch when it is missing, so missing is "oldest".
fn modified(path: &Path) -> std::time::SystemTime {
    fs::metadata(path).and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH)
}

fn agent_layout() {
    let var = |name: &str| env::var(name).unwrap_or_default();
    let gnu_linux = var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu";
    if var("PROFILE") != "release" || !gnu_linux {
        return;
    }
    let list = match fs::read_to_string(HOT_LIST) {
        Ok(list) => list,
        Err(e) => panic!("reading the agent's hot function list {HOT_LIST}: {e}"),
    };
    let out = PathBuf::from(var("OUT_DIR")).join("agent-hot.ld");
    if let Err(e) = fs::write(&out, linker_script(&list)) {
        panic!("writing {}: {e}", out.display());
    }
    println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", out.display());
}

fn linker_script(list: &str) -> String {
    let mut script = String::from("SECTIONS\n{\n  .text.steward_hot :\n  {\n");
    for pattern in list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        // ld's script lexer ends a name at `$`, which legacy Rust mangling is full of; and
        // LLVM puts functions it deems cold (allocation growth, panics) in `.text.unlikely.`.
        let pattern = pattern.replace('$', "?");
        script.push_str(&format!("    *(.text.{pattern} .text.unlikely.{pattern})\n"));
    }
    script.push_str("  }\n}\nINSERT BEFORE .text;\n");
    script
}
