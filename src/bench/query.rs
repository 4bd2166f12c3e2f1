//! The read phases, both over HTTP with a personal API token, sequential requests after a
//! warm-up: history queries on the storage phase's week (`GET /api/v1/hosts/{id}/series`,
//! a day at a 1-minute step and 30 days at a 1-hour step), and the overview of 1,000 hosts
//! (`GET /api/v1/hosts`).
//!
//! It reports the step and tier the API actually answered with (a step is widened to fit
//! 400 points); it must not query the engine directly, since the figure is the API's.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::future::try_join_all;
use indicatif::ProgressBar;
use serde::Deserialize;

use super::report::{CpuSnapshot, Latencies, mib};
use super::storage::History;
use super::workload::{self, Host};
use crate::app::Appliance;
use crate::caller::Actor;
use crate::clock::{Clock, ManualClock};
use crate::ctx::Ctx;
use crate::hosts::{HostKind, HostState, Machine, Origin};
use crate::tsdb::Sample;

const DAY_MS: i64 = 86_400_000;
const QUERIES: usize = 1_000;
const QUERY_WARMUP: usize = 50;
const HOSTS: usize = 1_000;
const OVERVIEWS: usize = 200;
const OVERVIEW_WARMUP: usize = 20;

/// What a history answer looked like (checked once, on the first warm-up answer).
#[derive(Debug, Deserialize)]
struct Shape {
    step: i64,
    tier: String,
    series: Vec<Points>,
}

#[derive(Debug, Deserialize)]
struct Points {
    avg: Vec<Option<f64>>,
}

struct Timed {
    latencies: Latencies,
    shape: Shape,
}

/// Restarts the week's appliance (same clock) and times the two history queries.
pub async fn history(h: &History) -> anyhow::Result<Vec<String>> {
    let appliance =
        Appliance::start(h.config.clone(), h.clock.clone(), false).await.context("restarting the appliance")?;
    let result = time_history(&appliance, h).await;
    appliance.stop().await;
    let (day, month, load) = result?;
    let answered = |t: &Timed| {
        let points = t.shape.series.first().map_or(0, |s| s.avg.iter().flatten().count());
        format!("at a {} step from the {} tier ({points} points with data)", step_name(t.shape.step), t.shape.tier)
    };
    let mut out = vec![
        format!(
            "query    24h@1m {}; 30d@1h {} ({QUERIES} queries each)",
            day.latencies.summary(),
            month.latencies.summary()
        ),
        format!("  24h@1m answered {}; the API widens steps to fit 400 points", answered(&day)),
        format!("  30d@1h answered {}; the store holds 7 days, so 30 days reads a week of data", answered(&month)),
    ];
    out.extend(load);
    out.push("  goal: p99 under 5 ms".to_string());
    Ok(out)
}

async fn time_history(appliance: &Appliance, h: &History) -> anyhow::Result<(Timed, Timed, Vec<String>)> {
    let token = super::api_token(&appliance.ctx).await?;
    let now = super::ms(h.clock.now());
    let http = super::http_client()?;
    let url = |span: i64, step: i64| {
        format!(
            "{}/api/v1/hosts/{}/series?metric=cpu.usage_pct&from={}&to={now}&step={step}",
            appliance.url(),
            h.host,
            now - span
        )
    };
    let bar = super::progress("query", Some(2 * QUERIES as u64), "requests");
    let (cpu0, t0) = (CpuSnapshot::take(), Instant::now());
    let day = timed_series(&http, &url(DAY_MS, 60_000), &token, &bar).await?;
    let month = timed_series(&http, &url(30 * DAY_MS, 3_600_000), &token, &bar).await?;
    let load = CpuSnapshot::take().since(&cpu0).lines(t0.elapsed(), false);
    bar.finish_and_clear();
    Ok((day, month, load))
}

async fn timed_series(http: &reqwest::Client, url: &str, token: &str, bar: &ProgressBar) -> anyhow::Result<Timed> {
    let (first, _) = get(http, url, token).await?;
    let shape: Shape = serde_json::from_slice(&first).context("reading a history answer")?;
    for _ in 1..QUERY_WARMUP {
        get(http, url, token).await?;
    }
    let mut all = Vec::with_capacity(QUERIES);
    for _ in 0..QUERIES {
        all.push(get(http, url, token).await?.1);
        bar.inc(1);
    }
    Ok(Timed { latencies: Latencies::new(all), shape })
}

