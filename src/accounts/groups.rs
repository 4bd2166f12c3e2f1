//! Organization Unix groups (e.g. `developers`): a name, a gid from the same range as
//! uids, and member users. A host receives a group with those of its members allowed
//! there. Group names share one namespace with usernames, since every user also has a
//! group of their own name.

use redb::{ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{AccountError, SUDO_GROUP};
use crate::caller::{OrgId, UserId};
use crate::config::AccountsConfig;
use crate::store::{Reads, StoreError, get_json, put_json};

/// (org, gid) -> JSON of [`UnixGroup`].
const GROUPS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("unix_groups");
/// name -> (org, gid), across organizations: names are global like usernames.
const BY_NAME: TableDefinition<&str, (u64, u64)> = TableDefinition::new("unix_groups_by_name");

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(GROUPS)?;
    txn.open_table(BY_NAME)?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnixGroup {
    pub gid: u32,
    pub name: String,
    pub members: Vec<UserId>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// A Unix group name: 1-32 lowercase letters, digits, '_' or '-'.
    pub name: String,
    #[serde(default)]
    pub members: Vec<UserId>,
}

/// Whether a group anywhere already has this name (users must not take it).
pub fn name_taken(txn: &impl Reads, name: &str) -> Result<bool, StoreError> {
    Ok(txn.read_table(BY_NAME)?.get(name)?.is_some() || name == SUDO_GROUP)
}

pub fn list(txn: &impl Reads, org: OrgId) -> Result<Vec<UnixGroup>, StoreError> {
    let table = txn.read_table(GROUPS)?;
    let mut out = Vec::new();
    for row in table.range((org.0, 0)..=(org.0, u64::MAX))? {
        out.extend(get_json::<(u64, u64), UnixGroup>(&table, row?.0.value())?);
    }
    Ok(out)
}

pub fn get(txn: &impl Reads, org: OrgId, gid: u32) -> Result<UnixGroup, AccountError> {
    get_json(&txn.read_table(GROUPS)?, (org.0, u64::from(gid)))?.ok_or(AccountError::GroupNotFound(gid.to_string()))
}

pub fn create(
    txn: &WriteTransaction,
    org: OrgId,
    new: NewGroup,
    config: &AccountsConfig,
    now: OffsetDateTime,
) -> Result<UnixGroup, AccountError> {
    super::check_name(&new.name)?;
    if name_taken(txn, &new.name)? || crate::users::name_taken(txn, &new.name)? {
        return Err(AccountError::NameTaken(new.name));
    }
    let gid = super::unix::allocate(txn, config)?;
    let group = UnixGroup { gid, name: new.name, members: Vec::new(), created_at: now };
    txn.open_table(BY_NAME)?.insert(group.name.as_str(), (org.0, u64::from(gid)))?;
    set_members(txn, org, group, new.members, config)
}

/// Replaces a group's members; each must be a user of the organization (who gets a Unix
/// record if they had none).
pub fn set_members(
    txn: &WriteTransaction,
    org: OrgId,
    mut group: UnixGroup,
    mut members: Vec<UserId>,
    config: &AccountsConfig,
) -> Result<UnixGroup, AccountError> {
    members.sort();
    members.dedup();
    for id in &members {
        if crate::users::load_for_update(txn, org, *id)?.is_none() {
            return Err(AccountError::UserNotFound(id.to_string()));
        }
        super::unix::ensure(txn, org, *id, config)?;
    }
    group.members = members;
    put_json(&mut txn.open_table(GROUPS)?, (org.0, u64::from(group.gid)), &group)?;
    Ok(group)
}

pub fn delete(txn: &WriteTransaction, org: OrgId, gid: u32) -> Result<UnixGroup, AccountError> {
    let group = get(txn, org, gid)?;
    txn.open_table(GROUPS)?.remove((org.0, u64::from(gid)))?;
    txn.open_table(BY_NAME)?.remove(group.name.as_str())?;
    Ok(group)
}

/// Takes a deleted user out of every group.
pub fn forget_user(txn: &WriteTransaction, org: OrgId, user: UserId) -> Result<(), StoreError> {
    for mut group in list(txn, org)?.into_iter().filter(|g| g.members.contains(&user)) {
        group.members.retain(|m| *m != user);
        put_json(&mut txn.open_table(GROUPS)?, (org.0, u64::from(group.gid)), &group)?;
    }
    Ok(())
}
