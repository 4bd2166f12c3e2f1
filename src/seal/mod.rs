//! Sealed secrets: every secret the appliance keeps (SSH credentials, agent tokens,
//! notification credentials) lives in one `sealed` table, encrypted with
//! XChaCha20-Poly1305 under the master key.
//!
//! The associated data binds table, record id and field, so a sealed value copied onto
//! another record does not open. Owning all secrets in one table is what makes
//! `keys rotate` a single transaction. This module must never log or print plaintext.

mod key;
mod rotate;

pub use key::{KeyError, KeyOrigin, MasterKey, load_or_create, reconcile};
pub use rotate::{RotateError, rotate};

use std::sync::{Arc, RwLock};

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use redb::{ReadableTable, TableDefinition, WriteTransaction};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::store::StoreError;

pub const SEALED: TableDefinition<&str, &[u8]> = TableDefinition::new("sealed");
const FORMAT: u8 = 1;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = 1 + key::ID_LEN + NONCE_LEN;

#[derive(Debug, Error)]
pub enum SealError {
    #[error("secret {0} does not open: it was altered, moved from another record, or sealed under another key")]
    Tampered(String),
    #[error("secret {0} is sealed under master key {1}, not the current one")]
    WrongKey(String, String),
    #[error("sealing secret {0} failed")]
    Encrypt(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(SealError);

/// Names one secret: the record that owns it and the field it fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef {
    pub table: &'static str,
    pub id: String,
    pub field: &'static str,
}

impl SecretRef {
    pub fn new(table: &'static str, id: impl ToString, field: &'static str) -> Self {
        Self { table, id: id.to_string(), field }
    }

    fn row_key(&self) -> String {
        debug_assert!(!self.table.contains('/') && !self.field.contains('/'));
        format!("{}/{}/{}", self.table, self.id, self.field)
    }
}

/// The current master key, swappable in place when keys rotate under a running appliance.
#[derive(Clone)]
pub struct Sealer(Arc<RwLock<Arc<MasterKey>>>);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sealer(key id {})", self.key().id())
    }
}

impl Sealer {
    pub fn new(key: MasterKey) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(key))))
    }

    pub fn key(&self) -> Arc<MasterKey> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn replace(&self, key: MasterKey) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(key);
    }

    /// Seals `plaintext` into the row named by `at`, replacing any previous value.
    pub fn put(&self, txn: &WriteTransaction, at: &SecretRef, plaintext: &[u8]) -> Result<(), SealError> {
        let sealed = seal_with(&self.key(), at, plaintext)?;
        txn.open_table(SEALED)?.insert(at.row_key().as_str(), sealed.as_slice())?;
        Ok(())
    }

    /// Opens the secret named by `at`, if there is one.
    pub fn get(
        &self,
        table: &impl ReadableTable<&'static str, &'static [u8]>,
        at: &SecretRef,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, SealError> {
        match table.get(at.row_key().as_str())? {
            Some(v) => open_with(&self.key(), at, v.value()).map(Some),
            None => Ok(None),
        }
    }

    pub fn remove(&self, txn: &WriteTransaction, at: &SecretRef) -> Result<(), SealError> {
        remove(txn, at)
    }
}

/// Deletes a secret; needs no key, so records can be deleted without a [`Sealer`] at hand.
pub fn remove(txn: &WriteTransaction, at: &SecretRef) -> Result<(), SealError> {
    txn.open_table(SEALED)?.remove(at.row_key().as_str())?;
    Ok(())
}

/// Tables and fields are identifiers without '/', so the row key names one record's field
/// unambiguously and can stand for it in the associated data.
fn aad_for(row_key: &str) -> Vec<u8> {
    format!("steward-seal-v1\0{row_key}").into_bytes()
}

fn seal_with(key: &MasterKey, at: &SecretRef, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    seal_row(key, &at.row_key(), plaintext)
}

fn open_with(key: &MasterKey, at: &SecretRef, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
    open_row(key, &at.row_key(), sealed)
}

fn seal_row(key: &MasterKey, row_key: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce).map_err(|_| SealError::Encrypt(row_key.into()))?;
    let cipher = XChaCha20Poly1305::new(key.bytes().into());
    let aad = aad_for(row_key);
    let ct = cipher
        .encrypt(&nonce.into(), Payload { msg: plaintext, aad: &aad })
        .map_err(|_| SealError::Encrypt(row_key.into()))?;
    let mut out = Vec::with_capacity(HEADER_LEN + ct.len());
    out.push(FORMAT);
    out.extend_from_slice(key.id_bytes());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

fn open_row(key: &MasterKey, row_key: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
    let tampered = || SealError::Tampered(row_key.into());
    if sealed.len() < HEADER_LEN || sealed[0] != FORMAT {
        return Err(tampered());
    }
    let id = &sealed[1..1 + key::ID_LEN];
    if id != key.id_bytes() {
        return Err(SealError::WrongKey(row_key.into(), hex::encode(id)));
    }
    let nonce: [u8; NONCE_LEN] = sealed[1 + key::ID_LEN..HEADER_LEN].try_into().map_err(|_| tampered())?;
    let cipher = XChaCha20Poly1305::new(key.bytes().into());
    let aad = aad_for(row_key);
    cipher
        .decrypt(&nonce.into(), Payload { msg: &sealed[HEADER_LEN..], aad: &aad })
        .map(Zeroizing::new)
        .map_err(|_| tampered())
}

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(SEALED)?;
    Ok(())
}

#[cfg(test)]
mod tests;
