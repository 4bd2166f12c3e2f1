//! `steward bench shutdown`: how long `steward serve` takes from SIGTERM to exit while an
//! agent long-polls for its account files (`GET /api/v1/agent/nss?wait=60`), the time a
//! restart adds to every agent's outage. The appliance runs as a child process of this
//! binary, the way systemd runs it, with the default `http.shutdown_grace_s` (30 s); the
//! long poll is the agent's request with a machine token, enrolled beforehand on the same
//! data directory.
//!
//! It must not change how the appliance stops; it reports the long poll's answer next to
//! the time, and judges neither.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use reqwest::header::{ETAG, IF_NONE_MATCH, RETRY_AFTER};
use serde_json::{Value, json};

use super::footprint::Reaped;
use super::report::Latencies;
use crate::app::Appliance;
use crate::caller::Scope;

const RUNS: usize = 5;
const GRACE_S: &str = "30";
/// Far beyond any stop; a child still running then is a failure, not a figure.
const GIVE_UP: Duration = Duration::from_secs(60);
/// Time for the long poll to reach its handler before the signal (not measured).
const SETTLE: Duration = Duration::from_millis(500);

pub async fn run(dir: &Path) -> anyhow::Result<Vec<String>> {
    let token = enroll(dir).await?;
    let bar = super::progress("shutdown", Some(RUNS as u64), "runs");
    let mut times = Vec::with_capacity(RUNS);
    let mut answers = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (took, answer) = once(dir, &token).await?;
        times.push(took);
        answers.push(answer);
        bar.inc(1);
    }
    bar.finish_and_clear();
    answers.dedup();
    let lat = Latencies::new(times);
    Ok(vec![
        format!(
            "shutdown  SIGTERM to exit of `steward serve` with an agent long-polling: p50 {}, max {} ({RUNS} runs, grace {GRACE_S} s)",
            super::report::millis(lat.percentile(50.0)),
            super::report::millis(lat.percentile(100.0)),
        ),
        format!("          the long poll's answer: {}", answers.join("; ")),
    ])
}

/// An approved machine and its token, made on an appliance in-process that is then
/// stopped, leaving the data directory to the child.
async fn enroll(dir: &Path) -> anyhow::Result<String> {
    let config = super::config(dir, &[])?;
    let appliance =
        Appliance::start(config, Arc::new(crate::clock::SystemClock), false).await.context("starting the appliance")?;
    let result = async {
        let ctx = &appliance.ctx;
        let key =
            crate::ingest::keys::create(&ctx.store, &Scope::system(ctx.default_org), "bench", true, ctx.clock.now())
                .await?
                .key;
        let body = json!({ "machine": { "hostname": "bench-agent", "fingerprint": "bench-agent" }, "metrics": [] });
        let url = format!("{}/api/v1/ingest/metrics", appliance.url());
        let answer: Value =
            super::http_client()?.post(url).header("x-api-key", key).json(&body).send().await?.json().await?;
        let token = answer["token"].as_str().with_context(|| format!("no machine token in {answer}"))?;
        Ok::<_, anyhow::Error>(token.to_string())
    }
    .await;
    appliance.stop().await;
    result
}

/// One start, long poll and SIGTERM: the time from the signal to the exit, and what the
/// long poll got.
async fn once(dir: &Path, token: &str) -> anyhow::Result<(Duration, String)> {
    let (mut child, url) = serve(dir).await?;
    let client = super::http_client()?;
    let nss = format!("{url}/api/v1/agent/nss");
    let first = client.get(&nss).header("x-api-key", token).send().await?.error_for_status()?;
    let etag = first.headers().get(ETAG).context("the bundle has no ETag")?.clone();
    let poll = client.get(format!("{nss}?wait=60")).header("x-api-key", token).header(IF_NONE_MATCH, etag);
    let poll = tokio::spawn(async move {
        match poll.send().await {
            Ok(r) => {
                let after = r.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).unwrap_or("-").to_string();
                format!("{} (Retry-After: {after})", r.status())
            }
            Err(e) => format!("no answer: {e}"),
        }
    });
    tokio::time::sleep(SETTLE).await;
    let started = Instant::now();
    rustix::process::kill_process(rustix::process::Pid::from_child(&child.0), rustix::process::Signal::TERM)
        .context("sending SIGTERM")?;
    let status = loop {
        if let Some(status) = child.0.try_wait()? {
            break status;
        }
        if started.elapsed() > GIVE_UP {
            bail!("steward serve still runs {} s after SIGTERM", GIVE_UP.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    let took = started.elapsed();
    if !status.success() {
        bail!("steward serve exited with {status} after SIGTERM");
    }
    Ok((took, poll.await?))
}

/// `steward serve` on a free loopback port in `dir`, plain HTTP, and the URL it prints.
async fn serve(dir: &Path) -> anyhow::Result<(Reaped, String)> {
    let mut cmd = Command::new(std::env::current_exe().context("finding this binary")?);
    // The bench's own settings only: the caller's STEWARD_* (a master key, say) are not
    // this data directory's.
    for (name, _) in std::env::vars_os().filter(|(n, _)| n.to_string_lossy().starts_with("STEWARD_")) {
        cmd.env_remove(name);
    }
    cmd.arg("--data-dir").arg(dir).args(["serve", "--listen", "127.0.0.1:0"]);
    cmd.env("STEWARD_TLS__MODE", "off").env("STEWARD_METRICS__COLLECT_INTERVAL_S", "0");
    cmd.env("STEWARD_HTTP__SHUTDOWN_GRACE_S", GRACE_S).env("STEWARD_LOG_LEVEL", "error");
    let mut child = Reaped(cmd.stdin(Stdio::null()).stdout(Stdio::piped()).spawn().context("starting steward serve")?);
    let stdout = child.0.stdout.take().context("the child's stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads to the end (the child's exit), so the child never blocks writing.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("Steward is listening on ") {
                let _ = tx.send(url.trim().to_string());
            }
        }
    });
    let url = tokio::task::spawn_blocking(move || rx.recv_timeout(GIVE_UP))
        .await?
        .context("steward serve printed no address")?;
    Ok((child, url))
}
