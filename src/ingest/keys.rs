//! Ingest keys: `sti_` + 256 random bits, shown once, stored as a SHA-256. Organization
//! admins create, rename, deactivate and delete them, and choose whether machines enrolled
//! with them are approved at once (`auto_approve`); each remembers the first machine it
//! served and when it was last used.

use redb::{ReadTransaction, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::IngestError;
use crate::audit::{self, Event, Outcome};
use crate::auth::hash_token;
use crate::caller::{OrgId, Role, Scope};
use crate::store::{Reads, Store, StoreError, get_json, next_id, put_json};

const KEYS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("ingest_keys");
const KEYS_BY_HASH: TableDefinition<&[u8], (u64, u64)> = TableDefinition::new("ingest_keys_by_hash");
pub const PREFIX: &str = "sti_";

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(KEYS)?;
    txn.open_table(KEYS_BY_HASH)?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IngestKey {
    pub id: u64,
    #[schema(value_type = u64)]
    pub org: OrgId,
    pub name: String,
    /// The first characters of the key, to recognise it in a list.
    pub prefix: String,
    pub active: bool,
    /// Machines it enrolls start approved rather than pending.
    #[serde(default)]
    pub auto_approve: bool,
    /// The machine (host id) this key first registered.
    pub host: Option<u64>,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<OffsetDateTime>,
}

/// The stored form: the hash its index is keyed by stays in the store.
#[derive(Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    key: IngestKey,
    hash: String,
}

/// A created key: the only time its value is shown, as `key`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedKey {
    #[serde(flatten)]
    pub ingest_key: IngestKey,
    pub key: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyPatch {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub auto_approve: Option<bool>,
}

fn check_name(name: &str) -> Result<String, IngestError> {
    crate::auth::secret_name(name)
        .ok_or_else(|| IngestError::InvalidKeyName(crate::users::sanitize_for_error(name.trim())))
}

fn target(k: &IngestKey) -> String {
    format!("ingest key {} ({})", k.id, k.name)
}

pub async fn create(
    store: &Store,
    scope: &Scope,
    name: &str,
    auto_approve: bool,
    now: OffsetDateTime,
) -> Result<CreatedKey, IngestError> {
    scope.require(Role::Admin)?;
    let name = check_name(name)?;
    let crate::auth::Minted { value, hash, shown: prefix } =
        crate::auth::mint(PREFIX).map_err(|_| IngestError::Random)?;
    let scope = scope.clone();
    store
        .write(move |txn| {
            let key = IngestKey {
                id: next_id(txn, "ingest_keys")?,
                org: scope.org,
                name,
                prefix,
                active: true,
                auto_approve,
                host: None,
                created_by: scope.actor.name.clone(),
                created_at: now,
                last_used_at: None,
            };
            txn.open_table(KEYS_BY_HASH)?.insert(hash.as_slice(), (scope.org.0, key.id))?;
            put_json(
                &mut txn.open_table(KEYS)?,
                (scope.org.0, key.id),
                &Stored { key: key.clone(), hash: hex::encode(hash) },
            )?;
            let event = Event::new(scope.org, scope.actor, "ingest_key.create", target(&key), Outcome::Success)
                .detail(if auto_approve { "auto-approve" } else { "approval required" });
            audit::append(txn, now, event)?;
            Ok(CreatedKey { ingest_key: key, key: value })
        })
        .await
}

pub async fn list(store: &Store, scope: &Scope) -> Result<Vec<IngestKey>, IngestError> {
    scope.require(Role::Admin)?;
    let org = scope.org;
    store
        .read(move |txn| {
            let table = txn.open_table(KEYS)?;
            let mut out = Vec::new();
            for row in table.range((org.0, 0)..=(org.0, u64::MAX))? {
                let (k, _) = row?;
                out.extend(get_json::<(u64, u64), Stored>(&table, k.value())?.map(|s| s.key));
            }
            Ok(out)
        })
        .await
}

