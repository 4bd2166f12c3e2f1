//! Accounts: who can log in, in which organization, with which role.
//!
//! Owns the `users` tables, validated account fields, the password policy and hashing,
//! and the `/api/v1/users` routes. Sessions and tokens belong to `auth`, Unix accounts to
//! `accounts`: both sit above this module, which reaches them only through the hooks the
//! composition root installs ([`cascade`]) when a user is disabled, deleted or their
//! password changes.

mod api_error;
pub mod cascade;
mod names;
pub mod password;
mod record;
pub mod routes;
mod service;
#[cfg(test)]
mod tests;

pub use api_error::api_error;
pub(crate) use names::sanitize as sanitize_for_error;
pub use names::{DisplayName, Email, Username};
pub use password::{Password, Passwords};
pub use record::{User, UserView};
pub use routes::configure;
pub use service::{
    INITIAL_PASSWORD_FILE, NewUser, OwnPasswordChange, UserPatch, all_in, bootstrap_admin, create, create_tables,
    delete, find, find_for_login, get, list, load, load_in, name_taken, replace_password, reset_password,
    set_own_password, unlock, update,
};
pub(crate) use service::{load_for_update, save};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum UserError {
    #[error("username {0:?} is invalid: use 1-32 lowercase letters, digits, '_' or '-', starting with a letter or '_'")]
    InvalidUsername(String),
    #[error("username {0:?} is reserved for system accounts")]
    ReservedUsername(String),
    #[error("email {0:?} is not a valid address")]
    InvalidEmail(String),
    #[error("display name {0:?} is invalid: at most 128 characters, no ':' or control characters")]
    InvalidDisplayName(String),
    #[error("password is too short: use at least {} characters", password::MIN_CHARS)]
    PasswordTooShort,
    #[error("password is too long: {0} bytes, bcrypt uses at most {max} bytes", max = password::MAX_BYTES)]
    PasswordTooLong(usize),
    #[error("password must not be the username")]
    PasswordIsUsername,
    #[error("password is one of the 10,000 most common passwords: choose another")]
    PasswordTooCommon,
    #[error("the new password must differ from the current one")]
    PasswordReused,
    #[error("current password is wrong")]
    WrongPassword,
    #[error("username {0:?} is taken")]
    UsernameTaken(String),
    #[error("email {0:?} is already used by another account")]
    EmailTaken(String),
    #[error("user {0} not found")]
    NotFound(String),
    #[error("you cannot {0} your own account")]
    SelfChange(&'static str),
    #[error("only a superadmin can manage superadmin accounts")]
    Superadmin,
    #[error(transparent)]
    Forbidden(#[from] crate::caller::Forbidden),
    #[error("changing an account: the hooks that end its sessions and forget its Unix account are not installed")]
    NoCascades,
    #[error("hashing a password: {0}")]
    Hash(String),
    #[error("no randomness available")]
    Random,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}
crate::impl_from_redb!(UserError);
