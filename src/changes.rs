//! A change counter: writers bump it, waiters see the newest count and wake. Used for
//! "accounts changed" (users, access rules, groups, host tags): hosts long-polling for a
//! new account bundle wake up and look.
//!
//! A shared primitive: it knows nothing of what changed, and must not grow a payload; who
//! bumps it and who waits are the features' business.

use tokio::sync::watch;

/// Cheap to clone; every clone bumps and watches the same counter.
#[derive(Debug, Clone)]
pub struct Changes(std::sync::Arc<watch::Sender<u64>>);

impl Default for Changes {
    fn default() -> Self {
        Self(std::sync::Arc::new(watch::channel(0).0))
    }
}

impl Changes {
    pub fn bump(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}
