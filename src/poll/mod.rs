//! Agentless SSH monitoring: hosts of kind `ssh`, polled over SSH (ssh2) into the same
//! series as the local collector and the agent.
//!
//! Owns the SSH settings of a host ([`SshSettings`]: address, user, how it authenticates,
//! the pinned host key), their sealed passwords, the poll script and its pure parsers, the
//! rates derived between polls, the connection and its error classes, the poller (a
//! dedicated bounded thread pool, never the async executor) and the `test-ssh` route.
//! Host records live in [`crate::hosts`] and keys in [`crate::sshkeys`], reached through
//! their public functions; samples go to [`crate::tsdb`]. It must not read other features'
//! tables itself.

pub mod parse;
pub mod rates;
pub mod script;
mod settings;

pub use settings::{PinSource, PinnedKey, SshAuth, SshSettings};
