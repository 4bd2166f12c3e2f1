//! A password changed on a host (`passwd`, or the forced change at first login) arriving
//! from its PAM hook: the appliance checks the current password exactly as a login does
//! (failures count toward the lockout), applies the policy, stores the new hash and audits
//! it; the host's next bundle carries it. A compromised host learns nothing it could not
//! by trying logins, and cannot change a password without the current one.

use time::OffsetDateTime;
use zeroize::Zeroize;

use super::NssError;
use crate::audit::{self, Event, Outcome};
use crate::caller::{Actor, Role, Scope};
use crate::ctx::Ctx;
use crate::hosts::Host;
use crate::users::{OwnPasswordChange, User, UserError};

/// What the hook sends. Its `Debug` shows only the user.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HostPasswordChange {
    pub user: String,
    pub old: String,
    pub new: String,
}

impl Drop for HostPasswordChange {
    fn drop(&mut self) {
        self.old.zeroize();
        self.new.zeroize();
    }
}

impl std::fmt::Debug for HostPasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostPasswordChange").field("user", &self.user).finish_non_exhaustive()
    }
}

/// The host, as the audit trail names it.
fn actor(host: &Host, ip: Option<String>) -> Actor {
    Actor { user_id: None, name: format!("host {} ({})", host.id, host.name), ip, user_agent: None }
}

/// Changes `change.user`'s password for `host`, which must be allowed to hold the account.
pub async fn change(ctx: &Ctx, host: Host, change: HostPasswordChange, ip: Option<String>) -> Result<(), NssError> {
    let now = ctx.clock.now();
    let name = change.user.trim().to_string();
    if name.contains('@') || name.is_empty() {
        return Err(NssError::NotOnHost(crate::users::sanitize_for_error(&name)));
    }
    let lookup = (host.clone(), name.clone());
    let user = ctx
        .store
        .read(move |txn| {
            let (host, name) = lookup;
            let user = crate::users::find_for_login(txn, &name)?.filter(|u| u.org == host.org);
            let rules = crate::accounts::rules::list(txn, host.org)?;
            let allowed = crate::accounts::rules::allowed_on(&rules, &host);
            user.filter(|u| allowed.contains_key(&u.id)).ok_or(NssError::NotOnHost(name))
        })
        .await?;
    if user.disabled {
        return Err(NssError::Disabled(name));
    }
    if user.is_locked(now) {
        return Err(NssError::Locked);
    }
    let actor = actor(&host, ip);
    let hasher = ctx.state::<crate::users::Passwords>().hasher.clone();
    if !hasher.verify(&change.old, user.password_hash.clone()).await? {
        record_failure(ctx, &user, actor, now).await?;
        return Err(UserError::WrongPassword.into());
    }
    let scope = Scope { org: host.org, role: Role::Viewer, actor };
    let own = OwnPasswordChange { current: &change.old, new: &change.new, keep: None };
    crate::users::replace_password(&ctx.store, &scope, &user, own, &hasher, now).await?;
    ctx.accounts_changed.bump();
    Ok(())
}

async fn record_failure(ctx: &Ctx, user: &User, actor: Actor, now: OffsetDateTime) -> Result<(), NssError> {
    let (org, id, policy) = (user.org, user.id, ctx.config.auth.clone());
    ctx.store
        .write(move |txn| {
            let Some(mut user) = crate::users::load_for_update(txn, org, id)? else { return Ok(()) };
            let event = Event::new(org, actor, "user.password_change", user.username.as_str(), Outcome::Failure)
                .detail("wrong current password");
            audit::append(txn, now, event)?;
            Ok(crate::auth::count_failed_password(txn, &policy, now, &mut user)?)
        })
        .await
}
