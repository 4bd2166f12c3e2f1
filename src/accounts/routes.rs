//! `/api/v1/access-rules*`, `/api/v1/unix-groups*`, `/api/v1/users/{id}/unix` and
//! `/api/v1/users/{id}/keys`. Every change wakes the hosts waiting for new account files.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{AccessRule, NewGroup, NewRule, RuleView, Target, UnixGroup, UnixView, UserKey};
use crate::caller::{Caller, UserId};
use crate::ctx::Ctx;
use crate::http::{ApiError, ErrorBody, Json, resource};
use crate::http::{Path, Query};

/// Mounted before `/users`, whose scope would otherwise answer these paths with 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/access-rules").route(web::get().to(list_rules)).route(web::post().to(grant)))
        .service(resource("/access-rules/{id}").route(web::delete().to(revoke)))
        .service(resource("/unix-groups").route(web::get().to(list_groups)).route(web::post().to(create_group)))
        .service(
            resource("/unix-groups/{gid}").route(web::patch().to(update_group)).route(web::delete().to(delete_group)),
        )
        .service(resource("/users/{id}/unix").route(web::get().to(unix)).route(web::patch().to(set_shell)))
        .service(resource("/users/{id}/keys").route(web::post().to(add_key)).route(web::delete().to(remove_key)));
}

/// A login grant: `{"user_id": 3, "on": "all"}`, `{"user_id": 3, "on": "tags", "tags": ["web"]}`
/// or `{"user_id": 3, "on": "hosts", "hosts": [7, 9]}`; `sudo` adds the `steward-sudo` group.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRuleRequest {
    pub user_id: UserId,
    #[serde(flatten)]
    pub target: Target,
    #[serde(default)]
    pub sudo: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShellRequest {
    /// One of the configured shells (`accounts.shells`).
    pub shell: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyRequest {
    /// One OpenSSH public key line, e.g. `ssh-ed25519 AAAA... me@laptop`.
    pub key: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersRequest {
    pub members: Vec<UserId>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FingerprintQuery {
    /// The key's `SHA256:...` fingerprint.
    #[param(min_length = 1)]
    pub fingerprint: String,
}

/// Who may log in where (admins).
#[utoipa::path(get, path = "/api/v1/access-rules", tag = "accounts",
    responses((status = 200, body = Vec<RuleView>), (status = 403, body = ErrorBody), crate::http::AuthErrors))]
pub async fn list_rules(ctx: web::Data<Ctx>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::list_rules(&ctx.store, &caller.scope).await?))
}

/// Let a user log in on all hosts, hosts with any of some tags, or named hosts, optionally
/// with sudo (admins). The user gets a uid on first grant.
#[utoipa::path(post, path = "/api/v1/access-rules", tag = "accounts", request_body = NewRuleRequest,
    responses((status = 201, body = AccessRule), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors))]
pub async fn grant(ctx: web::Data<Ctx>, caller: Caller, body: Json<NewRuleRequest>) -> Result<HttpResponse, ApiError> {
    let NewRuleRequest { user_id, target, sudo } = body.into_inner();
    let new = NewRule { user_id, target, sudo };
    let rule = super::grant(&ctx.store, &caller.scope, new, &ctx.config.accounts, ctx.clock.now()).await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::Created().json(rule))
}

/// Remove a rule (admins); hosts drop the user at their next sync unless another rule
/// still lets them in.
#[utoipa::path(delete, path = "/api/v1/access-rules/{id}", tag = "accounts", params(("id" = u64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn revoke(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    super::revoke(&ctx.store, &caller.scope, *id, ctx.clock.now()).await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::NoContent().finish())
}

/// The organization's Unix groups (admins).
#[utoipa::path(get, path = "/api/v1/unix-groups", tag = "accounts",
    responses((status = 200, body = Vec<UnixGroup>), (status = 403, body = ErrorBody), crate::http::AuthErrors))]
pub async fn list_groups(ctx: web::Data<Ctx>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::list_groups(&ctx.store, &caller.scope).await?))
}

