//! One SSH connection: the TCP dial (async, so an unreachable host costs a timer, not a
//! thread), then the blocking ssh2 part on a pool thread: handshake, host key check against
//! the pin, login, and one exec channel running the poll script with a deadline and an
//! output cap. Classifies every failure into a [`PollError`].
//!
//! It must not touch the store or the clock: the caller passes credentials, pin and limits
//! in, and decides what a result means.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use base64::Engine;
use sha2::{Digest, Sha256};
use ssh2::{ExtendedData, HostKeyType, Session};
use zeroize::Zeroizing;

use super::error::PollError;
use crate::hosts::{PinnedKey, SeenKey};

/// How long each step may take and how much a poll may print.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub connect_timeout: Duration,
    pub poll_timeout: Duration,
    pub max_output: usize,
}

/// The secret half of a login, opened from the seal just before use and wiped after.
pub enum Credential {
    Password(Zeroizing<String>),
    /// An unencrypted OpenSSH private key.
    Key(Zeroizing<String>),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credential::Password(_) => "Password(<redacted>)",
            Credential::Key(_) => "Key(<redacted>)",
        })
    }
}

/// Where and as whom to log in.
#[derive(Debug)]
pub struct Login {
    pub username: String,
    pub credential: Credential,
    pub pin: Option<PinnedKey>,
}

/// Host key algorithms in the order asked for: the strongest first, and fixed, so the same
/// server always presents the same key and a pin stays valid across library upgrades.
const HOST_KEY_ORDER: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
];

/// Resolves and connects, each bounded by `timeout`. Never blocks a thread.
pub async fn dial(address: &str, port: u16, timeout: Duration) -> Result<TcpStream, PollError> {
    let target = format!("{address}:{port}");
    let secs = timeout.as_secs().max(1);
    let addrs: Vec<SocketAddr> = match tokio::time::timeout(timeout, tokio::net::lookup_host(target.as_str())).await {
        Err(_) => return Err(PollError::Timeout(format!("resolving {address}"), secs)),
        Ok(Err(e)) => return Err(PollError::Dns(address.to_string(), e.to_string())),
        Ok(Ok(found)) => found.collect(),
    };
    let Some(first) = addrs.first().copied() else {
        return Err(PollError::Dns(address.to_string(), "no addresses".into()));
    };
    let stream = match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(first)).await {
        Err(_) => return Err(PollError::Timeout(format!("connecting to {target}"), secs)),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => return Err(PollError::Refused(target)),
        Ok(Err(e)) => return Err(PollError::Unreachable(target, e.to_string())),
        Ok(Ok(s)) => s,
    };
    let std = stream.into_std().map_err(|e| PollError::Unreachable(target.clone(), e.to_string()))?;
    // ssh2 drives the socket with blocking calls and its own timeouts.
    std.set_nonblocking(false).map_err(|e| PollError::Unreachable(target.clone(), e.to_string()))?;
    let _ = std.set_nodelay(true);
    Ok(std)
}

/// Handshake, host key check and login over a connected socket. Blocking.
pub fn open(tcp: TcpStream, login: &Login, limits: Limits) -> Result<(Session, SeenKey), PollError> {
    let timeout_s = limits.connect_timeout.as_secs().max(1);
    let ssh_err = |doing: &str, e: ssh2::Error| PollError::from_ssh(doing, &e, timeout_s);
    let mut session = Session::new().map_err(|e| ssh_err("starting an ssh session", e))?;
    session.set_timeout(millis(limits.connect_timeout));
    session.set_tcp_stream(tcp);
    session
        .method_pref(ssh2::MethodType::HostKey, &host_key_order(login.pin.as_ref()))
        .map_err(|e| ssh_err("choosing host key algorithms", e))?;
    session.handshake().map_err(|e| ssh_err("ssh handshake", e))?;
    let seen = presented_key(&session)?;
    if let Some(pin) = &login.pin
        && pin.fingerprint != seen.fingerprint
    {
        return Err(PollError::HostKeyChanged {
            expected: pin.fingerprint.clone(),
            presented: seen.fingerprint,
            algorithm: seen.algorithm,
        });
    }
    authenticate(&session, login)?;
    // A dead peer is noticed between polls rather than at the next poll's timeout.
    session.set_keepalive(true, 30);
    Ok((session, seen))
}

/// With a pinned algorithm first, so a server with several host keys presents the pinned one.
fn host_key_order(pin: Option<&PinnedKey>) -> String {
    let first = pin.and_then(|p| p.algorithm.as_deref()).filter(|a| HOST_KEY_ORDER.contains(a));
    let mut order: Vec<&str> = first.into_iter().collect();
    order.extend(HOST_KEY_ORDER.iter().filter(|a| Some(**a) != first));
    order.join(",")
}

fn presented_key(session: &Session) -> Result<SeenKey, PollError> {
    let Some((blob, kind)) = session.host_key() else {
        return Err(PollError::Protocol("ssh handshake: the server presented no host key".into()));
    };
    let algorithm = match kind {
        HostKeyType::Rsa => "ssh-rsa",
        HostKeyType::Dss => "ssh-dss",
        HostKeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
        HostKeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
        HostKeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
        HostKeyType::Ed25519 => "ssh-ed25519",
        HostKeyType::Unknown => "unknown",
    };
    Ok(SeenKey { algorithm: algorithm.to_string(), fingerprint: fingerprint(blob) })
}

