//! `/api/v1/users*`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{NewUser, UserId, UserPatch, UserView};
use crate::app::Ctx;
use crate::auth::Caller;
use crate::http::{ApiError, ErrorBody, Json};
use crate::orgs::OrgId;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/users")
            .route("", web::get().to(list))
            .route("", web::post().to(create))
            .route("/{id}", web::get().to(get))
            .route("/{id}", web::patch().to(update))
            .route("/{id}", web::delete().to(delete))
            .route("/{id}/password", web::post().to(reset_password))
            .route("/{id}/unlock", web::post().to(unlock)),
    );
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct OrgQuery {
    /// Superadmins: act in this organization instead of their own.
    pub org: Option<u64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub new_password: String,
}

/// The caller's scope, moved into `?org=` when a superadmin asks for another organization.
fn scope(caller: &Caller, q: &OrgQuery) -> Result<crate::orgs::Scope, ApiError> {
    match q.org {
        None => Ok(caller.scope.clone()),
        Some(org) => caller
            .scope
            .within(OrgId(org))
            .ok_or_else(|| ApiError::not_found("orgs.not_found", format!("organization {org} not found"))),
    }
}

/// List the accounts of the organization (admins).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(OrgQuery),
    responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
pub async fn list(ctx: web::Data<Ctx>, caller: Caller, q: web::Query<OrgQuery>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::list(&ctx.store, &scope(&caller, &q)?, ctx.clock.now()).await?))
}

/// Create an account (admins; only superadmins create superadmins).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", params(OrgQuery), request_body = NewUser,
    responses((status = 201, body = UserView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    ctx: web::Data<Ctx>,
    caller: Caller,
    q: web::Query<OrgQuery>,
    body: Json<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let user = super::create(
        &ctx.store,
        &scope(&caller, &q)?,
        body.into_inner(),
        ctx.config.auth.bcrypt_cost,
        ctx.clock.now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(user))
}

/// One account (admins, or the account itself).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = u64, Path), OrgQuery),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub async fn get(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: web::Path<u64>,
    q: web::Query<OrgQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::get(&ctx.store, &scope(&caller, &q)?, UserId(*id), ctx.clock.now()).await?))
}

/// Change email, display name, role or disabled state (admins).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = u64, Path), OrgQuery), request_body = UserPatch,
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: web::Path<u64>,
    q: web::Query<OrgQuery>,
    body: Json<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let user = super::update(&ctx.store, &scope(&caller, &q)?, UserId(*id), body.into_inner(), ctx.clock.now()).await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Delete an account; its sessions and tokens end (admins).
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", params(("id" = u64, Path), OrgQuery),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: web::Path<u64>,
    q: web::Query<OrgQuery>,
) -> Result<HttpResponse, ApiError> {
    super::delete(&ctx.store, &scope(&caller, &q)?, UserId(*id), ctx.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Set a new password for someone; they must change it at next login (admins).
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = u64, Path), OrgQuery), request_body = PasswordReset,
    responses((status = 200, body = UserView), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: web::Path<u64>,
    q: web::Query<OrgQuery>,
    body: Json<PasswordReset>,
) -> Result<HttpResponse, ApiError> {
    let cost = ctx.config.auth.bcrypt_cost;
    let user =
        super::reset_password(&ctx.store, &scope(&caller, &q)?, UserId(*id), &body.new_password, cost, ctx.clock.now())
            .await?;
    Ok(HttpResponse::Ok().json(user))
}

/// Lift a lockout (admins).
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "users", params(("id" = u64, Path), OrgQuery),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
pub async fn unlock(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: web::Path<u64>,
    q: web::Query<OrgQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::unlock(&ctx.store, &scope(&caller, &q)?, UserId(*id), ctx.clock.now()).await?))
}
