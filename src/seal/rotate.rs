//! `keys rotate`: a new master key, every secret re-sealed under it in one transaction.
//!
//! Crash safety: the new key is written to `master.key.next` before the transaction and
//! renamed over `master.key` after it; [`super::reconcile`] finishes the job at the next
//! start if the rename never happened.

use std::path::Path;

use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};
use thiserror::Error;

use super::key::{self, KeyError, KeyOrigin, MasterKey};
use super::{SEALED, SealError, Sealer, open_row, seal_row};
use crate::store::{Store, StoreError};

#[derive(Debug, Error)]
pub enum RotateError {
    #[error(
        "the master key comes from the configuration, so Steward cannot replace it: pass --new-key-file PATH, then point master_key_file at that file"
    )]
    NeedOutput,
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(RotateError);

/// Re-seals every secret under a fresh key. `progress(done, total)` is called as it goes;
/// `also` runs inside the same transaction (the audit entry). Returns the count re-sealed.
pub fn rotate(
    store: &Store,
    sealer: &Sealer,
    origin: &KeyOrigin,
    data_dir: &Path,
    new_key_file: Option<&Path>,
    progress: &(dyn Fn(u64, u64) + Sync),
    also: impl FnOnce(&WriteTransaction, &MasterKey, &MasterKey) -> Result<(), StoreError>,
) -> Result<u64, RotateError> {
    let new_key = MasterKey::generate()?;
    let staged = match (origin, new_key_file) {
        (_, Some(path)) => path.to_path_buf(),
        (KeyOrigin::DataDir(_), None) => key::next_key_path(data_dir),
        (KeyOrigin::Configured, None) => return Err(RotateError::NeedOutput),
    };
    if new_key_file.is_none() {
        let _ = std::fs::remove_file(&staged);
    }
    key::write_key_file(&staged, &new_key)?;
    let old = sealer.key();
    let count = store.write_sync(|txn| {
        let n = reseal_all(txn, &old, &new_key, progress)?;
        key::record_id(txn, &new_key)?;
        also(txn, &old, &new_key)?;
        Ok::<_, RotateError>(n)
    });
    let count = match count {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };
    if let (KeyOrigin::DataDir(path), None) = (origin, new_key_file) {
        std::fs::rename(&staged, path)
            .map_err(|e| KeyError::Write { path: path.display().to_string(), reason: e.to_string() })?;
        if let Some(dir) = path.parent() {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
    }
    sealer.replace(new_key);
    Ok(count)
}

fn reseal_all(
    txn: &WriteTransaction,
    old: &MasterKey,
    new: &MasterKey,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<u64, RotateError> {
    let mut table = txn.open_table(SEALED)?;
    let total = table.len()?;
    let mut rows = Vec::with_capacity(total as usize);
    for row in table.iter()? {
        let (k, v) = row?;
        rows.push((k.value().to_string(), v.value().to_vec()));
    }
    for (i, (row_key, sealed)) in rows.iter().enumerate() {
        let plain = open_row(old, row_key, sealed)?;
        let resealed = seal_row(new, row_key, &plain)?;
        table.insert(row_key.as_str(), resealed.as_slice())?;
        progress(i as u64 + 1, total);
    }
    Ok(total)
}
