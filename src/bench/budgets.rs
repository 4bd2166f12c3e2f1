//! `steward bench budgets`: the size and memory limits CI holds the release build to. Not a
//! timing: file sizes and the agent's resident memory, which do not depend on the machine's
//! speed. Prints what it measured and fails (non-zero exit) on any breach.
//!
//! - the appliance binary (this executable) at most [`APPLIANCE_BYTES`];
//! - the `steward-agent` binary at most [`AGENT_BYTES`];
//! - the agent's `VmRSS` after [`CYCLES`] delivered cycles against an in-process appliance
//!   at most [`AGENT_RSS`].
//!
//! It builds nothing: it measures the binaries it finds, so run it from a release build.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};

use super::footprint::{self, CpuMeter};
use super::report::mib;

pub const APPLIANCE_BYTES: u64 = 25_000_000;
pub const AGENT_BYTES: u64 = 8_000_000;
pub const AGENT_RSS: u64 = 8 << 20;
pub const CYCLES: u64 = 6;

/// One figure against its limit.
struct Budget {
    what: &'static str,
    measured: u64,
    limit: u64,
    unit: fn(u64) -> String,
}

impl Budget {
    fn line(&self) -> String {
        let verdict = if self.within() { "ok" } else { "OVER BUDGET" };
        format!(
            "budgets    {:<26} {:>12} (limit {}) {verdict}",
            self.what,
            (self.unit)(self.measured),
            (self.unit)(self.limit)
        )
    }

    fn within(&self) -> bool {
        self.measured <= self.limit
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

/// Measures every budget, prints each, and fails when one is exceeded.
pub async fn run(dir: &Path, agent: &Path) -> anyhow::Result<Vec<String>> {
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).with_context(|| format!("reading {}", p.display()));
    let appliance = std::env::current_exe().context("finding this binary")?;
    let mut budgets = vec![
        Budget { what: "appliance binary", measured: size(&appliance)?, limit: APPLIANCE_BYTES, unit: mb },
        Budget { what: "agent binary", measured: size(agent)?, limit: AGENT_BYTES, unit: mb },
    ];
    let rss = footprint::with_appliance(dir, async |appliance| agent_rss(appliance, agent, dir).await).await?;
    let what = "agent VmRSS after 6 cycles";
    budgets.push(Budget { what, measured: rss, limit: AGENT_RSS, unit: mib });
    let lines: Vec<String> = budgets.iter().map(Budget::line).collect();
    if budgets.iter().all(Budget::within) {
        return Ok(lines);
    }
    super::print(&lines);
    bail!("over budget: {}", budgets.iter().filter(|b| !b.within()).map(|b| b.what).collect::<Vec<_>>().join(", "))
}

/// The agent at a 1 s interval until it has delivered [`CYCLES`] batches, then its RSS.
async fn agent_rss(appliance: &crate::app::Appliance, exe: &Path, dir: &Path) -> anyhow::Result<u64> {
    let mut agent = footprint::start_agent(appliance, exe, dir, 1).await?;
    let delivered = || appliance.ctx.tsdb.stats().batches >= CYCLES;
    footprint::wait_for(Duration::from_secs(60), delivered, &mut agent).await?;
    Ok(footprint::usage(agent.id(), &mut CpuMeter::default())?.rss)
}
