//! The collection thread: every interval, read this machine with the shared collector, turn
//! the readings into a framed batch and hand it to the sender. A plain named thread, not
//! the async executor: collecting reads /proc and /sys (blocking), and the agent's runtime
//! has a single thread that must stay free for the network.
//!
//! It must not talk to the network or the spool.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::AgentConfig;
use super::batch::{Builder, Framed, MachineOut};
use super::local_api::View;
use crate::clock::SharedClock;
use crate::collect::Collector;

/// Facts are read and sent with the first batch and then every this many cycles (10 min at
/// 5 s): the appliance stores them only when they changed, and a batch lost to a full spool
/// cannot leave it with stale facts for long.
const FACTS_EVERY: u64 = 120;

pub struct Cycle {
    collector: Collector,
    builder: Builder,
    n: u64,
    clock: SharedClock,
    view: Arc<View>,
    options: crate::collect::CollectorOptions,
}

pub fn spawn(
    config: &AgentConfig,
    fingerprint: String,
    clock: SharedClock,
    tx: mpsc::Sender<Framed>,
    stop: Receiver<()>,
    view: Arc<View>,
) -> Result<std::thread::JoinHandle<()>, super::AgentError> {
    let config = config.clone();
    std::thread::Builder::new()
        .name("agent-collect".into())
        .spawn(move || {
            let mut cycle = Cycle::new(&config, fingerprint, clock, view);
            let interval = config.interval;
            let mut next = Instant::now() + interval;
            loop {
                match stop.recv_timeout(next.saturating_duration_since(Instant::now())) {
                    Err(RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                }
                if let Some(batch) = cycle.run_once()
                    && tx.blocking_send(batch).is_err()
                {
                    return;
                }
                next = following(next, interval, Instant::now());
            }
        })
        .map_err(super::AgentError::Thread)
}

/// The next tick after `now` on the grid `previous + k * interval`: a stall skips the ticks
/// it missed instead of collecting them all at once.
fn following(previous: Instant, interval: Duration, now: Instant) -> Instant {
    let mut next = previous + interval;
    if next <= now {
        let behind = now.duration_since(next).as_nanos() / interval.as_nanos().max(1);
        next += interval * (behind as u32 + 1);
    }
    next
}

impl Cycle {
    pub fn new(config: &AgentConfig, fingerprint: String, clock: SharedClock, view: Arc<View>) -> Self {
        let mut collector = Collector::new(config.collect.clone());
        let facts = collector.facts();
        let machine = MachineOut {
            hostname: config.hostname.clone().unwrap_or_else(|| facts.hostname.clone()),
            os: facts.os.clone(),
            fingerprint,
        };
        let interval_s = config.interval.as_secs().max(1) as u32;
        let builder = Builder::new(machine, interval_s, config.labels.clone(), config.compression);
        Self { collector, builder, n: 0, clock, view, options: config.collect.clone() }
    }

    /// One collection as a framed batch. A panic in the collector is contained: logged,
    /// the collector rebuilt, the cycle skipped.
    pub fn run_once(&mut self) -> Option<Framed> {
        let now_ms = (self.clock.now().unix_timestamp_nanos() / 1_000_000) as i64;
        let n = self.n;
        self.n += 1;
        let collector = &mut self.collector;
        let read = catch_unwind(AssertUnwindSafe(|| {
            let collection = collector.collect(now_ms);
            let facts = n.is_multiple_of(FACTS_EVERY).then(|| collector.facts());
            (collection, facts)
        }));
        let (collection, facts) = match read {
            Ok(read) => read,
            Err(_) => {
                tracing::error!("the collector panicked; starting it again and skipping this cycle");
                self.collector = Collector::new(self.options.clone());
                return None;
            }
        };
        let json = self.builder.json(&collection, facts.as_ref());
        self.view.update(&collection, &json);
        match self.builder.frame(&json) {
            Ok(framed) => Some(framed),
            Err(e) => {
                tracing::error!(error = %e, "compressing a batch failed; cycle skipped");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::following;
    use std::time::{Duration, Instant};

    #[test]
    fn a_stall_skips_missed_ticks() {
        let t0 = Instant::now();
        let i = Duration::from_secs(5);
        assert_eq!(following(t0, i, t0 + Duration::from_secs(1)), t0 + i);
        assert_eq!(following(t0, i, t0 + Duration::from_secs(12)), t0 + Duration::from_secs(15));
        assert_eq!(following(t0, i, t0 + Duration::from_secs(15)), t0 + Duration::from_secs(20));
    }
}
