//! Reading PEM certificate chains and private keys, and turning them into a rustls server
//! config. This file must not create or change any file.

use std::path::Path;

use rustls::ServerConfig;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::{TlsError, provider};

/// The certificate chain in `path`, leaf first; never empty.
pub(super) fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let err = |e: pem::Error| TlsError::ReadCert { path: path.display().to_string(), reason: reason(e) };
    let chain = CertificateDer::pem_file_iter(path).map_err(err)?.collect::<Result<Vec<_>, _>>().map_err(err)?;
    if chain.is_empty() {
        return Err(TlsError::NoCert { path: path.display().to_string() });
    }
    Ok(chain)
}

/// The first private key in `path`: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), whichever comes first.
pub(super) fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| match e {
        pem::Error::NoItemsFound => TlsError::NoKey { path: path.display().to_string() },
        e => TlsError::ReadKey { path: path.display().to_string(), reason: reason(e) },
    })
}

/// TLS 1.2 and 1.3 with aws-lc-rs's safe defaults. rustls checks here that the key belongs
/// to the leaf certificate, so a mismatched pair fails at startup rather than per handshake.
/// ALPN is left empty: actix-web sets h2/http1.1 itself when it binds.
pub(super) fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<ServerConfig, rustls::Error> {
    ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
}

/// The I/O error alone reads better after the path than pki-types' "I/O error: ..." prefix.
fn reason(e: pem::Error) -> String {
    match e {
        pem::Error::Io(io) => io.to_string(),
        e => e.to_string(),
    }
}
