//! Builds the web UI (`web/` → `web/dist`, embedded by `src/http/assets.rs`) whenever its
//! sources changed (cargo reruns this script only then). `STEWARD_WEB_PREBUILT=1` skips npm
//! and uses an existing `web/dist` (a machine without Node, a packager that built it
//! elsewhere). Without npm and without that, the build fails saying what to install.

use std::path::Path;
use std::process::Command;
use std::{env, fs};

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
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=STEWARD_WEB_PREBUILT");
    for input in WEB_INPUTS {
        println!("cargo:rerun-if-changed={input}");
    }
    if let Err(e) = web() {
        panic!("{e}");
    }
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
