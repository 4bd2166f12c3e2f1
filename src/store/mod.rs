//! The embedded store: one redb file, its schema version, forward migrations, and the
//! async-safe way to run transactions.
//!
//! It knows nothing of the domain: features define their own tables and pass their
//! migrations in. Every transaction runs on the blocking pool through [`crate::blocking`].

mod codec;
mod error;

pub use codec::{Reads, get_json, next_id, next_id_from, put_json};
pub use error::StoreError;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{
    Database, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition, TableHandle, WriteTransaction,
};

/// Store-level bookkeeping: schema version, id sequences, singletons of features.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const SCHEMA_KEY: &str = "schema_version";
const MAGIC_KEY: &str = "steward";
const MAGIC: &[u8] = b"steward-store";

/// One forward step of the schema. Applied in order, each in its own transaction with the
/// version bump, so a crash leaves the file at a whole version.
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub apply: fn(&WriteTransaction) -> Result<(), StoreError>,
}

#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (or creates) the store file and brings its schema up to date.
    /// Blocking: call it before the server starts or from [`crate::blocking::run`].
    pub fn open(path: &Path, cache_bytes: usize, migrations: &[Migration]) -> Result<Self, StoreError> {
        let existed = path.exists() && std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false);
        let mut builder = Database::builder();
        builder.set_cache_size(cache_bytes);
        let db = if existed {
            builder.open(path).map_err(|e| StoreError::open(path, e))?
        } else {
            builder.create(path).map_err(|e| StoreError::open(path, e))?
        };
        restrict_mode(path);
        let store = Self { db: Arc::new(db), path: Some(path.to_path_buf()) };
        store.check_identity(existed)?;
        store.migrate(migrations)?;
        Ok(store)
    }

    /// A store in memory, for tests.
    pub fn in_memory(migrations: &[Migration]) -> Result<Self, StoreError> {
        let db = Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|e| StoreError::open(Path::new(":memory:"), e))?;
        let store = Self { db: Arc::new(db), path: None };
        store.check_identity(false)?;
        store.migrate(migrations)?;
        Ok(store)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Size of the store file in bytes (0 in memory).
    pub fn file_size(&self) -> u64 {
        self.path.as_ref().and_then(|p| std::fs::metadata(p).ok()).map_or(0, |m| m.len())
    }

    /// Runs a read transaction off the executor.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&ReadTransaction) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let store = self.clone();
        crate::blocking::run(move || store.read_sync(f)).await.map_err(|e| E::from(StoreError::Blocking(e)))?
    }

    /// Runs a write transaction off the executor; it commits only if `f` returns `Ok`.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&WriteTransaction) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let store = self.clone();
        crate::blocking::run(move || store.write_sync(f)).await.map_err(|e| E::from(StoreError::Blocking(e)))?
    }

    /// Blocking form of [`Store::read`], for CLI commands and the blocking pool itself.
    pub fn read_sync<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&ReadTransaction) -> Result<T, E>,
        E: From<StoreError>,
    {
        let txn = self.db.begin_read().map_err(StoreError::from)?;
        f(&txn)
    }

    /// Blocking form of [`Store::write`].
    pub fn write_sync<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&WriteTransaction) -> Result<T, E>,
        E: From<StoreError>,
    {
        let txn = self.db.begin_write().map_err(StoreError::from)?;
        let out = f(&txn)?;
        txn.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// A file that holds tables but not our marker was made by something else: refuse it
    /// rather than scribble on it.
    fn check_identity(&self, existed: bool) -> Result<(), StoreError> {
        let txn = self.db.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            let marker = meta.get(MAGIC_KEY)?.map(|v| v.value().to_vec());
            match marker {
                Some(m) if m == MAGIC => {}
                Some(_) => return Err(self.foreign()),
                None if existed && self.has_other_tables(&txn)? => return Err(self.foreign()),
                None => {
                    meta.insert(MAGIC_KEY, MAGIC)?;
                }
            }
        }
        txn.commit()?;
        Ok(())
    }

    fn has_other_tables(&self, txn: &WriteTransaction) -> Result<bool, StoreError> {
        Ok(txn.list_tables()?.any(|t| t.name() != META.name()))
    }

    fn foreign(&self) -> StoreError {
        StoreError::Foreign { path: self.display_path() }
    }

    fn display_path(&self) -> String {
        self.path.as_ref().map_or_else(|| ":memory:".into(), |p| p.display().to_string())
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.read_sync(|txn| {
            let meta = txn.open_table(META)?;
            let v = meta.get(SCHEMA_KEY)?.map(|v| decode_version(v.value())).transpose()?;
            Ok(v.unwrap_or(0))
        })
    }

    fn migrate(&self, migrations: &[Migration]) -> Result<(), StoreError> {
        let current = self.schema_version()?;
        let supported = migrations.iter().map(|m| m.version).max().unwrap_or(0);
        if current > supported {
            return Err(StoreError::TooNew { path: self.display_path(), found: current, supported });
        }
        for m in migrations.iter().filter(|m| m.version > current) {
            tracing::info!(version = m.version, name = m.name, "migrating store");
            self.write_sync(|txn| {
                (m.apply)(txn)?;
                let mut meta = txn.open_table(META)?;
                meta.insert(SCHEMA_KEY, m.version.to_be_bytes().as_slice())?;
                Ok::<_, StoreError>(())
            })?;
        }
        Ok(())
    }
}

fn decode_version(bytes: &[u8]) -> Result<u32, StoreError> {
    let arr: [u8; 4] = bytes.try_into().map_err(|_| StoreError::Corrupt("schema version record".into()))?;
    Ok(u32::from_be_bytes(arr))
}

fn restrict_mode(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(test)]
mod tests;
