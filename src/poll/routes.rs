//! SSH host routes under `/api/v1/hosts`: create (`POST`), change (`PATCH /{id}`), test a
//! connection (`POST /test-ssh`, `POST /{id}/test-ssh`) and re-pin a host key
//! (`POST /{id}/pin-host-key`). Mounted on the paths [`crate::hosts::routes`] owns, through
//! [`on_hosts`].

use std::time::Instant;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::conn::{self, Credential, Login};
use super::fields::Fingerprint;
use super::pool::login_and_poll;
use super::rates::Deltas;
use super::{NewSshHost, PollError, SshError, SshHostPatch, targets};
use crate::caller::{Caller, Role};
use crate::collect::Facts;
use crate::ctx::Ctx;
use crate::hosts::routes::Mounts;
use crate::hosts::{Host, PinnedKey, Polls, SeenKey, SshAuth};
use crate::http::Path;
use crate::http::{ApiError, ErrorBody, Json, resource};

/// What this feature mounts on the hosts' paths.
pub fn on_hosts() -> Mounts {
    Mounts {
        create: Some(web::post().to(create)),
        update: Some(web::patch().to(update)),
        resources: vec![
            resource("/test-ssh").route(web::post().to(test_new)),
            resource("/{id}/test-ssh").route(web::post().to(test_saved)),
            resource("/{id}/pin-host-key").route(web::post().to(pin)),
        ],
    }
}

/// Create an SSH host (admins). The password is sealed and never returned; a key is one
/// of the organization's key store. The poller starts on it within a second.
#[utoipa::path(post, path = "/api/v1/hosts", tag = "hosts", request_body = NewSshHost,
    responses((status = 201, body = Host), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors))]
pub async fn create(ctx: web::Data<Ctx>, caller: Caller, body: Json<NewSshHost>) -> Result<HttpResponse, ApiError> {
    let host = super::create(&ctx.store, &ctx.sealer, &caller.scope, body.into_inner(), ctx.clock.now()).await?;
    ctx.state::<Polls>().targets_changed();
    Ok(HttpResponse::Created().json(host))
}

/// Change a host (admins); absent fields stay. Any host's name and tags; for SSH hosts also
/// how to reach it (a new address or port forgets the pinned host key); other fields on a
/// host that is not polled over SSH: 409 `hosts.not_ssh`.
#[utoipa::path(patch, path = "/api/v1/hosts/{id}", tag = "hosts", params(("id" = u64, Path)), request_body = SshHostPatch,
    responses((status = 200, body = Host), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors, crate::http::PathErrors))]
pub async fn update(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    body: Json<SshHostPatch>,
) -> Result<HttpResponse, ApiError> {
    let host = super::update(&ctx.store, &ctx.sealer, &caller.scope, *id, body.into_inner(), ctx.clock.now()).await?;
    // Tags decide which access rules apply to the host.
    ctx.accounts_changed.bump();
    ctx.state::<Polls>().targets_changed();
    Ok(HttpResponse::Ok().json(host))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PinRequest {
    /// The expected fingerprint; absent or `null`: pin whatever the next connection finds.
    pub fingerprint: Option<Fingerprint>,
}

/// Re-pin a host key (admins): after a legitimate key change (reinstall), or to give the
/// expected fingerprint. A `host_key_changed` host is polled again at once.
#[utoipa::path(post, path = "/api/v1/hosts/{id}/pin-host-key", tag = "hosts", params(("id" = u64, Path)),
    request_body = PinRequest,
    responses((status = 200, body = Host), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors, crate::http::PathErrors))]
pub async fn pin(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    body: Json<PinRequest>,
) -> Result<HttpResponse, ApiError> {
    let host = super::repin(&ctx.store, &caller.scope, *id, body.into_inner().fingerprint, ctx.clock.now()).await?;
    ctx.state::<Polls>().targets_changed();
    Ok(HttpResponse::Ok().json(host))
}

/// The outcome of a connection test: what the host is, or exactly what failed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestReport {
    pub ok: bool,
    pub error: Option<TestError>,
    /// The key the server presented, when the handshake got that far.
    pub host_key: Option<SeenKey>,
    /// Whether it matches the pinned (or given) fingerprint; `null` when none is pinned.
    pub host_key_matches: Option<bool>,
    #[schema(value_type = Option<Object>)]
    pub facts: Option<Facts>,
    /// Values one collection produced (rates need a second poll, so they are not among them).
    pub readings: usize,
    pub duration_ms: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestError {
    /// `ssh.dns`, `ssh.refused`, `ssh.timeout`, `ssh.unreachable`, `ssh.protocol`,
    /// `ssh.auth_failed`, `ssh.host_key_mismatch`, `ssh.command_missing`,
    /// `ssh.output_too_large` or `ssh.credentials`.
    pub code: &'static str,
    pub message: String,
}

