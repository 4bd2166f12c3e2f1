//! The footprint phase: `steward agent` run the way users run it (a child process of this
//! binary at the given interval, pushing over HTTPS with a pinned certificate to an
//! appliance started in-process), measured side by side in the same run with Debian's
//! `prometheus-node-exporter` scraped at the same interval.
//!
//! CPU time is the sum of every thread's `schedstat` run time (nanoseconds), taken after a
//! warm-up and again after the measured cycles; memory is `VmRSS`/`VmHWM` from
//! `/proc/PID/status` at the end. It must not change how the agent runs: the agent gets
//! only flags and its key in the environment.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use toml::Value;

use super::report::mib;
use crate::app::Appliance;
use crate::orgs::Scope;

/// One process's figures over the measured window.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub cpu_ns: u64,
    pub rss: u64,
    pub peak_rss: u64,
    pub rss_anon: u64,
}

pub async fn run(dir: &Path, cycles: u32, interval_s: u32, node_exporter: &Path) -> anyhow::Result<Vec<String>> {
    let config = super::config(&dir.join("appliance"), &[("tls.mode", Value::String("auto".into()))])?;
    let appliance = Appliance::start(config, std::sync::Arc::new(crate::clock::SystemClock), false)
        .await
        .context("starting the appliance")?;
    let result = measure(&appliance, dir, cycles, interval_s, node_exporter).await;
    appliance.stop().await;
    result
}

async fn measure(
    appliance: &Appliance,
    dir: &Path,
    cycles: u32,
    interval_s: u32,
    node_exporter: &Path,
) -> anyhow::Result<Vec<String>> {
    let ctx = &appliance.ctx;
    let key = crate::ingest::keys::create(&ctx.store, &Scope::system(ctx.default_org), "bench", true, ctx.clock.now())
        .await?
        .key;
    let fingerprint = appliance.fingerprint.clone().context("the appliance has no certificate")?;
    let mut agent = Reaped(spawn_agent(&appliance.url(), &key, &fingerprint, &dir.join("agent"), interval_s)?);
    let mut exporter = match node_exporter.exists() {
        true => Some(spawn_exporter(node_exporter).await?).map(|(child, url)| (Reaped(child), url)),
        false => None,
    };
    let client = super::http_client()?;
    let interval = Duration::from_secs(interval_s.into());
    let bar = super::progress("footprint", Some(u64::from(cycles) + 2), "cycles");

    // Warm-up: the agent has enrolled and delivered, the exporter has answered twice.
    let delivered = || ctx.tsdb.stats().batches;
    wait_for(Duration::from_secs(30) + interval * 3, || delivered() >= 2, &mut agent).await?;
    for _ in 0..2 {
        if let Some((_, url)) = &exporter {
            client.get(url.as_str()).send().await?.error_for_status()?.bytes().await?;
        }
        bar.inc(1);
    }
    let agent_before = usage(agent.id())?;
    let exporter_before = exporter.as_ref().map(|(c, _)| usage(c.id())).transpose()?;
    let batches_before = delivered();
    let started = Instant::now();
    for i in 1..=cycles {
        tokio::time::sleep_until((started + interval * i).into()).await;
        if let Some((_, url)) = &exporter {
            client.get(url.as_str()).send().await?.error_for_status()?.bytes().await?;
        }
        bar.inc(1);
    }
    // The agent's last cycle lands within a few ms of the tick; let it finish.
    tokio::time::sleep(interval / 2).await;
    let agent_after = usage(agent.id())?;
    let exporter_after = exporter.as_ref().map(|(c, _)| usage(c.id())).transpose()?;
    let batches = delivered() - batches_before;
    bar.finish_and_clear();
    let _ = agent.0.kill();
    if let Some((c, _)) = exporter.as_mut() {
        let _ = c.0.kill();
    }

    let per = |before: &Usage, after: &Usage, n: u64| (after.cpu_ns - before.cpu_ns) as f64 / n.max(1) as f64 / 1e6;
    let mut lines = vec![format!(
        "footprint  agent: RSS {} (peak {}, anonymous {}), CPU {:.3} ms per {interval_s} s cycle ({batches} batches in {cycles} cycles, HTTPS, pinned)",
        mib(agent_after.rss),
        mib(agent_after.peak_rss),
        mib(agent_after.rss_anon),
        per(&agent_before, &agent_after, u64::from(cycles)),
    )];
    match (exporter_before, exporter_after) {
        (Some(before), Some(after)) => lines.push(format!(
            "           prometheus-node-exporter: RSS {} (peak {}, anonymous {}), CPU {:.3} ms per scrape ({cycles} scrapes)",
            mib(after.rss),
            mib(after.peak_rss),
            mib(after.rss_anon),
            per(&before, &after, u64::from(cycles)),
        )),
        _ => lines.push(format!("           prometheus-node-exporter: not measured ({} not found)", node_exporter.display())),
    }
    Ok(lines)
}

