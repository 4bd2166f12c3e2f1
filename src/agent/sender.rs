//! Delivery: a batch goes straight to the appliance while it answers and nothing older is
//! waiting; otherwise it joins the spool, which is replayed oldest first once the appliance
//! answers again. Every batch keeps its `ingest_id`, so a replay, or a resend after an answer
//! that was lost, is stored once.
//!
//! It also follows enrollment: the key until the appliance issues a machine token, the
//! token from then on, the key again if the token is no longer known. Each change of state
//! (pending, rejected, unreachable, certificate changed...) is logged once, not every try.
//! It must not collect or build batches.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::AgentConfig;
use super::batch::Framed;
use super::spool::Spool;
use super::state::State;
use super::transport::{Answer, Credential, Outcome, Transport};
use crate::clock::SharedClock;
use crate::config::Secret;

/// A clock difference worth a warning: samples are stored at the agent's time.
const SKEW_WARN_MS: i64 = 10_000;

/// What the agent has done, for logs, tests and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    /// Batches the appliance acknowledged (including duplicates).
    pub delivered: AtomicU64,
    /// Acknowledged as already stored: a resend after a lost answer.
    pub duplicates: AtomicU64,
    /// Batches waiting in the spool now.
    pub spooled: AtomicU64,
    /// Oldest batches dropped because the spool was full.
    pub spool_dropped: AtomicU64,
    /// Damaged spool files skipped.
    pub spool_damaged: AtomicU64,
    /// Batches that could not even be spooled (disk full or failing).
    pub lost: AtomicU64,
    /// Batches the appliance said it can never store (malformed, too large).
    pub unacceptable: AtomicU64,
    /// The host id the appliance knows this machine as (0: not yet).
    pub host_id: AtomicU64,
    state: Mutex<String>,
}

impl Stats {
    /// `approved`, an error code of the appliance (`host.pending`, `host.rejected`...),
    /// `unreachable` or `certificate_changed`; empty before the first answer.
    pub fn state(&self) -> String {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

enum Disposition {
    Delivered,
    Dropped,
    Retry(Duration),
}

pub struct Sender {
    transport: Transport,
    state: State,
    key: Secret,
    token: Option<String>,
    spool: Arc<Mutex<Spool>>,
    stats: Arc<Stats>,
    clock: SharedClock,
    backoff: Backoff,
    clock_skewed: bool,
    /// Deliveries since code pages were last given back ([`TRIM_EVERY`]).
    since_trim: u32,
}

/// Code pages are given back after the first delivery (everything a cycle needs has run
/// once by then) and every this many deliveries after (a minute at the default interval),
/// so what only start-up, a reconnection or an account sync ran does not stay resident.
/// Each time costs a few dozen soft page faults on the next cycle.
const TRIM_EVERY: u32 = 12;

impl Sender {
    pub fn new(
        config: &AgentConfig,
        transport: Transport,
        state: State,
        token: Option<String>,
        spool: Spool,
        stats: Arc<Stats>,
        clock: SharedClock,
    ) -> Self {
        stats.spooled.store(spool.len() as u64, Ordering::Relaxed);
        Self {
            transport,
            state,
            key: config.key.clone(),
            token,
            spool: Arc::new(Mutex::new(spool)),
            stats,
            clock,
            backoff: Backoff::new(config.max_backoff),
            clock_skewed: false,
            since_trim: 0,
        }
    }

    pub async fn run(mut self, mut rx: mpsc::Receiver<Framed>, mut stop: watch::Receiver<bool>) {
        let mut retry_at: Option<Instant> = None;
        loop {
            let ready = retry_at.is_none_or(|t| Instant::now() >= t);
            if ready && self.stats.spooled.load(Ordering::Relaxed) > 0 {
                // Queued batches go behind the spooled ones, keeping the order.
                while let Ok(batch) = rx.try_recv() {
                    self.spool(batch).await;
                }
                if *stop.borrow() {
                    return self.shutdown(rx).await;
                }
                retry_at = self.replay_one(&mut stop).await.map(|d| Instant::now() + d);
                continue;
            }
            tokio::select! {
                _ = stopping(&mut stop) => return self.shutdown(rx).await,
                batch = rx.recv() => {
                    let Some(batch) = batch else { return };
                    if !ready || self.stats.spooled.load(Ordering::Relaxed) > 0 {
                        self.spool(batch).await;
                        continue;
                    }
                    if let Disposition::Retry(d) = self.deliver(&batch, &mut stop).await {
                        self.spool(batch).await;
                        retry_at = Some(Instant::now() + d);
                    }
                }
                _ = tokio::time::sleep_until(retry_at.unwrap_or_else(Instant::now)), if retry_at.is_some() => {
                    retry_at = None;
                }
            }
        }
    }

    /// Sends the oldest spooled batch; `Some(delay)` when the appliance is not taking it.
    async fn replay_one(&mut self, stop: &mut watch::Receiver<bool>) -> Option<Duration> {
        let front = match self.on_spool(|s| s.front()).await {
            Ok(front) => front,
            Err(e) => {
                tracing::error!(error = %e, "reading the spool failed");
                return Some(self.backoff.next());
            }
        };
        let spooled = front?;
        let disposition = self.deliver(&Framed(spooled.body), stop).await;
        if let Disposition::Retry(d) = disposition {
            return Some(d);
        }
        if let Err(e) = self.on_spool(move |s| s.pop(spooled.seq)).await {
            // The batch would be sent again: harmless (its ingest_id is stored), but odd.
            tracing::error!(error = %e, "removing a delivered batch from the spool failed");
            return Some(self.backoff.next());
        }
        None
    }

    /// Runs spool file I/O on the blocking pool and refreshes the counters after.
    async fn on_spool<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Spool) -> Result<T, super::spool::SpoolError> + Send + 'static,
    ) -> Result<T, String> {
        let spool = self.spool.clone();
        let result = crate::blocking::run(move || f(&mut lock(&spool))).await;
        let spool = lock(&self.spool);
        self.stats.spooled.store(spool.len() as u64, Ordering::Relaxed);
        self.stats.spool_damaged.store(spool.damaged(), Ordering::Relaxed);
        result.map_err(|e| e.to_string())?.map_err(|e| e.to_string())
    }

