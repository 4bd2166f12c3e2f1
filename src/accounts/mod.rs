//! Central accounts: what a Steward user is on the hosts they may log in to.
//!
//! Owns the Unix side of users (uid from a configured range, never reused; shell; SSH
//! public keys), the organizations' Unix groups, and the access rules saying who may log in
//! where, with or without sudo. Their tables, service functions and routes live here.
//!
//! - [`unix`]: per-user Unix records and the id allocator.
//! - [`keys`]: users' SSH public keys, validated and fingerprinted.
//! - [`groups`]: organization groups (gids from the same range as uids).
//! - [`rules`]: access rules and which users a host receives.
//! - [`routes`]: `/api/v1/access-rules`, `/api/v1/unix-groups`, `/api/v1/users/{id}/unix`
//!   and `/api/v1/users/{id}/keys`.
//!
//! It must not render NSS files or talk to hosts: `nss` (above it) does, from the
//! snapshots read here. Passwords stay with [`crate::users`], which calls back in here only
//! through the hooks the composition root installs ([`crate::users::cascade`]).

mod api_error;
pub mod groups;
pub mod keys;
pub mod routes;
pub mod rules;
mod service;
pub mod unix;

pub use groups::{NewGroup, UnixGroup};
pub use keys::UserKey;
pub use routes::configure;
pub use rules::{AccessRule, NewRule, Target};
pub use service::{
    RuleView, add_key, create_group, delete_group, grant, list_groups, list_rules, remove_key, revoke,
    set_group_members, set_shell, unix_view,
};
pub use unix::{SUDO_GROUP, UnixAccount, UnixView};

use redb::WriteTransaction;
use thiserror::Error;

use crate::caller::{OrgId, UserId};
use crate::store::StoreError;

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    unix::create_tables(txn)?;
    groups::create_tables(txn)?;
    rules::create_tables(txn)
}

/// Forgets a deleted user: their Unix record (the uid is not given out again), access
/// rules and group memberships.
pub fn forget_user(txn: &WriteTransaction, org: OrgId, user: UserId) -> Result<(), StoreError> {
    unix::forget(txn, org, user)?;
    rules::forget_user(txn, org, user)?;
    groups::forget_user(txn, org, user)
}

#[derive(Debug, Error)]
pub enum AccountError {
    #[error("no Unix ids left in {min}-{max}: widen accounts.uid_max")]
    IdsExhausted { min: u32, max: u32 },
    #[error("shell {0:?} is not allowed: choose one of {1}")]
    ShellNotAllowed(String, String),
    #[error("SSH key is not valid: {0}")]
    InvalidKey(String),
    #[error("SSH key {0} is already on this account")]
    DuplicateKey(String),
    #[error("an account holds at most {0} SSH keys")]
    TooManyKeys(usize),
    #[error("SSH key {0} not found on this account")]
    KeyNotFound(String),
    #[error(
        "group name {0:?} is invalid: use 1-32 lowercase letters, digits, '_' or '-', starting with a letter or '_'"
    )]
    InvalidGroupName(String),
    #[error("name {0:?} is taken by a user or group, or reserved for the hosts' own")]
    NameTaken(String),
    #[error("group {0} not found")]
    GroupNotFound(String),
    #[error("access rule {0} not found")]
    RuleNotFound(u64),
    #[error("invalid access rule: {0}")]
    InvalidRule(String),
    #[error("user {0} not found")]
    UserNotFound(String),
    #[error(transparent)]
    Host(#[from] crate::hosts::HostError),
    #[error(transparent)]
    Forbidden(#[from] crate::caller::Forbidden),
    #[error(transparent)]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(AccountError);

/// A Unix account or group name: `[a-z_][a-z0-9_-]{0,31}`, like usernames, and not one of
/// the names every host already has.
pub fn check_name(name: &str) -> Result<(), AccountError> {
    match crate::users::Username::try_from(name.to_string()) {
        Ok(_) => Ok(()),
        Err(crate::users::UserError::ReservedUsername(_)) => Err(AccountError::NameTaken(name.into())),
        Err(_) => Err(AccountError::InvalidGroupName(crate::users::sanitize_for_error(name))),
    }
}
