//! `user`, `org` and `token` commands. They act on the store directly as the local
//! superadmin (a root shell on the appliance host), so the appliance must be stopped;
//! the store refuses a second opener with a message saying so.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use clap::Subcommand;

use super::block_on;
use crate::config::Config;
use crate::orgs::{self, OrgId, OrgName, Role, Scope};
use crate::users::{self, DisplayName, Email, NewUser, UserId, UserPatch, Username};

#[derive(Subcommand)]
pub enum UserCmd {
    /// Create an account. Without --password-stdin a random password is printed; it must be changed at first login.
    Add {
        username: String,
        #[arg(long, default_value = "viewer")]
        role: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// Organization name (default: default).
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts (tab-separated: id, username, role, state, email).
    List {
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
    /// Set a new password (printed if not read from stdin); it must be changed at next login.
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// Lift a lockout.
    Unlock { username: String },
}

#[derive(Subcommand)]
pub enum OrgCmd {
    /// Create an organization.
    Add { name: String },
    /// List organizations (tab-separated: id, name).
    List,
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Create a personal API token for a user; prints its value once.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long)]
        name: String,
        /// Role of the token (at most the user's).
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// Revoke a token by id.
    Revoke {
        id: u64,
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
}

struct Session {
    store: crate::store::Store,
    hasher: users::password::Hasher,
    default_org: OrgId,
}

fn open(config: &Config) -> anyhow::Result<Session> {
    let opened = crate::app::open(config)?;
    let hasher = users::password::Hasher::new(config.auth.bcrypt_cost);
    Ok(Session { store: opened.store, hasher, default_org: opened.default_org })
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

fn org_scope(s: &Session, name: &str) -> anyhow::Result<Scope> {
    let org =
        s.store.read_sync(|txn| orgs::by_name(txn, name))?.ok_or_else(|| anyhow!("organization {name:?} not found"))?;
    Ok(Scope::local(org.id))
}

/// Finds a user by name in any organization, with a scope in theirs.
fn user_scope(s: &Session, username: &str) -> anyhow::Result<(Scope, UserId)> {
    let user = s
        .store
        .read_sync(|txn| users::find_for_login(txn, username))?
        .ok_or_else(|| anyhow!("user {username:?} not found"))?;
    Ok((Scope::local(user.org), user.id))
}

fn read_password(from_stdin: bool) -> anyhow::Result<(zeroize::Zeroizing<String>, bool)> {
    if from_stdin {
        let mut s = zeroize::Zeroizing::new(String::new());
        std::io::stdin().read_to_string(&mut s).context("reading the password from stdin")?;
        let trimmed = zeroize::Zeroizing::new(s.trim_end_matches(['\n', '\r']).to_string());
        Ok((trimmed, false))
    } else {
        Ok((users::password::generate(20)?, true))
    }
}

pub fn user(cmd: UserCmd, config: Config) -> anyhow::Result<ExitCode> {
    let s = open(&config)?;
    match cmd {
        UserCmd::Add { username, role, email, name, org, password_stdin } => {
            let scope = org_scope(&s, &org)?;
            let (password, generated) = read_password(password_stdin)?;
            let new = NewUser {
                username: Username::try_from(username)?,
                email: email.map(Email::try_from).transpose()?,
                display_name: DisplayName::try_from(name.unwrap_or_default())?,
                role: role.parse::<Role>().map_err(|e| anyhow!(e))?,
                password: password.to_string(),
                must_change_password: true,
            };
            let user = block_on(users::create(&s.store, &scope, new, &s.hasher, now()))??;
            println!("{}", user.id);
            if generated {
                println!("password: {}", password.as_str());
            }
        }
        UserCmd::List { org } => {
            let scope = org_scope(&s, &org)?;
            for u in block_on(users::list(&s.store, &scope, now()))?? {
                let state = if u.disabled {
                    "disabled"
                } else if u.locked {
                    "locked"
                } else {
                    "active"
                };
                println!("{}\t{}\t{}\t{}\t{}", u.id, u.username, u.role.as_str(), state, u.email.unwrap_or_default());
            }
        }
        UserCmd::Passwd { username, password_stdin } => {
            let (scope, id) = user_scope(&s, &username)?;
            let (password, generated) = read_password(password_stdin)?;
            block_on(users::reset_password(&s.store, &scope, id, &password, &s.hasher, now()))??;
            if generated {
                println!("password: {}", password.as_str());
            }
        }
        UserCmd::Disable { username } => set_disabled(&s, &username, true)?,
        UserCmd::Enable { username } => set_disabled(&s, &username, false)?,
        UserCmd::Unlock { username } => {
            let (scope, id) = user_scope(&s, &username)?;
            block_on(users::unlock(&s.store, &scope, id, now()))??;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn set_disabled(s: &Session, username: &str, disabled: bool) -> anyhow::Result<()> {
    let (scope, id) = user_scope(s, username)?;
    let patch = UserPatch { disabled: Some(disabled), ..UserPatch::default() };
    block_on(users::update(&s.store, &scope, id, patch, now()))??;
    Ok(())
}

pub fn org(cmd: OrgCmd, config: Config) -> anyhow::Result<ExitCode> {
    let s = open(&config)?;
    let scope = Scope::local(s.default_org);
    match cmd {
        OrgCmd::Add { name } => {
            let org = block_on(orgs::create(&s.store, &scope, OrgName::try_from(name)?, now()))??;
            println!("{}", org.id);
        }
        OrgCmd::List => {
            for o in block_on(orgs::list(&s.store, &scope))?? {
                println!("{}\t{}", o.id, o.name.as_str());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn token(cmd: TokenCmd, config: Config) -> anyhow::Result<ExitCode> {
    let s = open(&config)?;
    match cmd {
        TokenCmd::Create { user, name, role, expires_in_days } => {
            let u = s
                .store
                .read_sync(|txn| users::find_for_login(txn, &user))?
                .ok_or_else(|| anyhow!("user {user:?} not found"))?;
            // The token acts as the user, so it is created in the user's own scope.
            let actor = crate::orgs::Actor {
                user_id: Some(u.id.0),
                name: u.username.as_str().into(),
                ip: None,
                user_agent: Some("steward cli".into()),
            };
            let scope = Scope { org: u.org, role: u.role, actor };
            let role = role.map(|r| r.parse::<Role>()).transpose().map_err(|e| anyhow!(e))?;
            let new = crate::auth::NewToken { name, role, expires_in_days };
            let created = block_on(crate::auth::create_token(&s.store, &scope, new, None, now()))??;
            println!("{}", created.value);
        }
        TokenCmd::Revoke { id, org } => {
            let scope = org_scope(&s, &org)?;
            block_on(crate::auth::revoke_token(&s.store, &scope, id, now()))??;
        }
    }
    Ok(ExitCode::SUCCESS)
}
