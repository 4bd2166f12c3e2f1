//! Central accounts on this machine: the bundle of accounts the appliance allows here
//! (passwd, group, shadow and SSH keys), checked and installed as libnss-extrausers files,
//! and kept current by a task of the running agent.
//!
//! - [`bundle`]: the bundle's JSON form, its digest-as-version, the keys file format.
//! - [`check`]: everything a bundle must satisfy, against this machine's own accounts.
//! - [`install`]: atomic, ordered replacement of the files.
//! - [`sync`]: the agent's task: long-poll the appliance, install, report the outcome.
//!
//! The appliance installs its own host's bundle through [`install_json`], the same path.
//! It must not touch the appliance's store, nor `/etc/passwd`, `/etc/group` or
//! `/etc/shadow` (read only, to avoid collisions).

pub mod bundle;
pub mod check;
#[cfg(test)]
pub(crate) mod fake;
pub mod install;
pub mod sync;

use std::path::{Path, PathBuf};

pub use bundle::{Bundle, BundleError, valid_name, version_of};
pub use install::{InstallOptions, InstallReport, install};

/// The file of the NSS directory `steward agent authorized-keys` reads.
pub const AUTHORIZED_KEYS: &str = "authorized_keys";

/// The directory libnss-extrausers reads.
pub const DEFAULT_DIR: &str = "/var/lib/extrausers";

#[derive(Debug, thiserror::Error)]
pub enum NssError {
    #[error("refusing the account bundle: {0}")]
    Bundle(#[from] BundleError),
    #[error("{path} does not exist or is not a directory: install libnss-extrausers (or set nss.dir)")]
    NoDir { path: PathBuf },
    #[error("reading {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("writing {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// Parses, checks and installs a bundle given as the JSON the appliance serves, into
/// `dir`: `steward nss sync` on the appliance's own host goes through here, the agent's
/// task through the same [`install`].
pub fn install_json(dir: &Path, json: &[u8], options: &InstallOptions) -> Result<InstallReport, NssError> {
    let bundle = Bundle::parse(json)?;
    install(dir, &bundle, options)
}
