//! NSS files for monitored hosts, served from the store: each host (authenticated by its
//! machine token) gets passwd, group and shadow for libnss-extrausers and its users' SSH
//! keys, holding only the users an access rule lets in there; and password changes made on
//! a host come back through here.
//!
//! - [`render`]: the file formats (pure).
//! - [`bundle`]: which users a host receives, read from the store, and the versioned bundle.
//! - [`password`]: a password change sent by a host's PAM hook.
//! - [`reports`]: each host's last installation outcome, as its agent reported it.
//! - [`routes`]: `/api/v1/agent/nss*`, `/api/v1/agent/password`, `/api/v1/hosts/{id}/accounts`.
//!
//! It reads users, accounts and hosts through their public functions and must not write
//! their tables, except through [`crate::users`]' own password change.

mod api_error;
pub mod bundle;
pub mod password;
pub mod render;
pub mod reports;
pub mod routes;

pub use bundle::{Bundle, for_host};
pub use render::{Account, Files, Group, render};
pub use routes::configure;

use thiserror::Error;

use crate::store::StoreError;

#[derive(Debug, Error)]
pub enum NssError {
    #[error("shadow entries travel only over TLS or loopback: connect to the appliance with https")]
    InsecureTransport,
    #[error("user {0:?} has no account on this host")]
    NotOnHost(String),
    #[error("user {0:?} is disabled")]
    Disabled(String),
    #[error("the account is locked after failed attempts; try again later or ask an admin")]
    Locked,
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error(transparent)]
    User(#[from] crate::users::UserError),
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),
    #[error(transparent)]
    Host(#[from] crate::hosts::HostError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(NssError);
