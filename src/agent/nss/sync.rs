//! The account sync task of `steward agent`: asks the appliance for this machine's bundle
//! with the version it has, and the appliance holds the request until the bundle changes
//! or the wait ends (a long poll: a change made on the appliance arrives within seconds).
//! A new bundle is checked and installed on the blocking pool; an unchanged one is
//! installed again, which rewrites nothing unless a file was altered or local accounts
//! changed. Each outcome that differs from the last one reported goes back to the appliance,
//! so a repeating error is reported and logged once, and so is the recovery.
//!
//! It must not enroll (the sender does, and stores the token this task reads) nor pin a
//! certificate (a push does, through the shared [`Transport`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::Instrument;

use super::NssError;
use super::bundle::Bundle;
use super::install::{install, is_root};
use crate::agent::config::NssOptions;
use crate::agent::sender::{Backoff, stopping};
use crate::agent::state::State;
use crate::agent::transport::{BundleAnswer, NssStatus, Outcome, Transport};

/// Longest the appliance is asked to hold a request (it accepts up to 120 s; a minute stays
/// clear of the idle timeouts of most proxies).
const LONG_POLL: Duration = Duration::from_secs(60);

/// How often the state directory is looked at while this machine has no token yet.
const TOKEN_POLL: Duration = Duration::from_secs(5);

/// How long a task that panicked rests before it starts again.
const RESTART: Duration = Duration::from_secs(30);

/// What the task has done, for logs and tests.
#[derive(Debug, Default)]
pub struct NssStats {
    /// Installs that replaced at least one file.
    pub installs: AtomicU64,
    /// Bundles refused and installs that failed.
    pub failures: AtomicU64,
    status: Mutex<Option<NssStatus>>,
}

