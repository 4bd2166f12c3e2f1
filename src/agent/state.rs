//! The agent's state directory: the machine token the appliance issued (0600), the
//! certificate pin stored on first use, and a machine id of last resort. Everything is
//! written whole or not at all, so a crash or a full disk never leaves half a token.
//!
//! Blocking file I/O, small and rare (at start and on enrollment); it must not know HTTP.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("creating the state directory {path}: {source}")]
    Create { path: PathBuf, source: std::io::Error },
    #[error("reading {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("writing {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{path} holds no valid certificate fingerprint; delete it to pin again on first use")]
    BadPin { path: PathBuf },
    #[error("no randomness available for a machine id")]
    Random,
}

#[derive(Debug, Clone)]
pub struct State {
    dir: PathBuf,
}

impl State {
    /// Opens `dir`, creating it 0700 (it holds a credential).
    pub fn open(dir: &Path) -> Result<Self, StateError> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| StateError::Create { path: dir.to_path_buf(), source })?;
        Ok(Self { dir: dir.to_path_buf() })
    }

    pub fn spool_dir(&self) -> PathBuf {
        self.dir.join("spool")
    }

    fn read(&self, name: &str) -> Result<Option<String>, StateError> {
        let path = self.dir.join(name);
        match fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text.trim().to_string()).filter(|t| !t.is_empty())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StateError::Read { path, source }),
        }
    }

    fn write(&self, name: &str, text: &str) -> Result<(), StateError> {
        let path = self.dir.join(name);
        write_atomically(&path, format!("{text}\n").as_bytes(), 0o600)
            .map_err(|source| StateError::Write { path, source })
    }

    /// The machine token, once the appliance issued one.
    pub fn token(&self) -> Result<Option<String>, StateError> {
        self.read("token")
    }

    pub fn set_token(&self, token: &str) -> Result<(), StateError> {
        self.write("token", token)
    }

    /// Forgets a token the appliance no longer knows (host deleted or rejected).
    pub fn clear_token(&self) -> Result<(), StateError> {
        let path = self.dir.join("token");
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(StateError::Write { path, source }),
        }
    }

    /// The certificate fingerprint pinned on first use.
    pub fn pin(&self) -> Result<Option<[u8; 32]>, StateError> {
        let Some(text) = self.read("server.pin")? else { return Ok(None) };
        crate::tls::parse_fingerprint(&text)
            .map(Some)
            .map_err(|_| StateError::BadPin { path: self.dir.join("server.pin") })
    }

    pub fn set_pin(&self, fingerprint: &str) -> Result<(), StateError> {
        self.write("server.pin", fingerprint)
    }

    /// What identifies this machine: the configured value, or a hash of `/etc/machine-id`
    /// (the raw id is meant to stay on the machine), or a random id kept here.
    pub fn machine_fingerprint(&self, configured: Option<&str>) -> Result<String, StateError> {
        if let Some(fp) = configured {
            return Ok(fp.to_string());
        }
        let id = match fs::read_to_string("/etc/machine-id").ok().map(|s| s.trim().to_string()) {
            Some(id) if !id.is_empty() => id,
            _ => match self.read("machine-id")? {
                Some(id) => id,
                None => {
                    let mut bytes = [0u8; 16];
                    getrandom::fill(&mut bytes).map_err(|_| StateError::Random)?;
                    let id = hex::encode(bytes);
                    self.write("machine-id", &id)?;
                    id
                }
            },
        };
        let digest = Sha256::new().chain_update(b"steward-agent machine\0").chain_update(id.as_bytes()).finalize();
        Ok(hex::encode(&digest[..16]))
    }
}

/// Temporary file (created with `mode`), fsync, rename, fsync of the directory: the file
/// is whole or absent after a crash, and never readable by others in between.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let result = (|| {
        let _ = fs::remove_file(&tmp);
        let mut f = fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::State;

    #[test]
    fn the_token_is_private_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(&dir.path().join("s")).unwrap();
        assert_eq!(state.token().unwrap(), None);
        state.set_token("stm_abc").unwrap();
        let mode = std::fs::metadata(dir.path().join("s/token")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(dir.path().join("s")).unwrap().permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        assert_eq!(State::open(&dir.path().join("s")).unwrap().token().unwrap().as_deref(), Some("stm_abc"));
        state.clear_token().unwrap();
        state.clear_token().unwrap();
        assert_eq!(state.token().unwrap(), None);
    }

    #[test]
    fn a_damaged_pin_is_an_error_not_a_silent_re_pin() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        assert_eq!(state.pin().unwrap(), None);
        state.set_pin("AB:CD").unwrap();
        assert!(state.pin().is_err());
        let good = ["0F"; 32].join(":");
        state.set_pin(&good).unwrap();
        assert_eq!(state.pin().unwrap(), Some([0x0f; 32]));
    }

    #[test]
    fn the_machine_fingerprint_is_stable_and_hides_the_machine_id() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::open(dir.path()).unwrap();
        assert_eq!(state.machine_fingerprint(Some("given")).unwrap(), "given");
        let a = state.machine_fingerprint(None).unwrap();
        assert_eq!(a, state.machine_fingerprint(None).unwrap());
        assert_eq!(a.len(), 32);
        let raw = std::fs::read_to_string("/etc/machine-id").unwrap_or_default();
        assert!(raw.trim().is_empty() || !a.contains(raw.trim()));
    }
}
