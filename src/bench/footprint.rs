//! The footprint phase: the `steward-agent` binary run the way users run it (a child
//! process at the given interval, pushing over HTTPS with a pinned certificate to an
//! appliance started in-process), measured side by side in the same run with Debian's
//! `prometheus-node-exporter` scraped at the same interval.
//!
//! The agent is configured by a file in the bench's temporary directory that puts its state
//! (token, pin, spool) and its central account files there too: a bench run as root must
//! not write this machine's `/var/lib/extrausers` or `/var/lib/steward-agent`.
//!
//! CPU time is the sum of every thread's `schedstat` run time (nanoseconds), read after a
//! warm-up, at every cycle and after the measured cycles; memory is `VmRSS`/`VmHWM` from
//! `/proc/PID/status` at the end. It must not change how the agent runs: the agent gets
//! only its configuration file and its key in the environment.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use toml::Value;

use super::report::mib;
use crate::agent::AgentConfig;
use crate::app::Appliance;
use crate::caller::Scope;

/// One process's figures over the measured window.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub cpu_ns: u64,
    pub rss: u64,
    pub peak_rss: u64,
    pub rss_anon: u64,
}

/// What the footprint phase runs and where.
pub struct Setup<'a> {
    pub dir: &'a Path,
    pub agent: &'a Path,
    pub cycles: u32,
    pub interval_s: u32,
    pub node_exporter: &'a Path,
}

pub async fn run(setup: &Setup<'_>) -> anyhow::Result<Vec<String>> {
    with_appliance(setup.dir, async |appliance| measure(appliance, setup).await).await
}

/// Starts an HTTPS appliance in `dir/appliance`, runs `f` with it and stops it.
pub async fn with_appliance<T>(dir: &Path, f: impl AsyncFnOnce(&Appliance) -> anyhow::Result<T>) -> anyhow::Result<T> {
    let config = super::config(&dir.join("appliance"), &[("tls.mode", Value::String("auto".into()))])?;
    let appliance = Appliance::start(config, std::sync::Arc::new(crate::clock::SystemClock), false)
        .await
        .context("starting the appliance")?;
    let result = f(&appliance).await;
    appliance.stop().await;
    result
}

/// Starts the agent binary against `appliance` with an auto-approving key, everything it
/// writes under `dir/agent`.
pub async fn start_agent(appliance: &Appliance, exe: &Path, dir: &Path, interval_s: u32) -> anyhow::Result<Reaped> {
    let ctx = &appliance.ctx;
    let key = crate::ingest::keys::create(&ctx.store, &Scope::system(ctx.default_org), "bench", true, ctx.clock.now())
        .await?
        .key;
    let fingerprint = appliance.fingerprint.clone().context("the appliance has no certificate")?;
    let config = write_agent_config(&dir.join("agent"), &appliance.url(), &fingerprint, interval_s)?;
    Ok(Reaped(spawn_agent(exe, &config, &key)?))
}

