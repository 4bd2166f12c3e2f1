//! The scheduler: one supervised task (`ssh-poller`) that keeps a slot per SSH host, says
//! when each is due, dials new connections (async: an unreachable host costs a timer, not
//! a thread), and hands logins and polls to the [`Pool`]. Polls of hosts with an open
//! session go first; logins over fresh sockets may take at most half the threads, so
//! hosts that accept TCP and then hang cannot starve the healthy ones.
//!
//! Results become samples ([`crate::tsdb`]), facts ([`crate::hosts`]), pins and audit
//! entries ([`super::targets`]), and the host's state in [`crate::hosts::Polls`].

use std::collections::{HashMap, VecDeque};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::conn::{self, Limits, Login};
use super::pool::{Done, Job, Pool, Stamp, Start};
use super::rates::Deltas;
use super::{PollError, Stats, targets};
use crate::ctx::Ctx;
use crate::hosts::{self, Host, HostKind, HostPoll, PinnedKey, PollStatus, Polls, SeenKey, SshSettings};

/// Work lists are re-read this often even without a change notice.
const RELOAD_EVERY: Duration = Duration::from_secs(30);
/// Connections being dialed at once; the rest wait their turn.
const MAX_DIALS: usize = 256;

/// Starts the poller under a supervisor that restarts it (after a pause) if it panics.
/// The poller runs inside the supervisor's own task, so aborting the returned handle drops
/// it and everything it holds (its context reference, dials, sessions) at once.
pub fn start(ctx: web::Data<Ctx>) -> tokio::task::JoinHandle<()> {
    use futures_util::FutureExt;
    tokio::spawn(async move {
        loop {
            match std::panic::AssertUnwindSafe(run(ctx.clone())).catch_unwind().await {
                Ok(Ok(())) => return,
                Ok(Err(e)) => tracing::error!(task = "ssh-poller", error = %e, "ssh poller could not start"),
                Err(_) => tracing::error!(task = "ssh-poller", "ssh poller panicked; restarting"),
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    })
}

pub(super) fn limits(ctx: &Ctx) -> Limits {
    let c = &ctx.config.ssh;
    Limits {
        connect_timeout: Duration::from_secs(c.connect_timeout_s.into()),
        poll_timeout: Duration::from_secs(c.poll_timeout_s.into()),
        max_output: c.max_output_kib as usize * 1024,
    }
}

struct Slot {
    host: Host,
    settings: SshSettings,
    session: Option<ssh2::Session>,
    deltas: Deltas,
    due: Instant,
    failures: u32,
    busy: bool,
    /// Logging in over a fresh socket (counts against the login share of the pool).
    fresh: bool,
    /// Settings changed while a job was out: drop its session when it returns.
    stale: bool,
    /// The last sample time handed out: the next is later even if the wall clock stepped back.
    last_ts: i64,
    /// When (monotonic ms) the host was last asked for its inventory.
    inventory_ms: i64,
    state: HostPoll,
}

/// How long finished polls' samples wait to be stored together, and how many hosts' worth
/// are stored at once at most. Nobody was promised these samples yet: a crash in this window
/// loses at most this much of what the hosts would show again at the next poll.
const SAVE_AFTER: Duration = Duration::from_millis(250);
const SAVE_MAX_HOSTS: usize = 512;

/// How often a host with an open session is asked for its inventory again (a reconnect,
/// e.g. after a reboot, always asks): a renamed host or a new OS release shows within this.
const INVENTORY_EVERY_MS: i64 = 10 * 60 * 1000;

impl Slot {
    /// The inventory a poll starting at `mono_ms` may keep, or `None` when it is due again
    /// (and is then counted as asked for).
    fn known_inventory(&mut self, mono_ms: i64) -> Option<Box<crate::collect::Facts>> {
        match &self.host.facts {
            Some(facts) if mono_ms - self.inventory_ms < INVENTORY_EVERY_MS => Some(Box::new(facts.clone())),
            _ => {
                self.inventory_ms = mono_ms;
                None
            }
        }
    }

    fn new(host: Host, settings: SshSettings, now: Instant) -> Self {
        // Spread first polls over one interval so a restart does not poll everything at once.
        let spread = Duration::from_millis(host.id.wrapping_mul(7919) % (u64::from(host.interval_s) * 1000));
        let state = if settings.enabled { HostPoll::pending() } else { disabled() };
        Self {
            host,
            settings,
            session: None,
            deltas: Deltas::default(),
            due: now + spread,
            failures: 0,
            busy: false,
            fresh: false,
            stale: false,
            last_ts: i64::MIN,
            inventory_ms: 0,
            state,
        }
    }

    fn interval(&self) -> Duration {
        Duration::from_secs(self.host.interval_s.max(1).into())
    }

    fn waiting(&self) -> bool {
        !self.busy && self.settings.enabled && self.state.status != PollStatus::HostKeyChanged
    }
}

fn disabled() -> HostPoll {
    HostPoll { status: PollStatus::Disabled, ..HostPoll::pending() }
}

/// A connected socket and the login to send over it, or why there is none.
type Dialed = Result<(TcpStream, Box<Login>), PollError>;

struct Scheduler {
    ctx: web::Data<Ctx>,
    /// What the poller reports about each host, and the notice that hosts changed.
    polls: Arc<Polls>,
    stats: Arc<Stats>,
    limits: Limits,
    pool: Pool,
    idle: usize,
    fresh_busy: usize,
    slots: HashMap<u64, Slot>,
    ready_polls: VecDeque<u64>,
    ready_fresh: VecDeque<(u64, TcpStream, Box<Login>)>,
    dials: JoinSet<(u64, Dialed)>,
    dial_permits: Arc<Semaphore>,
    /// Sample appends and store writes the loop does not wait for.
    side: JoinSet<()>,
    /// Samples of finished polls not yet handed to the store, and when they go.
    unsaved: Vec<(u64, Vec<crate::tsdb::Sample>)>,
    save_at: Option<Instant>,
    /// The monotonic origin rates are measured from.
    epoch: Instant,
}

async fn run(ctx: web::Data<Ctx>) -> Result<(), String> {
    let threads = usize::from(ctx.config.ssh.threads.max(1));
    let (done_tx, mut done_rx) = mpsc::channel(threads * 2);
    let pool = Pool::new(threads, done_tx);
    let mut s = Scheduler {
        limits: limits(&ctx),
        polls: ctx.state::<Polls>(),
        stats: ctx.state::<Stats>(),
        ctx,
        pool,
        idle: threads,
        fresh_busy: 0,
        slots: HashMap::new(),
        ready_polls: VecDeque::new(),
        ready_fresh: VecDeque::new(),
        dials: JoinSet::new(),
        dial_permits: Arc::new(Semaphore::new(MAX_DIALS)),
        side: JoinSet::new(),
        unsaved: Vec::new(),
        save_at: None,
        epoch: Instant::now(),
    };
    s.reload().await;
    let mut reload = tokio::time::interval(RELOAD_EVERY);
    reload.reset();
    loop {
        s.start_due();
        s.dispatch();
        let next = s.save_at.map_or(s.next_due(), |at| at.min(s.next_due()));
        let registry = s.polls.clone();
        tokio::select! {
            Some(done) = done_rx.recv() => s.finished(done),
            Some(dialed) = s.dials.join_next(), if !s.dials.is_empty() => {
                if let Ok((id, result)) = dialed {
                    s.dialed(id, result);
                }
            }
            Some(_) = s.side.join_next(), if !s.side.is_empty() => {}
            () = tokio::time::sleep_until(next) => {}
            () = registry.wait_changed() => s.reload().await,
            _ = reload.tick() => s.reload().await,
        }
        if s.save_at.is_some_and(|at| at <= Instant::now()) || s.unsaved.len() >= SAVE_MAX_HOSTS {
            s.save();
        }
    }
}

impl Scheduler {
    fn now_ms(&self) -> i64 {
        (self.ctx.clock.now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    fn next_due(&self) -> Instant {
        let far = Instant::now() + RELOAD_EVERY;
        self.slots.values().filter(|s| s.waiting()).map(|s| s.due).min().map_or(far, |d| d.min(far))
    }

    /// Reads the SSH hosts again: new ones get a slot, changed ones reconnect, deleted
    /// ones go.
    async fn reload(&mut self) {
        let hosts = match hosts::list_kind(&self.ctx.store, HostKind::Ssh).await {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!(task = "ssh-poller", error = %e, "reading SSH hosts");
                return;
            }
        };
        let now = Instant::now();
        let mut seen = std::collections::HashSet::new();
        for host in hosts {
            let Some(settings) = host.ssh.clone() else { continue };
            seen.insert(host.id);
            match self.slots.get_mut(&host.id) {
                None => {
                    let slot = Slot::new(host, settings, now);
                    self.polls.set(slot.host.id, slot.state.clone());
                    self.slots.insert(slot.host.id, slot);
                }
                Some(slot) => update_slot(slot, host, settings, now),
            }
        }
        self.slots.retain(|id, _| seen.contains(id));
        self.polls.retain(|id| seen.contains(&id));
        for slot in self.slots.values() {
            self.polls.set(slot.host.id, slot.state.clone());
        }
        self.count_sessions();
    }

    fn count_sessions(&self) {
        let open = self.slots.values().filter(|s| s.session.is_some() || s.busy).count() as u64;
        self.stats.sessions.store(open, std::sync::atomic::Ordering::Relaxed);
    }

    /// Due slots: with a session, queued for a thread; without, dialed.
    fn start_due(&mut self) {
        let now = Instant::now();
        let stats = self.stats.clone();
        let mut to_dial = Vec::new();
        for (id, slot) in self.slots.iter_mut() {
            if !slot.waiting() || slot.due > now {
                continue;
            }
            slot.busy = true;
            let interval = slot.interval();
            if slot.session.is_some() {
                skip_missed(slot, now, false, &stats);
                slot.due += interval;
                self.ready_polls.push_back(*id);
            } else {
                slot.due = now + interval;
                to_dial.push((slot.host.clone(), slot.settings.clone()));
            }
        }
        for (host, settings) in to_dial {
            self.dial(host, settings);
        }
    }

    fn dial(&mut self, host: Host, settings: SshSettings) {
        let (ctx, permits, limits) = (self.ctx.clone(), self.dial_permits.clone(), self.limits);
        let stats = self.stats.clone();
        self.dials.spawn(async move {
            let _permit = permits.acquire_owned().await;
            stats.connects.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            (host.id, connect(&ctx, host, settings, limits).await)
        });
    }

    fn dialed(&mut self, id: u64, result: Dialed) {
        match result {
            Ok((tcp, login)) if self.slots.contains_key(&id) => self.ready_fresh.push_back((id, tcp, login)),
            Ok(_) => {}
            Err(e) => self.failed(id, e),
        }
    }

    fn dispatch(&mut self) {
        let fresh_cap = (self.pool.threads / 2).max(1);
        while self.idle > 0 {
            let (now_ms, mono_ms) = (self.now_ms(), self.epoch.elapsed().as_millis() as i64);
            let (id, start) = if let Some(id) = self.ready_polls.pop_front() {
                let Some(slot) = self.slots.get_mut(&id) else { continue };
                let Some(session) = slot.session.take() else { continue };
                (id, Start::Session(session, slot.known_inventory(mono_ms)))
            } else if self.fresh_busy < fresh_cap
                && let Some((id, tcp, login)) = self.ready_fresh.pop_front()
            {
                (id, Start::Fresh(tcp, login))
            } else {
                return;
            };
            let Some(slot) = self.slots.get_mut(&id) else { continue };
            if let Start::Session(..) = start {
                skip_missed(slot, Instant::now(), true, &self.stats);
            }
            slot.fresh = matches!(start, Start::Fresh(..));
            if slot.fresh {
                slot.inventory_ms = mono_ms;
            }
            slot.last_ts = now_ms.max(slot.last_ts.saturating_add(1));
            let at = Stamp { ts_ms: slot.last_ts, mono_ms };
            let job = Job { host: id, start, deltas: std::mem::take(&mut slot.deltas), at, limits: self.limits };
            let busy = self.pool.threads - self.idle;
            if !self.pool.send(job, busy) {
                return;
            }
            self.idle -= 1;
            self.fresh_busy += usize::from(slot.fresh);
        }
    }

    fn finished(&mut self, done: Done) {
        self.idle += 1;
        let stats = &self.stats;
        stats.worker_cpu_ns.fetch_add(done.cpu_ns, std::sync::atomic::Ordering::Relaxed);
        let Some(slot) = self.slots.get_mut(&done.host) else { return };
        if std::mem::take(&mut slot.fresh) {
            self.fresh_busy = self.fresh_busy.saturating_sub(1);
        }
        slot.deltas = done.deltas;
        slot.session = if std::mem::take(&mut slot.stale) { None } else { done.session };
        if let Some(seen) = done.seen.clone() {
            slot.state.presented_key = Some(seen);
        }
        match done.outcome {
            Ok(polled) => self.succeeded(done.host, done.seen, polled),
            Err(e) => self.failed(done.host, e),
        }
        self.count_sessions();
    }

    fn succeeded(&mut self, id: u64, seen: Option<SeenKey>, polled: super::pool::Polled) {
        let now_ms = self.now_ms();
        let Some(slot) = self.slots.get_mut(&id) else { return };
        slot.busy = false;
        slot.failures = 0;
        slot.state.status = PollStatus::Online;
        slot.state.last_ok_ms = Some(now_ms);
        self.polls.set(id, slot.state.clone());
        self.stats.polls_ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let samples = hosts::local::to_samples(&polled.collection);
        let facts = (slot.host.facts.as_ref() != Some(&polled.facts)).then(|| polled.facts.clone());
        if facts.is_some() {
            slot.host.facts = Some(polled.facts);
        }
        let pin = seen.filter(|_| slot.settings.host_key.is_none());
        if let Some(seen) = &pin {
            // Pinned here at once so a reconnect before the write lands checks against it.
            slot.settings.host_key = Some(PinnedKey::first_use(seen, self.ctx.clock.now()));
        }
        self.unsaved.push((id, samples));
        self.save_at.get_or_insert_with(|| Instant::now() + SAVE_AFTER);
        if facts.is_none() && pin.is_none() {
            return;
        }
        let (ctx, org) = (self.ctx.clone(), slot.host.org);
        self.side.spawn(async move {
            if let Some(facts) = facts
                && let Err(e) = hosts::update_facts(&ctx.store, org, id, facts).await
            {
                tracing::warn!(host = id, error = %e, "storing SSH host facts");
            }
            if let Some(seen) = pin {
                let now = ctx.clock.now();
                let r = ctx.store.write(move |txn| targets::pin_first_use(txn, org, id, &seen, now)).await;
                if let Err(e) = r {
                    tracing::warn!(host = id, error = %e, "pinning the SSH host key");
                }
            }
        });
    }

    /// Hands the unsaved samples to the store all at once, so they share one commit (and one
    /// fsync) instead of paying one each: most of a poll's cost on the appliance otherwise.
    fn save(&mut self) {
        self.save_at = None;
        let batch = std::mem::take(&mut self.unsaved);
        let ctx = self.ctx.clone();
        self.side.spawn(async move {
            let appends = batch.into_iter().map(|(id, samples)| {
                let ctx = &ctx;
                async move { (id, ctx.tsdb.append(id, None, samples).await) }
            });
            for (id, result) in futures_util::future::join_all(appends).await {
                if let Err(e) = result {
                    tracing::warn!(host = id, error = %e, "storing SSH samples");
                }
            }
        });
    }

    fn failed(&mut self, id: u64, e: PollError) {
        let now_ms = self.now_ms();
        let backoff_max = Duration::from_secs(self.ctx.config.ssh.backoff_max_s.into());
        let Some(slot) = self.slots.get_mut(&id) else { return };
        slot.busy = false;
        self.stats.polls_failed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let was = slot.state.status;
        slot.state.status = e.status();
        slot.state.last_error = Some(e.last_error(now_ms));
        if e.keeps_session() {
            slot.failures = 0;
        } else {
            slot.failures = slot.failures.saturating_add(1);
            slot.session = None;
            slot.due = Instant::now() + backoff(slot.interval(), slot.failures, backoff_max, jitter());
        }
        self.polls.set(id, slot.state.clone());
        if was != slot.state.status {
            tracing::warn!(host = id, name = %slot.host.name, error = %e, "ssh host is now {:?}", slot.state.status);
        }
        if e.status() == PollStatus::HostKeyChanged && was != PollStatus::HostKeyChanged {
            let (ctx, host) = (self.ctx.clone(), slot.host.clone());
            self.side.spawn(async move {
                let now = ctx.clock.now();
                let r = ctx.store.write(move |txn| targets::audit_key_changed(txn, &host, &e, now)).await;
                if let Err(err) = r {
                    tracing::warn!(host = id, error = %err, "auditing a changed SSH host key");
                }
            });
        }
    }
}

/// Counts the polls a slot missed by `now` and moves its due time past them. At start
/// (`waited: false`) the due poll is the one starting: only whole intervals after it are
/// missed. After waiting for a thread (`waited: true`) the due time is the next poll's:
/// reaching it already means that one is missed.
fn skip_missed(slot: &mut Slot, now: Instant, waited: bool, stats: &Stats) {
    if now < slot.due {
        return;
    }
    let interval = slot.interval();
    let whole = now.duration_since(slot.due).as_millis() / interval.as_millis().max(1);
    let missed = whole + u128::from(waited);
    if missed > 0 {
        stats.polls_missed.fetch_add(missed as u64, std::sync::atomic::Ordering::Relaxed);
        slot.due += interval * u32::try_from(missed).unwrap_or(u32::MAX);
    }
}

/// Takes a host's new record into its slot: changed connection settings (or a re-pin)
/// mean a new login; a host that was stopped by a changed key is polled again.
fn update_slot(slot: &mut Slot, host: Host, settings: SshSettings, now: Instant) {
    let reconnect = slot.settings.address != settings.address
        || slot.settings.port != settings.port
        || slot.settings.username != settings.username
        || slot.settings.auth != settings.auth
        || (slot.settings.host_key.as_ref().map(|p| &p.fingerprint)
            != settings.host_key.as_ref().map(|p| &p.fingerprint));
    let was_enabled = slot.settings.enabled;
    slot.settings = settings;
    slot.host = host;
    if reconnect {
        slot.session = None;
        slot.stale = slot.busy;
        slot.failures = 0;
        slot.due = now;
        slot.state = HostPoll::pending();
    }
    if !slot.settings.enabled {
        slot.session = None;
        slot.stale = slot.busy;
        slot.state = disabled();
    } else if !was_enabled {
        slot.due = now;
        slot.state = HostPoll::pending();
    }
}

/// Resolves, connects and opens the credentials. The key or password stays sealed until
/// this moment and is wiped when the login is dropped.
async fn connect(ctx: &Ctx, host: Host, settings: SshSettings, limits: Limits) -> Dialed {
    let tcp = conn::dial(&settings.address, settings.port, limits.connect_timeout).await?;
    let (store, sealer, auth) = (ctx.store.clone(), ctx.sealer.clone(), settings.auth);
    let credential =
        crate::blocking::run(move || store.read_sync(|txn| targets::credential(txn, &sealer, &host, auth)))
            .await
            .map_err(|e| PollError::Credentials(e.to_string()))?
            .map_err(|e| PollError::Credentials(format!("opening the stored credentials: {e}")))?;
    let login = Login { username: settings.username, credential, pin: settings.host_key };
    Ok((tcp, Box::new(login)))
}

/// Wait before the next attempt after `failures` failures in a row: the interval doubled
/// per failure, at most `max` (or the interval, if longer), times `jitter` in [0.5, 1] so
/// hosts that failed together do not retry together.
fn backoff(interval: Duration, failures: u32, max: Duration, jitter: f64) -> Duration {
    let doubled = interval.saturating_mul(1u32.checked_shl(failures.saturating_sub(1).min(20)).unwrap_or(u32::MAX));
    let capped = doubled.min(max.max(interval));
    capped.mul_f64(jitter.clamp(0.5, 1.0)).max(Duration::from_millis(500))
}

fn jitter() -> f64 {
    let mut b = [0u8; 2];
    let r = if getrandom::fill(&mut b).is_ok() { u16::from_le_bytes(b) } else { 0x8000 };
    0.5 + f64::from(r) / f64::from(u16::MAX) / 2.0
}

#[cfg(test)]
mod tests;
