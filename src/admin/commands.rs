//! The commands themselves, each a few service calls in the local superadmin's scope.

use super::lookup::{find_user, org_scope, user_scope};
use super::{AdminError, Command, Env, Output, Progress};
use crate::audit::{self, Event, Outcome};
use crate::caller::{Actor, Scope};
use crate::hosts;
use crate::ingest;
use crate::orgs::{self, OrgName};
use crate::users::{self, DisplayName, Email, NewUser, UserPatch, Username, password};

/// Runs one command. `progress` hears about long work (key rotation).
pub async fn execute(env: &Env, command: Command, progress: Progress) -> Result<Output, AdminError> {
    let out = run(env, command, progress).await;
    if out.is_ok() {
        env.accounts_changed.bump();
    }
    out
}

async fn run(env: &Env, command: Command, progress: Progress) -> Result<Output, AdminError> {
    let now = env.clock.now();
    match command {
        Command::UserAdd { username, role, email, name, org, password } => {
            let new = NewUser {
                username: Username::try_from(username)?,
                email: email.map(Email::try_from).transpose()?,
                display_name: DisplayName::try_from(name.unwrap_or_default())?,
                role,
                password: String::new(),
                must_change_password: true,
            };
            user_add(env, &org, new, password).await
        }
        Command::UserList { org } => user_list(env, &org).await,
        Command::UserPasswd { username, password } => {
            let (scope, id) = user_scope(env, &username).await?;
            let (password, generated) = password_or_generated(password)?;
            users::reset_password(&env.store, &scope, id, &password, &env.hasher, now).await?;
            Ok(Output::ok(generated.then(|| format!("password: {password}")).into_iter().collect()))
        }
        Command::UserSetDisabled { username, disabled } => {
            let (scope, id) = user_scope(env, &username).await?;
            let patch = UserPatch { disabled: Some(disabled), ..UserPatch::default() };
            users::update(&env.store, &scope, id, patch, now).await?;
            Ok(Output::ok(Vec::new()))
        }
        Command::UserUnlock { username } => {
            let (scope, id) = user_scope(env, &username).await?;
            users::unlock(&env.store, &scope, id, now).await?;
            Ok(Output::ok(Vec::new()))
        }
        Command::OrgAdd { name } => {
            let org = orgs::create(&env.store, &Scope::local(env.default_org), OrgName::try_from(name)?, now).await?;
            Ok(Output::ok(vec![org.id.to_string()]))
        }
        Command::OrgList => {
            let all = orgs::list(&env.store, &Scope::local(env.default_org)).await?;
            Ok(Output::ok(all.into_iter().map(|o| format!("{}\t{}", o.id, o.name.as_str())).collect()))
        }
        Command::TokenCreate { user, name, role, expires_in_days } => {
            token_create(env, &user, crate::auth::NewToken { name, role, expires_in_days }).await
        }
        Command::TokenRevoke { id, org } => {
            let scope = org_scope(env, &org).await?;
            crate::auth::revoke_token(&env.store, &scope, id, now).await?;
            Ok(Output::ok(Vec::new()))
        }
        c @ (Command::IngestKeyCreate { .. }
        | Command::IngestKeyList { .. }
        | Command::IngestKeySetActive { .. }
        | Command::IngestKeyDelete { .. }) => ingest_key(env, c).await,
        Command::HostList { org } => host_list(env, &org).await,
        Command::HostApprove { id, org } => {
            let host = hosts::approve(&env.store, &org_scope(env, &org).await?, id, now).await?;
            Ok(Output::ok(vec![host_line(&host)]))
        }
        Command::HostReject { id, org } => {
            let host = hosts::reject(&env.store, &org_scope(env, &org).await?, id, now).await?;
            Ok(Output::ok(vec![host_line(&host)]))
        }
        Command::HostAddSsh(new) => host_add_ssh(env, *new).await,
        c @ (Command::AccessGrant { .. } | Command::AccessRevoke { .. } | Command::AccessList { .. }) => {
            super::access::execute(env, c).await
        }
        Command::NssBundle => super::access::bundle(env).await,
        Command::AuditVerify => audit_verify(env).await,
        Command::KeysRotate { new_key_file } => rotate(env, new_key_file, progress).await,
    }
}

async fn user_add(env: &Env, org: &str, mut new: NewUser, password: Option<String>) -> Result<Output, AdminError> {
    let scope = org_scope(env, org).await?;
    let (password, generated) = password_or_generated(password)?;
    new.password = password.clone();
    let user = users::create(&env.store, &scope, new, &env.hasher, env.clock.now()).await?;
    let mut out = vec![user.id.to_string()];
    out.extend(generated.then(|| format!("password: {password}")));
    Ok(Output::ok(out))
}

async fn user_list(env: &Env, org: &str) -> Result<Output, AdminError> {
    let scope = org_scope(env, org).await?;
    let lines = users::list(&env.store, &scope, env.clock.now()).await?.into_iter().map(|u| {
        let state = if u.disabled {
            "disabled"
        } else if u.locked {
            "locked"
        } else {
            "active"
        };
        format!("{}\t{}\t{}\t{}\t{}", u.id, u.username, u.role.as_str(), state, u.email.unwrap_or_default())
    });
    Ok(Output::ok(lines.collect()))
}

