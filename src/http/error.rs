//! The one place where errors become HTTP answers: `{"code": "area.reason", "message"}`.
//!
//! 4xx messages say what was wrong; 5xx answers are generic and the cause is logged.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::AuditError;
use crate::auth::AuthError;
use crate::orgs::{Forbidden, OrgError};
use crate::store::StoreError;
use crate::users::UserError;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable: `area.reason`.
    pub code: String,
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after: None }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// A failure that is ours, not the caller's: log the cause, answer generically.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; the cause is in the appliance log")
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        if let Some(s) = self.retry_after {
            res.insert_header(("Retry-After", s.to_string()));
        }
        res.json(ErrorBody { code: self.code.to_string(), message: self.message.clone() })
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::internal(&e)
    }
}

impl From<Forbidden> for ApiError {
    fn from(e: Forbidden) -> Self {
        Self::new(StatusCode::FORBIDDEN, "auth.forbidden", e.to_string())
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        use AuthError as E;
        let (status, code) = match &e {
            E::InvalidCredentials => (StatusCode::UNAUTHORIZED, "auth.invalid_credentials"),
            E::Locked { .. } => (StatusCode::FORBIDDEN, "auth.locked"),
            E::Disabled => (StatusCode::FORBIDDEN, "auth.disabled"),
            E::RateLimited { retry_after_s } => {
                let mut err = Self::new(StatusCode::TOO_MANY_REQUESTS, "auth.rate_limited", e.to_string());
                err.retry_after = Some(*retry_after_s);
                return err;
            }
            E::Unauthenticated => (StatusCode::UNAUTHORIZED, "auth.required"),
            E::SessionExpired => (StatusCode::UNAUTHORIZED, "auth.session_expired"),
            E::CsrfMismatch => (StatusCode::FORBIDDEN, "auth.csrf"),
            E::PasswordChangeRequired => (StatusCode::FORBIDDEN, "auth.password_change_required"),
            E::TokenNotFound(_) => (StatusCode::NOT_FOUND, "tokens.not_found"),
            E::InvalidTokenName(_) => (StatusCode::UNPROCESSABLE_ENTITY, "tokens.invalid_name"),
            E::TokenRoleTooHigh(_) => (StatusCode::FORBIDDEN, "tokens.role_too_high"),
            E::NeedsAccount => (StatusCode::FORBIDDEN, "tokens.needs_account"),
            E::Forbidden(f) => return (*f).into(),
            E::User(u) => return user_error(u),
            E::Random | E::Store(_) => return Self::internal(&e),
        };
        Self::new(status, code, e.to_string())
    }
}

impl From<UserError> for ApiError {
    fn from(e: UserError) -> Self {
        user_error(&e)
    }
}

fn user_error(e: &UserError) -> ApiError {
    {
        use UserError as E;
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        let (status, code) = match &e {
            E::InvalidUsername(_) | E::ReservedUsername(_) => (unprocessable, "users.invalid_username"),
            E::InvalidEmail(_) => (unprocessable, "users.invalid_email"),
            E::InvalidDisplayName(_) => (unprocessable, "users.invalid_display_name"),
            E::PasswordTooShort => (unprocessable, "password.too_short"),
            E::PasswordTooLong(_) => (unprocessable, "password.too_long"),
            E::PasswordIsUsername => (unprocessable, "password.same_as_username"),
            E::PasswordTooCommon => (unprocessable, "password.too_common"),
            E::PasswordReused => (unprocessable, "password.unchanged"),
            E::WrongPassword => (StatusCode::FORBIDDEN, "password.wrong_current"),
            E::UsernameTaken(_) => (StatusCode::CONFLICT, "users.username_taken"),
            E::EmailTaken(_) => (StatusCode::CONFLICT, "users.email_taken"),
            E::NotFound(_) => (StatusCode::NOT_FOUND, "users.not_found"),
            E::SelfChange(_) => (StatusCode::CONFLICT, "users.self_change"),
            E::Superadmin => (StatusCode::FORBIDDEN, "users.superadmin_only"),
            E::Forbidden(f) => return (*f).into(),
            E::Hash(_) | E::Random | E::Store(_) => return ApiError::internal(e),
        };
        ApiError::new(status, code, e.to_string())
    }
}

impl From<OrgError> for ApiError {
    fn from(e: OrgError) -> Self {
        let (status, code) = match &e {
            OrgError::InvalidName(_) => (StatusCode::UNPROCESSABLE_ENTITY, "orgs.invalid_name"),
            OrgError::Exists(_) => (StatusCode::CONFLICT, "orgs.exists"),
            OrgError::NotFound(_) => (StatusCode::NOT_FOUND, "orgs.not_found"),
            OrgError::Forbidden(f) => return (*f).into(),
            OrgError::Store(_) => return Self::internal(&e),
        };
        Self::new(status, code, e.to_string())
    }
}

impl From<AuditError> for ApiError {
    fn from(e: AuditError) -> Self {
        match e {
            AuditError::Forbidden(f) => f.into(),
            other => Self::internal(&other),
        }
    }
}

mod accounts;
mod metrics;
mod sshkeys;

#[cfg(test)]
mod tests;
