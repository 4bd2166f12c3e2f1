//! Password login with lockout. The outcome of every attempt (the failure counter, the
//! lock, the session, the audit entry) commits in one transaction.

use redb::WriteTransaction;
use time::{Duration, OffsetDateTime};

use super::{AuthError, session};
use crate::audit::{self, Event, Outcome};
use crate::caller::{Actor, OrgId};
use crate::caller::{Caller, Via};
use crate::config::AuthConfig;
use crate::ctx::Ctx;
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
    let passwords = ctx.state::<users::Passwords>();
    let hash = match &user {
        Some(u) => u.password_hash.clone(),
        None => passwords.dummy_hash().await?,
    };
    let attempt = Attempt {
        matches: passwords.hasher.verify(password, hash).await?,
        now: ctx.clock.now(),
        target: crate::users::sanitize_for_error(name),
        origin,
        default_org: ctx.default_org,
        policy: ctx.config.auth.clone(),
    };
    ctx.store.write(move |txn| settle(txn, &attempt, user)).await?
}

/// One login attempt, its password already checked.
struct Attempt {
    matches: bool,
    now: OffsetDateTime,
    /// The name as typed, made safe to record.
    target: String,
    origin: Origin,
    default_org: OrgId,
    policy: AuthConfig,
}

impl Attempt {
    fn actor(&self, user: Option<&User>) -> Actor {
        Actor {
            user_id: user.map(|u| u.id.0),
            name: user.map_or_else(|| self.target.clone(), |u| u.username.as_str().to_string()),
            ip: self.origin.ip.clone(),
            user_agent: self.origin.user_agent.clone(),
        }
    }

    fn failed(&self, user: Option<&User>, why: &str) -> Event {
        let org = user.map_or(self.default_org, |u| u.org);
        Event::new(org, self.actor(user), "auth.login", self.target.clone(), Outcome::Failure).detail(why)
    }
}

type Settled = Result<Result<LoginOutcome, AuthError>, AuthError>;

/// Records the attempt's outcome in one transaction. The outer error is the store's; the
/// inner one is the answer to the caller, committed along with its audit entry.
fn settle(txn: &WriteTransaction, a: &Attempt, user: Option<User>) -> Settled {
    let now = a.now;
    // Re-read inside the transaction: a concurrent attempt may have counted a failure.
    let current = match user {
        Some(u) => users::load_for_update(txn, u.org, u.id)?,
        None => None,
    };
    let Some(mut user) = current else {
        audit::append(txn, now, a.failed(None, "unknown user"))?;
        return Ok(Err(AuthError::InvalidCredentials));
    };
    if let Some(until) = user.locked_until.filter(|t| *t > now) {
        audit::append(txn, now, a.failed(Some(&user), "account locked"))?;
        return Ok(Err(AuthError::Locked { until }));
    }
    if !a.matches {
        audit::append(txn, now, a.failed(Some(&user), "wrong password"))?;
        count_failure(txn, a, &mut user)?;
        return Ok(Err(AuthError::InvalidCredentials));
    }
    if user.disabled {
        audit::append(txn, now, a.failed(Some(&user), "account disabled"))?;
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
        ip: a.origin.ip.clone(),
        user_agent: a.origin.user_agent.clone(),
    };
    let token = session::start(txn, &s)?;
    let event = Event::new(user.org, a.actor(Some(&user)), "auth.login", user.username.as_str(), Outcome::Success);
    audit::append(txn, now, event)?;
    Ok(Ok(LoginOutcome { user: user.view(now), csrf_token: session::csrf_for(&token), session_token: token }))
}

/// Counts a failure in the lockout window, locking the account at the threshold.
fn count_failure(txn: &WriteTransaction, a: &Attempt, user: &mut User) -> Result<(), AuthError> {
    count_failed_password(txn, &a.policy, a.now, user)
}

/// Counts a wrong password for `user` (a login, or a password change from a host) in the
/// lockout window, locking the account at the threshold, and saves the user.
pub fn count_failed_password(
    txn: &WriteTransaction,
    policy: &AuthConfig,
    now: OffsetDateTime,
    user: &mut User,
) -> Result<(), AuthError> {
    let window = Duration::minutes(policy.lockout_window_minutes.into()).whole_seconds();
    let at = now.unix_timestamp();
    user.failed_logins.retain(|t| at - t < window);
    user.failed_logins.push(at);
    if user.failed_logins.len() >= policy.lockout_threshold as usize {
        user.locked_until = Some(now + Duration::minutes(policy.lockout_minutes.into()));
        user.failed_logins.clear();
        let detail = format!("{} failed logins", policy.lockout_threshold);
        let event = Event::new(user.org, Actor::system(), "auth.lockout", user.username.as_str(), Outcome::Success);
        audit::append(txn, now, event.detail(detail))?;
    }
    users::save(txn, user)?;
    Ok(())
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
