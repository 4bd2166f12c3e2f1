//! `steward bench nss`: how long rendering one host's account files takes for 100,000
//! users (passwd, group, shadow, keys and the bundle's SHA-256 version), the work the
//! appliance does for every bundle request after reading the store.
//!
//! Pure CPU on synthetic records; it must not start an appliance.

use std::time::{Duration, Instant};

use super::report::{Latencies, mib, thousands};
use crate::nss::{Account, Group, render};

pub const USERS: usize = 100_000;
const RUNS: usize = 30;

pub fn run() -> Vec<String> {
    let names: Vec<String> = (0..USERS).map(|i| format!("user{i:06}")).collect();
    let gecos: Vec<String> = (0..USERS).map(|i| format!("User Number {i}")).collect();
    // A bcrypt hash's shape and length; its value does not matter to rendering.
    let hash = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@laptop";
    let accounts: Vec<Account<'_>> = (0..USERS)
        .map(|i| Account {
            name: &names[i],
            uid: 20_000 + i as u32,
            gecos: &gecos[i],
            shell: "/bin/bash",
            hash,
            disabled: i % 50 == 0,
            must_change: i % 20 == 0,
            changed_day: 20_000,
            keys: vec![key],
        })
        .collect();
    let sudo: Vec<&str> = names.iter().step_by(10).map(String::as_str).collect();
    let groups = [Group { name: "steward-sudo", gid: 19_999, members: sudo }];
    let mut times = Vec::with_capacity(RUNS);
    let mut bytes = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let files = render(&accounts, &groups);
        let version = files.version();
        times.push(start.elapsed());
        bytes = files.passwd.len() + files.group.len() + files.shadow.len() + version.len();
        std::hint::black_box((files, version));
    }
    let first = times.first().copied().unwrap_or_default();
    let lat = Latencies::new(times);
    let best = lat.percentile(0.0).max(Duration::from_nanos(1));
    vec![
        format!("nss       {} users rendered in {} ({RUNS} runs)", thousands(USERS as u64), lat.summary()),
        format!(
            "          {} of passwd, group and shadow; best run {:.1} ms, first (cold memory) {:.1} ms",
            mib(bytes as u64),
            best.as_secs_f64() * 1e3,
            first.as_secs_f64() * 1e3
        ),
    ]
}
