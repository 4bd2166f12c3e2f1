//! `/api/v1/auth/*` and `/api/v1/tokens*`.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AuthError, CreatedToken, NewToken, session, tokens};
use crate::caller::{Caller, PendingCaller, Via};
use crate::ctx::Ctx;
use crate::http::{ApiError, ErrorBody, Json, resource};
use crate::http::{Path, Query};
use crate::users::{self, UserView};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/auth")
            .service(resource("/login").route(web::post().to(login)))
            .service(resource("/logout").route(web::post().to(logout)))
            .service(resource("/logout-all").route(web::post().to(logout_all)))
            .service(resource("/me").route(web::get().to(me)))
            .service(resource("/password").route(web::post().to(change_password))),
    )
    .service(
        web::scope("/tokens")
            .service(resource("").route(web::get().to(list_tokens)).route(web::post().to(create_token)))
            .service(resource("/{id}").route(web::delete().to(revoke_token))),
    );
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username or email address.
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    pub user: UserView,
    pub must_change_password: bool,
    /// Send back as `X-CSRF-Token` on every state-changing request of this session.
    pub csrf_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    pub must_change_password: bool,
    /// Present for cookie sessions.
    pub csrf_token: Option<String>,
    /// `session` or `token`.
    pub auth: &'static str,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct TokenListQuery {
    /// Admins: every token of the organization, not only your own.
    #[serde(default)]
    pub all: bool,
}

/// Log in with a username (or email) and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody), crate::http::BodyErrors))]
pub async fn login(ctx: web::Data<Ctx>, req: HttpRequest, body: Json<LoginRequest>) -> Result<HttpResponse, ApiError> {
    if let Some(ip) = req.peer_addr().map(|a| a.ip()) {
        ctx.state::<super::LoginLimiter>()
            .check(ip)
            .map_err(|retry_after_s| AuthError::RateLimited { retry_after_s })?;
    }
    let body = body.into_inner();
    let out = super::login(&ctx, &body.username, &body.password, super::origin(&req)).await?;
    let cookie = session_cookie(&ctx, out.session_token);
    Ok(HttpResponse::Ok().cookie(cookie).json(LoginResponse {
        must_change_password: out.user.must_change_password,
        user: out.user,
        csrf_token: out.csrf_token,
    }))
}

fn session_cookie(ctx: &Ctx, value: String) -> Cookie<'static> {
    Cookie::build(ctx.cookie_name(), value)
        .path("/")
        .http_only(true)
        .secure(ctx.tls)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::hours(ctx.config.auth.session_absolute_hours.into()))
        .finish()
}

fn cleared_cookie(ctx: &Ctx) -> Cookie<'static> {
    let mut c = session_cookie(ctx, String::new());
    c.make_removal();
    c
}

/// End this session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = ErrorBody), crate::http::AuthErrors))]
pub async fn logout(ctx: web::Data<Ctx>, caller: PendingCaller) -> Result<HttpResponse, ApiError> {
    end(ctx, caller.0, false).await
}

/// End every session of the calling user ("log out everywhere").
#[utoipa::path(post, path = "/api/v1/auth/logout-all", tag = "auth", responses((status = 204), (status = 401, body = ErrorBody), crate::http::AuthErrors))]
pub async fn logout_all(ctx: web::Data<Ctx>, caller: Caller) -> Result<HttpResponse, ApiError> {
    end(ctx, caller, true).await
}

async fn end(ctx: web::Data<Ctx>, caller: Caller, everywhere: bool) -> Result<HttpResponse, ApiError> {
    super::logout(&ctx, &caller, everywhere).await?;
    Ok(HttpResponse::NoContent().cookie(cleared_cookie(&ctx)).finish())
}

/// Who am I: the account, whether a password change is pending, and the CSRF token.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody), crate::http::AuthErrors))]
pub async fn me(ctx: web::Data<Ctx>, req: HttpRequest, caller: PendingCaller) -> Result<HttpResponse, ApiError> {
    let caller = caller.0;
    let user = users::get(&ctx.store, &caller.scope, caller.user, ctx.clock.now()).await?;
    let (csrf_token, auth) = match caller.via {
        Via::Session { .. } => (req.cookie(ctx.cookie_name()).map(|c| session::csrf_for(c.value())), "session"),
        Via::Token { .. } => (None, "token"),
    };
    Ok(HttpResponse::Ok().json(MeResponse { must_change_password: user.must_change_password, user, csrf_token, auth }))
}

/// Change your own password (also completes a forced change). Other sessions end.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors))]
pub async fn change_password(
    ctx: web::Data<Ctx>,
    caller: PendingCaller,
    body: Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller.0;
    let keep = match caller.via {
        Via::Session { hash } => Some(hash),
        Via::Token { .. } => None,
    };
    let change = users::OwnPasswordChange { current: &body.current_password, new: &body.new_password, keep };
    let hasher = ctx.state::<users::Passwords>().hasher.clone();
    users::set_own_password(&ctx.store, &caller.scope, caller.user, change, &hasher, ctx.clock.now()).await?;
    ctx.accounts_changed.bump();
    // The generated first password has served its purpose once its owner replaced it.
    if caller.scope.is_superadmin() && caller.scope.actor.name == "admin" {
        let file = ctx.config.data_dir.join(users::INITIAL_PASSWORD_FILE);
        // Gone already is fine; the change itself has succeeded either way.
        let _ = crate::blocking::run(move || std::fs::remove_file(file)).await;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Your personal API tokens (admins: `?all=true` for the whole organization).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(TokenListQuery),
    responses((status = 200, body = Vec<super::ApiToken>), (status = 401, body = ErrorBody), crate::http::AuthErrors, crate::http::QueryErrors))]
pub async fn list_tokens(
    ctx: web::Data<Ctx>,
    caller: Caller,
    q: Query<TokenListQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(tokens::list(&ctx.store, &caller.scope, q.all).await?))
}

/// Create a personal API token; its value is in the answer and never again.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors))]
pub async fn create_token(ctx: web::Data<Ctx>, caller: Caller, body: Json<NewToken>) -> Result<HttpResponse, ApiError> {
    let not_after = match caller.via {
        Via::Token { expires_at, .. } => expires_at,
        Via::Session { .. } => None,
    };
    let created = tokens::create(&ctx.store, &caller.scope, body.into_inner(), not_after, ctx.clock.now()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Revoke a token (yours, or any in your organization if you are an admin).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = u64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn revoke_token(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    tokens::revoke(&ctx.store, &caller.scope, id.into_inner(), ctx.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}
