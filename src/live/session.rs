//! One WebSocket connection: a bounded outgoing queue fed by committed batches and a
//! periodic status check, drained as fast as the client reads; pings to notice a dead peer.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use futures_util::StreamExt;
use tokio::sync::broadcast::{self, error::RecvError};

use super::messages::{Hello, HostUpdate, Hosts, Samples, summary, to_text};
use crate::caller::OrgId;
use crate::ctx::Ctx;
use crate::hosts::{Host, HostState};
use crate::shutdown::Shutdown;
use crate::tsdb::Committed;

/// Messages and bytes waiting for one client; more than either and the client is too slow.
pub const QUEUE: usize = 1024;
pub const QUEUE_BYTES: usize = 4 << 20;
const PING_EVERY: Duration = Duration::from_secs(15);
/// No pong for this long: the peer is gone.
const PONG_TIMEOUT: Duration = Duration::from_secs(45);
/// How often statuses are re-derived, so a host going silent shows up as offline.
const STATUS_EVERY: Duration = Duration::from_secs(5);
/// Every this many ticks the organization's hosts are read again, so machines registered
/// (pending, with no samples to announce them), approved or rejected show up.
const RELOAD_EVERY_TICKS: u32 = 12;

/// What a stream sends: messages for a committed batch, and for a status tick.
trait Feed {
    fn on_commit(&mut self, c: &Committed) -> Vec<String>;
    async fn on_tick(&mut self) -> Vec<String>;
}

enum Event {
    Incoming(Option<Result<Message, actix_ws::ProtocolError>>),
    Sent(bool),
    Commit(Result<Arc<Committed>, RecvError>),
    Ping,
    Tick,
    Stopping,
}

/// Why a connection ends, and the close frame it gets.
enum End {
    ClientGone,
    TooSlow,
    NoPong,
    /// The appliance is stopping (or its metrics engine is gone): 1001, going away.
    ServerClosing,
}

async fn pump(
    mut ws: Session,
    mut incoming: MessageStream,
    mut events: broadcast::Receiver<Arc<Committed>>,
    mut feed: impl Feed,
    shutdown: Shutdown,
) {
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut queued_bytes = 0;
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut tick = tokio::time::interval(STATUS_EVERY);
    tick.reset();
    let mut last_pong = Instant::now();
    let end = loop {
        let event = tokio::select! {
            biased;
            () = shutdown.fired() => Event::Stopping,
            m = incoming.next() => Event::Incoming(m),
            r = ws.text(queue.front().cloned().unwrap_or_default()), if !queue.is_empty() => Event::Sent(r.is_ok()),
            c = events.recv() => Event::Commit(c),
            _ = ping.tick() => Event::Ping,
            _ = tick.tick() => Event::Tick,
        };
        let out = match event {
            Event::Incoming(Some(Ok(Message::Pong(_)))) => {
                last_pong = Instant::now();
                continue;
            }
            Event::Incoming(Some(Ok(Message::Ping(p)))) => {
                if ws.pong(&p).await.is_err() {
                    break End::ClientGone;
                }
                continue;
            }
            Event::Incoming(Some(Ok(Message::Close(_))) | Some(Err(_)) | None) => break End::ClientGone,
            Event::Incoming(Some(Ok(_))) => continue,
            Event::Sent(true) => {
                queued_bytes -= queue.pop_front().map_or(0, |m| m.len());
                continue;
            }
            Event::Sent(false) => break End::ClientGone,
            Event::Commit(Ok(c)) => feed.on_commit(&c),
            Event::Commit(Err(RecvError::Lagged(_))) => break End::TooSlow,
            Event::Commit(Err(RecvError::Closed)) | Event::Stopping => break End::ServerClosing,
            Event::Ping if last_pong.elapsed() > PONG_TIMEOUT => break End::NoPong,
            Event::Ping => {
                if ws.ping(b"").await.is_err() {
                    break End::ClientGone;
                }
                continue;
            }
            Event::Tick => feed.on_tick().await,
        };
        queued_bytes += out.iter().map(String::len).sum::<usize>();
        if queue.len() + out.len() > QUEUE || queued_bytes > QUEUE_BYTES {
            break End::TooSlow;
        }
        queue.extend(out);
    };
    close(ws, end).await;
}

async fn close(ws: Session, end: End) {
    let reason = match end {
        End::ClientGone => return,
        End::TooSlow => CloseReason {
            code: CloseCode::Policy,
            description: Some("client too slow: messages were not read in time".into()),
        },
        End::NoPong => CloseReason { code: CloseCode::Away, description: Some("no pong".into()) },
        End::ServerClosing => CloseReason { code: CloseCode::Away, description: Some("appliance stopping".into()) },
    };
    // The frame queues behind what the client has not read; a client that never reads
    // again is dropped when the timeout passes.
    let _ = tokio::time::timeout(Duration::from_secs(10), ws.close(Some(reason))).await;
}

