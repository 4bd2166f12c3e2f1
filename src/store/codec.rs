//! Records are JSON bytes: self-describing, so a later version can add fields with
//! `#[serde(default)]` without a migration.

use redb::{ReadableTable, Table, WriteTransaction};
use serde::{Serialize, de::DeserializeOwned};

use super::{META, StoreError};

pub fn get_json<'k, K, T>(
    table: &impl ReadableTable<K, &'static [u8]>,
    key: impl std::borrow::Borrow<K::SelfType<'k>>,
) -> Result<Option<T>, StoreError>
where
    K: redb::Key + 'static,
    T: DeserializeOwned,
{
    match table.get(key)? {
        Some(v) => serde_json::from_slice(v.value())
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("decoding a record of {}: {e}", std::any::type_name::<T>()))),
        None => Ok(None),
    }
}

pub fn put_json<'k, K, T>(
    table: &mut Table<K, &'static [u8]>,
    key: impl std::borrow::Borrow<K::SelfType<'k>>,
    value: &T,
) -> Result<(), StoreError>
where
    K: redb::Key + 'static,
    T: Serialize,
{
    let bytes = serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(format!("encoding a record: {e}")))?;
    table.insert(key, bytes.as_slice())?;
    Ok(())
}

/// Allocates the next id of a named sequence (ids start at 1 and are never reused).
pub fn next_id(txn: &WriteTransaction, sequence: &str) -> Result<u64, StoreError> {
    next_id_from(txn, sequence, 1)
}

/// Allocates the next id of a named sequence, at least `floor` (a sequence whose range
/// starts later, or moved up); ids are never reused.
pub fn next_id_from(txn: &WriteTransaction, sequence: &str, floor: u64) -> Result<u64, StoreError> {
    let key = format!("seq:{sequence}");
    let mut meta = txn.open_table(META)?;
    let current = match meta.get(key.as_str())? {
        Some(v) => {
            u64::from_be_bytes(v.value().try_into().map_err(|_| StoreError::Corrupt(format!("sequence {sequence}")))?)
        }
        None => 0,
    };
    let next = (current + 1).max(floor);
    meta.insert(key.as_str(), next.to_be_bytes().as_slice())?;
    Ok(next)
}

/// Reading tables in either kind of transaction, so a lookup is written once and used both
/// to decide on a read and to decide again inside the write that acts on it.
pub trait Reads {
    fn read_table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &self,
        def: redb::TableDefinition<K, V>,
    ) -> Result<impl ReadableTable<K, V> + '_, redb::TableError>;
}

impl Reads for redb::ReadTransaction {
    fn read_table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &self,
        def: redb::TableDefinition<K, V>,
    ) -> Result<impl ReadableTable<K, V> + '_, redb::TableError> {
        self.open_table(def)
    }
}

impl Reads for redb::WriteTransaction {
    fn read_table<K: redb::Key + 'static, V: redb::Value + 'static>(
        &self,
        def: redb::TableDefinition<K, V>,
    ) -> Result<impl ReadableTable<K, V> + '_, redb::TableError> {
        self.open_table(def)
    }
}
