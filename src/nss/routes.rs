//! `/api/v1/agent/nss*` and `/api/v1/agent/password` for hosts (with their machine token in
//! `X-API-Key`), and `/api/v1/hosts/{id}/accounts` for admins.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::password::HostPasswordChange;
use super::reports::{self, StatusRequest, SyncReport};
use super::{Bundle, NssError};
use crate::caller::{Caller, Role};
use crate::ctx::Ctx;
use crate::hosts::Host;
use crate::http::{ApiError, ErrorBody, Json, resource};
use crate::http::{Path, Query};

/// Mounted before `/hosts`, whose scope would otherwise answer `/hosts/{id}/accounts`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/agent/nss").route(web::get().to(bundle)))
        .service(resource("/agent/nss/status").route(web::post().to(status)))
        .service(resource("/agent/nss/{file}").route(web::get().to(file)))
        .service(resource("/agent/password").route(web::post().to(password)))
        .service(resource("/hosts/{id}/accounts").route(web::get().to(host_accounts)));
}

/// The longest a host may wait for a change in one request.
const MAX_WAIT_S: u64 = 120;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct WaitQuery {
    /// Seconds to hold the request while the bundle still has the version in
    /// `If-None-Match` (0-120; default 0: answer at once).
    #[serde(default)]
    pub wait: u64,
}

/// The host presenting its machine token.
async fn machine(ctx: &Ctx, req: &HttpRequest) -> Result<Host, NssError> {
    let value = req.headers().get("x-api-key").and_then(|v| v.to_str().ok()).map(|v| v.trim().to_string());
    let value = value.ok_or(crate::ingest::IngestError::KeyRequired)?;
    Ok(crate::ingest::enroll::resolve_token(ctx, value).await?.host)
}

/// Password hashes leave only over TLS, or to this machine (or a TLS proxy on it).
fn check_transport(tls: bool, req: &HttpRequest) -> Result<(), NssError> {
    let loopback = req.peer_addr().is_some_and(|a| a.ip().is_loopback());
    if tls || loopback { Ok(()) } else { Err(NssError::InsecureTransport) }
}

async fn current(ctx: &Ctx, host: &Host) -> Result<Bundle, NssError> {
    let (org, id, config) = (host.org, host.id, ctx.config.accounts.clone());
    ctx.store
        .read(move |txn| {
            // Read again: tags (and so the rules that apply) may have changed while waiting.
            let host = crate::hosts::load(txn, org, id)?;
            let files = super::for_host(txn, &host)?;
            Ok(Bundle::new(&host, files, &config))
        })
        .await
}

fn unchanged(req: &HttpRequest, version: &str) -> bool {
    let Some(v) = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    v.split(',').map(|t| t.trim().trim_start_matches("W/").trim_matches('"')).any(|t| t == version)
}

/// This host's account files and SSH keys as one bundle (machine token). `ETag` is the
/// version; with `If-None-Match` an unchanged bundle answers 304, after waiting up to
/// `wait` seconds for a change (long-poll). Only over TLS or loopback.
#[utoipa::path(get, path = "/api/v1/agent/nss", tag = "accounts", params(WaitQuery,
        ("X-API-Key" = String, Header, description = "the host's machine token (stm_...)")),
    responses((status = 200, body = Bundle), (status = 304), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 503, body = ErrorBody, description = "The appliance is stopping and cut the wait short (`server.stopping`); ask again after `Retry-After` seconds.",
            headers(("Retry-After" = u32, description = "seconds to wait before asking again"))),
        crate::http::QueryErrors))]
pub async fn bundle(ctx: web::Data<Ctx>, req: HttpRequest, q: Query<WaitQuery>) -> Result<HttpResponse, ApiError> {
    let host = machine(&ctx, &req).await?;
    check_transport(ctx.tls, &req)?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(q.wait.min(MAX_WAIT_S));
    let mut changes = ctx.accounts_changed.subscribe();
    loop {
        changes.borrow_and_update();
        let bundle = current(&ctx, &host).await?;
        if !unchanged(&req, &bundle.version) {
            return Ok(HttpResponse::Ok()
                .insert_header((header::ETAG, format!("\"{}\"", bundle.version)))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .json(bundle));
        }
        // A wait the appliance's stop cuts short answers 503 with `Retry-After` ([`stopping`]).
        let wake = tokio::select! {
            wake = tokio::time::timeout_at(deadline, changes.changed()) => wake,
            () = ctx.shutdown.fired() => return Err(stopping()),
        };
        if !matches!(wake, Ok(Ok(()))) {
            let etag = format!("\"{}\"", bundle.version);
            return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
        }
    }
}

/// The answer to a wait the appliance's stop cuts short. A 503 rather than the 304 the wait
/// would have ended with: an agent paces its next request after a 304 to the end of the
/// wait it asked for (up to a minute without changes), but retries a 503 after
/// `Retry-After`, so it asks the restarted appliance again within seconds.
fn stopping() -> ApiError {
    let mut e = ApiError::new(
        actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
        "server.stopping",
        "the appliance is stopping; ask again in a moment",
    );
    e.retry_after = Some(1);
    e
}

