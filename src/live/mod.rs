//! Live streams over WebSockets: every committed collection of one host
//! (`/api/v1/ws/hosts/{id}`), and compact status updates of every host of the caller's
//! organization (`/api/v1/ws/hosts`).
//!
//! Owns only the connections: it listens to [`crate::tsdb::Tsdb::subscribe`] and reads
//! hosts through [`crate::hosts`]. Each client has a bounded queue; a client that cannot
//! keep up is closed with code 1008 rather than buffered for, and one that stops answering
//! pings is dropped. It must not write anything.

mod messages;
mod session;

pub use messages::{Hello, HostUpdate, Hosts, SampleOut, Samples};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::caller::{Caller, Via};
use crate::ctx::Ctx;
use crate::http::Path;
use crate::http::{ApiError, ErrorBody};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/ws")
            .service(crate::http::resource("/hosts").route(web::get().to(org_stream)))
            .service(crate::http::resource("/hosts/{id}").route(web::get().to(host_stream))),
    );
}

/// A browser's session cookie rides along on any page's WebSocket request, so a cookie
/// caller must come from this appliance's own origin. Bearer tokens are not ambient.
fn check_origin(req: &HttpRequest, caller: &Caller) -> Result<(), ApiError> {
    if !matches!(caller.via, Via::Session { .. }) {
        return Ok(());
    }
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let same = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://")).is_some_and(|o| o == host);
    if same && !host.is_empty() {
        Ok(())
    } else {
        Err(ApiError::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "live.bad_origin",
            format!("origin {:?} is not this appliance ({host}); session streams only open from its own pages", origin),
        ))
    }
}

fn not_websocket(e: actix_web::Error) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::BAD_REQUEST,
        "live.not_websocket",
        format!("not a WebSocket handshake: {e}"),
    )
}

/// Live samples of one host: a `hello` message with the host's summary, then one `samples`
/// message per committed collection. Session cookie (same origin) or bearer token.
#[utoipa::path(get, path = "/api/v1/ws/hosts/{id}", tag = "hosts", params(("id" = u64, Path)),
    responses((status = 101, description = "WebSocket: `hello`, then `samples` messages"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors,
        (status = 400, body = ErrorBody, description = "Not a WebSocket handshake (`live.not_websocket`).")))]
pub async fn host_stream(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    caller: Caller,
    id: Path<u64>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_origin(&req, &caller)?;
    let host = crate::hosts::get(&ctx.store, caller.scope.org, *id).await?;
    let (res, ws, incoming) = actix_ws::handle(&req, body).map_err(not_websocket)?;
    let events = ctx.tsdb.subscribe();
    actix_web::rt::spawn(session::run_host(ctx.into_inner(), host, ws, incoming, events));
    Ok(res)
}

/// Status and headline values of every host of your organization: a `hosts` message with
/// all of them, then a `host` message whenever one commits samples or changes status.
#[utoipa::path(get, path = "/api/v1/ws/hosts", tag = "hosts",
    responses((status = 101, description = "WebSocket: `hosts`, then `host` messages"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), crate::http::AuthErrors,
        (status = 400, body = ErrorBody, description = "Not a WebSocket handshake (`live.not_websocket`).")))]
pub async fn org_stream(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    caller: Caller,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_origin(&req, &caller)?;
    let (res, ws, incoming) = actix_ws::handle(&req, body).map_err(not_websocket)?;
    let events = ctx.tsdb.subscribe();
    actix_web::rt::spawn(session::run_org(ctx.into_inner(), caller.scope.org, ws, incoming, events));
    Ok(res)
}
