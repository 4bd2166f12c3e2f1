//! Authentication: password login with lockout and per-IP rate limits, browser sessions
//! with CSRF protection, personal API tokens, and the extractors that turn a request into
//! a [`crate::caller::Scope`].
//!
//! Owns the `sessions` and `api_tokens` tables and the `/api/v1/auth` and
//! `/api/v1/tokens` routes. It must not decide what a role may do: service functions
//! check that against the scope they are given.

mod api_error;
mod extract;
mod limit;
mod login;
pub mod routes;
mod session;
mod tokens;

pub use extract::{CSRF_HEADER, origin, resolve};
pub use limit::LoginLimiter;
pub use login::{LoginOutcome, Origin, count_failed_password, login, logout};
pub use routes::configure;
pub use session::{Lifetimes, Session, end_sessions, hash_token, purge_expired, session_lifetimes};
pub use tokens::{
    ApiToken, CreatedToken, NewToken, create as create_token, revoke as revoke_token, revoke_user_tokens,
};

use redb::WriteTransaction;
use thiserror::Error;
use time::OffsetDateTime;

use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum AuthError {
    #[error("wrong username or password")]
    InvalidCredentials,
    #[error("account is locked after too many failed logins until {until}; an admin can unlock it")]
    Locked { until: OffsetDateTime },
    #[error("account is disabled")]
    Disabled,
    #[error("too many login attempts from this address; retry in {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    #[error("authentication required: log in or send `Authorization: Bearer stw_...`")]
    Unauthenticated,
    #[error("session expired: log in again")]
    SessionExpired,
    #[error("missing or wrong X-CSRF-Token header (it is returned at login and by /api/v1/auth/me)")]
    CsrfMismatch,
    #[error("you must change your password first (POST /api/v1/auth/password)")]
    PasswordChangeRequired,
    #[error("token {0} not found")]
    TokenNotFound(u64),
    #[error("token name {0:?} is invalid: 1-64 characters without control characters")]
    InvalidTokenName(String),
    #[error("a token cannot have the {0} role: it is above your own")]
    TokenRoleTooHigh(&'static str),
    #[error("only user accounts can own tokens")]
    NeedsAccount,
    #[error("no randomness available")]
    Random,
    #[error(transparent)]
    Forbidden(#[from] crate::caller::Forbidden),
    #[error(transparent)]
    User(#[from] crate::users::UserError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(AuthError);

/// A new bearer secret (API token, ingest key): `prefix` + 256 random bits. Only the hash is
/// stored; the first characters are kept to recognise it in a list.
pub struct Minted {
    pub value: String,
    pub hash: [u8; 32],
    pub shown: String,
}

pub fn mint(prefix: &str) -> Result<Minted, getrandom::Error> {
    let value = format!("{prefix}{}", random_token()?);
    let shown = value[..prefix.len() + 6].to_string();
    Ok(Minted { hash: hash_token(&value), value, shown })
}

/// The name of a token or key: trimmed, 1-64 characters, no control characters.
pub fn secret_name(name: &str) -> Option<String> {
    let name = name.trim();
    let ok = !name.is_empty() && name.chars().count() <= 64 && !name.chars().any(char::is_control);
    ok.then(|| name.to_string())
}

/// 256 random bits, base64url: session cookies and API token bodies.
fn random_token() -> Result<String, getrandom::Error> {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    session::create_tables(txn)?;
    tokens::create_tables(txn)
}
