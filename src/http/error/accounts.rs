//! How central accounts' errors answer: the access rules, groups and Unix fields
//! ([`AccountError`]) and what hosts ask for ([`NssError`]).

use actix_web::http::StatusCode;

use super::ApiError;
use crate::accounts::AccountError;
use crate::nss::NssError;

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

impl From<NssError> for ApiError {
    fn from(e: NssError) -> Self {
        use NssError as E;
        let message = e.to_string();
        let (status, code) = match e {
            E::InsecureTransport => (StatusCode::FORBIDDEN, "nss.tls_required"),
            E::NotOnHost(_) => (StatusCode::NOT_FOUND, "nss.not_on_host"),
            E::Disabled(_) => (StatusCode::FORBIDDEN, "auth.disabled"),
            E::Locked => (StatusCode::FORBIDDEN, "auth.locked"),
            E::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "nss.invalid"),
            E::User(u) => return u.into(),
            E::Auth(a) => return a.into(),
            E::Ingest(i) => return i.into(),
            E::Host(h) => return h.into(),
            E::Store(s) => return s.into(),
        };
        Self::new(status, code, message)
    }
}
