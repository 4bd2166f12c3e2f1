//! `/api/v1/users*`.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{DisplayName, Email, NewUser, UserError, UserPatch, UserView, Username};
use crate::caller::UserId;
use crate::caller::{Caller, OrgId, Role};
use crate::ctx::Ctx;
use crate::http::{ApiError, ErrorBody, Json, resource};
use crate::http::{Path, Query};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/users")
            .service(resource("").route(web::get().to(list)).route(web::post().to(create)))
            .service(
                resource("/{id}")
                    .route(web::get().to(get))
                    .route(web::patch().to(update))
                    .route(web::delete().to(delete)),
            )
            .service(resource("/{id}/password").route(web::post().to(reset_password)))
            .service(resource("/{id}/unlock").route(web::post().to(unlock))),
    );
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct OrgQuery {
    /// Superadmins: act in this organization instead of their own.
    pub org: Option<u64>,
}

/// A new account. Fields are checked after parsing, so each rule answers its own code
/// (`users.invalid_username`, `users.invalid_email`, ...).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// 1-32 of `a-z 0-9 _ -`, starting with a letter or `_`; not a system account name.
    pub username: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub display_name: String,
    pub role: Role,
    /// Initial password; checked against the policy.
    pub password: String,
    /// Ask for a new password at first login (default true).
    #[serde(default = "yes")]
    pub must_change_password: bool,
}

fn yes() -> bool {
    true
}

impl TryFrom<NewUserRequest> for NewUser {
    type Error = UserError;
    fn try_from(r: NewUserRequest) -> Result<Self, UserError> {
        Ok(NewUser {
            username: Username::try_from(r.username)?,
            email: r.email.map(Email::try_from).transpose()?,
            display_name: DisplayName::try_from(r.display_name)?,
            role: r.role,
            password: r.password,
            must_change_password: r.must_change_password,
        })
    }
}

/// Changes to an account; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatchRequest {
    /// A new address, or `null` to remove it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// Tells "field absent" (outer `None`) from "field is null" (`Some(None)`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

impl TryFrom<UserPatchRequest> for UserPatch {
    type Error = UserError;
    fn try_from(r: UserPatchRequest) -> Result<Self, UserError> {
        Ok(UserPatch {
            email: r.email.map(|e| e.map(Email::try_from).transpose()).transpose()?,
            display_name: r.display_name.map(DisplayName::try_from).transpose()?,
            role: r.role,
            disabled: r.disabled,
        })
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub new_password: String,
}

fn scope(caller: &Caller, q: &OrgQuery) -> Result<crate::caller::Scope, ApiError> {
    Ok(caller.in_org(q.org.map(OrgId))?)
}

/// List the accounts of the organization (admins).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(OrgQuery),
    responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody), crate::http::AuthErrors, crate::http::QueryErrors))]
pub async fn list(ctx: web::Data<Ctx>, caller: Caller, q: Query<OrgQuery>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::list(&ctx.store, &scope(&caller, &q)?, ctx.clock.now()).await?))
}

/// Create an account (admins; only superadmins create superadmins).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", params(OrgQuery), request_body = NewUserRequest,
    responses((status = 201, body = UserView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors, crate::http::QueryErrors))]
pub async fn create(
    ctx: web::Data<Ctx>,
    caller: Caller,
    q: Query<OrgQuery>,
    body: Json<NewUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = super::create(
        &ctx.store,
        &scope(&caller, &q)?,
        NewUser::try_from(body.into_inner())?,
        &ctx.state::<super::Passwords>().hasher,
        ctx.clock.now(),
    )
    .await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::Created().json(user))
}

/// One account (admins, or the account itself).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = u64, Path), OrgQuery),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::QueryErrors, crate::http::PathErrors))]
pub async fn get(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    q: Query<OrgQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::get(&ctx.store, &scope(&caller, &q)?, UserId(*id), ctx.clock.now()).await?))
}

/// Change email, display name, role or disabled state (admins).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = u64, Path), OrgQuery), request_body = UserPatchRequest,
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors, crate::http::QueryErrors, crate::http::PathErrors))]
pub async fn update(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    q: Query<OrgQuery>,
    body: Json<UserPatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let user = super::update(
        &ctx.store,
        &scope(&caller, &q)?,
        UserId(*id),
        UserPatch::try_from(body.into_inner())?,
        ctx.clock.now(),
    )
    .await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::Ok().json(user))
}

/// Delete an account; its sessions and tokens end (admins).
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users", params(("id" = u64, Path), OrgQuery),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Your own account (`users.self_change`)."),
        crate::http::AuthErrors, crate::http::QueryErrors, crate::http::PathErrors))]
pub async fn delete(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    q: Query<OrgQuery>,
) -> Result<HttpResponse, ApiError> {
    super::delete(&ctx.store, &scope(&caller, &q)?, UserId(*id), ctx.clock.now()).await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::NoContent().finish())
}

/// Set a new password for someone; they must change it at next login (admins).
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = u64, Path), OrgQuery), request_body = PasswordReset,
    responses((status = 200, body = UserView), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors, crate::http::QueryErrors, crate::http::PathErrors))]
pub async fn reset_password(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    q: Query<OrgQuery>,
    body: Json<PasswordReset>,
) -> Result<HttpResponse, ApiError> {
    let user = super::reset_password(
        &ctx.store,
        &scope(&caller, &q)?,
        UserId(*id),
        &body.new_password,
        &ctx.state::<super::Passwords>().hasher,
        ctx.clock.now(),
    )
    .await?;
    ctx.accounts_changed.bump();
    Ok(HttpResponse::Ok().json(user))
}

/// Lift a lockout (admins).
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "users", params(("id" = u64, Path), OrgQuery),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::QueryErrors, crate::http::PathErrors))]
pub async fn unlock(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    q: Query<OrgQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::unlock(&ctx.store, &scope(&caller, &q)?, UserId(*id), ctx.clock.now()).await?))
}
