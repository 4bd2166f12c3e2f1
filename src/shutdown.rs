//! The appliance's shutdown signal: fired once, by SIGTERM/SIGINT or by
//! `Appliance::stop` (the composition root), before the HTTP server starts draining. Whatever holds a
//! connection open by itself waits on it: a long poll answers at once, a live stream closes
//! with 1001 (going away). The graceful stop then drains only real requests, and a restart
//! costs an agent no more than a reconnect.
//!
//! A shared layer: it knows no feature and no HTTP, and it must not stop anything itself.

use std::sync::Arc;

use tokio::sync::watch;

#[derive(Debug, Clone)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Default for Shutdown {
    fn default() -> Self {
        Self(Arc::new(watch::channel(false).0))
    }
}

impl Shutdown {
    /// Fires the signal; firing it again changes nothing.
    pub fn fire(&self) {
        self.0.send_replace(true);
    }

    pub fn is_fired(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the signal has fired, at once if it already has.
    pub async fn fired(&self) {
        let mut rx = self.0.subscribe();
        // An error means the sender is gone, which it cannot be while `self` holds it.
        let _ = rx.wait_for(|fired| *fired).await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Shutdown;

    #[tokio::test]
    async fn waiters_wake_when_fired_and_late_ones_at_once() {
        let s = Shutdown::default();
        let waiting = tokio::spawn({
            let s = s.clone();
            async move { s.fired().await }
        });
        assert!(tokio::time::timeout(Duration::from_millis(50), s.fired()).await.is_err(), "not fired yet");
        s.fire();
        tokio::time::timeout(Duration::from_secs(5), waiting).await.expect("woken").expect("task");
        s.fire();
        assert!(s.is_fired());
        tokio::time::timeout(Duration::from_secs(5), s.fired()).await.expect("at once");
    }
}