impl NssStats {
    /// The outcome of the last install attempt.
    pub fn status(&self) -> Option<NssStatus> {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// What the task needs; cloned for each start, so a restart after a panic begins afresh.
#[derive(Clone)]
pub struct Parts {
    pub options: NssOptions,
    pub max_backoff: Duration,
    pub transport: Transport,
    pub state: State,
    pub token: Option<String>,
    pub stats: Arc<NssStats>,
}

/// Starts the supervised `nss-sync` task: a panic is logged and the task starts again; it
/// ends when `stop` turns true, or by itself when it cannot work at all (not root).
pub fn spawn(parts: Parts, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let span = tracing::info_span!("task", name = "nss-sync");
    tokio::spawn(
        async move {
            loop {
                // Dropped at any await when stopping: an install under way finishes on the
                // blocking pool, and each file is whole either way.
                let mut run = tokio::spawn(AccountSync::new(parts.clone()).run().in_current_span());
                tokio::select! {
                    _ = stopping(&mut stop) => {
                        run.abort();
                        let _ = run.await;
                        return;
                    }
                    ended = &mut run => match ended {
                        Ok(()) => return,
                        Err(e) => tracing::error!(error = %e, restart_s = RESTART.as_secs(), "account sync panicked"),
                    },
                }
                tokio::select! {
                    _ = stopping(&mut stop) => return,
                    _ = tokio::time::sleep(RESTART) => {}
                }
            }
        }
        .instrument(span),
    )
}

struct AccountSync {
    parts: Parts,
    backoff: Backoff,
    /// The last bundle whose digest held, installed or refused: its version is what the
    /// next request names.
    current: Option<Arc<Bundle>>,
    /// The last outcome the appliance acknowledged.
    reported: Option<NssStatus>,
    /// The last problem with the appliance's answers logged, so each is logged once.
    answer_problem: Option<String>,
    /// Likewise for installs.
    install_problem: Option<String>,
}

impl AccountSync {
    fn new(parts: Parts) -> Self {
        let backoff = Backoff::new(parts.max_backoff);
        Self { parts, backoff, current: None, reported: None, answer_problem: None, install_problem: None }
    }

    async fn run(mut self) {
        let dir = self.parts.options.dir.display().to_string();
        if self.parts.options.install.set_owner && !is_root() {
            tracing::error!(
                "account sync needs root to write {dir} and give its files to root; central accounts are not synced in this run (metrics continue)"
            );
            return;
        }
        let wait = self.parts.options.interval.min(LONG_POLL);
        loop {
            let pause = self.step(wait).await;
            tokio::time::sleep(pause).await;
        }
    }

    /// One request and what follows from it; returns how long to wait before the next.
    async fn step(&mut self, wait: Duration) -> Duration {
        let Some(token) = self.token().await else {
            return TOKEN_POLL.min(self.parts.options.interval);
        };
        let started = Instant::now();
        let version = self.current.as_ref().map(|b| b.version.clone());
        match self.parts.transport.get_bundle(&token, version.as_deref(), wait).await {
            BundleAnswer::Bundle(json) => {
                self.answered();
                match Bundle::parse(&json) {
                    Ok(bundle) => {
                        let new = version.as_deref() != Some(bundle.version.as_str());
                        self.current = Some(Arc::new(bundle));
                        self.apply(&token).await;
                        // A new version: ask again at once, now waiting for the next change.
                        if new { Duration::ZERO } else { pace(started, wait) }
                    }
                    Err(e) => {
                        let claimed = claimed_version(&json);
                        let status = NssStatus { version: claimed, ok: false, error: Some(e.to_string()) };
                        self.settle(&token, status, false).await;
                        self.backoff.next()
                    }
                }
            }
            BundleAnswer::NotModified => {
                self.answered();
                self.apply(&token).await;
                pace(started, wait)
            }
            BundleAnswer::Failed(outcome) => self.failed(outcome),
        }
    }

    /// The machine token: the one at hand, else whatever the sender stored by now.
    async fn token(&mut self) -> Option<String> {
        if self.parts.token.is_none() {
            let state = self.parts.state.clone();
            let read = crate::blocking::run(move || state.token()).await;
            match read.map_err(|e| e.to_string()).and_then(|r| r.map_err(|e| e.to_string())) {
                Ok(token) => self.parts.token = token,
                Err(e) => note(
                    &mut self.answer_problem,
                    "state",
                    || tracing::warn!(error = %e, "reading the machine token failed"),
                ),
            }
            if self.parts.token.is_none() {
                note(&mut self.answer_problem, "no_token", || {
                    tracing::info!("central accounts wait until the appliance approves this machine")
                });
            }
        }
        self.parts.token.clone()
    }

    /// Installs the current bundle (again) and settles the outcome.
    async fn apply(&mut self, token: &str) {
        let Some(bundle) = self.current.clone() else { return };
        let (dir, options) = (self.parts.options.dir.clone(), self.parts.options.install.clone());
        let version = bundle.version.clone();
        let result = crate::blocking::run(move || install(&dir, &bundle, &options)).await;
        let (error, missing) = match result {
            Ok(Ok(report)) => {
                if report.changed() {
                    self.parts.stats.installs.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(version = %version, files = ?report.written, "central accounts installed");
                }
                (None, false)
            }
            Ok(Err(e)) => (Some(e.to_string()), matches!(e, NssError::NoDir { .. })),
            Err(e) => (Some(e.to_string()), false),
        };
        self.settle(token, NssStatus { version, ok: error.is_none(), error }, missing).await;
    }

    /// Records an install outcome: logged and reported to the appliance when it differs
    /// from the last one (a report that did not arrive is sent again next time).
    /// `missing`: the NSS directory is absent (libnss-extrausers not installed), a state
    /// to wait out rather than an error.
    async fn settle(&mut self, token: &str, status: NssStatus, missing: bool) {
        *self.parts.stats.status.lock().unwrap_or_else(|p| p.into_inner()) = Some(status.clone());
        match &status.error {
            Some(error) => {
                self.parts.stats.failures.fetch_add(1, Ordering::Relaxed);
                note(&mut self.install_problem, error, || match missing {
                    true => {
                        tracing::warn!(error = %error, "central accounts cannot be installed; checking again every interval")
                    }
                    false => {
                        tracing::error!(error = %error, "central accounts not installed; the last good files stay")
                    }
                });
            }
            None if self.install_problem.take().is_some() => {
                tracing::info!(version = %status.version, "central accounts are current again");
            }
            None => {}
        }
        if self.reported.as_ref() == Some(&status) {
            return;
        }
        match self.parts.transport.post_status(token, &status).await {
            Ok(()) => self.reported = Some(status),
            Err(e) => tracing::debug!(error = %e, "reporting the account install failed; reporting again next time"),
        }
    }

    /// A request that brought no bundle; returns the wait before the next.
    fn failed(&mut self, outcome: Outcome) -> Duration {
        let delay = self.backoff.next();
        match outcome {
            Outcome::InvalidToken => {
                // The sender enrolls again and stores the new token, read from the state
                // directory on the next attempt.
                self.parts.token = None;
                note(&mut self.answer_problem, "invalid_token", || {
                    tracing::warn!("the appliance does not know this machine's token; waiting for a new one")
                });
                delay
            }
            Outcome::Refused { code, message } | Outcome::Unacceptable { code, message, .. } => {
                note(
                    &mut self.answer_problem,
                    &code,
                    || tracing::warn!(code = %code, reason = %message, "the appliance refuses to send central accounts"),
                );
                delay
            }
            Outcome::Retry { reason, after } => {
                note(
                    &mut self.answer_problem,
                    "unreachable",
                    || tracing::warn!(reason = %reason, "cannot fetch central accounts; retrying"),
                );
                after.map_or(delay, |a| a.max(delay))
            }
            Outcome::CertificateChanged(message) => {
                note(
                    &mut self.answer_problem,
                    "certificate_changed",
                    || tracing::error!(reason = %message, "refusing the appliance: its certificate changed"),
                );
                delay
            }
            Outcome::Accepted(_) => delay,
        }
    }

    /// A usable answer: the next failure backs off from the start and is logged again.
    fn answered(&mut self) {
        self.backoff.reset();
        if self.answer_problem.take().is_some() {
            tracing::debug!("the appliance answers for central accounts again");
        }
    }
}

/// Runs `log` when `problem` is not the one in `last`, and remembers it.
fn note(last: &mut Option<String>, problem: &str, log: impl FnOnce()) {
    if last.as_deref() != Some(problem) {
        log();
        *last = Some(problem.to_string());
    }
}

/// What remains of `wait` since `started`: an answer that came early without a new
/// version (an appliance that does not hold requests) must not turn into a busy loop.
fn pace(started: Instant, wait: Duration) -> Duration {
    (started + wait).saturating_duration_since(Instant::now())
}

/// The version a refused bundle claims, when it can be read at all and looks like one.
fn claimed_version(json: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Claim {
        version: String,
    }
    serde_json::from_slice::<Claim>(json)
        .ok()
        .map(|c| c.version)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
