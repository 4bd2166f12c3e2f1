//! Release builds on GNU/Linux lay the agent's per-cycle code out together.
//!
//! The agent's resident memory is mostly code pages, and the kernel reads and maps
//! executable code in windows (read-ahead, 64 KiB fault-around). With the functions a
//! collection cycle runs scattered across 14 MB of code, every cycle keeps several
//! megabytes resident; packed together they take well under one. `src/agent/hot.txt`
//! lists them as link-section patterns; this script turns it into a linker script that
//! adds one output section in front of `.text` (GNU ld and lld both honour `INSERT`).
//! Debug builds and other targets link as usual.

use std::{env, fs, path::PathBuf};

const HOT_LIST: &str = "src/agent/hot.txt";

fn main() {
    println!("cargo:rerun-if-changed={HOT_LIST}");
    println!("cargo:rerun-if-changed=build.rs");
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
