//! `steward access grant|revoke|list`: who may log in on which hosts; `steward nss sync`:
//! the appliance host's own account files.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use clap::Subcommand;

use super::manage::{call, run};
use crate::admin::Command;
use crate::config::Config;
use crate::orgs;

#[derive(Subcommand)]
pub enum AccessCmd {
    /// Let a user log in on hosts (prints the rule's id). Give exactly one of --all, --tag,
    /// --host.
    Grant {
        /// The user's name.
        user: String,
        /// Every host of the user's organization, present and future.
        #[arg(long)]
        all: bool,
        /// Hosts carrying this tag; repeat for more (any of them).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// A host, by name or id; repeat for more.
        #[arg(long = "host")]
        hosts: Vec<String>,
        /// Also make the user a member of `steward-sudo` there.
        #[arg(long)]
        sudo: bool,
    },
    /// Remove a rule by id.
    Revoke {
        id: u64,
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
    /// List rules (tab-separated: id, user, hosts, sudo or -).
    List {
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
}

pub fn access(cmd: AccessCmd, config: Config) -> anyhow::Result<ExitCode> {
    let command = match cmd {
        AccessCmd::Grant { user, all, tags, hosts, sudo } => Command::AccessGrant { user, all, tags, hosts, sudo },
        AccessCmd::Revoke { id, org } => Command::AccessRevoke { id, org },
        AccessCmd::List { org } => Command::AccessList { org },
    };
    run(&config, command)
}

#[derive(Subcommand)]
pub enum NssCmd {
    /// Install the appliance host's own account files (passwd, group, shadow,
    /// authorized_keys) from the store, validated and written atomically as the agent does
    /// on other hosts; prints the installed version.
    Sync {
        #[arg(long, default_value = crate::agent::nss::DEFAULT_DIR, value_name = "DIR")]
        dir: PathBuf,
    },
}

pub fn nss(cmd: NssCmd, config: Config) -> anyhow::Result<ExitCode> {
    let NssCmd::Sync { dir } = cmd;
    let output = call(&config, Command::NssBundle)?;
    if !output.success {
        for line in &output.stderr {
            eprintln!("steward: {line}");
        }
        return Ok(ExitCode::FAILURE);
    }
    let options = crate::agent::nss::InstallOptions {
        uid_min: config.accounts.uid_min,
        uid_max: config.accounts.uid_max,
        ..Default::default()
    };
    let json = output.stdout.join("\n");
    let report = crate::agent::nss::install_json(&dir, json.as_bytes(), &options)
        .with_context(|| format!("installing the account files into {}", dir.display()))?;
    println!("{}", report.version);
    Ok(ExitCode::SUCCESS)
}