    /// One batch to the appliance, following enrollment changes on the way.
    async fn deliver(&mut self, batch: &Framed, stop: &mut watch::Receiver<bool>) -> Disposition {
        // At most: token refused, then key.
        for _ in 0..2 {
            let key = self.key.clone();
            let token = self.token.clone();
            let credential = match &token {
                Some(t) => Credential::Token(t),
                None => Credential::Key(key.expose()),
            };
            let outcome = tokio::select! {
                outcome = self.transport.push(batch, credential) => outcome,
                // Abandoned mid-request: the batch stays spooled, and if the appliance did
                // store it, the resend is recognised by its ingest_id.
                _ = stopping(stop) => return Disposition::Retry(Duration::ZERO),
            };
            match outcome {
                Outcome::Accepted(answer) => {
                    self.accepted(answer).await;
                    return Disposition::Delivered;
                }
                Outcome::InvalidToken if self.token.is_some() => self.forget_token().await,
                Outcome::InvalidToken => break,
                Outcome::Refused { code, message } => {
                    self.enter(&code, &message);
                    return Disposition::Retry(self.backoff.next());
                }
                Outcome::Unacceptable { status, code, message } => {
                    self.stats.unacceptable.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(status, code, reason = message, "the appliance can never store this batch; dropped");
                    return Disposition::Dropped;
                }
                Outcome::Retry { reason, after } => {
                    self.enter("unreachable", &reason);
                    let delay = self.backoff.next();
                    return Disposition::Retry(after.map_or(delay, |a| a.max(delay)));
                }
                Outcome::CertificateChanged(message) => {
                    self.enter("certificate_changed", &message);
                    return Disposition::Retry(self.backoff.next());
                }
            }
        }
        Disposition::Retry(self.backoff.next())
    }

