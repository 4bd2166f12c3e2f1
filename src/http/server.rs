//! Listeners: plain HTTP or rustls, the optional redirect listener, graceful shutdown.
//!
//! Shutdown is ours, not actix's: SIGTERM/SIGINT (or [`Running::stop`]) fire
//! [`crate::shutdown::Shutdown`] first, so long polls and live streams end at once, and
//! then stop the listeners gracefully: requests under way get `http.shutdown_grace_s`.

use std::net::SocketAddr;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, middleware::from_fn, web};

use crate::ctx::Ctx;
use crate::shutdown::Shutdown;

/// A started server: where it listens and how to stop or await it.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: ServerHandle,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
    pub redirect: Option<(SocketAddr, ServerHandle)>,
    shutdown: Shutdown,
}

impl Running {
    /// Ends long polls and live streams, stops accepting, lets in-flight requests finish,
    /// then returns.
    pub async fn stop(self) {
        self.shutdown.fire();
        if let Some((_, h)) = &self.redirect {
            h.stop(true).await;
        }
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}

/// What the composition root mounts on each worker's `App`: its route table.
pub type Routes = fn(web::Data<Ctx>, &mut web::ServiceConfig);

/// Binds and starts serving `routes`. `signals`: SIGINT/SIGTERM fire `ctx.shutdown`;
/// whoever fires it, the listeners then stop gracefully.
pub fn start(
    ctx: web::Data<Ctx>,
    routes: Routes,
    tls: Option<rustls::ServerConfig>,
    signals: bool,
) -> std::io::Result<Running> {
    let config = ctx.config.clone();
    let factory = {
        let ctx = ctx.clone();
        move || {
            App::new()
                .wrap(from_fn(super::middleware::security_headers))
                .wrap(from_fn(super::middleware::request_id))
                .configure(|cfg| routes(ctx.clone(), cfg))
        }
    };
    let mut server = HttpServer::new(factory)
        .shutdown_timeout(config.http.shutdown_grace_s.into())
        .client_request_timeout(Duration::from_secs(10))
        // Agents push every few seconds: a connection kept between pushes saves them a TCP
        // and TLS handshake each time (most of their CPU per cycle otherwise).
        .keep_alive(Duration::from_secs(75));
    if config.http.workers > 0 {
        server = server.workers(config.http.workers.into());
    }
    // Actix's own handling would stop the listeners without ending long polls first.
    server = server.disable_signals();
    let on_signal = if signals { Some(listen_for_signals()?) } else { None };
    let listener = std::net::TcpListener::bind(config.listen)?;
    let addr = listener.local_addr()?;
    let server = match tls {
        Some(tls) => server.listen_rustls_0_23(listener, tls)?,
        None => server.listen(listener)?,
    }
    .run();
    let handle = server.handle();
    let task = tokio::spawn(server);
    let redirect = match config.redirect_listen().map_err(std::io::Error::other)? {
        Some(raddr) if ctx.tls => {
            let listener = std::net::TcpListener::bind(raddr)?;
            let bound = listener.local_addr()?;
            let srv = crate::tls::redirect_server(listener, addr.port())?;
            let h = srv.handle();
            tokio::spawn(srv);
            Some((bound, h))
        }
        _ => None,
    };
    let shutdown = ctx.shutdown.clone();
    if let Some(signals) = on_signal {
        tokio::spawn(fire_on_signal(signals, shutdown.clone()));
    }
    let handles = std::iter::once(handle.clone()).chain(redirect.as_ref().map(|(_, h)| h.clone())).collect();
    tokio::spawn(stop_when_fired(shutdown.clone(), handles));
    Ok(Running { addr, handle, task, redirect, shutdown })
}

type Signals = (tokio::signal::unix::Signal, tokio::signal::unix::Signal);

/// Registered before serving, so a signal that comes right after start is not missed (and
/// does not kill the process the default way).
fn listen_for_signals() -> std::io::Result<Signals> {
    use tokio::signal::unix::{SignalKind, signal};
    Ok((signal(SignalKind::terminate())?, signal(SignalKind::interrupt())?))
}

/// The `signals` task: the first SIGTERM or SIGINT fires the shutdown signal, then it ends.
async fn fire_on_signal((mut term, mut int): Signals, shutdown: Shutdown) {
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
        () = shutdown.fired() => return,
    };
    tracing::info!(task = "signals", signal = name, "stopping: long polls and live streams end, requests drain");
    shutdown.fire();
}

/// The `http-stop` task: once the shutdown signal fires, the listeners stop gracefully
/// (their workers give requests under way `http.shutdown_grace_s`, then end).
async fn stop_when_fired(shutdown: Shutdown, handles: Vec<ServerHandle>) {
    shutdown.fired().await;
    for h in handles {
        h.stop(true).await;
    }
}
