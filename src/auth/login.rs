//! Password login with lockout. The outcome of every attempt (the failure counter, the
//! lock, the session, the audit entry) commits in one transaction.

use time::Duration;

use super::{AuthError, Caller, Via, session};
use crate::app::Ctx;
use crate::audit::{self, Event, Outcome};
use crate::orgs::{Actor, OrgId};
use crate::users::{self, User, UserView};

pub struct LoginOutcome {
    pub user: UserView,
    pub session_token: String,
    pub csrf_token: String,
}

/// Where a request came from, for sessions and the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Checks a password and starts a session. Unknown names cost a bcrypt verification
/// too, so timing does not tell which accounts exist.
pub async fn login(ctx: &Ctx, name: &str, password: &str, origin: Origin) -> Result<LoginOutcome, AuthError> {
    let lookup = name.to_string();
    let user = ctx.store.read(move |txn| Ok::<_, AuthError>(users::find_for_login(txn, &lookup)?)).await?;
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => ctx.dummy_hash().await?,
    };
    let matches = ctx.hasher.verify(password, hash).await?;
    let now = ctx.clock.now();
    let policy = ctx.config.auth.clone();
    let target = crate::users::sanitize_for_error(name);
    let default_org = ctx.default_org;
    ctx.store
        .write(move |txn| -> Result<Result<LoginOutcome, AuthError>, AuthError> {
            let actor = |u: Option<&User>| Actor {
                user_id: u.map(|u| u.id.0),
                name: u.map_or_else(|| target.clone(), |u| u.username.as_str().to_string()),
                ip: origin.ip.clone(),
                user_agent: origin.user_agent.clone(),
            };
            let fail = |org: OrgId, u: Option<&User>, why: &str| {
                Event::new(org, actor(u), "auth.login", target.clone(), Outcome::Failure).detail(why)
            };
            let Some(user) = user else {
                audit::append(txn, now, fail(default_org, None, "unknown user"))?;
                return Ok(Err(AuthError::InvalidCredentials));
            };
            let Some(mut user) = users::load_for_update(txn, user.org, user.id)? else {
                audit::append(txn, now, fail(default_org, None, "unknown user"))?;
                return Ok(Err(AuthError::InvalidCredentials));
            };
            if let Some(until) = user.locked_until.filter(|t| *t > now) {
                audit::append(txn, now, fail(user.org, Some(&user), "account locked"))?;
                return Ok(Err(AuthError::Locked { until }));
            }
            if !matches {
                let window = Duration::minutes(policy.lockout_window_minutes.into());
                user.failed_logins.retain(|t| now.unix_timestamp() - t < window.whole_seconds());
                user.failed_logins.push(now.unix_timestamp());
                audit::append(txn, now, fail(user.org, Some(&user), "wrong password"))?;
                if user.failed_logins.len() >= policy.lockout_threshold as usize {
                    user.locked_until = Some(now + Duration::minutes(policy.lockout_minutes.into()));
                    user.failed_logins.clear();
                    let detail = format!("{} failed logins", policy.lockout_threshold);
                    let event =
                        Event::new(user.org, Actor::system(), "auth.lockout", user.username.as_str(), Outcome::Success);
                    audit::append(txn, now, event.detail(detail))?;
                }
                users::save(txn, &user)?;
                return Ok(Err(AuthError::InvalidCredentials));
            }
            if user.disabled {
                audit::append(txn, now, fail(user.org, Some(&user), "account disabled"))?;
                return Ok(Err(AuthError::Disabled));
            }
            user.failed_logins.clear();
            user.locked_until = None;
            user.last_login_at = Some(now);
            users::save(txn, &user)?;
            let s = session::Session {
                user: user.id,
                org: user.org,
                created_at: now,
                last_seen: now,
                ip: origin.ip.clone(),
                user_agent: origin.user_agent.clone(),
            };
            let token = session::start(txn, &s)?;
            let event =
                Event::new(user.org, actor(Some(&user)), "auth.login", user.username.as_str(), Outcome::Success);
            audit::append(txn, now, event)?;
            Ok(Ok(LoginOutcome { user: user.view(now), csrf_token: session::csrf_for(&token), session_token: token }))
        })
        .await?
}

/// Ends the caller's session (logout), or every session of theirs (log out everywhere).
/// A bearer token has no session of its own, so for it only `everywhere` does anything.
pub async fn logout(ctx: &Ctx, caller: &Caller, everywhere: bool) -> Result<u64, AuthError> {
    let current = match caller.via {
        Via::Session { hash } => Some(hash),
        Via::Token { .. } => None,
    };
    if current.is_none() && !everywhere {
        return Ok(0);
    }
    let now = ctx.clock.now();
    let (org, user, actor) = (caller.scope.org, caller.user, caller.scope.actor.clone());
    ctx.store
        .write(move |txn| {
            let mut ended = 0;
            if let Some(hash) = current {
                ended += u64::from(session::end(txn, &hash)?.is_some());
            }
            if everywhere {
                ended += session::end_sessions(txn, user, None)?;
            }
            let action = if everywhere { "auth.logout_all" } else { "auth.logout" };
            let target = actor.name.clone();
            audit::append(txn, now, Event::new(org, actor, action, target, Outcome::Success))?;
            Ok(ended)
        })
        .await
}