/// Create a Unix group with a gid from the accounts range (admins).
#[utoipa::path(post, path = "/api/v1/unix-groups", tag = "accounts", request_body = NewGroup,
    responses((status = 201, body = UnixGroup), (status = 404, body = ErrorBody, description = "A member does not exist (`users.not_found`)."),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors))]
pub async fn create_group(ctx: web::Data<Ctx>, caller: Caller, body: Json<NewGroup>) -> Result<HttpResponse, ApiError> {
    let group =
        super::create_group(&ctx.store, &caller.scope, body.into_inner(), &ctx.config.accounts, ctx.clock.now())
            .await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::Created().json(group))
}

/// Replace a group's members (admins).
#[utoipa::path(patch, path = "/api/v1/unix-groups/{gid}", tag = "accounts", params(("gid" = u32, Path)), request_body = MembersRequest,
    responses((status = 200, body = UnixGroup), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors, crate::http::PathErrors))]
pub async fn update_group(
    ctx: web::Data<Ctx>,
    caller: Caller,
    gid: Path<u32>,
    body: Json<MembersRequest>,
) -> Result<HttpResponse, ApiError> {
    let (config, now) = (&ctx.config.accounts, ctx.clock.now());
    let group =
        super::set_group_members(&ctx.store, &caller.scope, *gid, body.into_inner().members, config, now).await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::Ok().json(group))
}

/// Delete a group (admins); its gid is not given out again.
#[utoipa::path(delete, path = "/api/v1/unix-groups/{gid}", tag = "accounts", params(("gid" = u32, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn delete_group(ctx: web::Data<Ctx>, caller: Caller, gid: Path<u32>) -> Result<HttpResponse, ApiError> {
    super::delete_group(&ctx.store, &caller.scope, *gid, ctx.clock.now()).await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::NoContent().finish())
}

/// What a user is on hosts: uid, shell, home, SSH keys, groups (the user, or admins).
#[utoipa::path(get, path = "/api/v1/users/{id}/unix", tag = "accounts", params(("id" = u64, Path)),
    responses((status = 200, body = UnixView), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn unix(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::unix_view(&ctx.store, &caller.scope, UserId(*id), &ctx.config.accounts).await?))
}

/// Choose a login shell from the allowed ones (the user, or admins).
#[utoipa::path(patch, path = "/api/v1/users/{id}/unix", tag = "accounts", params(("id" = u64, Path)), request_body = ShellRequest,
    responses((status = 200, body = UnixView), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors, crate::http::PathErrors))]
pub async fn set_shell(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    body: Json<ShellRequest>,
) -> Result<HttpResponse, ApiError> {
    let (config, now, id) = (&ctx.config.accounts, ctx.clock.now(), UserId(*id));
    super::set_shell(&ctx.store, &caller.scope, id, body.into_inner().shell, config, now).await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::Ok().json(super::unix_view(&ctx.store, &caller.scope, id, config).await?))
}

/// Add an SSH public key (the user, or admins); hosts offer it to sshd at their next sync.
#[utoipa::path(post, path = "/api/v1/users/{id}/keys", tag = "accounts", params(("id" = u64, Path)), request_body = NewKeyRequest,
    responses((status = 201, body = UserKey), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors, crate::http::PathErrors))]
pub async fn add_key(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    body: Json<NewKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let (config, now) = (&ctx.config.accounts, ctx.clock.now());
    let key = super::add_key(&ctx.store, &caller.scope, UserId(*id), &body.key, config, now).await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::Created().json(key))
}

/// Remove an SSH public key by fingerprint (the user, or admins).
#[utoipa::path(delete, path = "/api/v1/users/{id}/keys", tag = "accounts", params(("id" = u64, Path), FingerprintQuery),
    responses((status = 204), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::QueryErrors, crate::http::PathErrors))]
pub async fn remove_key(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    q: Query<FingerprintQuery>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = q.into_inner().fingerprint;
    super::remove_key(&ctx.store, &caller.scope, UserId(*id), fingerprint, ctx.clock.now()).await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::NoContent().finish())
}
