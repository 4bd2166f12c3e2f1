//! The agent's optional local API (off by default; loopback by default when on), for tools
//! on the machine itself: `GET /metrics/local` (the latest readings), `GET
//! /metrics/server-format` (the latest batch exactly as pushed, uncompressed) and a WebSocket
//! `/ws/metrics` sending each new collection.
//!
//! Read-only and unauthenticated, which is why it binds loopback unless told otherwise. It
//! must not reach the appliance or the spool. Served by a few lines of HTTP/1.1 on tokio
//! rather than the appliance's web framework, which would triple the agent binary: three
//! GET paths with no body need no more.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, broadcast, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;
use tracing::Instrument;

use super::AgentError;
use crate::collect::Collection;

/// Collections a slow WebSocket client may fall behind by before it skips ahead.
const FEED: usize = 16;

/// The latest collection in both forms, shared by the collection thread and the API.
pub struct View {
    enabled: bool,
    latest: Mutex<Option<(Arc<str>, Arc<str>)>>,
    feed: broadcast::Sender<Arc<str>>,
}

#[derive(Serialize)]
struct LocalReading<'a> {
    name: &'a str,
    labels: std::collections::BTreeMap<&'a str, &'a str>,
    value: f64,
}

#[derive(Serialize)]
struct Local<'a> {
    ts: i64,
    metrics: Vec<LocalReading<'a>>,
}

impl View {
    pub fn new(enabled: bool) -> Self {
        Self { enabled, latest: Mutex::new(None), feed: broadcast::channel(FEED).0 }
    }

    /// Called by the collection thread each cycle; free when the API is off.
    pub fn update(&self, collection: &Collection, body: &[u8]) {
        if !self.enabled {
            return;
        }
        let local = Local {
            ts: collection.ts_ms,
            metrics: collection
                .readings
                .iter()
                .map(|r| LocalReading {
                    name: r.name,
                    labels: r.labels.iter().map(|(k, v)| (*k, v.as_str())).collect(),
                    value: r.value,
                })
                .collect(),
        };
        let local: Arc<str> = serde_json::to_string(&local).unwrap_or_default().into();
        let server: Arc<str> = String::from_utf8_lossy(body).into();
        *self.latest.lock().unwrap_or_else(|p| p.into_inner()) = Some((local.clone(), server));
        let _ = self.feed.send(local);
    }

    fn latest(&self) -> Option<(Arc<str>, Arc<str>)> {
        self.latest.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Connections served at once; more wait in the listen backlog.
const CONNECTIONS: usize = 8;

/// Longest a request head may be, and how long a client may take to send it.
const HEAD_LIMIT: usize = 8 * 1024;
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// The running API: the task serving it, stopped through the agent's stop channel.
pub type Handle = tokio::task::JoinHandle<()>;

/// Binds `addr` and serves until `stop` turns true. Returns the bound address (for port 0).
pub fn start(
    addr: SocketAddr,
    view: Arc<View>,
    stop: watch::Receiver<bool>,
) -> Result<(Handle, SocketAddr), AgentError> {
    let err = |source| AgentError::LocalApi { addr, source };
    let listener = std::net::TcpListener::bind(addr).map_err(err)?;
    let bound = listener.local_addr().map_err(err)?;
    listener.set_nonblocking(true).map_err(err)?;
    let listener = TcpListener::from_std(listener).map_err(err)?;
    if !bound.ip().is_loopback() {
        tracing::warn!(%bound, "the local API listens beyond loopback: anyone who can reach it reads this machine's metrics");
    }
    let task = tokio::spawn(serve(listener, view, stop).instrument(tracing::info_span!("agent-local-api")));
    Ok((task, bound))
}

/// Accepts until stopped; each connection is one request (or one WebSocket) on a task of
/// its own, at most [`CONNECTIONS`] at once, all ended when the API stops.
async fn serve(listener: TcpListener, view: Arc<View>, mut stop: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(CONNECTIONS));
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let slot = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a local API connection");
                    continue;
                }
            },
        };
        let view = view.clone();
        connections.spawn(async move {
            let _slot = slot;
            if let Err(e) = connection(stream, view).await {
                tracing::debug!(error = %e, "local API connection");
            }
        });
        while connections.try_join_next().is_some() {}
    }
    connections.shutdown().await;
}

