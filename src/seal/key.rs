//! The master key: where it lives, how it is made, and proving it is the one that sealed
//! this store.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use redb::WriteTransaction;
use sha2::{Digest, Sha256};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::store::{META, Store, StoreError};

pub(super) const ID_LEN: usize = 8;
const KEY_ID_META: &str = "seal.key_id";

#[derive(Debug, Error)]
pub enum KeyError {
    #[error("master key must be 64 hex digits (256 bits), got {0} characters")]
    BadLength(usize),
    #[error("master key is not hexadecimal")]
    NotHex,
    #[error("reading master key {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("writing master key {path}: {reason}")]
    Write { path: String, reason: String },
    #[error(
        "master key {given} does not match the key that sealed this store ({expected}); give the right key (master_key / STEWARD_MASTER_KEY_FILE) or restore {path}"
    )]
    Mismatch { given: String, expected: String, path: String },
    #[error("no randomness available for a new master key")]
    Random,
    #[error(transparent)]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(KeyError);

pub struct MasterKey {
    bytes: Zeroizing<[u8; 32]>,
    id: [u8; ID_LEN],
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let digest = Sha256::new().chain_update(b"steward-master-key-id\0").chain_update(bytes).finalize();
        let mut id = [0u8; ID_LEN];
        id.copy_from_slice(&digest[..ID_LEN]);
        Self { bytes: Zeroizing::new(bytes), id }
    }

    pub fn generate() -> Result<Self, KeyError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| KeyError::Random)?;
        Ok(Self::from_bytes(bytes))
    }

    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        if text.len() != 64 {
            return Err(KeyError::BadLength(text.len()));
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| KeyError::NotHex)?;
        Ok(Self::from_bytes(bytes))
    }

    fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(*self.bytes))
    }

    pub(super) fn bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    pub(super) fn id_bytes(&self) -> &[u8; ID_LEN] {
        &self.id
    }

    /// A public fingerprint of the key (not the key): safe to log and show.
    pub fn id(&self) -> String {
        hex::encode(self.id)
    }
}

/// Where the key came from, which decides where a rotated key can be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    /// `<data>/master.key`, managed by Steward.
    DataDir(PathBuf),
    /// Given in the configuration (`master_key` or `master_key_file`).
    Configured,
}

pub(super) fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("master.key")
}

pub(super) fn next_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("master.key.next")
}

/// Loads the configured key, or `<data>/master.key`, creating it (0600) on first start.
pub fn load_or_create(configured: &str, data_dir: &Path) -> Result<(MasterKey, KeyOrigin), KeyError> {
    if !configured.is_empty() {
        return Ok((MasterKey::from_hex(configured)?, KeyOrigin::Configured));
    }
    let path = key_path(data_dir);
    let key = match std::fs::read_to_string(&path) {
        Ok(text) => MasterKey::from_hex(&text).map_err(|e| read_err(&path, e))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = MasterKey::generate()?;
            write_key_file(&path, &key)?;
            tracing::info!(path = %path.display(), key_id = %key.id(), "created master key");
            key
        }
        Err(e) => return Err(read_err(&path, e)),
    };
    Ok((key, KeyOrigin::DataDir(path)))
}

fn read_err(path: &Path, e: impl std::fmt::Display) -> KeyError {
    KeyError::Read { path: path.display().to_string(), reason: e.to_string() }
}

/// Writes a key file 0600 and syncs it, refusing to overwrite an existing one.
pub(super) fn write_key_file(path: &Path, key: &MasterKey) -> Result<(), KeyError> {
    let werr = |e: std::io::Error| KeyError::Write { path: path.display().to_string(), reason: e.to_string() };
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(werr)?;
    f.write_all(key.to_hex().as_bytes()).map_err(werr)?;
    f.write_all(b"\n").map_err(werr)?;
    f.sync_all().map_err(werr)
}

/// Checks the key against the id recorded in the store, finishing a rotation that was cut
/// off between its commit and the key file rename.
pub fn reconcile(store: &Store, key: MasterKey, origin: &KeyOrigin, data_dir: &Path) -> Result<MasterKey, KeyError> {
    let recorded = recorded_id(store)?;
    let key = match (recorded, origin) {
        (None, _) => {
            store.write_sync(|txn| record_id(txn, &key))?;
            key
        }
        (Some(id), _) if id == key.id() => {
            let _ = std::fs::remove_file(next_key_path(data_dir));
            key
        }
        (Some(id), KeyOrigin::DataDir(path)) => {
            let next = next_key_path(data_dir);
            match std::fs::read_to_string(&next).ok().and_then(|t| MasterKey::from_hex(&t).ok()) {
                Some(next_key) if next_key.id() == id => {
                    std::fs::rename(&next, path)
                        .map_err(|e| KeyError::Write { path: path.display().to_string(), reason: e.to_string() })?;
                    tracing::warn!(key_id = %id, "finished an interrupted key rotation");
                    next_key
                }
                _ => return Err(mismatch(&key, id, path)),
            }
        }
        (Some(id), KeyOrigin::Configured) => return Err(mismatch(&key, id, &key_path(data_dir))),
    };
    Ok(key)
}

fn mismatch(key: &MasterKey, expected: String, path: &Path) -> KeyError {
    KeyError::Mismatch { given: key.id(), expected, path: path.display().to_string() }
}

fn recorded_id(store: &Store) -> Result<Option<String>, KeyError> {
    store.read_sync(|txn| {
        let meta = txn.open_table(META)?;
        Ok(meta.get(KEY_ID_META)?.map(|v| String::from_utf8_lossy(v.value()).into_owned()))
    })
}

pub(super) fn record_id(txn: &WriteTransaction, key: &MasterKey) -> Result<(), KeyError> {
    txn.open_table(META)?.insert(KEY_ID_META, key.id().as_bytes())?;
    Ok(())
}