/// A child killed and reaped when dropped, also on error paths.
struct Reaped(Child);

impl Reaped {
    fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_agent(server: &str, key: &str, fingerprint: &str, state: &Path, interval_s: u32) -> anyhow::Result<Child> {
    // A copy of this binary, as on a machine that runs only the agent: the bench process
    // maps the same file, and pages two processes share would be counted differently.
    let exe = state.with_file_name("steward-agent-bin");
    std::fs::copy(std::env::current_exe().context("finding this binary")?, &exe)
        .with_context(|| format!("copying this binary to {}", exe.display()))?;
    // Written back, as an installed binary is: dirty page-cache pages could not be
    // dropped, which would inflate the agent's resident code.
    std::fs::File::open(&exe).and_then(|f| f.sync_all()).context("syncing the copied binary")?;
    let mut cmd = Command::new(&exe);
    cmd.args(["agent", "--server", server, "--server-fingerprint", fingerprint, "--interval"])
        .arg(interval_s.to_string())
        .arg("--state-dir")
        .arg(state)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Only what the bench says: no configuration from this machine's environment or files.
    for (var, _) in std::env::vars_os() {
        if var.to_string_lossy().starts_with("STEWARD_") {
            cmd.env_remove(var);
        }
    }
    cmd.env("STEWARD_AGENT_KEY", key).env("STEWARD_AGENT_CONFIG", "/dev/null");
    cmd.spawn().context("starting steward agent")
}

async fn spawn_exporter(path: &Path) -> anyhow::Result<(Child, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(path)
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", path.display()))?;
    let url = format!("http://127.0.0.1:{port}/metrics");
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > deadline {
            bail!("{} did not listen on port {port} within 10 s", path.display());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok((child, url))
}

/// Polls without blocking the runtime: the appliance being measured against shares it.
async fn wait_for(limit: Duration, done: impl Fn() -> bool, agent: &mut Reaped) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    while !done() {
        if let Some(status) = agent.0.try_wait()? {
            bail!("steward agent exited early ({status}); run it by hand to see why");
        }
        if Instant::now() > deadline {
            bail!("the agent delivered nothing within {} s", limit.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// CPU of every live thread and memory of a process, from `/proc`.
pub fn usage(pid: u32) -> anyhow::Result<Usage> {
    let mut cpu_ns = 0;
    let tasks = format!("/proc/{pid}/task");
    for task in std::fs::read_dir(&tasks).with_context(|| format!("reading {tasks}"))? {
        let path = task?.path().join("schedstat");
        // A thread may end between listing and reading: it simply stops counting.
        if let Ok(text) = std::fs::read_to_string(path) {
            cpu_ns += text.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        }
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    Ok(Usage {
        cpu_ns,
        rss: status_kib(&status, "VmRSS:") * 1024,
        peak_rss: status_kib(&status, "VmHWM:") * 1024,
        rss_anon: status_kib(&status, "RssAnon:") * 1024,
    })
}

fn status_kib(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_process_has_cpu_time_and_memory() {
        let u = super::usage(std::process::id()).unwrap();
        assert!(u.cpu_ns > 0 && u.rss > 0 && u.peak_rss >= u.rss && u.rss_anon > 0, "{u:?}");
        assert_eq!(super::status_kib("VmRSS:\t  1234 kB\n", "VmRSS:"), 1234);
    }
}
