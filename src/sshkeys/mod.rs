//! The SSH key store: key pairs an organization's hosts log in with, generated here
//! (ed25519, or RSA-4096 for old servers) or imported from a private key an admin pastes.
//!
//! Owns the `ssh_keys` table (the public half and what to show about a key) and the
//! private halves, sealed through [`crate::seal`] as unencrypted OpenSSH PEM, the form
//! libssh2 reads from memory. The poller reads a private key through [`private_pem`]; host
//! records reach keys only by id ([`exists`]). A private key must never be returned by a
//! route, logged, or written anywhere but the sealed table, and key generation and parsing
//! (RSA primes, bcrypt-pbkdf) must never run on the async executor. Which hosts use a key
//! is [`crate::hosts`]' to say ([`crate::hosts::using_ssh_key`]).

mod api_error;
mod material;
pub mod routes;
mod service;

pub use routes::configure;
pub use service::{delete, exists, find, generate, get, hosts_using, import, list, private_pem, public_line};

use redb::{TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::store::StoreError;

/// (org, key id) -> JSON of [`SshKey`]. The private half is in the sealed table.
const SSH_KEYS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("ssh_keys");

/// Pasted private keys larger than this are refused unread: an RSA-16384 key in PEM is
/// about 12 KiB.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024;

/// The `ssh_keys` table (schema version 4).
pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(SSH_KEYS)?;
    Ok(())
}

#[derive(Debug, Error)]
pub enum SshKeyError {
    #[error("ssh key {0} not found")]
    NotFound(u64),
    #[error("key {id} is used by hosts {}; change their authentication first", list_hosts(hosts))]
    InUse { id: u64, hosts: Vec<(u64, String)> },
    #[error("ssh key name {0:?} is invalid: 1-64 characters without control characters")]
    InvalidName(String),
    #[error("ssh key comment {0:?} is invalid: at most 255 characters without control characters")]
    InvalidComment(String),
    #[error("the private key is {bytes} bytes, more than the limit of {MAX_IMPORT_BYTES}; is it really one key?")]
    TooLarge { bytes: usize },
    #[error("{0}")]
    Invalid(String),
    #[error("ssh key algorithm {0} is not supported: use an ssh-ed25519 or ssh-rsa key")]
    UnsupportedAlgorithm(String),
    #[error("an rsa key of {bits} bits is too weak: use at least 2048 bits")]
    TooWeak { bits: usize },
    #[error("{0}; run `ssh-keygen -p -f FILE` to convert it to the OpenSSH format, then import that")]
    ConvertFirst(String),
    #[error("the private key is encrypted: send its passphrase")]
    PassphraseRequired,
    #[error("the passphrase does not decrypt the private key")]
    BadPassphrase,
    #[error("generating the key pair failed: {0}")]
    Generate(String),
    #[error(transparent)]
    Forbidden(#[from] crate::caller::Forbidden),
    #[error("reading the hosts that use an ssh key: {0}")]
    Hosts(#[from] crate::hosts::HostError),
    #[error("sealing or opening a private key: {0}")]
    Seal(#[from] crate::seal::SealError),
    #[error(transparent)]
    Blocking(#[from] crate::blocking::BlockingError),
    #[error("reading or writing ssh keys: {0}")]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(SshKeyError);

/// `7 (web-1), 9 (db-2)`.
fn list_hosts(hosts: &[(u64, String)]) -> String {
    hosts.iter().map(|(id, name)| format!("{id} ({name})")).collect::<Vec<_>>().join(", ")
}

/// What a key is called in the organization: 1-64 characters without control characters,
/// trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyName(String);

impl KeyName {
    pub fn new(name: &str) -> Result<Self, SshKeyError> {
        crate::auth::secret_name(name)
            .map(Self)
            .ok_or_else(|| SshKeyError::InvalidName(crate::users::sanitize_for_error(name.trim())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The comment at the end of the `authorized_keys` line: at most 255 characters without
/// control characters (a newline would start another line of the file).
fn check_comment(comment: &str) -> Result<String, SshKeyError> {
    let comment = comment.trim();
    if comment.chars().count() > 255 || comment.chars().any(char::is_control) {
        return Err(SshKeyError::InvalidComment(crate::users::sanitize_for_error(comment)));
    }
    Ok(comment.to_string())
}

/// What to generate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum KeyAlgorithm {
    /// ssh-ed25519: small, fast, accepted by OpenSSH 6.5 (2014) and later.
    #[default]
    #[serde(rename = "ed25519")]
    Ed25519,
    /// ssh-rsa with a 4096-bit modulus, for servers too old for ed25519. Takes seconds.
    #[serde(rename = "rsa")]
    Rsa4096,
}

/// The key type, as the `authorized_keys` line starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum KeyType {
    #[serde(rename = "ssh-ed25519")]
    Ed25519,
    #[serde(rename = "ssh-rsa")]
    Rsa,
}

impl KeyType {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "ssh-ed25519",
            KeyType::Rsa => "ssh-rsa",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeySource {
    /// Made by the appliance: its private half has never been anywhere else.
    Generated,
    /// Pasted by an admin.
    Imported,
}

/// One key as the store keeps and the API shows it: never its private half.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SshKey {
    pub id: u64,
    #[schema(value_type = String)]
    pub name: KeyName,
    pub algorithm: KeyType,
    /// The modulus size of RSA keys; `null` for ed25519.
    pub bits: Option<u32>,
    /// `SHA256:` and the unpadded base64 of the SHA-256 of the public key blob, as
    /// `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// The line to add to `~/.ssh/authorized_keys` on a host.
    pub public_key: String,
    pub comment: String,
    pub source: KeySource,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    pub created_by: String,
}

#[cfg(test)]
mod tests;
