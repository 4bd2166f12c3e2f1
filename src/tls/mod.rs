//! TLS: the server certificate (self-signed in `<data>/tls` or operator-supplied files), the
//! rustls server config built from it, SHA-256 fingerprints and a client config pinned to
//! one, and the plain-HTTP listener that redirects to HTTPS.
//!
//! Everything here uses the aws-lc-rs provider explicitly, so no process-wide default
//! provider has to be installed first. This module must not bind the HTTPS listener or
//! decide which routes exist: `http` owns that and only takes a [`ServerTls`] from here.

mod auto;
mod load;
mod pin;
mod redirect;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use thiserror::Error;

use crate::config::{TlsConfig, TlsMode};

pub use pin::{
    CertificateChanged, capturing_client_config, certificate_changed, certificate_untrusted, fingerprint,
    format_fingerprint, parse_fingerprint, pinned_client_config,
};
pub use redirect::redirect_server;

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("tls.mode is \"files\" but {key} is empty; set it to a PEM file")]
    NotConfigured { key: &'static str },
    #[error("reading certificate {path}: {reason}")]
    ReadCert { path: String, reason: String },
    #[error("no certificate found in {path} (expected a PEM \"CERTIFICATE\" block)")]
    NoCert { path: String },
    #[error("reading private key {path}: {reason}")]
    ReadKey { path: String, reason: String },
    #[error("no private key found in {path} (expected a PEM PKCS#8, PKCS#1 or SEC1 key)")]
    NoKey { path: String },
    #[error("using certificate {cert} with key {key}: {reason}")]
    Config { cert: String, key: String, reason: String },
    #[error("tls.hostnames entry {name:?} is neither a DNS name nor an IP address")]
    Hostname { name: String },
    #[error("generating a self-signed certificate: {0}")]
    Generate(String),
    #[error("writing {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("building a pinned TLS client config: {0}")]
    ClientConfig(String),
    #[error("fingerprint {value:?} is not a SHA-256 fingerprint: {reason}")]
    BadFingerprint { value: String, reason: String },
}

/// What the HTTPS listener needs, plus what to tell the operator about it.
#[derive(Debug, Clone)]
pub struct ServerTls {
    pub config: rustls::ServerConfig,
    /// SHA-256 of the leaf certificate, `AB:CD:...`: what clients pin.
    pub fingerprint: String,
    /// The certificate file in use, to show the operator where it lives.
    pub cert_path: PathBuf,
}

/// The rustls server config for `cfg`, or `None` when TLS is off.
///
/// Auto mode keeps `<data_dir>/tls/cert.pem` and `key.pem`, generating them on first start
/// and reusing them afterwards, so the fingerprint clients pinned stays valid. Blocking:
/// call it at startup, before the async runtime serves anything.
pub fn server_tls(cfg: &TlsConfig, data_dir: &Path) -> Result<Option<ServerTls>, TlsError> {
    let (cert_path, key_path) = match cfg.mode {
        TlsMode::Off => return Ok(None),
        TlsMode::Auto => auto::ensure(data_dir, &cfg.hostnames)?,
        TlsMode::Files => configured_paths(cfg)?,
    };
    let chain = load::read_chain(&cert_path)?;
    let key = load::read_key(&key_path)?;
    let fingerprint = fingerprint(&chain[0]);
    if cfg.mode == TlsMode::Auto {
        auto::warn_uncovered(&chain[0], &cfg.hostnames, &cert_path);
        auto::warn_key_mode(&key_path);
    }
    let config = load::server_config(chain, key).map_err(|e| TlsError::Config {
        cert: cert_path.display().to_string(),
        key: key_path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(Some(ServerTls { config, fingerprint, cert_path }))
}

/// The SHA-256 of the certificate this appliance serves (auto or files mode), read from
/// disk without generating anything, so `steward healthcheck` can pin its own appliance.
pub fn served_fingerprint(cfg: &TlsConfig, data_dir: &Path) -> Result<Option<[u8; 32]>, TlsError> {
    let cert_path = match cfg.mode {
        TlsMode::Off => return Ok(None),
        TlsMode::Auto => auto::cert_path(data_dir),
        TlsMode::Files => configured_paths(cfg)?.0,
    };
    let chain = load::read_chain(&cert_path)?;
    Ok(Some(pin::digest(&chain[0])))
}

fn configured_paths(cfg: &TlsConfig) -> Result<(PathBuf, PathBuf), TlsError> {
    if cfg.cert_file.as_os_str().is_empty() {
        return Err(TlsError::NotConfigured { key: "tls.cert_file" });
    }
    if cfg.key_file.as_os_str().is_empty() {
        return Err(TlsError::NotConfigured { key: "tls.key_file" });
    }
    Ok((cfg.cert_file.clone(), cfg.key_file.clone()))
}

/// The one crypto provider every config here is built with.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}
