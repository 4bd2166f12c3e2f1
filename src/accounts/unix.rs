//! A user's Unix record: uid (also the gid of their own group), shell and SSH keys. Made
//! the first time something needs it (an access rule, a key, a shell, a group), so users
//! who never log in to a host spend no ids.

use redb::{ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AccountError, UserKey};
use crate::caller::{OrgId, UserId};
use crate::config::AccountsConfig;
use crate::store::{Reads, StoreError, get_json, next_id_from, put_json};

/// (org, user id) -> JSON of [`UnixAccount`].
const UNIX: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("unix_accounts");
/// The group whose members may use sudo on a host (see `etc/sudoers.d/steward`).
pub const SUDO_GROUP: &str = "steward-sudo";
/// The sequence of uids and gids: users and groups share it, so no id means two things.
const ID_SEQUENCE: &str = "unix_id";
const SUDO_GID_SEQUENCE: &str = "unix_sudo_gid";

pub fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(UNIX)?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnixAccount {
    pub uid: u32,
    pub shell: String,
    #[serde(default)]
    pub keys: Vec<UserKey>,
}

/// What a user is on a host, as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnixView {
    pub username: String,
    /// `None` until the user is first given access, a key, a shell or a group.
    pub uid: Option<u32>,
    /// The user's own group has gid = uid.
    pub gid: Option<u32>,
    pub gecos: String,
    pub home: String,
    pub shell: String,
    pub keys: Vec<UserKey>,
    /// The organization groups the user belongs to.
    pub groups: Vec<String>,
    /// Shells an admin may choose from.
    pub shells: Vec<String>,
}

/// Allocates one id from the configured range.
pub fn allocate(txn: &WriteTransaction, config: &AccountsConfig) -> Result<u32, AccountError> {
    let id = next_id_from(txn, ID_SEQUENCE, u64::from(config.uid_min))?;
    u32::try_from(id)
        .ok()
        .filter(|id| *id <= config.uid_max)
        .ok_or(AccountError::IdsExhausted { min: config.uid_min, max: config.uid_max })
}

pub fn get(txn: &impl Reads, org: OrgId, user: UserId) -> Result<Option<UnixAccount>, StoreError> {
    get_json(&txn.read_table(UNIX)?, (org.0, user.0))
}

/// The user's record, made (with a new uid and the default shell) when missing.
pub fn ensure(
    txn: &WriteTransaction,
    org: OrgId,
    user: UserId,
    config: &AccountsConfig,
) -> Result<UnixAccount, AccountError> {
    if let Some(found) = get(txn, org, user)? {
        return Ok(found);
    }
    let account = UnixAccount { uid: allocate(txn, config)?, shell: config.default_shell().to_string(), keys: vec![] };
    save(txn, org, user, &account)?;
    Ok(account)
}

pub fn save(txn: &WriteTransaction, org: OrgId, user: UserId, account: &UnixAccount) -> Result<(), StoreError> {
    put_json(&mut txn.open_table(UNIX)?, (org.0, user.0), account)
}

/// Every Unix record of an organization, by user id.
pub fn all_in(txn: &impl Reads, org: OrgId) -> Result<Vec<(UserId, UnixAccount)>, StoreError> {
    let table = txn.read_table(UNIX)?;
    let mut out = Vec::new();
    for row in table.range((org.0, 0)..=(org.0, u64::MAX))? {
        let (k, v) = row?;
        let account: UnixAccount = serde_json::from_slice(v.value())
            .map_err(|e| StoreError::Corrupt(format!("Unix account {:?}: {e}", k.value())))?;
        out.push((UserId(k.value().1), account));
    }
    Ok(out)
}

/// Forgets a deleted user's record; the uid is not given out again.
pub fn forget(txn: &WriteTransaction, org: OrgId, user: UserId) -> Result<(), StoreError> {
    txn.open_table(UNIX)?.remove((org.0, user.0))?;
    Ok(())
}

/// The sudo group's gid, allocated once, the first time a rule grants sudo.
pub fn ensure_sudo_gid(txn: &WriteTransaction, config: &AccountsConfig) -> Result<u32, AccountError> {
    if let Some(gid) = sudo_gid(txn)? {
        return Ok(gid);
    }
    let gid = allocate(txn, config)?;
    next_id_from(txn, SUDO_GID_SEQUENCE, u64::from(gid))?;
    Ok(gid)
}

/// The sudo group's gid, when some rule ever granted sudo.
pub fn sudo_gid(txn: &impl Reads) -> Result<Option<u32>, StoreError> {
    let meta = txn.read_table(crate::store::META)?;
    let Some(v) = meta.get(format!("seq:{SUDO_GID_SEQUENCE}").as_str())? else { return Ok(None) };
    let bytes: [u8; 8] = v.value().try_into().map_err(|_| StoreError::Corrupt("sudo group id".into()))?;
    Ok(u32::try_from(u64::from_be_bytes(bytes)).ok())
}

/// Sets a user's shell, which must be one of the configured ones.
pub fn set_shell(
    txn: &WriteTransaction,
    org: OrgId,
    user: UserId,
    shell: &str,
    config: &AccountsConfig,
) -> Result<UnixAccount, AccountError> {
    if !config.shells.iter().any(|s| s == shell) {
        let shown = crate::users::sanitize_for_error(shell);
        return Err(AccountError::ShellNotAllowed(shown, config.shells.join(", ")));
    }
    let mut account = ensure(txn, org, user, config)?;
    account.shell = shell.to_string();
    save(txn, org, user, &account)?;
    Ok(account)
}