    async fn accepted(&mut self, answer: Answer) {
        self.stats.delivered.fetch_add(1, Ordering::Relaxed);
        self.stats.host_id.store(answer.host_id, Ordering::Relaxed);
        if answer.duplicate {
            self.stats.duplicates.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(token) = answer.token {
            let state = self.state.clone();
            let stored = token.clone();
            let stored = crate::blocking::run(move || state.set_token(&stored)).await;
            match stored.map_err(|e| e.to_string()).and_then(|r| r.map_err(|e| e.to_string())) {
                Ok(()) => tracing::info!(host = answer.host_id, "approved: machine token stored"),
                Err(e) => tracing::error!(error = %e, "storing the machine token failed; using it for this run only"),
            }
            self.token = Some(token);
        }
        self.enter("approved", "");
        self.backoff.reset();
        if self.since_trim.is_multiple_of(TRIM_EVERY) {
            crate::trim::give_back().await;
        }
        self.since_trim = self.since_trim.wrapping_add(1);
        if answer.dropped_too_new + answer.dropped_too_old > 0 {
            tracing::warn!(
                too_new = answer.dropped_too_new,
                too_old = answer.dropped_too_old,
                "the appliance dropped samples outside its time window; check this machine's clock"
            );
        }
        if let Some(server_ms) = answer.server_time_ms {
            let now_ms = (self.clock.now().unix_timestamp_nanos() / 1_000_000) as i64;
            let skew = now_ms - server_ms;
            self.note_clock(skew.abs() > SKEW_WARN_MS, skew);
        }
    }

    fn note_clock(&mut self, skewed: bool, skew_ms: i64) {
        if self.clock_skewed == skewed {
            return;
        }
        self.clock_skewed = skewed;
        if skewed {
            tracing::warn!(
                skew_s = skew_ms / 1000,
                "this machine's clock differs from the appliance's; samples are stored at this machine's time"
            );
        } else {
            tracing::info!("this machine's clock agrees with the appliance's again");
        }
    }

    async fn forget_token(&mut self) {
        tracing::warn!(
            "the appliance no longer knows this machine's token (host deleted or rejected); enrolling again with the key"
        );
        self.token = None;
        let state = self.state.clone();
        if let Ok(Err(e)) = crate::blocking::run(move || state.clear_token()).await {
            tracing::error!(error = %e, "removing the old machine token failed");
        }
    }

    /// Logs a change of state once, at a level that fits it.
    fn enter(&self, state: &str, message: &str) {
        let mut current = self.stats.state.lock().unwrap_or_else(|p| p.into_inner());
        if *current == state {
            return;
        }
        match state {
            "approved" => tracing::info!("the appliance accepts this machine's batches"),
            "certificate_changed" => {
                tracing::error!(reason = message, "refusing the appliance: its certificate changed")
            }
            "host.pending" => tracing::warn!(reason = message, "waiting for an admin to approve this machine"),
            _ => tracing::warn!(state, reason = message, "the appliance is not taking batches; they wait in the spool"),
        }
        *current = state.to_string();
    }

    async fn spool(&mut self, batch: Framed) {
        match self.on_spool(move |s| s.push(&batch.0)).await {
            Ok(0) => {}
            Ok(dropped) => {
                let total = self.stats.spool_dropped.fetch_add(dropped, Ordering::Relaxed) + dropped;
                tracing::warn!(dropped, total, "the spool is full: dropped the oldest batches");
            }
            Err(e) => {
                self.stats.lost.fetch_add(1, Ordering::Relaxed);
                tracing::error!(error = %e, "a batch could not be spooled and is lost");
            }
        }
    }

    /// Whatever is still queued goes to the spool for the next run.
    async fn shutdown(mut self, mut rx: mpsc::Receiver<Framed>) {
        rx.close();
        while let Some(batch) = rx.recv().await {
            self.spool(batch).await;
        }
    }
}

fn lock(spool: &Mutex<Spool>) -> std::sync::MutexGuard<'_, Spool> {
    spool.lock().unwrap_or_else(|p| p.into_inner())
}

/// Resolves once the agent is stopping (or its owner is gone).
pub(super) async fn stopping(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// Exponential backoff from 1 s to a ceiling, with ±20% jitter so a fleet that lost its
/// appliance together does not come back in lockstep.
#[derive(Debug)]
pub(super) struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    pub(super) fn new(max: Duration) -> Self {
        Self { next: Duration::from_secs(1).min(max), max }
    }

    pub(super) fn next(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(self.max);
        let mut r = [0u8; 2];
        let _ = getrandom::fill(&mut r);
        let spread = f64::from(u16::from_le_bytes(r)) / f64::from(u16::MAX);
        base.mul_f64(0.8 + 0.4 * spread)
    }

    pub(super) fn reset(&mut self) {
        self.next = Duration::from_secs(1).min(self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::Backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_to_its_ceiling_with_jitter() {
        let mut b = Backoff::new(Duration::from_secs(8));
        let waits: Vec<f64> = (0..6).map(|_| b.next().as_secs_f64()).collect();
        for (w, base) in waits.iter().zip([1.0, 2.0, 4.0, 8.0, 8.0, 8.0]) {
            assert!(*w >= base * 0.8 - 1e-9 && *w <= base * 1.2 + 1e-9, "{waits:?}");
        }
        b.reset();
        assert!(b.next() <= Duration::from_millis(1200));
    }
}