/// One file, as libnss-extrausers reads it: `passwd`, `group` or `shadow` (machine token;
/// shadow only over TLS or loopback).
#[utoipa::path(get, path = "/api/v1/agent/nss/{file}", tag = "accounts", params(("file" = String, Path, description = "passwd, group or shadow"),
        ("X-API-Key" = String, Header, description = "the host's machine token (stm_...)")),
    responses((status = 200, content_type = "text/plain", body = String), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        crate::http::PathErrors))]
pub async fn file(ctx: web::Data<Ctx>, req: HttpRequest, name: Path<String>) -> Result<HttpResponse, ApiError> {
    let host = machine(&ctx, &req).await?;
    if !matches!(name.as_str(), "passwd" | "group" | "shadow") {
        return Err(ApiError::not_found(
            "nss.no_such_file",
            format!("{:?} is not passwd, group or shadow", name.as_str()),
        ));
    }
    if name.as_str() == "shadow" {
        check_transport(ctx.tls, &req)?;
    }
    let files = current(&ctx, &host).await?.files;
    let text = match name.as_str() {
        "passwd" => files.passwd,
        "group" => files.group,
        _ => files.shadow,
    };
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text))
}

/// The agent's report of its last installation (machine token): kept for admins to see.
#[utoipa::path(post, path = "/api/v1/agent/nss/status", tag = "accounts", request_body = StatusRequest,
    params(("X-API-Key" = String, Header, description = "the host's machine token (stm_...)")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), crate::http::BodyErrors))]
pub async fn status(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    body: Json<StatusRequest>,
) -> Result<HttpResponse, ApiError> {
    let host = machine(&ctx, &req).await?;
    let report = SyncReport::from_request(body.into_inner(), ctx.clock.now());
    if let Some(error) = &report.error {
        tracing::warn!(host = host.id, name = %host.name, error = %error, "a host could not install its account files");
    }
    let (org, id) = (host.org, host.id);
    ctx.store.write(move |txn| reports::put(txn, org, id, &report)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A password change made on the host (machine token; TLS or loopback): the current
/// password must be right (failures count toward the lockout), the new one must pass the
/// policy, and the user must be allowed on this host.
#[utoipa::path(post, path = "/api/v1/agent/password", tag = "accounts", request_body = HostPasswordChange,
    params(("X-API-Key" = String, Header, description = "the host's machine token (stm_...)")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::BodyErrors))]
pub async fn password(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    body: Json<HostPasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let host = machine(&ctx, &req).await?;
    check_transport(ctx.tls, &req)?;
    let ip = req.peer_addr().map(|a| a.ip().to_string());
    super::password::change(&ctx, host, body.into_inner(), ip).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who a host receives, and what its agent last reported.
#[derive(Debug, Serialize, ToSchema)]
pub struct HostAccounts {
    pub host_id: u64,
    /// The version the host should hold now.
    pub version: String,
    pub users: Vec<HostUser>,
    /// The agent's last report; `None` before its first.
    pub report: Option<SyncReport>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HostUser {
    pub username: String,
    pub uid: u32,
    pub sudo: bool,
}

/// The accounts a host receives and its last sync report (admins).
#[utoipa::path(get, path = "/api/v1/hosts/{id}/accounts", tag = "accounts", params(("id" = u64, Path)),
    responses((status = 200, body = HostAccounts), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn host_accounts(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Role::Admin)?;
    let (org, id) = (caller.scope.org, *id);
    let answer = ctx
        .store
        .read(move |txn| {
            let host = crate::hosts::load(txn, org, id)?;
            let allowed = super::bundle::allowed(txn, &host)?;
            let version = super::bundle::files_of(txn, &host, &allowed)?.version();
            let users = allowed
                .into_iter()
                .map(|a| HostUser { username: a.user.username.as_str().to_string(), uid: a.account.uid, sudo: a.sudo })
                .collect();
            Ok::<_, NssError>(HostAccounts { host_id: id, version, users, report: reports::get(txn, org, id)? })
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn password_hashes_travel_only_over_tls_or_loopback() {
        let from = |addr: &str| TestRequest::default().peer_addr(addr.parse().unwrap()).to_http_request();
        assert!(check_transport(false, &from("127.0.0.1:5000")).is_ok());
        assert!(check_transport(false, &from("[::1]:5000")).is_ok());
        assert!(check_transport(true, &from("192.0.2.7:5000")).is_ok());
        assert!(matches!(check_transport(false, &from("192.0.2.7:5000")), Err(NssError::InsecureTransport)));
        assert!(check_transport(false, &TestRequest::default().to_http_request()).is_err(), "no peer: refused");
    }

    #[test]
    fn if_none_match_accepts_lists_and_weak_tags() {
        let with = |v: &str| TestRequest::default().insert_header((header::IF_NONE_MATCH, v)).to_http_request();
        assert!(unchanged(&with("\"abc\""), "abc"));
        assert!(unchanged(&with("W/\"x\", \"abc\""), "abc"));
        assert!(!unchanged(&with("\"abd\""), "abc"));
        assert!(!unchanged(&TestRequest::default().to_http_request(), "abc"));
    }
}
