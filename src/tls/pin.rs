//! SHA-256 certificate fingerprints, and a client config that trusts exactly one of them.
//!
//! Pinning replaces the web PKI for self-signed appliances: the pin is the trust anchor,
//! so names and expiry are deliberately not checked. This file must not weaken anything
//! else: handshake signatures are still verified, so a server must hold the pinned
//! certificate's private key, not merely present a copy of the certificate.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, OtherError, SignatureScheme};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use thiserror::Error;

use super::{TlsError, provider};

/// The SHA-256 of a DER certificate as uppercase hex pairs joined by `:`, the form browsers
/// and `openssl x509 -fingerprint -sha256` show.
pub fn fingerprint(cert_der: &[u8]) -> String {
    format_fingerprint(&digest(cert_der))
}

pub(super) fn digest(cert_der: &[u8]) -> [u8; 32] {
    Sha256::digest(cert_der).into()
}

pub fn format_fingerprint(digest: &[u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// Parses `AB:CD:...` (32 colon-separated pairs) or 64 plain hex digits, in either case.
pub fn parse_fingerprint(s: &str) -> Result<[u8; 32], TlsError> {
    let bad = |reason: &str| TlsError::BadFingerprint { value: s.to_owned(), reason: reason.to_owned() };
    let text = s.trim();
    let digits: String = if text.contains(':') {
        let pairs: Vec<&str> = text.split(':').collect();
        if pairs.len() != 32 || pairs.iter().any(|p| p.len() != 2) {
            return Err(bad("expected 32 colon-separated pairs of hex digits"));
        }
        pairs.concat()
    } else {
        text.to_owned()
    };
    if digits.len() != 64 {
        return Err(bad("expected 64 hex digits"));
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(&digits, &mut out).map_err(|_| bad("not hexadecimal"))?;
    Ok(out)
}

/// A client config that accepts only the server certificate whose SHA-256 is `pin`.
///
/// Fallible only in form: the aws-lc-rs provider always supports the default protocol
/// versions, but the builder says so with a `Result`, and this crate does not unwrap.
pub fn pinned_client_config(pin: [u8; 32]) -> Result<ClientConfig, TlsError> {
    client_config(Check::Pin(pin))
}

fn client_config(check: Check) -> Result<ClientConfig, TlsError> {
    let provider = provider();
    let verifier = PinnedVerifier { check, algorithms: provider.signature_verification_algorithms };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::ClientConfig(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(config)
}

/// A client config that trusts nothing and sends nothing: its handshake fails after noting
/// the SHA-256 of the certificate the server presented in `seen`. For trust on first use:
/// the caller decides whether to pin what was seen, then connects with
/// [`pinned_client_config`].
pub fn capturing_client_config(seen: Arc<std::sync::Mutex<Option<[u8; 32]>>>) -> Result<ClientConfig, TlsError> {
    client_config(Check::Capture(seen))
}

/// Whether a handshake failed because the certificate is not trusted (any certificate
/// error, e.g. unknown issuer or self-signed), as opposed to a network failure.
pub fn certificate_untrusted(err: &(dyn StdError + 'static)) -> bool {
    matches!(rustls_error_in(err), Some(rustls::Error::InvalidCertificate(_)))
}

/// The pinned verifier's rejection, inside the `rustls::Error` a handshake fails with.
#[derive(Clone, Error)]
#[error(
    "the server's certificate changed: pinned fingerprint {expected}, server presented {presented}; if it was replaced on purpose, pin the new fingerprint"
)]
pub struct CertificateChanged {
    pub expected: String,
    pub presented: String,
}

/// rustls displays a custom certificate error with `{:?}`, so Debug must read as a sentence.
impl fmt::Debug for CertificateChanged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Finds the pinned verifier's rejection anywhere in an error's source chain, including
/// inside the `io::Error` that tokio-rustls (and so reqwest) wraps TLS errors in, so a
/// caller can show it without rustls' and the HTTP client's wrapping.
pub fn certificate_changed<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a CertificateChanged> {
    match rustls_error_in(err) {
        Some(rustls::Error::InvalidCertificate(CertificateError::Other(other))) => other.0.downcast_ref(),
        _ => None,
    }
}

/// The first TLS error in an error's source chain, looking inside the `io::Error` that
/// tokio-rustls (and so reqwest) wraps them in.
fn rustls_error_in<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        // `io::Error::source` skips the error it wraps (it returns that error's source), and
        // hyper wraps io errors in io errors: look inside each one.
        next = match e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    None
}

/// What the verifier does with the server's certificate.
#[derive(Debug)]
enum Check {
    /// Accept exactly this SHA-256.
    Pin([u8; 32]),
    /// Note its SHA-256 and refuse it.
    Capture(Arc<std::sync::Mutex<Option<[u8; 32]>>>),
}

#[derive(Debug)]
struct PinnedVerifier {
    check: Check,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = digest(end_entity);
        let pin = match &self.check {
            Check::Pin(pin) => pin,
            Check::Capture(seen) => {
                *seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(presented);
                return Err(rustls::Error::General("certificate noted for pinning; not trusted yet".into()));
            }
        };
        // Constant time, although the pin is not secret: it costs nothing and leaves no
        // timing question to argue about.
        if bool::from(presented.ct_eq(pin)) {
            return Ok(ServerCertVerified::assertion());
        }
        let mismatch =
            CertificateChanged { expected: format_fingerprint(pin), presented: format_fingerprint(&presented) };
        // A certificate error (not `General`) so rustls sends the server a bad-certificate
        // alert; `certificate_changed` digs it out again for a clean message.
        Err(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(mismatch)))))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
