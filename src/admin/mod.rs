//! Local administration: what `steward user|org|token|ingest-key|hosts|audit|keys` do,
//! carried out as the local superadmin (a root shell on the appliance host), and the Unix
//! socket through which those commands reach a running appliance.
//!
//! One [`execute`] serves both paths: the CLI sends a [`Command`] over `<data>/admin.sock`
//! when an appliance runs (redb lets one process hold the store), and runs it on the store
//! itself otherwise. Access to the socket is access to the data directory (0700, socket
//! 0600). This module holds no feature logic: it calls the features' service functions.

mod access;
mod commands;
mod lookup;
pub mod socket;

pub use commands::execute;

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::caller::{OrgId, Role};
use crate::clock::SharedClock;
use crate::ctx::{Ctx, Opened};
use crate::seal::{KeyOrigin, Sealer};
use crate::store::Store;
use crate::users::password::Hasher;

/// One administrative command, as the CLI parsed it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    UserAdd {
        username: String,
        role: Role,
        email: Option<String>,
        name: Option<String>,
        org: String,
        /// `None`: generate one and print it.
        password: Option<String>,
    },
    UserList {
        org: String,
    },
    UserPasswd {
        username: String,
        password: Option<String>,
    },
    UserSetDisabled {
        username: String,
        disabled: bool,
    },
    UserUnlock {
        username: String,
    },
    OrgAdd {
        name: String,
    },
    OrgList,
    TokenCreate {
        user: String,
        name: String,
        role: Option<Role>,
        expires_in_days: Option<u32>,
    },
    TokenRevoke {
        id: u64,
        org: String,
    },
    IngestKeyCreate {
        name: String,
        org: String,
        /// Absent in commands from an older CLI: a key that needs approvals.
        #[serde(default)]
        auto_approve: bool,
    },
    IngestKeyList {
        org: String,
    },
    IngestKeySetActive {
        id: u64,
        org: String,
        active: bool,
    },
    IngestKeyDelete {
        id: u64,
        org: String,
    },
    HostList {
        org: String,
    },
    HostApprove {
        id: u64,
        org: String,
    },
    HostReject {
        id: u64,
        org: String,
    },
    HostAddSsh(Box<NewSsh>),
    /// `access grant`: exactly one of `all`, `tags`, `hosts` (host names or ids).
    AccessGrant {
        user: String,
        all: bool,
        tags: Vec<String>,
        hosts: Vec<String>,
        sudo: bool,
    },
    AccessRevoke {
        id: u64,
        org: String,
    },
    AccessList {
        org: String,
    },
    /// The appliance host's own account bundle, as JSON (for `steward nss sync`).
    NssBundle,
    AuditVerify,
    KeysRotate {
        new_key_file: Option<PathBuf>,
    },
}

/// `hosts add-ssh`: checked by [`crate::poll::NewSshHost`] when carried out.
#[derive(Clone, Serialize, Deserialize)]
pub struct NewSsh {
    pub org: String,
    pub name: Option<String>,
    pub address: String,
    pub port: u16,
    pub username: String,
    pub password: Option<String>,
    pub key_id: Option<u64>,
    pub tags: Vec<String>,
    pub interval_s: u32,
    pub enabled: bool,
    pub host_key_fingerprint: Option<String>,
}

impl std::fmt::Debug for NewSsh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSsh")
            .field("address", &self.address)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// What a command printed: stdout lines, stderr lines, and whether it succeeded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Output {
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
    pub success: bool,
}

impl Output {
    pub(super) fn ok(stdout: Vec<String>) -> Self {
        Self { stdout, stderr: Vec::new(), success: true }
    }
}

#[derive(Debug, Error)]
pub enum AdminError {
    #[error("{0} not found")]
    NotFound(String),
    #[error(transparent)]
    User(#[from] crate::users::UserError),
    #[error(transparent)]
    Org(#[from] crate::orgs::OrgError),
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
    #[error(transparent)]
    Ingest(#[from] crate::ingest::IngestError),
    #[error(transparent)]
    Host(#[from] crate::hosts::HostError),
    #[error(transparent)]
    Ssh(#[from] crate::poll::SshError),
    #[error(transparent)]
    Accounts(#[from] crate::accounts::AccountError),
    #[error(transparent)]
    Nss(#[from] crate::nss::NssError),
    #[error("verifying the audit trail: {0}")]
    Audit(#[from] crate::audit::AuditError),
    #[error("rotating the master key: {0}")]
    Rotate(#[from] crate::seal::RotateError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Blocking(#[from] crate::blocking::BlockingError),
}

/// Reports re-sealing progress as (done, total).
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// What the commands work on: a running appliance's context, or a store opened by the CLI.
#[derive(Clone)]
pub struct Env {
    pub store: Store,
    pub hasher: Hasher,
    pub default_org: OrgId,
    pub sealer: Sealer,
    pub key_origin: KeyOrigin,
    pub data_dir: PathBuf,
    pub clock: SharedClock,
    /// Told when SSH hosts change, so a running poller picks them up at once.
    pub polls: Arc<crate::hosts::Polls>,
    pub accounts: crate::config::AccountsConfig,
    /// Told after every command, so hosts waiting for account changes look again.
    pub accounts_changed: crate::changes::Changes,
}

impl Env {
    pub fn from_ctx(ctx: &Ctx) -> Self {
        Self {
            store: ctx.store.clone(),
            hasher: ctx.state::<crate::users::Passwords>().hasher.clone(),
            default_org: ctx.default_org,
            sealer: ctx.sealer.clone(),
            key_origin: ctx.key_origin.clone(),
            data_dir: ctx.config.data_dir.clone(),
            clock: ctx.clock.clone(),
            polls: ctx.state::<crate::hosts::Polls>(),
            accounts: ctx.config.accounts.clone(),
            accounts_changed: ctx.accounts_changed.clone(),
        }
    }

    pub fn from_opened(opened: &Opened, config: &crate::config::Config, clock: SharedClock) -> Self {
        Self {
            store: opened.store.clone(),
            hasher: Hasher::new(config.auth.bcrypt_cost),
            default_org: opened.default_org,
            sealer: opened.sealer.clone(),
            key_origin: opened.key_origin.clone(),
            data_dir: config.data_dir.clone(),
            clock,
            polls: Arc::default(),
            accounts: config.accounts.clone(),
            accounts_changed: crate::changes::Changes::default(),
        }
    }
}

/// Where the socket lives in a data directory.
pub fn socket_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("admin.sock")
}
