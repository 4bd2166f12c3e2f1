//! What the poller knows now about each SSH host (status, last error, last success) and
//! its counters, shared with the routes and live streams. In memory only: after a restart
//! every host is `pending` until its first poll, which finds any problem again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::Notify;
use utoipa::ToSchema;

use super::{LastError, PollStatus, SeenKey};

/// One SSH host as its poller sees it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HostPoll {
    pub status: PollStatus,
    pub last_error: Option<LastError>,
    /// Last successful poll, ms since the Unix epoch.
    pub last_ok_ms: Option<i64>,
    /// The host key the server presented at the last connection.
    pub presented_key: Option<SeenKey>,
}

impl HostPoll {
    pub fn pending() -> Self {
        Self { status: PollStatus::Pending, last_error: None, last_ok_ms: None, presented_key: None }
    }
}

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

#[derive(Debug, Default)]
struct Inner {
    hosts: Mutex<HashMap<u64, HostPoll>>,
    changed: Notify,
    stats: Stats,
}

/// Cheap to clone; one per appliance, in its context.
#[derive(Debug, Clone, Default)]
pub struct Registry(Arc<Inner>);

impl Registry {
    pub fn get(&self, id: u64) -> Option<HostPoll> {
        self.0.hosts.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned()
    }

    pub(super) fn set(&self, id: u64, state: HostPoll) {
        self.0.hosts.lock().unwrap_or_else(|p| p.into_inner()).insert(id, state);
    }

    pub(super) fn retain(&self, keep: impl Fn(u64) -> bool) {
        self.0.hosts.lock().unwrap_or_else(|p| p.into_inner()).retain(|id, _| keep(*id));
    }

    /// Tells the poller that SSH hosts were created, changed or deleted.
    pub fn targets_changed(&self) {
        self.0.changed.notify_one();
    }

    pub(super) async fn wait_changed(&self) {
        self.0.changed.notified().await;
    }

    pub fn stats(&self) -> &Stats {
        &self.0.stats
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        let s = &self.0.stats;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            polls_ok: get(&s.polls_ok),
            polls_failed: get(&s.polls_failed),
            polls_missed: get(&s.polls_missed),
            connects: get(&s.connects),
            worker_cpu_ns: get(&s.worker_cpu_ns),
            sessions: get(&s.sessions),
        }
    }
}