/// A token for `user`, made in the user's own scope since it acts as them.
async fn token_create(env: &Env, user: &str, new: crate::auth::NewToken) -> Result<Output, AdminError> {
    let found = find_user(env, user).await?;
    let actor = Actor {
        user_id: Some(found.id.0),
        name: found.username.as_str().into(),
        ip: None,
        user_agent: Some("steward cli".into()),
    };
    let scope = Scope { org: found.org, role: found.role, actor };
    let created = crate::auth::create_token(&env.store, &scope, new, None, env.clock.now()).await?;
    Ok(Output::ok(vec![created.value]))
}

fn password_or_generated(given: Option<String>) -> Result<(String, bool), AdminError> {
    match given {
        Some(p) => Ok((p, false)),
        None => Ok((password::generate(20)?.to_string(), true)),
    }
}

async fn audit_verify(env: &Env) -> Result<Output, AdminError> {
    let store = env.store.clone();
    let report = crate::blocking::run(move || audit::verify(&store)).await??;
    Ok(match &report.problem {
        None => Output::ok(vec![format!("audit trail intact: {} entries checked", report.checked)]),
        Some(problem) => Output {
            stdout: Vec::new(),
            stderr: vec![format!("audit trail broken: {problem} ({} entries checked before it)", report.checked)],
            success: false,
        },
    })
}

async fn rotate(env: &Env, new_key_file: Option<std::path::PathBuf>, progress: Progress) -> Result<Output, AdminError> {
    let env2 = env.clone();
    let now = env.clock.now();
    let file = new_key_file.clone();
    let count = crate::blocking::run(move || {
        crate::seal::rotate(
            &env2.store,
            &env2.sealer,
            &env2.key_origin,
            &env2.data_dir,
            file.as_deref(),
            &*progress,
            |txn, old, new| {
                let event = Event::new(env2.default_org, Actor::cli(), "keys.rotate", "master key", Outcome::Success)
                    .detail(format!("{} -> {}", old.id(), new.id()));
                audit::append(txn, now, event).map(drop)
            },
        )
    })
    .await??;
    let mut out = vec![format!("re-sealed {count} secrets under master key {}", env.sealer.key().id())];
    if let Some(path) = new_key_file {
        out.push(format!("new key written to {}; point master_key_file at it before the next start", path.display()));
    }
    Ok(Output::ok(out))
}

async fn ingest_key(env: &Env, command: Command) -> Result<Output, AdminError> {
    let now = env.clock.now();
    match command {
        Command::IngestKeyCreate { name, org, auto_approve } => {
            let scope = org_scope(env, &org).await?;
            let created = ingest::keys::create(&env.store, &scope, &name, auto_approve, now).await?;
            Ok(Output::ok(vec![created.key]))
        }
        Command::IngestKeyList { org } => {
            let keys = ingest::keys::list(&env.store, &org_scope(env, &org).await?).await?;
            Ok(Output::ok(keys.iter().map(ingest_key_line).collect()))
        }
        Command::IngestKeySetActive { id, org, active } => {
            let patch = ingest::KeyPatch { active: Some(active), ..ingest::KeyPatch::default() };
            ingest::keys::update(&env.store, &org_scope(env, &org).await?, id, patch, now).await?;
            Ok(Output::ok(Vec::new()))
        }
        Command::IngestKeyDelete { id, org } => {
            ingest::keys::delete(&env.store, &org_scope(env, &org).await?, id, now).await?;
            Ok(Output::ok(Vec::new()))
        }
        // `execute` routes only the four commands above here.
        _ => Ok(Output::ok(Vec::new())),
    }
}

/// Tab-separated: id, name, prefix, state, first host, last use, approval.
fn ingest_key_line(k: &ingest::IngestKey) -> String {
    let dash = || "-".to_string();
    let last = k.last_used_at.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok());
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
        k.id,
        k.name,
        k.prefix,
        if k.active { "active" } else { "inactive" },
        k.host.map_or_else(dash, |h| h.to_string()),
        last.unwrap_or_else(dash),
        if k.auto_approve { "auto-approve" } else { "manual-approve" }
    )
}

async fn host_add_ssh(env: &Env, new: super::NewSsh) -> Result<Output, AdminError> {
    let scope = org_scope(env, &new.org).await?;
    let body = serde_json::json!({
        "kind": "ssh", "name": new.name, "address": new.address, "port": new.port, "username": new.username,
        "password": new.password, "key_id": new.key_id, "tags": new.tags, "interval_s": new.interval_s,
        "enabled": new.enabled, "host_key_fingerprint": new.host_key_fingerprint,
    });
    let new: crate::poll::NewSshHost = serde_json::from_value(body)
        .map_err(|e| crate::poll::SshError::Invalid(crate::poll::fields::BadField::from_serde(&e)))?;
    let host = crate::poll::create(&env.store, &env.sealer, &scope, new, env.clock.now()).await?;
    env.polls.targets_changed();
    Ok(Output::ok(vec![host_line(&host)]))
}

async fn host_list(env: &Env, org: &str) -> Result<Output, AdminError> {
    let scope = org_scope(env, org).await?;
    let all = hosts::list(&env.store, scope.org).await?;
    Ok(Output::ok(all.iter().map(host_line).collect()))
}

/// Tab-separated: id, name, kind, state, fingerprint.
fn host_line(h: &hosts::Host) -> String {
    let kind = match h.kind {
        hosts::HostKind::Local => "local",
        hosts::HostKind::Agent => "agent",
        hosts::HostKind::Ssh => "ssh",
    };
    format!("{}\t{}\t{}\t{}\t{}", h.id, h.name, kind, h.state.as_str(), h.fingerprint)
}
