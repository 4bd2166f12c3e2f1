//! The request extractors that turn a cookie or bearer token into a [`Scope`]: the
//! `FromRequest` impls of [`crate::caller`]'s types live here, since only `auth` knows
//! sessions and tokens.
//!
//! [`Caller`] is the default: an authenticated user who has no pending forced password
//! change. [`PendingCaller`] also admits users who still must change their password; only
//! `/auth/me`, `/auth/password` and `/auth/logout` take it.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, http::Method, web};
use subtle::ConstantTimeEq;
use time::Duration;

use super::{AuthError, session, tokens};
use crate::caller::{Actor, Caller, PendingCaller, Scope, Via};
use crate::ctx::Ctx;
use crate::users;

pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// The outcome of authenticating a request, settled by [`resolve`] before extractors run.
struct Resolved(Result<Caller, AuthError>);

/// Middleware: authenticates every request that carries credentials before any extractor
/// runs. Extractors run concurrently, so without this a body validation error could
/// answer before authentication did, letting anyone probe validation.
pub async fn resolve(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if has_credentials(req.request()) {
        let outcome = authenticate(req.request()).await;
        req.extensions_mut().insert(Resolved(outcome));
    }
    next.call(req).await
}

fn has_credentials(req: &HttpRequest) -> bool {
    req.headers().contains_key(actix_web::http::header::AUTHORIZATION)
        || req.app_data::<web::Data<Ctx>>().is_some_and(|ctx| req.cookie(ctx.cookie_name()).is_some())
}

/// The settled outcome, or (where [`resolve`] is not mounted) authentication on the spot.
async fn caller_of(req: HttpRequest) -> Result<Caller, AuthError> {
    let settled = req.extensions_mut().remove::<Resolved>();
    match settled {
        Some(Resolved(outcome)) => outcome,
        None if has_credentials(&req) => authenticate(&req).await,
        None => Err(AuthError::Unauthenticated),
    }
}

impl FromRequest for Caller {
    type Error = crate::http::ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let caller = caller_of(req).await?;
            if caller.must_change_password {
                return Err(AuthError::PasswordChangeRequired.into());
            }
            Ok(caller)
        })
    }
}

impl FromRequest for PendingCaller {
    type Error = crate::http::ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(PendingCaller(caller_of(req).await?)) })
    }
}

/// Request origin for sessions and audit: the peer address (no proxy headers are trusted)
/// and a bounded, printable user agent.
pub fn origin(req: &HttpRequest) -> super::Origin {
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().filter(|c| !c.is_control()).take(256).collect());
    super::Origin { ip: req.peer_addr().map(|a| a.ip().to_string()), user_agent }
}

async fn authenticate(req: &HttpRequest) -> Result<Caller, AuthError> {
    let ctx = req.app_data::<web::Data<Ctx>>().ok_or(AuthError::Unauthenticated)?.clone();
    let origin = origin(req);
    if let Some(header) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let value = header.to_str().map_err(|_| AuthError::Unauthenticated)?;
        let token = value.strip_prefix("Bearer ").ok_or(AuthError::Unauthenticated)?.trim();
        return by_token(&ctx, token.to_string(), origin).await;
    }
    let cookie = req.cookie(ctx.cookie_name()).ok_or(AuthError::Unauthenticated)?;
    let token = cookie.value().to_string();
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
        let expected = session::csrf_for(&token);
        if !bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(AuthError::CsrfMismatch);
        }
    }
    by_session(&ctx, &token, origin).await
}

async fn by_session(ctx: &Ctx, token: &str, origin: super::Origin) -> Result<Caller, AuthError> {
    let hash = session::hash_token(token);
    let now = ctx.clock.now();
    let life = super::session_lifetimes(&ctx.config);
    let found = ctx
        .store
        .read(move |txn| {
            let Some(s) = session::load(txn, &hash)? else { return Ok::<_, AuthError>(None) };
            let user = users::load_in(txn, s.org, s.user)?;
            Ok(Some((s, user)))
        })
        .await?;
    let Some((s, user)) = found else { return Err(AuthError::Unauthenticated) };
    let usable = user.filter(|u| !u.disabled);
    if s.expired(now, life) || usable.is_none() {
        ctx.store.write(move |txn| Ok::<_, AuthError>(session::end(txn, &hash)?)).await?;
        return Err(AuthError::SessionExpired);
    }
    let user = usable.ok_or(AuthError::SessionExpired)?;
    // Writing on every request would cost an fsync each; a minute of slack is harmless
    // against idle timeouts measured in tens of minutes.
    if now - s.last_seen > Duration::minutes(1) {
        ctx.store.write(move |txn| Ok::<_, AuthError>(session::touch(txn, &hash, now)?)).await?;
    }
    let actor = Actor {
        user_id: Some(user.id.0),
        name: user.username.as_str().into(),
        ip: origin.ip,
        user_agent: origin.user_agent,
    };
    Ok(Caller {
        scope: Scope { org: user.org, role: user.role, actor },
        user: user.id,
        via: Via::Session { hash },
        must_change_password: user.must_change_password,
    })
}

async fn by_token(ctx: &Ctx, value: String, origin: super::Origin) -> Result<Caller, AuthError> {
    if !value.starts_with(tokens::PREFIX) {
        return Err(AuthError::Unauthenticated);
    }
    let now = ctx.clock.now();
    let found = ctx
        .store
        .read(move |txn| {
            let Some(t) = tokens::resolve(txn, &value, now)? else { return Ok::<_, AuthError>(None) };
            let user = users::load_in(txn, t.org, t.user)?;
            Ok(user.map(|u| (t, u)))
        })
        .await?;
    let Some((token, user)) = found.filter(|(_, u)| !u.disabled) else {
        return Err(AuthError::Unauthenticated);
    };
    if token.last_used_at.is_none_or(|t| now - t > Duration::minutes(1)) {
        let (org, id) = (token.org, token.id);
        ctx.store.write(move |txn| Ok::<_, AuthError>(tokens::mark_used(txn, org, id, now)?)).await?;
    }
    let actor = Actor {
        user_id: Some(user.id.0),
        name: user.username.as_str().into(),
        ip: origin.ip,
        user_agent: origin.user_agent,
    };
    Ok(Caller {
        // A token never carries more than its owner has today.
        scope: Scope { org: user.org, role: token.role.min(user.role), actor },
        user: user.id,
        via: Via::Token { id: token.id, expires_at: token.expires_at },
        must_change_password: user.must_change_password,
    })
}
