//! Putting a bundle in place: checked first against this machine's own account files,
//! then written file by file, each whole or not at all (temporary file in the same
//! directory, fsync, owner and mode, rename, fsync of the directory). A bundle that fails
//! a check installs nothing, so the last good files stay.
//!
//! Order matters to whoever logs in meanwhile: keys and shadow first, then group, passwd
//! last. A new user exists only once their password, keys and group are there; a removed
//! user loses keys and password before the account itself goes.
//!
//! Blocking file I/O: callers in async code go through `crate::blocking::run`. It must not
//! talk HTTP.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::NssError;
use super::bundle::Bundle;
use super::check::{Files, Local, check};

/// The gid Debian and Ubuntu give the `shadow` group, for a machine whose group file
/// does not name it.
const SHADOW_GID_FALLBACK: u32 = 42;

/// What a bundle is checked against and how its files are owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallOptions {
    /// The ids central accounts may have (the agent's configuration, never the bundle's).
    pub uid_min: u32,
    pub uid_max: u32,
    /// This machine's own accounts, which no central one may collide with.
    pub passwd_file: PathBuf,
    pub group_file: PathBuf,
    /// Give the files to root (shadow: root and the `shadow` group). Off only for tests
    /// running unprivileged; as root the files are always given to root.
    pub set_owner: bool,
}

impl Default for InstallOptions {
    fn default() -> Self {
        Self {
            uid_min: 20000,
            uid_max: 59999,
            passwd_file: PathBuf::from("/etc/passwd"),
            group_file: PathBuf::from("/etc/group"),
            set_owner: true,
        }
    }
}

/// What an install did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallReport {
    pub version: String,
    /// Files replaced, in the order they were.
    pub written: Vec<&'static str>,
    /// Files that already held exactly this, with the right owner and mode.
    pub unchanged: Vec<&'static str>,
}

impl InstallReport {
    pub fn changed(&self) -> bool {
        !self.written.is_empty()
    }
}

/// One file of the NSS directory.
struct Target {
    name: &'static str,
    mode: u32,
    /// Group-owned by `shadow` rather than root.
    shadow: bool,
}

/// The order files are replaced in; see the module documentation for why.
const ORDER: [Target; 4] = [
    Target { name: "authorized_keys", mode: 0o644, shadow: false },
    Target { name: "shadow", mode: 0o640, shadow: true },
    Target { name: "group", mode: 0o644, shadow: false },
    Target { name: "passwd", mode: 0o644, shadow: false },
];

/// Whether this process runs as root.
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Checks `bundle` against `options` and this machine's accounts, then installs it in
/// `dir`, which must exist (libnss-extrausers creates it).
pub fn install(dir: &Path, bundle: &Bundle, options: &InstallOptions) -> Result<InstallReport, NssError> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(NssError::NoDir { path: dir.to_path_buf() }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(NssError::NoDir { path: dir.to_path_buf() }),
        Err(source) => return Err(NssError::Read { path: dir.to_path_buf(), source }),
    }
    let local = read_local(options)?;
    let files = check(bundle, &(options.uid_min..=options.uid_max), &local)?;
    let owners = (options.set_owner || is_root()).then(|| Owners { shadow_gid: shadow_gid(&local) });
    let (written, unchanged) = put(dir, &files, owners, &mut |_| Ok(()))?;
    Ok(InstallReport { version: bundle.version.clone(), written, unchanged })
}

fn read_local(options: &InstallOptions) -> Result<Local, NssError> {
    let read = |path: &Path| {
        fs::read(path)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .map_err(|source| NssError::Read { path: path.to_path_buf(), source })
    };
    let (passwd, group) = (read(&options.passwd_file)?, read(&options.group_file)?);
    Ok(Local::parse(&options.passwd_file, &passwd, &options.group_file, &group))
}

/// Set when the missing `shadow` group was reported, so a sync every minute says it once.
static SHADOW_WARNED: AtomicBool = AtomicBool::new(false);

fn shadow_gid(local: &Local) -> u32 {
    local.gid("shadow").unwrap_or_else(|| {
        if !SHADOW_WARNED.swap(true, Ordering::Relaxed) {
            tracing::warn!(gid = SHADOW_GID_FALLBACK, "no shadow group in the group file; giving shadow to gid 42");
        }
        SHADOW_GID_FALLBACK
    })
}

/// Who owns the files: root, and for shadow the `shadow` group. `None`: leave the owner
/// as created (tests running unprivileged).
#[derive(Debug, Clone, Copy)]
struct Owners {
    shadow_gid: u32,
}

impl Owners {
    fn of(self, target: &Target) -> (u32, u32) {
        (0, if target.shadow { self.shadow_gid } else { 0 })
    }
}

/// Writes each file that differs, in [`ORDER`]. `before` runs before each write: the seam
/// tests inject a failure through.
fn put(
    dir: &Path,
    files: &Files,
    owners: Option<Owners>,
    before: &mut dyn FnMut(&'static str) -> io::Result<()>,
) -> Result<(Vec<&'static str>, Vec<&'static str>), NssError> {
    let (mut written, mut unchanged) = (Vec::new(), Vec::new());
    for target in &ORDER {
        let content = match target.name {
            "authorized_keys" => &files.authorized_keys,
            "shadow" => &files.shadow,
            "group" => &files.group,
            _ => &files.passwd,
        };
        let path = dir.join(target.name);
        let owner = owners.map(|o| o.of(target));
        if is_current(&path, content.as_bytes(), target.mode, owner) {
            unchanged.push(target.name);
            continue;
        }
        before(target.name)
            .and_then(|()| replace(&path, content.as_bytes(), target.mode, owner))
            .map_err(|source| NssError::Write { path: path.clone(), source })?;
        written.push(target.name);
    }
    Ok((written, unchanged))
}

/// Whether `path` is a regular file holding exactly `content` with `mode` and `owner`.
fn is_current(path: &Path, content: &[u8], mode: u32, owner: Option<(u32, u32)>) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else { return false };
    let owned = owner.is_none_or(|(uid, gid)| meta.uid() == uid && meta.gid() == gid);
    meta.is_file()
        && meta.len() == content.len() as u64
        && meta.mode() & 0o7777 == mode
        && owned
        && fs::read(path).is_ok_and(|old| old == content)
}

/// Temporary file, write, owner, mode, fsync, rename over `path`, fsync of the directory.
fn replace(path: &Path, content: &[u8], mode: u32, owner: Option<(u32, u32)>) -> io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // A dot name libnss-extrausers never reads; the same one each time, so a crash leaves
    // at most one stray file, replaced by the next attempt.
    let tmp = dir.join(format!(".{name}.steward-new"));
    let result = (|| {
        let _ = fs::remove_file(&tmp);
        // 0600 until the owner is right: shadow is never readable by others on the way.
        let mut file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        file.write_all(content)?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::fchown(&file, Some(uid), Some(gid))?;
        }
        file.set_permissions(fs::Permissions::from_mode(mode))?;
        // After owner and mode, so the fsync makes those durable with the content.
        file.sync_all()?;
        fs::rename(&tmp, path)?;
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests;