/// `SHA256:` and the unpadded base64 of the key blob's SHA-256, as `ssh-keygen -l` prints.
pub fn fingerprint(blob: &[u8]) -> String {
    format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(blob)))
}

fn authenticate(session: &Session, login: &Login) -> Result<(), PollError> {
    let user = &login.username;
    let result = match &login.credential {
        Credential::Password(p) => session.userauth_password(user, p),
        Credential::Key(pem) => session.userauth_pubkey_memory(user, None, pem, None),
    };
    let what = match login.credential {
        Credential::Password(_) => "the server refused the password",
        Credential::Key(_) => "the server refused the key (is its public half in the user's authorized_keys?)",
    };
    match result {
        Ok(()) if session.authenticated() => Ok(()),
        Ok(()) => Err(PollError::AuthFailed(user.clone(), what.into())),
        Err(e) => match e.code() {
            ssh2::ErrorCode::Session(
                libssh2_sys::LIBSSH2_ERROR_AUTHENTICATION_FAILED | libssh2_sys::LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED,
            ) => Err(PollError::AuthFailed(user.clone(), what.into())),
            ssh2::ErrorCode::Session(libssh2_sys::LIBSSH2_ERROR_FILE) => {
                Err(PollError::Credentials(format!("the stored private key does not load: {}", e.message())))
            }
            _ => Err(PollError::from_ssh("logging in", &e, 0)),
        },
    }
}

/// Runs `script` through `sh -s` on one exec channel and returns what it printed (stdout
/// and stderr merged). Bounded by `limits.poll_timeout` overall and `limits.max_output`.
pub fn run(session: &Session, script: &str, limits: Limits) -> Result<Vec<u8>, PollError> {
    let timeout_s = limits.poll_timeout.as_secs().max(1);
    let deadline = Instant::now() + limits.poll_timeout;
    let doing = "running the poll script";
    let ssh_err = |e: ssh2::Error| PollError::from_ssh(doing, &e, timeout_s);
    session.set_timeout(millis(limits.poll_timeout));
    let mut channel = session.channel_session().map_err(|e| PollError::from_ssh("opening a channel", &e, timeout_s))?;
    channel.handle_extended_data(ExtendedData::Merge).map_err(ssh_err)?;
    channel.exec("sh -s").map_err(ssh_err)?;
    channel.write_all(script.as_bytes()).map_err(|e| io_err(doing, e, timeout_s))?;
    channel.send_eof().map_err(ssh_err)?;
    let mut out = Vec::with_capacity(16 * 1024);
    let mut buf = [0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(PollError::Timeout(doing.into(), timeout_s));
        }
        session.set_timeout(millis(left));
        let n = channel.read(&mut buf).map_err(|e| io_err(doing, e, timeout_s))?;
        if n == 0 {
            break;
        }
        if out.len() + n > limits.max_output {
            let _ = channel.close();
            return Err(PollError::OutputTooLarge((limits.max_output / 1024) as u64));
        }
        out.extend_from_slice(&buf[..n]);
    }
    channel.wait_close().map_err(ssh_err)?;
    match channel.exit_status() {
        Ok(127) => Err(PollError::CommandMissing(format!(
            "command missing on the host: sh exited 127{}",
            super::parse::excerpt(&out)
        ))),
        _ => Ok(out),
    }
}

fn io_err(doing: &str, e: std::io::Error, timeout_s: u64) -> PollError {
    if e.kind() == std::io::ErrorKind::TimedOut {
        PollError::Timeout(doing.into(), timeout_s)
    } else {
        PollError::Protocol(format!("{doing}: the connection was lost ({e})"))
    }
}

fn millis(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_read_as_ssh_keygen_prints_them() {
        // `ssh-keygen -lf` of this ed25519 public key prints this fingerprint.
        let line = "AAAAC3NzaC1lZDI1NTE5AAAAIEy46oc76A9vsRArs8mWAFR67yTRHx/rCMrMgTo9Xwkp";
        let blob = base64::engine::general_purpose::STANDARD.decode(line).unwrap();
        assert_eq!(fingerprint(&blob), "SHA256:GHRqWrB41KnB3h8I21Xbs6dVtrnsEYgX+wcJSuuWmLc");
    }

    #[test]
    fn a_pinned_algorithm_is_asked_for_first() {
        let pin = PinnedKey {
            fingerprint: "SHA256:x".into(),
            algorithm: Some("ssh-rsa".into()),
            source: crate::hosts::PinSource::Admin,
            pinned_at: time::OffsetDateTime::UNIX_EPOCH,
        };
        assert!(host_key_order(Some(&pin)).starts_with("ssh-rsa,ssh-ed25519,"));
        assert!(host_key_order(None).starts_with("ssh-ed25519,"));
        assert_eq!(host_key_order(None).matches("ssh-rsa").count(), 1);
    }

    #[tokio::test]
    async fn a_closed_port_is_refused_and_a_bad_name_is_a_dns_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let e = dial("127.0.0.1", port, Duration::from_secs(2)).await.unwrap_err();
        assert_eq!(e.code(), "ssh.refused", "{e}");
        let e = dial("no-such-host.invalid", 22, Duration::from_secs(5)).await.unwrap_err();
        assert!(matches!(e.code(), "ssh.dns" | "ssh.timeout"), "{e}");
    }
}
