//! The dedicated threads ssh2's blocking calls run on: at most a configured number, named
//! `ssh-poll-N`, fed one job at a time by the scheduler (which only sends when one is
//! idle, so nothing queues here). Threads start when the work first needs them, so an
//! appliance without SSH hosts runs none. A panicking job is caught and reported as a
//! failure; the thread lives on. When the scheduler goes away the threads finish their job
//! and exit.

use std::net::TcpStream;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use ssh2::Session;
use tokio::sync::mpsc;

use super::conn::{self, Limits, Login};
use super::error::PollError;
use super::parse;
use super::rates::Deltas;
use super::script::{Scope, script};
use crate::collect::{Collection, Facts};
use crate::hosts::SeenKey;

/// What a job starts from: an open session, or a fresh socket to log in over.
pub enum Start {
    /// An open session, with the inventory to keep from an earlier poll: `None` asks the
    /// host for it again (see [`super::script::Scope`]).
    Session(Session, Option<Box<Facts>>),
    Fresh(TcpStream, Box<Login>),
}

pub struct Job {
    pub host: u64,
    pub start: Start,
    pub deltas: Deltas,
    pub at: Stamp,
    pub limits: Limits,
}

/// When a poll happens: the sample time (wall clock) and a monotonic reading that rates
/// are computed against, so a wall clock stepped by NTP never skews a rate.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    pub ts_ms: i64,
    pub mono_ms: i64,
}

/// One poll's readings and the host's inventory.
#[derive(Debug)]
pub struct Polled {
    pub collection: Collection,
    pub facts: Facts,
}

pub struct Done {
    pub host: u64,
    /// The session, when it is still good for the next poll.
    pub session: Option<Session>,
    pub deltas: Deltas,
    /// Set when this job logged in.
    pub seen: Option<SeenKey>,
    pub outcome: Result<Polled, PollError>,
    pub cpu_ns: u64,
}

pub struct Pool {
    jobs: SyncSender<Job>,
    rx: Arc<Mutex<Receiver<Job>>>,
    done: mpsc::Sender<Done>,
    /// The most threads this pool runs.
    pub threads: usize,
    /// How many it has started so far.
    started: usize,
}

impl Pool {
    /// A pool of up to `threads` threads, none started yet; results come back on `done`.
    pub fn new(threads: usize, done: mpsc::Sender<Done>) -> Self {
        let (jobs, rx) = sync_channel::<Job>(threads);
        Self { jobs, rx: Arc::new(Mutex::new(rx)), done, threads, started: 0 }
    }

    /// Hands a job to an idle thread, starting one when all `busy` started threads are
    /// taken; the caller counts busy threads. False when no thread can take it.
    pub fn send(&mut self, job: Job, busy: usize) -> bool {
        if busy >= self.started && self.started < self.threads {
            let (rx, done) = (self.rx.clone(), self.done.clone());
            let name = format!("ssh-poll-{}", self.started);
            match std::thread::Builder::new().name(name.clone()).spawn(move || work(&rx, &done)) {
                Ok(_) => self.started += 1,
                Err(e) => tracing::error!(thread = %name, error = %e, "starting an ssh poll thread failed"),
            }
        }
        busy < self.started && self.jobs.send(job).is_ok()
    }
}

fn work(rx: &Mutex<Receiver<Job>>, done: &mpsc::Sender<Done>) {
    loop {
        let job = match rx.lock().unwrap_or_else(|p| p.into_inner()).recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        let host = job.host;
        let started = thread_cpu_ns();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(job)));
        let mut out = result.unwrap_or_else(|_| Done {
            host,
            session: None,
            deltas: Deltas::default(),
            seen: None,
            outcome: Err(PollError::Protocol("the poll panicked; the session was dropped".into())),
            cpu_ns: 0,
        });
        out.cpu_ns = thread_cpu_ns().saturating_sub(started);
        if done.blocking_send(out).is_err() {
            return;
        }
    }
}

fn run(job: Job) -> Done {
    let Job { host, start, mut deltas, at, limits } = job;
    let (session, seen, outcome) = match start {
        Start::Session(s, known) => {
            let outcome = poll_once(&s, &mut deltas, at, limits, known.as_deref());
            (Some(s), None, outcome)
        }
        Start::Fresh(tcp, login) => login_and_poll(tcp, &login, &mut deltas, at, limits),
    };
    let keep = match &outcome {
        Ok(_) => true,
        Err(e) => e.keeps_session(),
    };
    Done { host, session: session.filter(|_| keep), deltas, seen, outcome, cpu_ns: 0 }
}

/// Logs in over a fresh socket and polls once. Returns the session (when the login
/// worked), the key the server presented (also when it did not match the pin), and the
/// poll's outcome. Blocking.
pub fn login_and_poll(
    tcp: TcpStream,
    login: &Login,
    deltas: &mut Deltas,
    at: Stamp,
    limits: Limits,
) -> (Option<Session>, Option<SeenKey>, Result<Polled, PollError>) {
    match conn::open(tcp, login, limits) {
        Ok((session, seen)) => {
            let outcome = poll_once(&session, deltas, at, limits, None);
            (Some(session), Some(seen), outcome)
        }
        Err(e) => {
            let seen = match &e {
                PollError::HostKeyChanged { presented, algorithm, .. } => {
                    Some(SeenKey { algorithm: algorithm.clone(), fingerprint: presented.clone() })
                }
                _ => None,
            };
            (None, seen, Err(e))
        }
    }
}

/// Runs the script once and turns its output into readings. With `known` inventory, the
/// host is asked for readings only and the inventory facts are carried over. Blocking.
pub fn poll_once(
    session: &Session,
    deltas: &mut Deltas,
    at: Stamp,
    limits: Limits,
    known: Option<&Facts>,
) -> Result<Polled, PollError> {
    let nonce = nonce();
    let scope = if known.is_some() { Scope::Readings } else { Scope::Full };
    let out = conn::run(session, &script(&nonce, scope), limits)?;
    let snapshot = parse::parse(&out, &nonce)?;
    let mut collection = deltas.collect(&snapshot, at.mono_ms);
    collection.ts_ms = at.ts_ms;
    let mut facts = snapshot.facts;
    if let Some(known) = known {
        parse::keep_inventory(&mut facts, known);
    }
    Ok(Polled { collection, facts })
}

/// 16 hex digits, fresh per poll, so output cannot forge the script's section markers.
fn nonce() -> String {
    let mut bytes = [0u8; 8];
    // Without randomness, a time-derived nonce still changes per poll; forging it would
    // need the output to predict the poll's nanosecond.
    if getrandom::fill(&mut bytes).is_err() {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        bytes = (t as u64).to_le_bytes();
    }
    hex::encode(bytes)
}

fn thread_cpu_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    (t.tv_sec as u64).saturating_mul(1_000_000_000).saturating_add(t.tv_nsec as u64)
}
