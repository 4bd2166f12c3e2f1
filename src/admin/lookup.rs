//! Finding what a command names: an organization or a user by name, and the local
//! superadmin's scope there. Shared by the commands; imports none of them.

use super::{AdminError, Env};
use crate::caller::{Scope, UserId};
use crate::orgs;
use crate::users;

pub(super) async fn org_scope(env: &Env, name: &str) -> Result<Scope, AdminError> {
    let lookup = name.to_string();
    let org = env.store.read(move |txn| Ok::<_, AdminError>(orgs::by_name(txn, &lookup)?)).await?;
    org.map(|o| Scope::local(o.id)).ok_or_else(|| AdminError::NotFound(format!("organization {name:?}")))
}

pub(super) async fn find_user(env: &Env, name: &str) -> Result<users::User, AdminError> {
    let lookup = name.to_string();
    let user = env.store.read(move |txn| Ok::<_, AdminError>(users::find_for_login(txn, &lookup)?)).await?;
    user.ok_or_else(|| AdminError::NotFound(format!("user {name:?}")))
}

/// A user by name in any organization, with a scope in theirs.
pub(super) async fn user_scope(env: &Env, name: &str) -> Result<(Scope, UserId), AdminError> {
    let user = find_user(env, name).await?;
    Ok((Scope::local(user.org), user.id))
}