async fn measure(appliance: &Appliance, setup: &Setup<'_>) -> anyhow::Result<Vec<String>> {
    let Setup { dir, agent, cycles, interval_s, node_exporter } = *setup;
    let ctx = &appliance.ctx;
    let mut agent = start_agent(appliance, agent, dir, interval_s).await?;
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
    let (mut agent_cpu, mut exporter_cpu) = (CpuMeter::default(), CpuMeter::default());
    let agent_before = usage(agent.id(), &mut agent_cpu)?;
    let exporter_before = exporter.as_ref().map(|(c, _)| usage(c.id(), &mut exporter_cpu)).transpose()?;
    let batches_before = delivered();
    let started = Instant::now();
    for i in 1..=cycles {
        tokio::time::sleep_until((started + interval * i).into()).await;
        if let Some((child, url)) = &exporter {
            client.get(url.as_str()).send().await?.error_for_status()?.bytes().await?;
            exporter_cpu.read(child.id())?;
        }
        agent_cpu.read(agent.id())?;
        bar.inc(1);
    }
    // The agent's last cycle lands within a few ms of the tick; let it finish.
    tokio::time::sleep(interval / 2).await;
    let agent_after = usage(agent.id(), &mut agent_cpu)?;
    let exporter_after = exporter.as_ref().map(|(c, _)| usage(c.id(), &mut exporter_cpu)).transpose()?;
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
pub struct Reaped(pub(super) Child);

impl Reaped {
    pub fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `steward-agent` binary: `explicit`, else the one next to this executable (cargo
/// builds both into the same directory; packages install both into the same one).
pub fn find_agent(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = explicit {
        return Ok(path.to_path_buf());
    }
    let exe = std::env::current_exe().context("finding this binary")?;
    let agent = exe.with_file_name("steward-agent");
    match agent.exists() {
        true => Ok(agent),
        false => bail!("{} not found: build it (`cargo build --release`) or name it with --agent", agent.display()),
    }
}

/// The agent's configuration for a bench: every path it writes (state, spool, account
/// files) inside `dir`, which it creates.
pub fn agent_config(dir: &Path, server: &str, fingerprint: &str, interval_s: u32) -> String {
    let path = |p: &Path| Value::String(p.display().to_string());
    format!(
        "server = {}\nstate_dir = {}\ninterval_s = {interval_s}\n\n[tls]\nserver_fingerprint = {}\n\n[nss]\ndir = {}\n",
        Value::String(server.to_string()),
        path(&dir.join("state")),
        Value::String(fingerprint.to_string()),
        path(&dir.join("extrausers")),
    )
}

/// Writes [`agent_config`] to `dir/agent.toml` (with the account directory it names, which
/// libnss-extrausers would have created) and returns the file.
fn write_agent_config(dir: &Path, server: &str, fingerprint: &str, interval_s: u32) -> anyhow::Result<PathBuf> {
    let file = dir.join("agent.toml");
    std::fs::create_dir_all(dir.join("extrausers")).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(&file, agent_config(dir, server, fingerprint, interval_s))
        .with_context(|| format!("writing {}", file.display()))?;
    confined(&file, dir)?;
    Ok(file)
}

/// Loads `file` as the agent will and fails unless every place it writes is under `dir`.
pub fn confined(file: &Path, dir: &Path) -> anyhow::Result<()> {
    let env = [("STEWARD_AGENT_KEY".to_string(), "sti_bench".to_string())];
    let config = AgentConfig::load(Some(file), env, Vec::new()).context("loading the bench's agent configuration")?;
    let config = config.config;
    let written = [("state_dir", &config.state_dir), ("nss.dir", &config.nss.dir)];
    for (key, path) in written {
        if !path.starts_with(dir) {
            bail!("the bench's agent would write {} ({key}) outside {}", path.display(), dir.display());
        }
    }
    if config.local_api.is_some() {
        bail!("the bench's agent would open its local API");
    }
    Ok(())
}

fn spawn_agent(exe: &Path, config: &Path, key: &str) -> anyhow::Result<Child> {
    let mut cmd = Command::new(exe);
    cmd.arg("--config").arg(config).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    // Only what the bench says: no configuration from this machine's environment or files.
    for (var, _) in std::env::vars_os() {
        if var.to_string_lossy().starts_with("STEWARD_") {
            cmd.env_remove(var);
        }
    }
    cmd.env("STEWARD_AGENT_KEY", key);
    cmd.spawn().with_context(|| format!("starting {}", exe.display()))
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
pub async fn wait_for(limit: Duration, done: impl Fn() -> bool, agent: &mut Reaped) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    while !done() {
        if let Some(status) = agent.0.try_wait()? {
            bail!("steward-agent exited early ({status}); run it by hand to see why");
        }
        if Instant::now() > deadline {
            bail!("the agent delivered nothing within {} s", limit.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// CPU time of a process at nanosecond resolution, from its threads' `schedstat`.
///
/// A thread that has ended keeps the time last read for it, so the total never goes back
/// when the agent's blocking pool retires a thread (`/proc/PID/stat` keeps ended threads
/// but counts in 10 ms ticks, coarser than a whole cycle). Read it often: time a thread
/// spends after its last reading and before it ends is missed.
#[derive(Debug, Default)]
pub struct CpuMeter {
    threads: HashMap<u64, u64>,
}

impl CpuMeter {
    pub fn read(&mut self, pid: u32) -> anyhow::Result<u64> {
        let tasks = format!("/proc/{pid}/task");
        for task in std::fs::read_dir(&tasks).with_context(|| format!("reading {tasks}"))? {
            let task = task?;
            let Some(tid) = task.file_name().to_str().and_then(|t| t.parse::<u64>().ok()) else { continue };
            // A thread may end between listing and reading: its last reading stands.
            if let Ok(text) = std::fs::read_to_string(task.path().join("schedstat"))
                && let Some(ns) = text.split_whitespace().next().and_then(|v| v.parse::<u64>().ok())
            {
                self.threads.insert(tid, ns);
            }
        }
        Ok(self.threads.values().sum())
    }
}

/// CPU (through the process's meter) and memory of a process, from `/proc`.
pub fn usage(pid: u32, cpu: &mut CpuMeter) -> anyhow::Result<Usage> {
    let cpu_ns = cpu.read(pid)?;
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
    /// Regression: run as root, the bench's agent wrote this machine's /var/lib/extrausers
    /// (account sync is on by default, with the system's directory).
    #[test]
    fn the_bench_agent_writes_only_inside_its_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("agent");
        let file = super::write_agent_config(&dir, "https://127.0.0.1:1", &"ab".repeat(32), 5).unwrap();
        super::confined(&file, &dir).unwrap();
        let config = super::AgentConfig::load(Some(&file), [("STEWARD_AGENT_KEY".into(), "sti_x".into())], vec![])
            .unwrap()
            .config;
        assert!(config.nss.enabled, "account sync is measured too, into the temporary directory");
        assert!(config.nss.dir.is_dir(), "{}", config.nss.dir.display());
        // A configuration that leaves the account directory at its default is refused.
        let leaky = tmp.path().join("leaky.toml");
        std::fs::write(&leaky, "server = \"https://127.0.0.1:1\"\n").unwrap();
        let refused = super::confined(&leaky, &dir).unwrap_err().to_string();
        assert!(refused.contains("outside"), "{refused}");
    }

    #[test]
    fn this_process_has_cpu_time_and_memory() {
        let u = super::usage(std::process::id(), &mut super::CpuMeter::default()).unwrap();
        assert!(u.cpu_ns > 0 && u.rss > 0 && u.peak_rss >= u.rss && u.rss_anon > 0, "{u:?}");
        assert_eq!(super::status_kib("VmRSS:\t  1234 kB\n", "VmRSS:"), 1234);
    }

    /// Regression: the bench printed 1.5e12 ms per cycle when one of the agent's threads
    /// ended between the two readings (the sum of live threads went down).
    #[test]
    fn cpu_time_of_an_ended_thread_still_counts() {
        let mut meter = super::CpuMeter::default();
        let pid = std::process::id();
        let burner = std::thread::spawn(|| {
            let start = std::time::Instant::now();
            while start.elapsed() < std::time::Duration::from_millis(50) {
                std::hint::black_box(0u64.wrapping_add(1));
            }
        });
        while !burner.is_finished() {
            meter.read(pid).unwrap();
        }
        let with_burner = meter.read(pid).unwrap();
        burner.join().unwrap();
        let after = meter.read(pid).unwrap();
        assert!(after >= with_burner, "cpu went back from {with_burner} to {after} ns");
    }
}
