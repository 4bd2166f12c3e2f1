//! When each host last had a batch accepted, by the appliance's clock. Kept in memory only:
//! it changes on every push, and writing it would cost a store write per batch. After a
//! restart the samples' own times stand in until the next push.
//!
//! Status is derived from the newer of this and the last sample, so an agent whose clock is
//! behind, or which is catching up on a backlog of old samples, shows online while it
//! pushes. Nothing here is persisted or audited.

use std::collections::HashMap;
use std::sync::Mutex;

/// hosts' state in the context (`ctx.state::<LastPush>()`).
#[derive(Debug, Default)]
pub struct LastPush(Mutex<HashMap<u64, i64>>);

impl crate::ctx::FeatureState for LastPush {
    fn init(_: &crate::ctx::Ctx) -> Self {
        Self::default()
    }
}

impl LastPush {
    /// A batch of `host` was accepted at `at_ms` (ms since the Unix epoch).
    pub fn record(&self, host: u64, at_ms: i64) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let at = map.entry(host).or_insert(at_ms);
        *at = (*at).max(at_ms);
    }

    pub fn get(&self, host: u64) -> Option<i64> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(&host).copied()
    }

    /// The host was deleted.
    pub fn forget(&self, host: u64) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(&host);
    }
}

#[cfg(test)]
mod tests {
    use super::LastPush;

    #[test]
    fn the_newest_push_is_kept_until_the_host_is_forgotten() {
        let pushes = LastPush::default();
        assert_eq!(pushes.get(1), None);
        pushes.record(1, 2_000);
        pushes.record(1, 1_000);
        pushes.record(2, 5_000);
        assert_eq!((pushes.get(1), pushes.get(2)), (Some(2_000), Some(5_000)));
        pushes.forget(1);
        assert_eq!((pushes.get(1), pushes.get(2)), (None, Some(5_000)));
    }
}
