//! What other features do when an account changes, run inside the same write transaction
//! as the change: a disabled user's sessions end, a reset or changed password ends the
//! other sessions, a deleted user's tokens and Unix account go, and a new username must not
//! take a Unix group's name.
//!
//! `users` sits below `auth` and `accounts`, so it cannot call them; the composition root
//! installs the list once at start ([`install`]). It fails closed: a change that needs the
//! list answers an error while none is installed, rather than leaving sessions alive.

use std::sync::OnceLock;

use redb::WriteTransaction;

use super::UserError;
use crate::caller::{OrgId, UserId};
use crate::store::StoreError;

/// A user's sign-in changed (disabled, password reset or changed): `keep` is the session
/// making the change, which survives.
pub type AccessChanged = fn(&WriteTransaction, OrgId, UserId, Option<[u8; 32]>) -> Result<(), StoreError>;
/// A user was deleted.
pub type Deleted = fn(&WriteTransaction, OrgId, UserId) -> Result<(), StoreError>;
/// Whether another feature holds this name in the users' namespace (Unix group names).
pub type NameTaken = fn(&WriteTransaction, &str) -> Result<bool, StoreError>;

/// The hooks, in the order they run.
#[derive(Debug, Default)]
pub struct Cascades {
    pub access_changed: Vec<AccessChanged>,
    pub deleted: Vec<Deleted>,
    pub name_taken: Vec<NameTaken>,
}

static INSTALLED: OnceLock<Cascades> = OnceLock::new();

/// Installs the hooks for the process. The first installation stays: the root always
/// installs the same list, whichever appliance or command in the process does it first.
pub fn install(cascades: impl FnOnce() -> Cascades) {
    INSTALLED.get_or_init(cascades);
}

fn installed() -> Result<&'static Cascades, UserError> {
    INSTALLED.get().ok_or(UserError::NoCascades)
}

/// Runs every hook for a user whose sign-in changed.
pub(super) fn access_changed(
    txn: &WriteTransaction,
    org: OrgId,
    user: UserId,
    keep: Option<[u8; 32]>,
) -> Result<(), UserError> {
    for hook in &installed()?.access_changed {
        hook(txn, org, user, keep)?;
    }
    Ok(())
}

/// Runs every hook for a deleted user.
pub(super) fn deleted(txn: &WriteTransaction, org: OrgId, user: UserId) -> Result<(), UserError> {
    for hook in &installed()?.deleted {
        hook(txn, org, user)?;
    }
    Ok(())
}

/// Whether any hook says the name is taken.
pub(super) fn name_taken(txn: &WriteTransaction, name: &str) -> Result<bool, UserError> {
    for hook in &installed()?.name_taken {
        if hook(txn, name)? {
            return Ok(true);
        }
    }
    Ok(false)
}
