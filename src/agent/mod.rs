//! The push agent (the `steward-agent` binary, also `steward agent`): collects this machine with the shared
//! collector every interval and pushes each cycle as one batch to an appliance's ingest
//! API, enrolling with a key until the appliance approves the machine and issues it a token.
//!
//! - [`config`]: `agent.toml` < `STEWARD_AGENT_*` < flags, checked into [`AgentConfig`].
//! - [`state`]: the state directory (machine token 0600, certificate pin, machine id).
//! - [`batch`]: a collection as an ingest body, compressed and framed.
//! - [`spool`]: unacknowledged batches on disk, bounded, in order.
//! - [`transport`]: the HTTP client (system roots, pinned or first-use-pinned certificate)
//!   and what an answer means.
//! - [`sender`]: delivery: direct while the appliance answers, spooled and replayed in order
//!   when it does not, enrollment state changes logged once.
//! - [`cycle`]: the collection thread.
//! - [`local_api`]: the optional read-only API on this machine.
//! - [`nss`]: central accounts: the bundle, its checks, its install, the sync task.
//! - [`hooks`]: what sshd and PAM run: `authorized-keys` and `password-hook`.
//! - `trim`: start-up-only code pages handed back to the kernel once running steadily.
//!
//! It must not touch the appliance's store: everything goes through the public HTTP API.

pub mod batch;
pub mod config;
mod cycle;
pub mod hooks;
pub mod local_api;
pub mod nss;
pub mod sender;
pub mod spool;
pub mod state;
pub mod transport;

pub use config::AgentConfig;
pub use sender::Stats;

use std::sync::Arc;

use thiserror::Error;
use tokio::sync::{mpsc, watch};

use crate::clock::SharedClock;

#[derive(Debug, Error)]
pub enum AgentError {
    #[error(transparent)]
    State(#[from] state::StateError),
    #[error(transparent)]
    Spool(#[from] spool::SpoolError),
    #[error("building the appliance URL: {0}")]
    Url(String),
    #[error("building the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error("starting the collection thread: {0}")]
    Thread(std::io::Error),
    #[error("starting the local API on {addr}: {source}")]
    LocalApi { addr: std::net::SocketAddr, source: std::io::Error },
    #[error(transparent)]
    Blocking(#[from] crate::blocking::BlockingError),
}

/// Batches waiting between the collection thread and the sender: a few minutes' worth, so
/// a slow request never stalls collection, and a stalled sender pauses it rather than
/// losing batches.
const QUEUE: usize = 32;

/// A started agent: collection thread, sender task, and optionally the local API and the
/// account sync task.
pub struct Agent {
    stop: watch::Sender<bool>,
    /// Dropping it wakes and ends the collection thread.
    stop_collecting: Option<std::sync::mpsc::Sender<()>>,
    collector: Option<std::thread::JoinHandle<()>>,
    sender: Option<tokio::task::JoinHandle<()>>,
    nss: Option<tokio::task::JoinHandle<()>>,
    local_api: Option<local_api::Handle>,
    stats: Arc<Stats>,
    nss_stats: Arc<nss::sync::NssStats>,
    local_addr: Option<std::net::SocketAddr>,
}

impl Agent {
    /// Opens the state directory and spool and starts collecting and pushing. Must run
    /// inside a tokio runtime.
    pub async fn start(config: AgentConfig, clock: SharedClock) -> Result<Self, AgentError> {
        let (dir, limit, fp) = (config.state_dir.clone(), config.spool_limit, config.fingerprint.clone());
        let cfg = config.clone();
        // File reads all, including the system's trusted roots the HTTP client loads.
        let (state, spool, fingerprint, token, transport) = crate::blocking::run(move || -> Result<_, AgentError> {
            let state = state::State::open(&dir)?;
            let spool = spool::Spool::open(&state.spool_dir(), limit)?;
            let fingerprint = state.machine_fingerprint(fp.as_deref())?;
            let token = state.token()?;
            let transport = transport::Transport::new(&cfg, state.clone(), state.pin()?)?;
            Ok((state, spool, fingerprint, token, transport))
        })
        .await??;
        if !spool.is_empty() {
            tracing::info!(
                batches = spool.len(),
                bytes = spool.bytes(),
                "batches from an earlier run are waiting in the spool"
            );
        }
        let stats = Arc::new(Stats::default());
        let (tx, rx) = mpsc::channel(QUEUE);
        let (stop, stopped) = watch::channel(false);
        let view = Arc::new(local_api::View::new(config.local_api.is_some()));
        let (local_api, local_addr) = match config.local_api {
            Some(addr) => {
                let (handle, bound) = local_api::start(addr, view.clone(), stopped.clone())?;
                (Some(handle), Some(bound))
            }
            None => (None, None),
        };
        let (stop_collecting, collecting) = std::sync::mpsc::channel();
        let collector = cycle::spawn(&config, fingerprint, clock.clone(), tx, collecting, view)?;
        let nss_stats = Arc::new(nss::sync::NssStats::default());
        let nss = config.nss.enabled.then(|| {
            let parts = nss::sync::Parts {
                options: config.nss.clone(),
                max_backoff: config.max_backoff,
                transport: transport.clone(),
                state: state.clone(),
                token: token.clone(),
                stats: nss_stats.clone(),
            };
            nss::sync::spawn(parts, stopped.clone())
        });
        let deliver = sender::Sender::new(&config, transport, state, token, spool, stats.clone(), clock);
        let sender = tokio::spawn(deliver.run(rx, stopped));
        tracing::info!(server = %config.server, interval_s = config.interval.as_secs_f32(), "agent started");
        Ok(Self {
            stop,
            stop_collecting: Some(stop_collecting),
            collector: Some(collector),
            sender: Some(sender),
            nss,
            local_api,
            stats,
            nss_stats,
            local_addr,
        })
    }

    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }

    /// What the account sync task has done (all zero when it is off).
    pub fn nss_stats(&self) -> &Arc<nss::sync::NssStats> {
        &self.nss_stats
    }

    /// Where the local API listens, when it is on.
    pub fn local_api_addr(&self) -> Option<std::net::SocketAddr> {
        self.local_addr
    }

    /// Stops collecting, spools whatever was not delivered, and waits for both to finish.
    pub async fn stop(mut self) {
        drop(self.stop_collecting.take());
        if let Some(collector) = self.collector.take() {
            let _ = crate::blocking::run(move || collector.join()).await;
        }
        let _ = self.stop.send(true);
        if let Some(handle) = self.local_api.take() {
            let _ = handle.await;
        }
        if let Some(sender) = self.sender.take() {
            let _ = sender.await;
        }
        if let Some(nss) = self.nss.take() {
            let _ = nss.await;
        }
    }
}

/// `steward agent`: runs until SIGINT or SIGTERM on a single-threaded runtime (the agent
/// has one connection and one collection at a time; more threads would only cost memory).
pub fn run(config: AgentConfig) -> Result<(), AgentError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(2)
        .thread_name("steward-agent")
        .build()
        .map_err(AgentError::Thread)?;
    rt.block_on(async {
        let agent = Agent::start(config, Arc::new(crate::clock::SystemClock)).await?;
        shutdown_signal().await;
        tracing::info!("stopping: undelivered batches stay in the spool");
        agent.stop().await;
        Ok(())
    })
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
