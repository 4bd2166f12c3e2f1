//! How central accounts' errors answer: the access rules, groups and Unix fields.

use actix_web::http::StatusCode;

use super::AccountError;
use crate::http::ApiError;

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        use AccountError as E;
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        let (status, code) = match &e {
            E::IdsExhausted { .. } => (StatusCode::CONFLICT, "accounts.ids_exhausted"),
            E::ShellNotAllowed(..) => (unprocessable, "accounts.shell_not_allowed"),
            E::InvalidKey(_) => (unprocessable, "accounts.invalid_key"),
            E::DuplicateKey(_) => (StatusCode::CONFLICT, "accounts.duplicate_key"),
            E::TooManyKeys(_) => (StatusCode::CONFLICT, "accounts.too_many_keys"),
            E::KeyNotFound(_) => (StatusCode::NOT_FOUND, "accounts.key_not_found"),
            E::InvalidGroupName(_) => (unprocessable, "accounts.invalid_group_name"),
            E::NameTaken(_) => (StatusCode::CONFLICT, "accounts.name_taken"),
            E::GroupNotFound(_) => (StatusCode::NOT_FOUND, "accounts.group_not_found"),
            E::RuleNotFound(_) => (StatusCode::NOT_FOUND, "accounts.rule_not_found"),
            E::InvalidRule(_) => (unprocessable, "accounts.invalid_rule"),
            E::UserNotFound(_) => (StatusCode::NOT_FOUND, "users.not_found"),
            E::Forbidden(f) => return (*f).into(),
            E::Host(_) | E::Store(_) => return host_or_internal(e),
        };
        Self::new(status, code, e.to_string())
    }
}

fn host_or_internal(e: AccountError) -> ApiError {
    match e {
        AccountError::Host(h) => h.into(),
        other => ApiError::internal(&other),
    }
}
