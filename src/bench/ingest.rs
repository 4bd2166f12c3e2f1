//! The ingest phase: concurrent clients push batches of 1,000 samples over 10,000 series
//! (10 machines of 1,000 series) through `POST /api/v1/ingest/metrics` for a fixed time;
//! the figure is samples the server answered 202 for (its answer comes after the fsync'd
//! commit), per second of wall time.
//!
//! Client and server share the machine, so the client is kept cheap: each machine's body
//! is built once and only its timestamps and ingest id are patched per batch; answers are
//! parsed for `accepted` (and, in warm-up, `token`) only. Machines enroll with an
//! auto-approving ingest key in the first warm-up round and push with their machine tokens
//! from then on, as real agents do. It must not bypass the HTTP path it measures.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use futures_util::future::join_all;
use indicatif::ProgressBar;
use serde::Deserialize;

use super::report::{CpuSnapshot, CpuUse, Latencies, thousands};
use super::workload::Rng;
use crate::app::Appliance;
use crate::caller::Scope;
use crate::clock::ManualClock;
use crate::tsdb::StatsSnapshot;

/// Machines pushing; each client sends for whole machines, so there are at most this many.
pub const MACHINES: usize = 10;
pub const BATCH: usize = 1_000;
/// Metric names per machine; each carries a `series` label (50 series per name).
const NAMES: usize = 20;
/// Rounds sent before timing: the first registers the machines, creates the series and
/// hands out machine tokens; the second uses the tokens for the first time.
const WARMUP_ROUNDS: u64 = 2;
const HOUR_MS: i64 = 3_600_000;
const TS_DIGITS: usize = 13;

/// One machine's metrics array with placeholder timestamps, and where they sit.
struct Template {
    bytes: Vec<u8>,
    ts_at: Vec<usize>,
}

struct Setup {
    url: String,
    /// The enrollment key, until a machine has its token.
    key: String,
    /// Each machine's token, once its first answer carried it.
    tokens: Vec<Option<String>>,
    templates: Vec<Template>,
    /// Round r's samples are stamped `base_ts + r` ms: strictly increasing per series.
    base_ts: i64,
}

#[derive(Default)]
struct Tally {
    accepted: u64,
    short: u64,
    errors: u64,
    first_error: Option<String>,
    latencies: Vec<Duration>,
}

#[derive(Deserialize)]
struct Answer {
    accepted: u32,
    token: Option<String>,
}

impl Setup {
    /// What machine `m` pushes with: its token, or the key before it has one.
    fn credential(&self, m: usize) -> &str {
        self.tokens.get(m).and_then(Option::as_deref).unwrap_or(&self.key)
    }
}

pub async fn run(dir: &Path, clients: usize, seconds: u64) -> anyhow::Result<Vec<String>> {
    // The clock sits half an hour into the current hour and stays there: every round lands
    // in one head window, which no maintenance pass seals during the run.
    let hour = super::ms(time::OffsetDateTime::now_utc()).div_euclid(HOUR_MS) * HOUR_MS;
    let clock = ManualClock::new(super::at_ms(hour + HOUR_MS / 2)?);
    let config = super::config(dir, &[])?;
    let appliance = Appliance::start(config, clock, false).await.context("starting the appliance")?;
    let result = measure(&appliance, clients, seconds, hour).await;
    appliance.stop().await;
    result
}

async fn measure(appliance: &Appliance, clients: usize, seconds: u64, hour: i64) -> anyhow::Result<Vec<String>> {
    let ctx = &appliance.ctx;
    let scope = Scope::system(ctx.default_org);
    let key = crate::ingest::keys::create(&ctx.store, &scope, "bench", true, ctx.clock.now()).await?;
    let mut rng = Rng::new(1);
    let mut setup = Setup {
        url: format!("{}/api/v1/ingest/metrics", appliance.url()),
        key: key.key,
        tokens: vec![None; MACHINES],
        templates: (0..MACHINES).map(|_| template(&mut rng)).collect(),
        base_ts: hour + 1_000,
    };
    ensure!(setup.base_ts.to_string().len() == TS_DIGITS, "timestamps must have {TS_DIGITS} digits");
    let http = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(clients).build()?;
    for round in 0..WARMUP_ROUNDS {
        for m in 0..MACHINES {
            let answer = send(&http, &setup, m, body(&setup, m, round)).await.context("warm-up batch")?;
            ensure!(answer.accepted == BATCH as u32, "warm-up batch: {} of {BATCH} samples accepted", answer.accepted);
            if let (Some(token), Some(slot)) = (answer.token, setup.tokens.get_mut(m)) {
                *slot = Some(token);
            }
        }
    }
    let bar = super::progress("ingest", None, "samples");
    let (stats0, cpu0, t0) = (ctx.tsdb.stats(), CpuSnapshot::take(), Instant::now());
    let deadline = t0 + Duration::from_secs(seconds);
    let senders = (0..clients).map(|c| {
        let machines: Vec<usize> = (c..MACHINES).step_by(clients).collect();
        client(&http, &setup, machines, deadline, &bar)
    });
    let tallies = join_all(senders).await;
    let (wall, cpu, stats) = (t0.elapsed(), CpuSnapshot::take().since(&cpu0), ctx.tsdb.stats());
    bar.finish_and_clear();
    let mut all = Tally::default();
    for t in tallies {
        all.accepted += t.accepted;
        all.short += t.short;
        all.errors += t.errors;
        all.first_error = all.first_error.or(t.first_error);
        all.latencies.extend(t.latencies);
    }
    if all.accepted == 0 {
        bail!("no batch was accepted: {}", all.first_error.unwrap_or_default());
    }
    Ok(lines(all, clients, wall, &stats0, &stats, &cpu))
}