/// One GET, its body read to the end; the time covers the whole exchange.
async fn get(http: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<(actix_web::web::Bytes, Duration)> {
    let t0 = Instant::now();
    let resp = http.get(url).bearer_auth(token).send().await?;
    let status = resp.status();
    let body = resp.bytes().await?;
    let took = t0.elapsed();
    if status != reqwest::StatusCode::OK {
        bail!("GET {url}: {status}: {}", String::from_utf8_lossy(&body[..body.len().min(300)]));
    }
    Ok((body, took))
}

fn step_name(ms: i64) -> String {
    match ms {
        ms if ms % 3_600_000 == 0 => format!("{}h", ms / 3_600_000),
        ms if ms % 60_000 == 0 => format!("{}m", ms / 60_000),
        ms => format!("{ms}ms"),
    }
}

/// 1,000 hosts with one collection each of the simulated host's 60 series, then the
/// overview, timed.
pub async fn overview(dir: &Path) -> anyhow::Result<Vec<String>> {
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let config = super::config(dir, &[])?;
    let appliance = Appliance::start(config, clock, false).await.context("starting the appliance")?;
    let result = time_overview(&appliance).await;
    appliance.stop().await;
    let (latencies, bytes, load) = result?;
    let mut out = vec![
        format!("overview {HOSTS} hosts {} ({OVERVIEWS} requests)", latencies.summary()),
        format!("  each answer {} of JSON; hosts with {} series each", mib(bytes), workload::SERIES),
    ];
    out.extend(load);
    out.push("  goal: under 20 ms".to_string());
    Ok(out)
}

async fn time_overview(appliance: &Appliance) -> anyhow::Result<(Latencies, u64, Vec<String>)> {
    let bar = super::progress("overview", Some((HOSTS + OVERVIEWS) as u64), "hosts, then requests");
    populate(&appliance.ctx, &bar).await?;
    let token = super::api_token(&appliance.ctx).await?;
    let http = super::http_client()?;
    let url = format!("{}/api/v1/hosts", appliance.url());
    let (first, _) = get(&http, &url, &token).await?;
    let listed: Vec<serde::de::IgnoredAny> = serde_json::from_slice(&first).context("reading the overview")?;
    if listed.len() != HOSTS {
        bail!("the overview lists {} hosts, expected {HOSTS}", listed.len());
    }
    for _ in 1..OVERVIEW_WARMUP {
        get(&http, &url, &token).await?;
    }
    let mut all = Vec::with_capacity(OVERVIEWS);
    let (cpu0, t0) = (CpuSnapshot::take(), Instant::now());
    for _ in 0..OVERVIEWS {
        all.push(get(&http, &url, &token).await?.1);
        bar.inc(1);
    }
    let load = CpuSnapshot::take().since(&cpu0).lines(t0.elapsed(), true);
    bar.finish_and_clear();
    Ok((Latencies::new(all), first.len() as u64, load))
}

/// Registers the hosts in one transaction and stores one collection of each, appended
/// concurrently as from many agents (the writer commits them in groups).
async fn populate(ctx: &Ctx, bar: &ProgressBar) -> anyhow::Result<()> {
    let (org, now) = (ctx.default_org, ctx.clock.now());
    let ids = ctx
        .store
        .write(move |txn| {
            let origin = Origin { kind: HostKind::Agent, ingest_key: None, interval_s: 5, state: HostState::Approved };
            let mut ids = Vec::with_capacity(HOSTS);
            for i in 0..HOSTS {
                let machine = Machine::new(&format!("host-{i:04}"), "Debian GNU/Linux 12", &format!("bench-{i:04}"))?;
                ids.push(crate::hosts::register(txn, org, &machine, origin, now, Actor::system())?.0.id);
            }
            Ok::<_, crate::hosts::HostError>(ids)
        })
        .await?;
    let keys = workload::keys(&workload::series())?;
    let ts = super::ms(now);
    let appends = ids.iter().enumerate().map(|(i, &id)| {
        let values = Host::new(i as u64).collect(ts);
        let samples: Vec<Sample> =
            keys.iter().zip(values).map(|(key, value)| Sample { key: key.clone(), ts, value }).collect();
        async move {
            let appended = ctx.tsdb.append(id, None, samples).await;
            bar.inc(1);
            appended
        }
    });
    try_join_all(appends).await?;
    Ok(())
}