/// Test a new host's settings before saving it (admins): connects, logs in, runs one
/// collection. Nothing is stored.
#[utoipa::path(post, path = "/api/v1/hosts/test-ssh", tag = "hosts", request_body = NewSshHost,
    responses((status = 200, body = TestReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors))]
pub async fn test_new(ctx: web::Data<Ctx>, caller: Caller, body: Json<NewSshHost>) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Role::Admin)?;
    let new = body.into_inner();
    let auth = targets::auth_of(new.password.as_ref(), new.key_id)?
        .ok_or_else(|| SshError::invalid("password", "or key_id is required"))?;
    let credential = match (auth, &new.password) {
        (SshAuth::Password, Some(p)) => Credential::Password(zeroize::Zeroizing::new(p.expose().to_string())),
        (SshAuth::Key { key_id }, _) => {
            let (store, sealer, org) = (ctx.store.clone(), ctx.sealer.clone(), caller.scope.org);
            let pem = store
                .read(move |txn| crate::sshkeys::private_pem(txn, &sealer, org, key_id).map_err(SshError::from))
                .await?;
            Credential::Key(pem)
        }
        (SshAuth::Password, None) => return Err(SshError::invalid("password", "is required").into()),
    };
    let pin = new.host_key_fingerprint.map(|f| PinnedKey::admin(f, ctx.clock.now()));
    let login = Login { username: new.username.into(), credential, pin };
    Ok(HttpResponse::Ok().json(probe(&ctx, new.address.as_str(), new.port.get(), login).await))
}

/// Test a saved SSH host with its stored credentials (operators and up). Nothing is
/// stored; the pin is checked but not recorded.
#[utoipa::path(post, path = "/api/v1/hosts/{id}/test-ssh", tag = "hosts", params(("id" = u64, Path)),
    responses((status = 200, body = TestReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn test_saved(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Role::Operator)?;
    let (store, sealer, org, id) = (ctx.store.clone(), ctx.sealer.clone(), caller.scope.org, *id);
    let (settings, credential) = store
        .read(move |txn| {
            let host = crate::hosts::load(txn, org, id)?;
            let settings = host.ssh.clone().ok_or(SshError::NotSsh(id))?;
            let credential = targets::credential(txn, &sealer, &host, settings.auth)?;
            Ok::<_, SshError>((settings, credential))
        })
        .await?;
    let login = Login { username: settings.username.clone(), credential, pin: settings.host_key.clone() };
    Ok(HttpResponse::Ok().json(probe(&ctx, &settings.address, settings.port, login).await))
}

/// One connection and collection, reported rather than stored.
async fn probe(ctx: &Ctx, address: &str, port: u16, login: Login) -> TestReport {
    let started = Instant::now();
    let limits = super::poller::limits(ctx);
    let pin = login.pin.as_ref().map(|p| p.fingerprint.clone());
    let ts_ms = (ctx.clock.now().unix_timestamp_nanos() / 1_000_000) as i64;
    let result = match conn::dial(address, port, limits.connect_timeout).await {
        Err(e) => (None, Err(e)),
        Ok(tcp) => crate::blocking::run(move || {
            let at = super::pool::Stamp { ts_ms, mono_ms: 0 };
            let (_session, seen, outcome) = login_and_poll(tcp, &login, &mut Deltas::default(), at, limits);
            (seen, outcome)
        })
        .await
        .unwrap_or_else(|e| (None, Err(PollError::Protocol(e.to_string())))),
    };
    let (seen, outcome) = result;
    let host_key_matches = pin.zip(seen.as_ref()).map(|(p, s)| p == s.fingerprint);
    let duration_ms = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(polled) => TestReport {
            ok: true,
            error: None,
            host_key: seen,
            host_key_matches,
            readings: polled.collection.readings.len(),
            facts: Some(polled.facts),
            duration_ms,
        },
        Err(e) => TestReport {
            ok: false,
            error: Some(TestError { code: e.code(), message: e.to_string() }),
            host_key: seen,
            host_key_matches,
            facts: None,
            readings: 0,
            duration_ms,
        },
    }
}
