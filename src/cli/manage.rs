//! `user`, `org`, `token`, `ingest-key` and `hosts` commands: parsed here, carried out by
//! [`crate::admin`], through the running appliance's socket when there is one.

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use clap::Subcommand;

use super::block_on;
use crate::admin::{self, Command, Output};
use crate::caller::Role;
use crate::config::Config;
use crate::orgs;

#[derive(Subcommand)]
pub enum UserCmd {
    /// Create an account. Without --password-stdin a random password is printed; it must be changed at first login.
    Add {
        username: String,
        #[arg(long, default_value = "viewer")]
        role: Role,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// Organization name.
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
        role: Option<Role>,
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

#[derive(Subcommand)]
pub enum IngestKeyCmd {
    /// Create an ingest key for machines to enroll with; prints its value once.
    Create {
        name: String,
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
        /// Machines enrolled with it start approved, instead of waiting for `steward hosts approve`.
        #[arg(long)]
        auto_approve: bool,
    },
    /// List ingest keys (tab-separated: id, name, prefix, state, first host, last use, approval).
    List {
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
    /// Deactivate a key: machines using it, and the tokens of machines it enrolled, get 403 until it is enabled again.
    Disable {
        id: u64,
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
    /// Reactivate a deactivated key.
    Enable {
        id: u64,
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
    /// Delete a key for good.
    Delete {
        id: u64,
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
}

pub fn ingest_key(cmd: IngestKeyCmd, config: Config) -> anyhow::Result<ExitCode> {
    let command = match cmd {
        IngestKeyCmd::Create { name, org, auto_approve } => Command::IngestKeyCreate { name, org, auto_approve },
        IngestKeyCmd::List { org } => Command::IngestKeyList { org },
        IngestKeyCmd::Disable { id, org } => Command::IngestKeySetActive { id, org, active: false },
        IngestKeyCmd::Enable { id, org } => Command::IngestKeySetActive { id, org, active: true },
        IngestKeyCmd::Delete { id, org } => Command::IngestKeyDelete { id, org },
    };
    run(&config, command)
}

#[derive(Subcommand)]
pub enum HostsCmd {
    /// List hosts (tab-separated: id, name, kind, state, fingerprint).
    List {
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
    /// Approve a pending (or rejected) host: its agent's next push with its ingest key gets a machine token.
    Approve {
        id: u64,
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
    /// Reject a host: its machine token is deleted and its pushes are refused.
    Reject {
        id: u64,
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
    /// Add a host polled over SSH, without an agent; prints its line (as `list` does).
    AddSsh {
        /// DNS name or IP address.
        address: String,
        /// The login name on the host.
        #[arg(long)]
        user: String,
        #[arg(long, default_value_t = 22)]
        port: u16,
        /// Display name (default: the address).
        #[arg(long)]
        name: Option<String>,
        /// Log in with a password read from standard input (sealed at rest).
        #[arg(long, conflicts_with = "key")]
        password_stdin: bool,
        /// Log in with this key of the key store (`/api/v1/ssh-keys`).
        #[arg(long, required_unless_present = "password_stdin")]
        key: Option<u64>,
        /// A tag; repeat for more.
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Seconds between polls.
        #[arg(long, default_value_t = 15)]
        interval: u32,
        /// The expected host key fingerprint (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the host);
        /// without it the first connection pins what it finds.
        #[arg(long)]
        fingerprint: Option<String>,
        /// Add it turned off.
        #[arg(long)]
        disabled: bool,
        #[arg(long, default_value = orgs::DEFAULT_ORG)]
        org: String,
    },
}

pub fn hosts(cmd: HostsCmd, config: Config) -> anyhow::Result<ExitCode> {
    let command = match cmd {
        HostsCmd::List { org } => Command::HostList { org },
        HostsCmd::Approve { id, org } => Command::HostApprove { id, org },
        HostsCmd::Reject { id, org } => Command::HostReject { id, org },
        HostsCmd::AddSsh {
            address,
            user,
            port,
            name,
            password_stdin,
            key,
            tags,
            interval,
            fingerprint,
            disabled,
            org,
        } => {
            let password = read_password(password_stdin)?.map(|p| p.trim_end_matches(['\n', '\r']).to_string());
            Command::HostAddSsh(Box::new(admin::NewSsh {
                org,
                name,
                address,
                port,
                username: user,
                password,
                key_id: key,
                tags,
                interval_s: interval,
                enabled: !disabled,
                host_key_fingerprint: fingerprint,
            }))
        }
    };
    run(&config, command)
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        &[Role::Viewer, Role::Operator, Role::Admin, Role::Superadmin]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<Option<String>> {
    if !from_stdin {
        return Ok(None);
    }
    let mut s = zeroize::Zeroizing::new(String::new());
    std::io::stdin().read_to_string(&mut s).context("reading the password from stdin")?;
    Ok(Some(s.trim_end_matches(['\n', '\r']).to_string()))
}

pub fn user(cmd: UserCmd, config: Config) -> anyhow::Result<ExitCode> {
    let command = match cmd {
        UserCmd::Add { username, role, email, name, org, password_stdin } => {
            Command::UserAdd { username, role, email, name, org, password: read_password(password_stdin)? }
        }
        UserCmd::List { org } => Command::UserList { org },
        UserCmd::Passwd { username, password_stdin } => {
            Command::UserPasswd { username, password: read_password(password_stdin)? }
        }
        UserCmd::Disable { username } => Command::UserSetDisabled { username, disabled: true },
        UserCmd::Enable { username } => Command::UserSetDisabled { username, disabled: false },
        UserCmd::Unlock { username } => Command::UserUnlock { username },
    };
    run(&config, command)
}

pub fn org(cmd: OrgCmd, config: Config) -> anyhow::Result<ExitCode> {
    run(
        &config,
        match cmd {
            OrgCmd::Add { name } => Command::OrgAdd { name },
            OrgCmd::List => Command::OrgList,
        },
    )
}

pub fn token(cmd: TokenCmd, config: Config) -> anyhow::Result<ExitCode> {
    run(
        &config,
        match cmd {
            TokenCmd::Create { user, name, role, expires_in_days } => {
                Command::TokenCreate { user, name, role, expires_in_days }
            }
            TokenCmd::Revoke { id, org } => Command::TokenRevoke { id, org },
        },
    )
}

/// Through the running appliance if there is one, else on the store directly (with a
/// progress bar for long work).
pub fn run(config: &Config, command: Command) -> anyhow::Result<ExitCode> {
    let output = call(config, command)?;
    for line in &output.stdout {
        println!("{line}");
    }
    for line in &output.stderr {
        eprintln!("steward: {line}");
    }
    Ok(if output.success { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// A command's output, from the running appliance or the store itself.
pub fn call(config: &Config, command: Command) -> anyhow::Result<Output> {
    let socket = admin::socket_path(&config.data_dir);
    match admin::socket::call(&socket, &command)
        .with_context(|| format!("talking to the appliance through {}", socket.display()))?
    {
        Some(answer) => answer.map_err(|e| anyhow!(e)),
        None => locally(config, command),
    }
}

fn locally(config: &Config, command: Command) -> anyhow::Result<Output> {
    let opened = crate::app::open(config)?;
    let env = admin::Env::from_opened(&opened, config, Arc::new(crate::clock::SystemClock));
    let bar = indicatif::ProgressBar::hidden();
    bar.set_style(
        indicatif::ProgressStyle::with_template("re-sealing {bar:30} {pos}/{len} secrets")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let shown = bar.clone();
    let progress: admin::Progress = Arc::new(move |done, total| {
        if shown.is_hidden() {
            shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        shown.set_length(total);
        shown.set_position(done);
    });
    let output = block_on(admin::execute(&env, command, progress))??;
    bar.finish_and_clear();
    Ok(output)
}
