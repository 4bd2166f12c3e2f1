//! Listeners: plain HTTP or rustls, the optional redirect listener, graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, middleware::from_fn, web};

use crate::ctx::Ctx;

/// A started server: where it listens and how to stop or await it.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: ServerHandle,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
    pub redirect: Option<(SocketAddr, ServerHandle)>,
}

impl Running {
    /// Stops accepting, lets in-flight requests finish, then returns.
    pub async fn stop(self) {
        if let Some((_, h)) = &self.redirect {
            h.stop(true).await;
        }
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}

/// What the composition root mounts on each worker's `App`: its route table.
pub type Routes = fn(web::Data<Ctx>, &mut web::ServiceConfig);

/// Binds and starts serving `routes`. SIGINT/SIGTERM stop it gracefully (actix handles
/// signals).
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
    if !signals {
        server = server.disable_signals();
    }
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
    Ok(Running { addr, handle, task, redirect })
}