/// One request: `GET` of a known path, answered and closed, or a WebSocket upgrade.
async fn connection(mut stream: TcpStream, view: Arc<View>) -> std::io::Result<()> {
    let head = match tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream)).await {
        Ok(head) => head?,
        Err(_) => return Ok(()),
    };
    let Some(request) = Request::parse(&head) else {
        return respond(&mut stream, "400 Bad Request", &error("agent.bad_request", "not an HTTP request")).await;
    };
    if request.method != "GET" {
        return respond(&mut stream, "405 Method Not Allowed", &error("agent.method", "only GET is served")).await;
    }
    match request.path {
        "/metrics/local" => json(&mut stream, view.latest().map(|l| l.0)).await,
        "/metrics/server-format" => json(&mut stream, view.latest().map(|l| l.1)).await,
        "/ws/metrics" => match request.websocket_key() {
            Some(key) => websocket(stream, &key, view).await,
            None => {
                respond(&mut stream, "400 Bad Request", &error("agent.bad_request", "a WebSocket upgrade is expected"))
                    .await
            }
        },
        _ => respond(&mut stream, "404 Not Found", &error("agent.not_found", "no such path")).await,
    }
}

/// Reads up to the blank line ending the head. A GET has no body, and a WebSocket client
/// waits for the answer before sending frames, so nothing past the head is read.
async fn read_head(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 || head.len() + n > HEAD_LIMIT {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "request head cut off or too long"));
        }
        head.extend_from_slice(&chunk[..n]);
    }
    Ok(head)
}

/// What the API needs from a request head.
struct Request<'a> {
    method: &'a str,
    path: &'a str,
    headers: Vec<(&'a str, &'a str)>,
}

impl<'a> Request<'a> {
    fn parse(head: &'a [u8]) -> Option<Self> {
        let text = std::str::from_utf8(head).ok()?;
        let mut lines = text.split("\r\n");
        let mut first = lines.next()?.split(' ');
        let (method, target, version) = (first.next()?, first.next()?, first.next()?);
        if !version.starts_with("HTTP/1.") || first.next().is_some() {
            return None;
        }
        let path = target.split_once('?').map_or(target, |(p, _)| p);
        let headers =
            lines.filter(|l| !l.is_empty()).filter_map(|l| l.split_once(':')).map(|(k, v)| (k, v.trim())).collect();
        Some(Self { method, path, headers })
    }

    fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }

    /// The client's key when this is a WebSocket upgrade.
    fn websocket_key(&self) -> Option<String> {
        let upgrade = self.header("upgrade")?.eq_ignore_ascii_case("websocket");
        let connection = self.header("connection")?.split(',').any(|t| t.trim().eq_ignore_ascii_case("upgrade"));
        (upgrade && connection).then(|| self.header("sec-websocket-key")).flatten().map(str::to_string)
    }
}

fn error(code: &str, message: &str) -> String {
    serde_json::json!({"code": code, "message": message}).to_string()
}

async fn json(stream: &mut TcpStream, body: Option<Arc<str>>) -> std::io::Result<()> {
    match body {
        Some(body) => respond(stream, "200 OK", &body).await,
        None => {
            let body = error("agent.no_data", "no collection yet; try again after one interval");
            respond(stream, "503 Service Unavailable", &body).await
        }
    }
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

/// Sends the latest collection at once, then each new one; pings keep idle proxies open.
async fn websocket(mut stream: TcpStream, key: &str, view: Arc<View>) -> std::io::Result<()> {
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: {accept}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await?;
    let mut ws = WebSocketStream::from_raw_socket(stream, Role::Server, None).await;
    let mut feed = view.feed.subscribe();
    if let Some((first, _)) = view.latest() {
        ws.send(Message::text(first.to_string())).await.map_err(std::io::Error::other)?;
    }
    let mut ping = tokio::time::interval(Duration::from_secs(15));
    loop {
        let sent = tokio::select! {
            next = feed.recv() => match next {
                Ok(text) => ws.send(Message::text(text.to_string())).await,
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => break,
            },
            // Pongs to the client's pings are queued by the library and go out with the
            // next write or flush.
            msg = ws.next() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(()),
                Some(Ok(_)) => ws.flush().await,
            },
            _ = ping.tick() => ws.send(Message::Ping(Default::default())).await,
        };
        if sent.is_err() {
            return Ok(());
        }
    }
    let _ = ws.close(None).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Request;

    #[test]
    fn request_heads_are_read_for_method_path_and_upgrade() {
        let get = Request::parse(b"GET /metrics/local?x=1 HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
        assert_eq!((get.method, get.path, get.websocket_key()), ("GET", "/metrics/local", None));
        let ws = b"GET /ws/metrics HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
        assert_eq!(Request::parse(ws).unwrap().websocket_key().as_deref(), Some("dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(Request::parse(b"GET /\r\n\r\n").is_none());
        assert!(Request::parse(b"\xff\xfe\r\n\r\n").is_none());
    }
}
