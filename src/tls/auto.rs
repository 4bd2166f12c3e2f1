//! Auto mode: the self-signed certificate in `<data>/tls`, generated once and then kept.
//!
//! The certificate is never regenerated or replaced here, even when `tls.hostnames`
//! changes: clients pin its fingerprint, so a silent new certificate would lock them out.
//! Deleting the directory is the operator's explicit way to get a new one.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rcgen::string::Ia5String;
use rcgen::{CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose, SanType};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::server::ParsedCertificate;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::TlsError;

/// Ten years: browsers warn about a self-signed certificate whatever its lifetime, and pinned
/// clients ignore expiry, so a short life would only force re-pinning every appliance's
/// agents. A decade outlives most hardware it runs on.
const VALID_DAYS: i64 = 3650;

fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("tls")
}

pub(super) fn cert_path(data_dir: &Path) -> PathBuf {
    dir(data_dir).join("cert.pem")
}

fn key_path(data_dir: &Path) -> PathBuf {
    dir(data_dir).join("key.pem")
}

/// Returns the certificate and key paths, generating both if the certificate is missing.
///
/// The certificate is renamed into place last, so its presence means the pair is complete;
/// a key left alone by an interrupted first start is simply overwritten.
pub(super) fn ensure(data_dir: &Path, hostnames: &[String]) -> Result<(PathBuf, PathBuf), TlsError> {
    // Checked on every start, not only when generating, so a typo is reported at once.
    let extra = hostnames
        .iter()
        .map(|name| san(name).ok_or_else(|| TlsError::Hostname { name: name.clone() }))
        .collect::<Result<Vec<_>, _>>()?;
    let (cert, key) = (cert_path(data_dir), key_path(data_dir));
    match std::fs::metadata(&cert) {
        Ok(_) => return Ok((cert, key)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(TlsError::ReadCert { path: cert.display().to_string(), reason: e.to_string() });
        }
    }
    let dir = dir(data_dir);
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(&dir).map_err(|e| write_err(&dir, e))?;
    let fingerprint = generate(&dir, &cert, &key, extra)?;
    tracing::info!(path = %cert.display(), %fingerprint, "generated a self-signed TLS certificate");
    Ok((cert, key))
}

fn generate(dir: &Path, cert_path: &Path, key_path: &Path, extra: Vec<SanType>) -> Result<String, TlsError> {
    let host = machine_hostname();
    let mut sans = vec![
        san("localhost").ok_or_else(|| TlsError::Generate("\"localhost\" is not a DNS name".into()))?,
        SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
    ];
    sans.extend(host.as_deref().and_then(san));
    for s in extra {
        if !sans.contains(&s) {
            sans.push(s);
        }
    }
    let mut params = CertificateParams::default();
    params.subject_alt_names = sans;
    params.distinguished_name = DistinguishedName::new();
    let cn = host.map_or_else(|| "Steward".to_owned(), |h| format!("Steward on {h}"));
    params.distinguished_name.push(DnType::CommonName, cn);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    // A day of slack for clients whose clock is behind the appliance's.
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(VALID_DAYS);

    let gen_err = |e: rcgen::Error| TlsError::Generate(e.to_string());
    let key = KeyPair::generate().map_err(gen_err)?;
    let cert = params.self_signed(&key).map_err(gen_err)?;

    let key_tmp = dir.join("key.pem.tmp");
    let cert_tmp = dir.join("cert.pem.tmp");
    write_new(&key_tmp, Zeroizing::new(key.serialize_pem()).as_bytes(), 0o600)?;
    write_new(&cert_tmp, cert.pem().as_bytes(), 0o644)?;
    std::fs::rename(&key_tmp, key_path).map_err(|e| write_err(key_path, e))?;
    std::fs::rename(&cert_tmp, cert_path).map_err(|e| write_err(cert_path, e))?;
    // The renames are only durable once the directory itself is synced.
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| write_err(dir, e))?;
    Ok(super::fingerprint(cert.der()))
}

/// Writes a fresh file with `mode`, removing a stale one first: `create_new` then
/// guarantees the mode, which truncating a leftover file would not.
fn write_new(path: &Path, contents: &[u8], mode: u32) -> Result<(), TlsError> {
    let err = |e: std::io::Error| write_err(path, e);
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(err(e)),
        _ => {}
    }
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(path).map_err(err)?;
    f.write_all(contents).map_err(err)?;
    f.sync_all().map_err(err)
}

fn write_err(path: &Path, e: std::io::Error) -> TlsError {
    TlsError::Write { path: path.display().to_string(), reason: e.to_string() }
}

/// An IP address becomes an IP SAN (clients match IPs only against those), anything else
/// must be a valid DNS name.
fn san(name: &str) -> Option<SanType> {
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Some(SanType::IpAddress(ip));
    }
    match ServerName::try_from(name) {
        Ok(ServerName::DnsName(_)) => Ia5String::try_from(name.to_ascii_lowercase()).ok().map(SanType::DnsName),
        _ => None,
    }
}

/// The kernel's hostname, or `/etc/hostname` where `/proc/sys` is hidden (e.g. systemd's
/// `ProcSubset=pid`). `None` if neither is readable or the name is unusable as a SAN.
pub(super) fn machine_hostname() -> Option<String> {
    ["/proc/sys/kernel/hostname", "/etc/hostname"].iter().find_map(|path| {
        let name = std::fs::read_to_string(path).ok()?.trim().to_ascii_lowercase();
        (name != "localhost" && name != "(none)" && san(&name).is_some()).then_some(name)
    })
}

/// An existing certificate is kept (see the module doc), so say when it no longer covers
/// a configured name instead of leaving the operator to puzzle over browser warnings.
pub(super) fn warn_uncovered(leaf: &CertificateDer<'_>, hostnames: &[String], cert_path: &Path) {
    let Ok(parsed) = ParsedCertificate::try_from(leaf) else {
        return;
    };
    for name in hostnames {
        let Ok(server_name) = ServerName::try_from(name.as_str()) else {
            continue;
        };
        if rustls::client::verify_server_name(&parsed, &server_name).is_err() {
            tracing::warn!(
                hostname = %name,
                path = %cert_path.display(),
                "the self-signed certificate does not cover this tls.hostnames entry; delete its directory to generate a new one (clients must then pin the new fingerprint)"
            );
        }
    }
}

/// Someone may have copied the key around with looser permissions; say so, but keep serving.
pub(super) fn warn_key_mode(key_path: &Path) {
    if let Ok(meta) = std::fs::metadata(key_path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %key_path.display(), mode = format!("{:o}", meta.permissions().mode() & 0o777), "TLS private key is readable by other users; chmod 600 it");
    }
}
