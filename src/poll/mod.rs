//! Agentless SSH monitoring: hosts of kind `ssh`, polled over SSH (ssh2) into the same
//! series as the local collector and the agent.
//!
//! Owns the management of SSH hosts (create, change, re-pin, their sealed passwords), the
//! poll script and its pure parsers, the rates derived between polls, the connection and
//! its error classes, the poller (a dedicated bounded thread pool, never the async
//! executor), its counters ([`Stats`]) and the `test-ssh` routes, which it mounts on the
//! hosts' paths ([`routes::on_hosts`]). The settings themselves are plain data in the host
//! record ([`crate::hosts::SshSettings`]), and the poller reports each host's state into
//! [`crate::hosts::Polls`]; keys come from [`crate::sshkeys`]; samples go to
//! [`crate::tsdb`]. It must not read other features' tables itself.

mod api_error;
mod conn;
mod error;
pub mod fields;
pub mod parse;
mod poller;
mod pool;
pub mod rates;
pub mod routes;
pub mod script;
mod stats;
mod targets;

pub use error::PollError;
pub use poller::start;
pub use stats::{Stats, StatsSnapshot};
pub use targets::{NewSshHost, SshHostPatch, create, repin, update};

use thiserror::Error;

use crate::store::StoreError;

/// What went wrong managing SSH hosts (not polling them: that is a [`PollError`]).
#[derive(Debug, Error)]
pub enum SshError {
    #[error(transparent)]
    Invalid(#[from] fields::BadField),
    #[error("host {0} is not an SSH host; only SSH hosts have SSH settings")]
    NotSsh(u64),
    #[error("ssh key {0} not found in this organization")]
    KeyNotFound(u64),
    #[error("host {0} has no stored password")]
    NoPassword(u64),
    #[error(transparent)]
    Host(#[from] crate::hosts::HostError),
    #[error(transparent)]
    Key(#[from] crate::sshkeys::SshKeyError),
    #[error(transparent)]
    Seal(#[from] crate::seal::SealError),
    #[error(transparent)]
    Forbidden(#[from] crate::caller::Forbidden),
    #[error("reading or writing SSH hosts: {0}")]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(SshError);

impl SshError {
    pub(crate) fn invalid(field: &'static str, reason: &str) -> Self {
        SshError::Invalid(fields::BadField { field, reason: reason.to_string() })
    }
}
