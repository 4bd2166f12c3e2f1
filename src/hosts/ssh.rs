//! What the appliance stores about an SSH host in its host record: where it is, who to log
//! in as and how, and the host key it pinned. Plain data, owned here so the record needs
//! nothing from the poller. Never a secret: the password is sealed apart ([`crate::seal`],
//! under [`password_ref`]) and a key is a reference into the SSH key store.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::caller::OrgId;
use crate::seal::SecretRef;

/// Where an SSH host's login password is sealed.
pub fn password_ref(org: OrgId, id: u64) -> SecretRef {
    SecretRef::new("hosts", format!("{}.{id}", org.0), "ssh_password")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SshSettings {
    /// DNS name or IP address.
    pub address: String,
    pub port: u16,
    pub username: String,
    pub auth: SshAuth,
    /// Disabled hosts keep their history and settings but are not polled.
    pub enabled: bool,
    /// The host key the appliance trusts; `null` until the first successful connection
    /// pins it (trust on first use) unless an admin gave its fingerprint up front.
    pub host_key: Option<PinnedKey>,
}

/// How the appliance logs in. The password itself is sealed and never returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum SshAuth {
    Password,
    /// A key of the organization's key store.
    Key {
        key_id: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PinnedKey {
    /// `SHA256:` and the unpadded base64 of the SHA-256 of the key blob, as `ssh-keygen -l`
    /// prints it.
    pub fingerprint: String,
    /// e.g. `ssh-ed25519`; `null` when an admin gave only the fingerprint.
    pub algorithm: Option<String>,
    pub source: PinSource,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub pinned_at: OffsetDateTime,
}

impl PinnedKey {
    /// The fingerprint an admin expects; its algorithm is learnt at the next login.
    pub fn admin(fingerprint: impl Into<String>, now: OffsetDateTime) -> Self {
        Self { fingerprint: fingerprint.into(), algorithm: None, source: PinSource::Admin, pinned_at: now }
    }

    /// The key a first successful login saw (trust on first use).
    pub fn first_use(seen: &super::SeenKey, now: OffsetDateTime) -> Self {
        Self {
            fingerprint: seen.fingerprint.clone(),
            algorithm: Some(seen.algorithm.clone()),
            source: PinSource::FirstUse,
            pinned_at: now,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PinSource {
    /// Recorded at the first successful connection.
    FirstUse,
    /// Given by an admin.
    Admin,
}
