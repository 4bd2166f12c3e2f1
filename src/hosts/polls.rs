//! What the SSH poller reports about each SSH host (status, last error, last success, the
//! key it was shown), and the notice that tells it SSH hosts changed: hosts' state in the
//! context (`ctx.state::<Polls>()`), so the overview, the live streams and the poller
//! share it without `hosts` knowing the poller. The poller writes it; hosts only read it.
//! In memory only: after a restart every host is `pending` until its first poll, which
//! finds any problem again.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;
use tokio::sync::Notify;
use utoipa::ToSchema;

/// An SSH host's state as its poller sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    /// Not polled yet since the appliance started.
    Pending,
    Online,
    /// DNS, refused, timeout, network down or connection lost.
    Unreachable,
    AuthFailed,
    /// The server presented another host key than the pinned one: not polled until an
    /// admin re-pins it.
    HostKeyChanged,
    /// Reached and logged in, but the script's output was unusable.
    Error,
    /// Turned off by an admin.
    Disabled,
}

/// The last error of a host, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LastError {
    pub code: &'static str,
    pub message: String,
    /// When it happened, ms since the Unix epoch.
    pub at_ms: i64,
}

/// The host key a server presented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SeenKey {
    pub algorithm: String,
    pub fingerprint: String,
}

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

/// One per appliance, in its context.
#[derive(Debug, Default)]
pub struct Polls {
    hosts: Mutex<HashMap<u64, HostPoll>>,
    changed: Notify,
}

impl crate::ctx::FeatureState for Polls {
    fn init(_: &crate::ctx::Ctx) -> Self {
        Self::default()
    }
}

impl Polls {
    pub fn get(&self, id: u64) -> Option<HostPoll> {
        self.hosts.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned()
    }

    /// The poller's new view of a host.
    pub fn set(&self, id: u64, state: HostPoll) {
        self.hosts.lock().unwrap_or_else(|p| p.into_inner()).insert(id, state);
    }

    /// Forgets the hosts the poller no longer polls.
    pub fn retain(&self, keep: impl Fn(u64) -> bool) {
        self.hosts.lock().unwrap_or_else(|p| p.into_inner()).retain(|id, _| keep(*id));
    }

    /// Tells the poller that SSH hosts were created, changed or deleted.
    pub fn targets_changed(&self) {
        self.changed.notify_one();
    }

    /// Until [`Polls::targets_changed`] is called (the poller's wait).
    pub async fn wait_changed(&self) {
        self.changed.notified().await;
    }
}
