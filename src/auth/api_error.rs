//! How authentication's errors answer.

use actix_web::http::StatusCode;

use super::AuthError;
use crate::http::ApiError;

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
            E::User(u) => return crate::users::api_error(u),
            E::Random | E::Store(_) => return Self::internal(&e),
        };
        Self::new(status, code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::answer;
    use crate::users::UserError;

    #[test]
    fn auth_errors_map_to_their_status_and_code() {
        let cases: Vec<(AuthError, u16, &str)> = vec![
            (AuthError::InvalidCredentials, 401, "auth.invalid_credentials"),
            (AuthError::Locked { until: time::OffsetDateTime::UNIX_EPOCH }, 403, "auth.locked"),
            (AuthError::Disabled, 403, "auth.disabled"),
            (AuthError::Unauthenticated, 401, "auth.required"),
            (AuthError::SessionExpired, 401, "auth.session_expired"),
            (AuthError::CsrfMismatch, 403, "auth.csrf"),
            (AuthError::PasswordChangeRequired, 403, "auth.password_change_required"),
            (AuthError::TokenNotFound(3), 404, "tokens.not_found"),
            (AuthError::User(UserError::PasswordTooLong(73)), 422, "password.too_long"),
        ];
        for (err, status, code) in cases {
            let (s, b, _) = answer(err.into());
            assert_eq!((s, b["code"].as_str().unwrap()), (status, code));
            assert!(!b["message"].as_str().unwrap().is_empty());
        }
    }

    #[test]
    fn rate_limits_carry_retry_after() {
        let (s, b, retry) = answer(AuthError::RateLimited { retry_after_s: 7 }.into());
        assert_eq!((s, b["code"].as_str().unwrap(), retry.as_deref()), (429, "auth.rate_limited", Some("7")));
    }
}