/// Sends one machine after the other, round after round, until the deadline.
async fn client(
    http: &reqwest::Client,
    setup: &Setup,
    machines: Vec<usize>,
    deadline: Instant,
    bar: &ProgressBar,
) -> Tally {
    let mut tally = Tally::default();
    for round in WARMUP_ROUNDS.. {
        for &m in &machines {
            if Instant::now() >= deadline {
                return tally;
            }
            let body = body(setup, m, round);
            let t0 = Instant::now();
            let sent = send(http, setup, m, body).await.map(|a| a.accepted);
            tally.latencies.push(t0.elapsed());
            match sent {
                Ok(n) => {
                    tally.accepted += u64::from(n);
                    tally.short += u64::from(n < BATCH as u32);
                    bar.inc(u64::from(n));
                }
                Err(e) => {
                    tally.errors += 1;
                    tally.first_error.get_or_insert_with(|| format!("{e:#}"));
                }
            }
        }
    }
    tally
}

/// One batch of machine `m`; the samples the server says it stored durably.
async fn send(http: &reqwest::Client, setup: &Setup, m: usize, body: Vec<u8>) -> anyhow::Result<Answer> {
    let resp = http
        .post(&setup.url)
        .header("x-api-key", setup.credential(m))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await?;
    let status = resp.status();
    let bytes = resp.bytes().await?;
    if status != reqwest::StatusCode::ACCEPTED {
        bail!("ingest answered {status}: {}", String::from_utf8_lossy(&bytes[..bytes.len().min(300)]));
    }
    serde_json::from_slice::<Answer>(&bytes).context("reading the ingest answer")
}

/// A machine's 1,000 metrics with values fixed per series; timestamps are placeholders.
fn template(rng: &mut Rng) -> Template {
    let mut bytes = Vec::with_capacity(BATCH * 80);
    let mut ts_at = Vec::with_capacity(BATCH);
    for i in 0..BATCH {
        if i > 0 {
            bytes.push(b',');
        }
        let value = (rng.unit() * 1000.0).round() / 10.0;
        let entry = format!(r#"{{"name":"bench.m{:02}","labels":{{"series":"{i}"}},"value":{value},"ts":"#, i % NAMES);
        bytes.extend_from_slice(entry.as_bytes());
        ts_at.push(bytes.len());
        bytes.extend_from_slice(&[b'0'; TS_DIGITS]);
        bytes.push(b'}');
    }
    Template { bytes, ts_at }
}

/// Machine `m`'s batch of `round`: its own ingest id, every sample at the round's time.
fn body(setup: &Setup, m: usize, round: u64) -> Vec<u8> {
    let head = format!(
        r#"{{"ingest_id":"bench-{m}-{round}","machine":{{"hostname":"bench-{m}","os":"Linux","fingerprint":"bench-{m}"}},"interval_s":5,"metrics":["#
    );
    let Some(t) = setup.templates.get(m) else { return head.into_bytes() };
    let mut out = Vec::with_capacity(head.len() + t.bytes.len() + 2);
    out.extend_from_slice(head.as_bytes());
    let start = out.len();
    out.extend_from_slice(&t.bytes);
    let ts = (setup.base_ts + round as i64).to_string();
    for &at in &t.ts_at {
        if let Some(slot) = out.get_mut(start + at..start + at + TS_DIGITS) {
            slot.copy_from_slice(&ts.as_bytes()[..TS_DIGITS.min(ts.len())]);
        }
    }
    out.extend_from_slice(b"]}");
    out
}

fn lines(
    all: Tally,
    clients: usize,
    wall: Duration,
    before: &StatsSnapshot,
    after: &StatsSnapshot,
    cpu: &CpuUse,
) -> Vec<String> {
    let secs = wall.as_secs_f64();
    let latencies = Latencies::new(all.latencies);
    let batches = after.batches - before.batches;
    let commits = (after.commits - before.commits).max(1);
    let mut out = vec![
        format!(
            "ingest   {} samples/s durable ({clients} client{}, batches of {BATCH} over {} series, {secs:.1} s, {} per batch)",
            thousands((all.accepted as f64 / secs) as u64),
            if clients == 1 { "" } else { "s" },
            thousands((MACHINES * BATCH) as u64),
            latencies.summary(),
        ),
        format!(
            "  server: {} batches in {} commits ({:.1} per commit); {} samples; {} short batches, {} errors",
            thousands(batches),
            thousands(commits),
            batches as f64 / commits as f64,
            thousands(all.accepted),
            all.short,
            all.errors,
        ),
    ];
    out.extend(all.first_error.as_ref().map(|e| format!("  first error: {e}")));
    out.extend(cpu.lines(wall, true));
    out.push("  goal: 1,000,000 samples/s".to_string());
    out
}
