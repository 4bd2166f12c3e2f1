//! `steward access grant|revoke|list` and the appliance host's own account bundle for
//! `steward nss sync`.

use super::lookup::{find_user, org_scope};
use super::{AdminError, Command, Env, Output};
use crate::accounts::{self, NewRule, Target};
use crate::caller::Scope;
use crate::hosts::{Host, HostKind};

pub async fn execute(env: &Env, command: Command) -> Result<Output, AdminError> {
    let now = env.clock.now();
    match command {
        Command::AccessGrant { user, all, tags, hosts, sudo } => {
            let found = find_user(env, &user).await?;
            let scope = Scope::local(found.org);
            let target = match (all, tags.is_empty(), hosts.is_empty()) {
                (true, true, true) => Target::All,
                (false, false, true) => Target::Tags { tags },
                (false, true, false) => Target::Hosts { hosts: host_ids(env, &scope, &hosts).await? },
                _ => {
                    let why = "give exactly one of --all, --tag or --host".to_string();
                    return Err(accounts::AccountError::InvalidRule(why).into());
                }
            };
            let rule =
                accounts::grant(&env.store, &scope, NewRule { user_id: found.id, target, sudo }, &env.accounts, now)
                    .await?;
            Ok(Output::ok(vec![rule.id.to_string()]))
        }
        Command::AccessRevoke { id, org } => {
            accounts::revoke(&env.store, &org_scope(env, &org).await?, id, now).await?;
            Ok(Output::ok(Vec::new()))
        }
        Command::AccessList { org } => {
            let rules = accounts::list_rules(&env.store, &org_scope(env, &org).await?).await?;
            let lines = rules.into_iter().map(|r| {
                let sudo = if r.rule.sudo { "sudo" } else { "-" };
                format!("{}\t{}\t{}\t{sudo}", r.rule.id, r.username, r.rule.target.describe())
            });
            Ok(Output::ok(lines.collect()))
        }
        _ => Err(AdminError::NotFound("command".into())),
    }
}

/// Hosts named by id or name, in the scope's organization.
async fn host_ids(env: &Env, scope: &Scope, names: &[String]) -> Result<Vec<u64>, AdminError> {
    let all = crate::hosts::list(&env.store, scope.org).await?;
    names
        .iter()
        .map(|n| {
            all.iter()
                .find(|h| h.name == *n || h.id.to_string() == *n)
                .map(|h| h.id)
                .ok_or_else(|| AdminError::NotFound(format!("host {n:?}")))
        })
        .collect()
}

/// The appliance's own host's bundle, as one line of JSON.
pub async fn bundle(env: &Env) -> Result<Output, AdminError> {
    let local: Vec<Host> = crate::hosts::list_kind(&env.store, HostKind::Local).await?;
    let host = local
        .into_iter()
        .find(|h| h.org == env.default_org)
        .ok_or_else(|| AdminError::NotFound("the appliance's own host (serve once to register it)".into()))?;
    let config = env.accounts.clone();
    let bundle = env
        .store
        .read(move |txn| {
            let files = crate::nss::for_host(txn, &host)?;
            Ok::<_, AdminError>(crate::nss::Bundle::new(&host, files, &config))
        })
        .await?;
    let json = serde_json::to_string(&bundle)
        .map_err(|e| crate::nss::NssError::Invalid(format!("encoding the bundle: {e}")))?;
    Ok(Output::ok(vec![json]))
}
