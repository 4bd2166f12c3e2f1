//! How account errors answer (also when they come wrapped in another feature's error).

use actix_web::http::StatusCode;

use super::UserError;
use crate::http::ApiError;

impl From<UserError> for ApiError {
    fn from(e: UserError) -> Self {
        api_error(&e)
    }
}

/// The answer for `e`, which another feature's error may hold by reference.
pub fn api_error(e: &UserError) -> ApiError {
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
            E::NoCascades | E::Hash(_) | E::Random | E::Store(_) => return ApiError::internal(e),
        };
        ApiError::new(status, code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::caller::Forbidden;
    use crate::http::answer;

    #[test]
    fn user_errors_map() {
        let cases: Vec<(ApiError, u16, &str)> = vec![
            (UserError::UsernameTaken("a".into()).into(), 409, "users.username_taken"),
            (UserError::NotFound("1".into()).into(), 404, "users.not_found"),
            (UserError::PasswordTooCommon.into(), 422, "password.too_common"),
            (UserError::Forbidden(Forbidden { needed: "admin" }).into(), 403, "auth.forbidden"),
        ];
        for (err, status, code) in cases {
            let (s, b, _) = answer(err);
            assert_eq!((s, b["code"].as_str().unwrap()), (status, code));
        }
    }
}