struct HostFeed {
    ctx: Arc<Ctx>,
    host: Host,
    last: HostUpdate,
}

impl Feed for HostFeed {
    fn on_commit(&mut self, c: &Committed) -> Vec<String> {
        if c.host != self.host.id {
            return Vec::new();
        }
        // Only approved hosts' batches are stored: one committing was approved meanwhile.
        self.host.state = HostState::Approved;
        self.last = HostUpdate::of(&summary(&self.ctx, self.host.clone()));
        vec![to_text(&Samples::of(c))]
    }

    async fn on_tick(&mut self) -> Vec<String> {
        let now = HostUpdate::of(&summary(&self.ctx, self.host.clone()));
        if now.status == self.last.status {
            return Vec::new();
        }
        self.last = now;
        vec![to_text(&self.last)]
    }
}

pub async fn run_host(
    ctx: Arc<Ctx>,
    host: Host,
    mut ws: Session,
    incoming: MessageStream,
    events: broadcast::Receiver<Arc<Committed>>,
) {
    let first = summary(&ctx, host.clone());
    if ws.text(to_text(&Hello { r#type: "hello", host: &first })).await.is_err() {
        return;
    }
    let last = HostUpdate::of(&first);
    let shutdown = ctx.shutdown.clone();
    pump(ws, incoming, events, HostFeed { ctx, host, last }, shutdown).await;
}

struct OrgFeed {
    ctx: Arc<Ctx>,
    org: OrgId,
    hosts: HashMap<u64, (Host, HostUpdate)>,
    /// Commits from hosts not known here: maybe new in this organization; looked up on
    /// the next tick.
    unknown: std::collections::HashSet<u64>,
    /// Hosts of other organizations, not to be looked up again.
    foreign: std::collections::HashSet<u64>,
    ticks: u32,
}

impl OrgFeed {
    async fn load(&mut self) -> Vec<HostUpdate> {
        let Ok(all) = crate::hosts::list(&self.ctx.store, self.org).await else { return Vec::new() };
        let mut changed = Vec::new();
        for h in all {
            let update = HostUpdate::of(&summary(&self.ctx, h.clone()));
            let differs = self
                .hosts
                .get(&h.id)
                .is_none_or(|(_, last)| last.status != update.status || last.state != update.state);
            if differs {
                changed.push(update.clone());
            }
            self.hosts.insert(h.id, (h, update));
        }
        changed
    }
}

impl Feed for OrgFeed {
    fn on_commit(&mut self, c: &Committed) -> Vec<String> {
        let Some((host, last)) = self.hosts.get_mut(&c.host) else {
            if !self.foreign.contains(&c.host) {
                self.unknown.insert(c.host);
            }
            return Vec::new();
        };
        // Only approved hosts' batches are stored: one committing was approved meanwhile.
        host.state = HostState::Approved;
        *last = HostUpdate::of(&summary(&self.ctx, host.clone()));
        vec![to_text(last)]
    }

    async fn on_tick(&mut self) -> Vec<String> {
        self.ticks = self.ticks.wrapping_add(1);
        if !self.unknown.is_empty() || self.ticks.is_multiple_of(RELOAD_EVERY_TICKS) {
            let changed = self.load().await;
            let unknown = std::mem::take(&mut self.unknown);
            self.foreign.extend(unknown.into_iter().filter(|id| !self.hosts.contains_key(id)));
            return changed.iter().map(to_text).collect();
        }
        let mut out = Vec::new();
        for (host, last) in self.hosts.values_mut() {
            let now = HostUpdate::of(&summary(&self.ctx, host.clone()));
            if now.status != last.status {
                out.push(to_text(&now));
            }
            *last = now;
        }
        out
    }
}

pub async fn run_org(
    ctx: Arc<Ctx>,
    org: OrgId,
    mut ws: Session,
    incoming: MessageStream,
    events: broadcast::Receiver<Arc<Committed>>,
) {
    let mut feed =
        OrgFeed { ctx, org, hosts: HashMap::new(), unknown: Default::default(), foreign: Default::default(), ticks: 0 };
    let all = feed.load().await;
    if ws.text(to_text(&Hosts { r#type: "hosts", hosts: &all })).await.is_err() {
        return;
    }
    let shutdown = feed.ctx.shutdown.clone();
    pump(ws, incoming, events, feed, shutdown).await;
}