pub async fn update(
    store: &Store,
    scope: &Scope,
    id: u64,
    patch: KeyPatch,
    now: OffsetDateTime,
) -> Result<IngestKey, IngestError> {
    scope.require(Role::Admin)?;
    let name = patch.name.as_deref().map(check_name).transpose()?;
    let scope = scope.clone();
    store
        .write(move |txn| {
            let mut table = txn.open_table(KEYS)?;
            let mut stored: Stored = get_json(&table, (scope.org.0, id))?.ok_or(IngestError::KeyNotFound(id))?;
            let mut actions = Vec::new();
            if let Some(name) = name.filter(|n| *n != stored.key.name) {
                stored.key.name = name;
                actions.push("ingest_key.rename");
            }
            if let Some(active) = patch.active.filter(|a| *a != stored.key.active) {
                stored.key.active = active;
                actions.push(if active { "ingest_key.enable" } else { "ingest_key.disable" });
            }
            if let Some(auto) = patch.auto_approve.filter(|a| *a != stored.key.auto_approve) {
                stored.key.auto_approve = auto;
                actions.push(if auto { "ingest_key.auto_approve_on" } else { "ingest_key.auto_approve_off" });
            }
            put_json(&mut table, (scope.org.0, id), &stored)?;
            for action in actions {
                audit::append(
                    txn,
                    now,
                    Event::new(scope.org, scope.actor.clone(), action, target(&stored.key), Outcome::Success),
                )?;
            }
            Ok(stored.key)
        })
        .await
}

pub async fn delete(store: &Store, scope: &Scope, id: u64, now: OffsetDateTime) -> Result<(), IngestError> {
    scope.require(Role::Admin)?;
    let scope = scope.clone();
    store
        .write(move |txn| {
            let stored: Stored =
                get_json(&txn.open_table(KEYS)?, (scope.org.0, id))?.ok_or(IngestError::KeyNotFound(id))?;
            txn.open_table(KEYS)?.remove((scope.org.0, id))?;
            let hash = hex::decode(&stored.hash).map_err(|_| StoreError::Corrupt(format!("ingest key {id} hash")))?;
            txn.open_table(KEYS_BY_HASH)?.remove(hash.as_slice())?;
            audit::append(
                txn,
                now,
                Event::new(scope.org, scope.actor, "ingest_key.delete", target(&stored.key), Outcome::Success),
            )?;
            Ok(())
        })
        .await
}

/// One key by id, active or not: the key a host was enrolled with.
pub fn get(txn: &impl Reads, org: OrgId, id: u64) -> Result<Option<IngestKey>, StoreError> {
    Ok(get_json::<(u64, u64), Stored>(&txn.read_table(KEYS)?, (org.0, id))?.map(|s| s.key))
}

/// The key a presented value names, active or not.
pub fn resolve(txn: &ReadTransaction, value: &str) -> Result<Option<IngestKey>, StoreError> {
    if !value.starts_with(PREFIX) {
        return Ok(None);
    }
    let hash = hash_token(value);
    let Some(at) = txn.open_table(KEYS_BY_HASH)?.get(hash.as_slice())?.map(|v| v.value()) else {
        return Ok(None);
    };
    Ok(get_json::<(u64, u64), Stored>(&txn.open_table(KEYS)?, at)?.map(|s| s.key))
}

/// Records use, and the first machine served. Written at most once a minute per key.
pub fn mark_used(txn: &WriteTransaction, key: &IngestKey, host: u64, now: OffsetDateTime) -> Result<(), StoreError> {
    let mut table = txn.open_table(KEYS)?;
    if let Some(mut stored) = get_json::<(u64, u64), Stored>(&table, (key.org.0, key.id))? {
        stored.key.last_used_at = Some(now);
        stored.key.host.get_or_insert(host);
        put_json(&mut table, (key.org.0, key.id), &stored)?;
    }
    Ok(())
}
