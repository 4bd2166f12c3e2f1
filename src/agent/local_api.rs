//! The agent's optional local API (off by default; loopback by default when on), for tools
//! on the machine itself: `GET /metrics/local` (the latest readings), `GET
//! /metrics/server-format` (the latest batch exactly as pushed, uncompressed) and a WebSocket
//! `/ws/metrics` sending each new collection.
//!
//! Read-only and unauthenticated, which is why it binds loopback unless told otherwise. It
//! must not reach the appliance or the spool.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde::Serialize;
use tokio::sync::broadcast;

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

/// Binds `addr` and serves until the handle stops it. Returns the bound address (for port 0).
pub fn start(addr: SocketAddr, view: Arc<View>) -> Result<(ServerHandle, SocketAddr), AgentError> {
    let err = |source| AgentError::LocalApi { addr, source };
    let data = web::Data::from(view);
    let listener = std::net::TcpListener::bind(addr).map_err(err)?;
    let bound = listener.local_addr().map_err(err)?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/metrics/local", web::get().to(local))
            .route("/metrics/server-format", web::get().to(server_format))
            .route("/ws/metrics", web::get().to(ws))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)
    .map_err(err)?
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    if !bound.ip().is_loopback() {
        tracing::warn!(%bound, "the local API listens beyond loopback: anyone who can reach it reads this machine's metrics");
    }
    Ok((handle, bound))
}

fn json(body: Option<Arc<str>>) -> HttpResponse {
    match body {
        Some(body) => HttpResponse::Ok().content_type("application/json").body(body.to_string()),
        None => HttpResponse::ServiceUnavailable().json(
            serde_json::json!({"code": "agent.no_data", "message": "no collection yet; try again after one interval"}),
        ),
    }
}

async fn local(view: web::Data<View>) -> HttpResponse {
    json(view.latest().map(|l| l.0))
}

async fn server_format(view: web::Data<View>) -> HttpResponse {
    json(view.latest().map(|l| l.1))
}

/// Sends the latest collection at once, then each new one; pings keep idle proxies open.
async fn ws(req: HttpRequest, body: web::Payload, view: web::Data<View>) -> actix_web::Result<HttpResponse> {
    let (response, mut session, mut incoming) = actix_ws::handle(&req, body)?;
    let mut feed = view.feed.subscribe();
    let first = view.latest().map(|l| l.0);
    actix_web::rt::spawn(async move {
        use futures_util::StreamExt;
        if let Some(first) = first
            && session.text(first.to_string()).await.is_err()
        {
            return;
        }
        let mut ping = tokio::time::interval(Duration::from_secs(15));
        loop {
            tokio::select! {
                next = feed.recv() => match next {
                    Ok(text) => if session.text(text.to_string()).await.is_err() { return },
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                msg = incoming.next() => match msg {
                    Some(Ok(actix_ws::Message::Ping(p))) => { let _ = session.pong(&p).await; }
                    Some(Ok(actix_ws::Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                },
                _ = ping.tick() => if session.ping(b"").await.is_err() { return },
            }
        }
        let _ = session.close(None).await;
    });
    Ok(response)
}
