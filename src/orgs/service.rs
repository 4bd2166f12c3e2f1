use redb::{ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{self, Event, Outcome};
use crate::caller::{OrgId, Role, Scope};
use crate::store::{Store, StoreError, get_json, next_id, put_json};

const ORGS: TableDefinition<u64, &[u8]> = TableDefinition::new("orgs");
const ORGS_BY_NAME: TableDefinition<&str, u64> = TableDefinition::new("orgs_by_name");
pub const DEFAULT_ORG: &str = "default";

#[derive(Debug, Error)]
pub enum OrgError {
    #[error("organization name {0:?} is invalid: use 1-63 lowercase letters, digits and '-', starting with a letter")]
    InvalidName(String),
    #[error("organization {0:?} already exists")]
    Exists(String),
    #[error("organization {0} not found")]
    NotFound(String),
    #[error(transparent)]
    Forbidden(#[from] crate::caller::Forbidden),
    #[error(transparent)]
    Store(#[from] StoreError),
}
crate::impl_from_redb!(OrgError);

/// A validated organization name (a DNS-label-like slug).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
pub struct OrgName(String);

impl TryFrom<String> for OrgName {
    type Error = OrgError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let ok = (1..=63).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.ends_with('-');
        if ok { Ok(Self(s)) } else { Err(OrgError::InvalidName(s)) }
    }
}

impl From<OrgName> for String {
    fn from(n: OrgName) -> String {
        n.0
    }
}

impl OrgName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Org {
    pub id: OrgId,
    pub name: OrgName,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(ORGS)?;
    txn.open_table(ORGS_BY_NAME)?;
    Ok(())
}

fn insert(txn: &WriteTransaction, name: OrgName, now: OffsetDateTime) -> Result<Org, OrgError> {
    let mut by_name = txn.open_table(ORGS_BY_NAME)?;
    if by_name.get(name.as_str())?.is_some() {
        return Err(OrgError::Exists(name.0));
    }
    let org = Org { id: OrgId(next_id(txn, "orgs")?), name, created_at: now };
    by_name.insert(org.name.as_str(), org.id.0)?;
    put_json(&mut txn.open_table(ORGS)?, org.id.0, &org)?;
    Ok(org)
}

/// The `default` organization, created on first start.
pub fn ensure_default(txn: &WriteTransaction, now: OffsetDateTime) -> Result<OrgId, OrgError> {
    if let Some(id) = txn.open_table(ORGS_BY_NAME)?.get(DEFAULT_ORG)? {
        return Ok(OrgId(id.value()));
    }
    let org = insert(txn, OrgName(DEFAULT_ORG.into()), now)?;
    Ok(org.id)
}

/// Creates an organization; superadmins only.
pub async fn create(store: &Store, scope: &Scope, name: OrgName, now: OffsetDateTime) -> Result<Org, OrgError> {
    scope.require(Role::Superadmin)?;
    let actor = scope.actor.clone();
    store
        .write(move |txn| {
            let org = insert(txn, name, now)?;
            audit::append(txn, now, Event::new(org.id, actor, "org.create", org.name.as_str(), Outcome::Success))?;
            Ok(org)
        })
        .await
}

/// Organizations the scope can see: all for a superadmin, else its own.
pub async fn list(store: &Store, scope: &Scope) -> Result<Vec<Org>, OrgError> {
    let (all, own) = (scope.is_superadmin(), scope.org);
    store
        .read(move |txn| {
            let table = txn.open_table(ORGS)?;
            let mut out = Vec::new();
            for row in table.iter()? {
                let (k, _) = row?;
                if all || k.value() == own.0 {
                    out.extend(get_json::<u64, Org>(&table, k.value())?);
                }
            }
            Ok(out)
        })
        .await
}

pub async fn get(store: &Store, scope: &Scope, id: OrgId) -> Result<Org, OrgError> {
    let Some(scope) = scope.within(id) else {
        return Err(OrgError::NotFound(id.to_string()));
    };
    store
        .read(move |txn| {
            get_json::<u64, Org>(&txn.open_table(ORGS)?, scope.org.0)?.ok_or(OrgError::NotFound(id.to_string()))
        })
        .await
}

/// Looks an organization up by name (CLI and login helpers; no scope: names are not secret
/// to the appliance itself, and callers check rights on what they do next).
pub fn by_name(txn: &redb::ReadTransaction, name: &str) -> Result<Option<Org>, OrgError> {
    let Some(id) = txn.open_table(ORGS_BY_NAME)?.get(name)?.map(|v| v.value()) else {
        return Ok(None);
    };
    Ok(get_json::<u64, Org>(&txn.open_table(ORGS)?, id)?)
}
