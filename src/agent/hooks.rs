//! What sshd and PAM run on this machine for central accounts, each a short process:
//!
//! - `steward agent authorized-keys USER`: sshd's `AuthorizedKeysCommand`, run as `nobody`:
//!   the user's key lines from the NSS directory. No configuration, no network, no state
//!   directory (nobody can read none of them), and quick: sshd waits on it at every login.
//! - `steward agent password-hook --user USER`: a password change from PAM: the old and
//!   new passwords go to the appliance, which decides. Anything but its yes refuses the
//!   change (fail closed).
//!
//! It must not write files, and never print, log or keep a password longer than needed:
//! every buffer holding one is wiped when dropped.

use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use thiserror::Error;
use zeroize::Zeroizing;

use super::config::AgentConfig;
use super::nss::{AUTHORIZED_KEYS, valid_name};
use super::state::State;
use super::transport::{PasswordError, Transport};

/// How long a password change may wait for the appliance: someone sits at the prompt.
pub const PASSWORD_TIMEOUT: Duration = Duration::from_secs(10);

/// The most stdin the hook reads; PAM's own limit for a response is 512 bytes.
const STDIN_LIMIT: usize = 4096;

#[derive(Debug, Error)]
pub enum HookError {
    #[error("{0:?} is not a valid user name")]
    BadUser(String),
    #[error("reading {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("refusing {path}: it is writable by others than its owner")]
    Writable { path: PathBuf },
    #[error("refusing {path}: it is owned by uid {uid}, not root")]
    Owner { path: PathBuf, uid: u32 },
    #[error("writing the keys: {0}")]
    Output(std::io::Error),
    #[error("no password on stdin: expected the old password, NUL, the new password (NUL or newline separated)")]
    NoPassword,
    #[error("reading the passwords on stdin: {0}")]
    Stdin(String),
    #[error("this host is not enrolled yet: no machine token in {0}")]
    NotEnrolled(PathBuf),
    #[error(transparent)]
    State(#[from] super::state::StateError),
    #[error(transparent)]
    Agent(#[from] super::AgentError),
    #[error(transparent)]
    Password(#[from] PasswordError),
}

/// Writes `user`'s key lines from `dir`'s keys file to `out`; none when the user has none
/// or the file does not exist (accounts not synced yet). Returns how many.
pub fn authorized_keys(dir: &Path, user: &str, out: &mut impl Write) -> Result<usize, HookError> {
    if !valid_name(user) {
        return Err(HookError::BadUser(user.to_string()));
    }
    let path = dir.join(AUTHORIZED_KEYS);
    let mut file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(source) => return Err(HookError::Read { path, source }),
    };
    trusted(dir, std::fs::metadata(dir))?;
    trusted(&path, file.metadata())?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(|source| HookError::Read { path: path.clone(), source })?;
    let mut found = 0;
    for line in text.lines() {
        if let Some((name, key)) = line.split_once('\t')
            && name == user
        {
            writeln!(out, "{key}").map_err(HookError::Output)?;
            found += 1;
        }
    }
    out.flush().map_err(HookError::Output)?;
    Ok(found)
}

/// sshd trusts these keys as much as the file and its directory: nobody but root (or the
/// caller itself, for tests) may have been able to write them.
fn trusted(path: &Path, meta: std::io::Result<std::fs::Metadata>) -> Result<(), HookError> {
    let meta = meta.map_err(|source| HookError::Read { path: path.to_path_buf(), source })?;
    if meta.mode() & 0o022 != 0 {
        return Err(HookError::Writable { path: path.to_path_buf() });
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != 0 && meta.uid() != me {
        return Err(HookError::Owner { path: path.to_path_buf(), uid: meta.uid() });
    }
    Ok(())
}

/// The two passwords of a change, wiped when dropped.
pub struct Passwords {
    pub old: Zeroizing<String>,
    pub new: Zeroizing<String>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passwords(<redacted>)")
    }
}

/// Reads stdin whole (at most a few KiB) into a buffer that is wiped when dropped.
pub fn read_stdin() -> Result<Zeroizing<Vec<u8>>, HookError> {
    // Allocated once at full size: a buffer that grew would leave copies behind.
    let mut buf = Zeroizing::new(Vec::with_capacity(STDIN_LIMIT + 1));
    std::io::stdin()
        .lock()
        .take(STDIN_LIMIT as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| HookError::Stdin(e.to_string()))?;
    if buf.len() > STDIN_LIMIT {
        return Err(HookError::Stdin(format!("more than {STDIN_LIMIT} bytes")));
    }
    Ok(buf)
}

/// `old NUL new [NUL]`, as PAM hands them over; or, when there is no NUL at all,
/// `old LF new [LF]`. The old password may be empty (root setting someone's password),
/// the new one not.
pub fn parse_passwords(input: &[u8]) -> Result<Passwords, HookError> {
    let extra = || HookError::Stdin("unexpected data after the new password".into());
    let (old, new) = if input.contains(&0) {
        let mut parts = input.split(|b| *b == 0);
        let old = parts.next().unwrap_or_default();
        match (parts.next(), parts.next(), parts.next()) {
            (None, ..) => return Err(HookError::NoPassword),
            (Some(new), None, _) | (Some(new), Some([]), None) => (old, new),
            _ => return Err(extra()),
        }
    } else {
        let body = input.strip_suffix(b"\n").unwrap_or(input);
        let at = body.iter().position(|b| *b == b'\n').ok_or(HookError::NoPassword)?;
        let (old, new) = (&body[..at], &body[at + 1..]);
        if new.contains(&b'\n') {
            return Err(extra());
        }
        (old, new)
    };
    if new.is_empty() {
        return Err(HookError::NoPassword);
    }
    let text = |bytes: &[u8]| {
        std::str::from_utf8(bytes)
            .map(|s| Zeroizing::new(s.to_string()))
            .map_err(|_| HookError::Stdin("the passwords are not UTF-8".into()))
    };
    Ok(Passwords { old: text(old)?, new: text(new)? })
}

#[derive(Serialize)]
struct Change<'a> {
    user: &'a str,
    old: &'a str,
    new: &'a str,
}

/// Asks the appliance to change `user`'s password, with the machine token the running
/// agent stored. `Ok` only when the appliance said yes.
pub fn change_password(config: &AgentConfig, user: &str, passwords: &Passwords) -> Result<(), HookError> {
    if !valid_name(user) {
        return Err(HookError::BadUser(user.to_string()));
    }
    // Never create the state directory here: its absence means "not enrolled".
    let dir = &config.state_dir;
    if !dir.is_dir() {
        return Err(HookError::NotEnrolled(dir.clone()));
    }
    let state = State::open(dir)?;
    let token = state.token()?.ok_or_else(|| HookError::NotEnrolled(dir.clone()))?;
    let mut config = config.clone();
    config.request_timeout = PASSWORD_TIMEOUT;
    let transport = Transport::new(&config, state.clone(), state.pin()?)?;
    let change = Change { user, old: &passwords.old, new: &passwords.new };
    // Sized for the worst escaping up front, so serializing never reallocates (and never
    // leaves a copy behind); the HTTP stack drops it through `from_owner`, which wipes it.
    let room = 64 + 6 * (user.len() + passwords.old.len() + passwords.new.len());
    let mut body = Zeroizing::new(Vec::with_capacity(room));
    serde_json::to_writer(&mut *body, &change).map_err(|e| HookError::Stdin(e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| HookError::Agent(super::AgentError::Thread(e)))?;
    runtime.block_on(transport.change_password(&token, bytes::Bytes::from_owner(body)))?;
    Ok(())
}

/// One line for the terminal: an appliance's message cannot add lines or escapes.
pub fn one_line(message: &str) -> String {
    message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests;
