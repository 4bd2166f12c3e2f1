//! The poller's counters since the appliance started (polls, misses, connections, CPU,
//! open sessions): poll's state in the context (`ctx.state::<Stats>()`), read by the SSH
//! benchmark and tests. In memory only.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use utoipa::ToSchema;

/// Counters since the appliance started.
#[derive(Debug, Default)]
pub struct Stats {
    pub polls_ok: AtomicU64,
    pub polls_failed: AtomicU64,
    /// Polls that started a whole interval or more after they were due.
    pub polls_missed: AtomicU64,
    pub connects: AtomicU64,
    /// CPU time the pool threads spent on polls, in ns.
    pub worker_cpu_ns: AtomicU64,
    /// Open SSH sessions.
    pub sessions: AtomicU64,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct StatsSnapshot {
    pub polls_ok: u64,
    pub polls_failed: u64,
    pub polls_missed: u64,
    pub connects: u64,
    pub worker_cpu_ns: u64,
    pub sessions: u64,
}

impl crate::ctx::FeatureState for Stats {
    fn init(_: &crate::ctx::Ctx) -> Self {
        Self::default()
    }
}

impl Stats {
    pub fn snapshot(&self) -> StatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            polls_ok: get(&self.polls_ok),
            polls_failed: get(&self.polls_failed),
            polls_missed: get(&self.polls_missed),
            connects: get(&self.connects),
            worker_cpu_ns: get(&self.worker_cpu_ns),
            sessions: get(&self.sessions),
        }
    }
}
