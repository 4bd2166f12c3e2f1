//! The ssh phase: many SSH hosts, pointing at a few local sshd instances (the same
//! binary Debian ships, started here with throwaway configs), polled at the given interval
//! by an appliance started in-process, for a number of cycles of real time.
//!
//! Figures: polls done against polls due, polls missed (started a whole interval late),
//! failed polls, the appliance's CPU time per poll (every thread of this process: pool,
//! scheduler, storage), the pool threads' share, and the memory each open session costs
//! (resident memory with every session open, less before any, per session). sshd's own
//! cost is not counted: it is the monitored hosts' side. It judges nothing.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use super::footprint::{CpuMeter, usage};
use super::report::mib;
use super::sshd::Sshd;
use crate::app::Appliance;
use crate::caller::Scope;
use crate::poll::NewSshHost;

/// Hosts per sshd instance: sessions spread like separate machines', few enough processes.
const HOSTS_PER_SSHD: usize = 50;

pub async fn run(dir: &Path, hosts: usize, cycles: u32, interval_s: u32) -> anyhow::Result<Vec<String>> {
    let user = bench_user()?;
    let mut fleet = Vec::new();
    for i in 0..hosts.div_ceil(HOSTS_PER_SSHD) {
        fleet.push(Sshd::start(&dir.join(format!("sshd-{i}")), &user, "").await?);
    }
    let config = super::config(&dir.join("appliance"), &[])?;
    let appliance = Appliance::start(config, std::sync::Arc::new(crate::clock::SystemClock), false)
        .await
        .context("starting the appliance")?;
    let result = measure(&appliance, &fleet, &user, hosts, cycles, interval_s).await;
    appliance.stop().await;
    drop(fleet);
    result
}

/// The account the bench logs in as. As root, a dedicated system account whose shell is
/// `/bin/sh` (made if missing): root's own shell may be bash, which runs `~/.bashrc` for every
/// command sshd starts, so the figures would measure (or hang on) whatever root's rc files do.
/// Otherwise the current user, who cannot make accounts.
fn bench_user() -> anyhow::Result<String> {
    use std::process::Command;
    let user = super::sshd::whoami()?;
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    if !root {
        return Ok(user);
    }
    let exists = Command::new("id").arg(BENCH_USER).output().is_ok_and(|o| o.status.success());
    if !exists {
        let status = Command::new("useradd")
            // `*`, not useradd's `!`: without PAM, sshd refuses even key logins to a locked account.
            .args(["--system", "--no-create-home", "--home-dir", "/", "--shell", "/bin/sh", "--password", "*"])
            .arg(BENCH_USER)
            .status()
            .context("running useradd")?;
        anyhow::ensure!(status.success(), "useradd could not create the bench account {BENCH_USER}");
    }
    Ok(BENCH_USER.to_string())
}

/// The account [`bench_user`] makes when the bench runs as root.
const BENCH_USER: &str = "steward-bench";

async fn measure(
    appliance: &Appliance,
    fleet: &[Sshd],
    user: &str,
    hosts: usize,
    cycles: u32,
    interval_s: u32,
) -> anyhow::Result<Vec<String>> {
    let ctx = &appliance.ctx;
    let scope = Scope::system(ctx.default_org);
    let now = ctx.clock.now();
    let ed25519 = crate::sshkeys::KeyAlgorithm::Ed25519;
    let key = crate::sshkeys::generate(&ctx.store, &ctx.sealer, &scope, "bench", ed25519, None, now).await?;
    for sshd in fleet {
        sshd.authorize(&key.public_key)?;
    }
    let pid = std::process::id();
    let mut cpu = CpuMeter::default();
    let before = usage(pid, &mut cpu)?;
    let bar = super::progress("ssh", Some(hosts as u64), "hosts");
    let mut ids = Vec::with_capacity(hosts);
    for i in 0..hosts {
        let port = fleet[i / HOSTS_PER_SSHD].port;
        let new: NewSshHost = serde_json::from_value(json!({"kind": "ssh", "name": format!("bench-{i}"),
            "address": "127.0.0.1", "port": port, "username": user, "key_id": key.id, "interval_s": interval_s}))?;
        ids.push(crate::poll::create(&ctx.store, &ctx.sealer, &scope, new, now).await?.id);
        bar.inc(1);
    }
    ctx.state::<crate::hosts::Polls>().targets_changed();
    bar.finish_and_clear();
    let online = wait_online(ctx, hosts, Duration::from_secs(u64::from(interval_s) * 4 + 30)).await;
    let open = usage(pid, &mut cpu)?;
    let start = ctx.state::<crate::poll::Stats>().snapshot();
    let cpu_start = cpu.read(pid)?;
    let bar = super::progress("ssh", Some(u64::from(cycles)), "intervals");
    let window = Duration::from_secs(u64::from(interval_s));
    let began = Instant::now();
    for c in 1..=cycles {
        // Read often: threads that end between readings keep their last time.
        tokio::time::sleep_until((began + window * c).into()).await;
        cpu.read(pid)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let elapsed = began.elapsed();
    let cpu_ns = cpu.read(pid)? - cpu_start;
    let end = ctx.state::<crate::poll::Stats>().snapshot();
    let polls = end.polls_ok - start.polls_ok;
    let due = hosts as u64 * elapsed.as_secs() / u64::from(interval_s.max(1));
    let per = |ns: u64| ns as f64 / polls.max(1) as f64 / 1e6;
    let per_session = open.rss.saturating_sub(before.rss) as f64 / end.sessions.max(1) as f64 / 1024.0;
    let mut errors: std::collections::BTreeMap<String, usize> = Default::default();
    for id in ids {
        if let Some(e) = ctx.state::<crate::hosts::Polls>().get(id).and_then(|p| p.last_error) {
            *errors.entry(e.message).or_default() += 1;
        }
    }
    let mut lines = vec![
        format!(
            "ssh        {hosts} hosts every {interval_s} s for {:.0} s: {polls} polls of {due} due, {} missed, {} failed; {:.2} ms CPU per poll",
            elapsed.as_secs_f64(),
            end.polls_missed - start.polls_missed,
            end.polls_failed - start.polls_failed,
            per(cpu_ns),
        ),
        format!(
            "  pool threads {:.2} ms CPU per poll; the rest is scheduling and storing samples",
            per(end.worker_cpu_ns - start.worker_cpu_ns)
        ),
        format!(
            "  {} sessions open ({online} online before measuring, {} sshd instances); {per_session:.0} KiB resident per session \
             ({} before any, {} with all open)",
            end.sessions,
            fleet.len(),
            mib(before.rss),
            mib(open.rss),
        ),
    ];
    lines.extend(errors.into_iter().map(|(message, n)| format!("  last error of {n} hosts: {message}")));
    Ok(lines)
}

/// Waits until `hosts` SSH hosts are online, or `limit` passes; how many made it.
async fn wait_online(ctx: &crate::ctx::Ctx, hosts: usize, limit: Duration) -> usize {
    let deadline = Instant::now() + limit;
    loop {
        let online = ctx.state::<crate::poll::Stats>().snapshot().sessions as usize;
        if online >= hosts || Instant::now() > deadline {
            return online;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
