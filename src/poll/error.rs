//! Why a poll failed, precisely enough for an admin to act: the error classes of a
//! connection test and the status they give a host.

use thiserror::Error;

use super::parse::OutputError;
use crate::hosts::{LastError, PollStatus};

/// One failed poll or connection test. Messages name the host and what was being done.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PollError {
    #[error("resolving {0}: {1}")]
    Dns(String, String),
    #[error("connecting to {0}: connection refused (is sshd listening on that port?)")]
    Refused(String),
    #[error("{0} timed out after {1} s")]
    Timeout(String, u64),
    #[error("connecting to {0}: {1}")]
    Unreachable(String, String),
    /// The connection broke or the server spoke nonsense.
    #[error("{0}")]
    Protocol(String),
    #[error("authentication failed for user {0}: {1}")]
    AuthFailed(String, String),
    #[error(
        "host key changed: expected {expected}, the server presented {presented} ({algorithm}); polling stops until an admin re-pins it"
    )]
    HostKeyChanged { expected: String, presented: String, algorithm: String },
    #[error("{0}")]
    CommandMissing(String),
    #[error("the poll's output exceeded {0} KiB; nothing was stored")]
    OutputTooLarge(u64),
    /// The credentials could not be read (key deleted, secret does not open).
    #[error("{0}")]
    Credentials(String),
}

impl PollError {
    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            PollError::Dns(..) => "ssh.dns",
            PollError::Refused(_) => "ssh.refused",
            PollError::Timeout(..) => "ssh.timeout",
            PollError::Unreachable(..) => "ssh.unreachable",
            PollError::Protocol(_) => "ssh.protocol",
            PollError::AuthFailed(..) => "ssh.auth_failed",
            PollError::HostKeyChanged { .. } => "ssh.host_key_mismatch",
            PollError::CommandMissing(_) => "ssh.command_missing",
            PollError::OutputTooLarge(_) => "ssh.output_too_large",
            PollError::Credentials(_) => "ssh.credentials",
        }
    }

    /// What the failure makes of the host's status.
    pub fn status(&self) -> PollStatus {
        match self {
            PollError::AuthFailed(..) | PollError::Credentials(_) => PollStatus::AuthFailed,
            PollError::HostKeyChanged { .. } => PollStatus::HostKeyChanged,
            PollError::CommandMissing(_) | PollError::OutputTooLarge(_) => PollStatus::Error,
            PollError::Dns(..)
            | PollError::Refused(_)
            | PollError::Timeout(..)
            | PollError::Unreachable(..)
            | PollError::Protocol(_) => PollStatus::Unreachable,
        }
    }

    /// The error as the host's last one, at `at_ms`.
    pub fn last_error(&self, at_ms: i64) -> LastError {
        LastError { code: self.code(), message: self.to_string(), at_ms }
    }

    /// Whether the session is still good after this error (only output problems keep it).
    pub fn keeps_session(&self) -> bool {
        matches!(self, PollError::CommandMissing(_) | PollError::OutputTooLarge(_))
    }

    /// Classifies an ssh2 error raised while `doing` something.
    pub fn from_ssh(doing: &str, e: &ssh2::Error, timeout_s: u64) -> Self {
        use libssh2_sys as raw;
        match e.code() {
            ssh2::ErrorCode::Session(raw::LIBSSH2_ERROR_TIMEOUT) => PollError::Timeout(doing.to_string(), timeout_s),
            ssh2::ErrorCode::Session(
                raw::LIBSSH2_ERROR_SOCKET_DISCONNECT
                | raw::LIBSSH2_ERROR_SOCKET_RECV
                | raw::LIBSSH2_ERROR_SOCKET_SEND
                | raw::LIBSSH2_ERROR_BANNER_RECV,
            ) => PollError::Protocol(format!("{doing}: the connection was lost ({})", e.message())),
            _ => PollError::Protocol(format!("{doing}: {}", e.message())),
        }
    }
}

impl From<OutputError> for PollError {
    fn from(e: OutputError) -> Self {
        match e {
            // Cut short in transit: the connection, not the host's commands.
            OutputError::Truncated(_) => PollError::Protocol(e.to_string()),
            OutputError::NoSections(_) | OutputError::CommandMissing(_) => PollError::CommandMissing(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_code_a_status_and_a_lowercase_message() {
        let all = [
            PollError::Dns("nowhere.invalid".into(), "no such host".into()),
            PollError::Refused("127.0.0.1:1".into()),
            PollError::Timeout("connecting to 10.0.0.1:22".into(), 5),
            PollError::Unreachable("10.0.0.1:22".into(), "network unreachable".into()),
            PollError::Protocol("ssh handshake: the connection was lost".into()),
            PollError::AuthFailed("root".into(), "password refused".into()),
            PollError::HostKeyChanged {
                expected: "SHA256:a".into(),
                presented: "SHA256:b".into(),
                algorithm: "ssh-ed25519".into(),
            },
            PollError::CommandMissing("command missing on the host: sh".into()),
            PollError::OutputTooLarge(1024),
            PollError::Credentials("key 3 was deleted".into()),
        ];
        for e in &all {
            assert!(e.code().starts_with("ssh."), "{e:?}");
            let m = e.to_string();
            assert!(m.chars().next().is_some_and(|c| !c.is_uppercase()), "{m}");
        }
        assert_eq!(all[5].status(), PollStatus::AuthFailed);
        assert_eq!(all[6].status(), PollStatus::HostKeyChanged);
        assert_eq!(all[2].status(), PollStatus::Unreachable);
        assert!(all[7].keeps_session() && !all[4].keeps_session());
    }
}
