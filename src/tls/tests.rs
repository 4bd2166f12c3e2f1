use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use rustls::pki_types::ServerName;
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::config::{TlsConfig, TlsMode};

fn cfg(mode: TlsMode) -> TlsConfig {
    TlsConfig {
        mode,
        cert_file: PathBuf::new(),
        key_file: PathBuf::new(),
        hostnames: Vec::new(),
        redirect_listen: String::new(),
    }
}

fn files(cert: &Path, key: &Path) -> TlsConfig {
    TlsConfig { cert_file: cert.to_owned(), key_file: key.to_owned(), ..cfg(TlsMode::Files) }
}

/// A fresh auto-mode certificate in its own directory.
fn generated() -> (tempfile::TempDir, ServerTls) {
    let dir = tempfile::tempdir().unwrap();
    let tls = server_tls(&cfg(TlsMode::Auto), dir.path()).unwrap().unwrap();
    (dir, tls)
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn off_mode_has_no_tls() {
    let dir = tempfile::tempdir().unwrap();
    assert!(server_tls(&cfg(TlsMode::Off), dir.path()).unwrap().is_none());
    assert!(served_fingerprint(&cfg(TlsMode::Off), dir.path()).unwrap().is_none());
    assert!(!dir.path().join("tls").exists());
}

#[test]
fn auto_generates_once_then_reuses() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = cfg(TlsMode::Auto);
    config.hostnames = vec!["Steward.Example".into(), "192.0.2.7".into(), "2001:db8::7".into()];

    let first = server_tls(&config, dir.path()).unwrap().unwrap();
    let tls_dir = dir.path().join("tls");
    assert_eq!(first.cert_path, tls_dir.join("cert.pem"));
    assert_eq!(mode_of(&tls_dir), 0o700);
    assert_eq!(mode_of(&tls_dir.join("key.pem")), 0o600);
    assert!(!tls_dir.join("key.pem.tmp").exists() && !tls_dir.join("cert.pem.tmp").exists());

    let second = server_tls(&config, dir.path()).unwrap().unwrap();
    assert_eq!(first.fingerprint, second.fingerprint);
    let served = served_fingerprint(&config, dir.path()).unwrap().unwrap();
    assert_eq!(served, parse_fingerprint(&first.fingerprint).unwrap());

    let chain = load::read_chain(&first.cert_path).unwrap();
    let parsed = ParsedCertificate::try_from(&chain[0]).unwrap();
    for name in ["localhost", "127.0.0.1", "::1", "steward.example", "192.0.2.7", "2001:db8::7"] {
        let server_name = ServerName::try_from(name).unwrap();
        assert!(rustls::client::verify_server_name(&parsed, &server_name).is_ok(), "{name} not covered");
    }
    if let Some(host) = auto::machine_hostname() {
        let server_name = ServerName::try_from(host.as_str()).unwrap();
        assert!(rustls::client::verify_server_name(&parsed, &server_name).is_ok(), "{host} not covered");
    }
}

#[test]
fn auto_rejects_an_unusable_hostname() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = cfg(TlsMode::Auto);
    config.hostnames = vec!["not a host".into()];
    let err = server_tls(&config, dir.path()).unwrap_err();
    assert!(matches!(err, TlsError::Hostname { .. }), "{err}");
    assert!(err.to_string().contains("not a host"), "{err}");
}

#[test]
fn files_mode_loads_what_auto_generated() {
    let (dir, auto) = generated();
    let key = dir.path().join("tls/key.pem");
    let config = files(&auto.cert_path, &key);
    let loaded = server_tls(&config, Path::new("/nonexistent")).unwrap().unwrap();
    assert_eq!(loaded.fingerprint, auto.fingerprint);
    assert_eq!(loaded.cert_path, auto.cert_path);
    let served = served_fingerprint(&config, Path::new("/nonexistent")).unwrap().unwrap();
    assert_eq!(pin::format_fingerprint(&served), auto.fingerprint);
}

#[test]
fn files_mode_errors_name_the_file() {
    let (dir, auto) = generated();
    let key = dir.path().join("tls/key.pem");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate at all\n").unwrap();
    let truncated = dir.path().join("truncated.pem");
    std::fs::write(&truncated, "-----BEGIN CERTIFICATE-----\nMIIB\n").unwrap();
    let missing = dir.path().join("missing.pem");

    let cases = [
        (files(&garbage, &key), &garbage, "no certificate found"),
        (files(&truncated, &key), &truncated, "reading certificate"),
        (files(&missing, &key), &missing, "reading certificate"),
        // A certificate where the key should be: no key in it.
        (files(&auto.cert_path, &auto.cert_path), &auto.cert_path, "no private key found"),
        (files(&auto.cert_path, &truncated), &truncated, "reading private key"),
        (files(&auto.cert_path, &missing), &missing, "reading private key"),
    ];
    for (config, path, what) in cases {
        let err = server_tls(&config, dir.path()).unwrap_err().to_string();
        assert!(err.contains(what) && err.contains(&path.display().to_string()), "{err}");
    }

    let err = server_tls(&cfg(TlsMode::Files), dir.path()).unwrap_err();
    assert!(err.to_string().contains("tls.cert_file is empty"), "{err}");
}

#[test]
fn files_mode_rejects_a_key_for_another_certificate() {
    let (_one, first) = generated();
    let (other, _second) = generated();
    let other_key = other.path().join("tls/key.pem");
    let err = server_tls(&files(&first.cert_path, &other_key), other.path()).unwrap_err();
    assert!(matches!(err, TlsError::Config { .. }), "{err}");
    assert!(err.to_string().contains(&other_key.display().to_string()), "{err}");
}

#[test]
fn fingerprint_round_trips() {
    let (_dir, tls) = generated();
    let der = load::read_chain(&tls.cert_path).unwrap().remove(0);
    let text = fingerprint(&der);
    assert_eq!(text, tls.fingerprint);
    assert_eq!(text.len(), 32 * 3 - 1);
    assert!(text.chars().all(|c| c == ':' || c.is_ascii_digit() || c.is_ascii_uppercase()));

    let digest = parse_fingerprint(&text).unwrap();
    assert_eq!(pin::format_fingerprint(&digest), text);
    assert_eq!(parse_fingerprint(&text.to_lowercase()).unwrap(), digest);
    assert_eq!(parse_fingerprint(&format!("  {}\n", text.replace(':', ""))).unwrap(), digest);
}

#[test]
fn bad_fingerprints_are_refused() {
    let good = "AB".repeat(32);
    let pairs = vec!["AB"; 32].join(":");
    for bad in [
        "",
        &good[..62],
        &format!("{good}AB"),
        &good.replace('B', "G"),
        &pairs[..pairs.len() - 3],
        &pairs.replacen("AB:AB", "A:BAB", 1),
        &pairs.replacen(':', "::", 1),
    ] {
        let err = parse_fingerprint(bad).unwrap_err();
        assert!(matches!(err, TlsError::BadFingerprint { .. }), "{bad:?}: {err}");
    }
}

/// Shuttles TLS records between the two ends until both finish the handshake.
fn handshake(client: ClientConfig, server: ServerConfig) -> Result<(), rustls::Error> {
    let name = ServerName::try_from("appliance.invalid").unwrap();
    let mut client = Connection::from(ClientConnection::new(Arc::new(client), name).unwrap());
    let mut server = Connection::from(ServerConnection::new(Arc::new(server)).unwrap());
    for _ in 0..10 {
        pump(&mut client, &mut server)?;
        pump(&mut server, &mut client)?;
        if !client.is_handshaking() && !server.is_handshaking() {
            return Ok(());
        }
    }
    panic!("handshake did not finish");
}

fn pump(from: &mut Connection, to: &mut Connection) -> Result<(), rustls::Error> {
    let mut buf = Vec::new();
    while from.wants_write() {
        from.write_tls(&mut buf).unwrap();
    }
    let mut rest = &buf[..];
    while !rest.is_empty() {
        to.read_tls(&mut rest).unwrap();
        to.process_new_packets()?;
    }
    Ok(())
}

#[test]
fn pinned_client_accepts_the_pinned_certificate() {
    let (dir, tls) = generated();
    let pin = parse_fingerprint(&tls.fingerprint).unwrap();
    handshake(pinned_client_config(pin).unwrap(), tls.config).unwrap();

    // TLS 1.2 takes the other signature-verification path.
    let chain = load::read_chain(&tls.cert_path).unwrap();
    let key = load::read_key(&dir.path().join("tls/key.pem")).unwrap();
    let tls12 = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    handshake(pinned_client_config(pin).unwrap(), tls12).unwrap();
}

#[test]
fn pinned_client_rejects_another_certificate() {
    let (_one, pinned) = generated();
    let (_other, other) = generated();
    let pin = parse_fingerprint(&pinned.fingerprint).unwrap();
    let err = handshake(pinned_client_config(pin).unwrap(), other.config).unwrap_err();
    assert!(matches!(err, rustls::Error::InvalidCertificate(CertificateError::Other(_))), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("certificate changed"), "{message}");
    assert!(message.contains(&pinned.fingerprint) && message.contains(&other.fingerprint), "{message}");

    // Found again through the io::Error an HTTP client would wrap it in.
    let wrapped = std::io::Error::new(std::io::ErrorKind::InvalidData, err);
    let changed = certificate_changed(&wrapped).unwrap();
    assert_eq!(
        (changed.expected.as_str(), changed.presented.as_str()),
        (pinned.fingerprint.as_str(), other.fingerprint.as_str())
    );
    assert!(certificate_changed(&std::io::Error::other("unrelated")).is_none());
}

#[test]
fn plausible_hosts_only() {
    let ok = [
        ("example.com", "example.com"),
        ("Example.COM:80", "example.com"),
        ("host.", "host."),
        ("my_box:", "my_box"),
        ("192.0.2.1:8080", "192.0.2.1"),
        ("[::1]", "[::1]"),
        ("[2001:DB8:0::1]:80", "[2001:db8::1]"),
    ];
    for (input, host) in ok {
        assert_eq!(redirect::host_of(input).as_deref(), Some(host), "{input}");
    }
    let long_label = "a".repeat(64);
    for bad in [
        "",
        ":80",
        "::1",
        "evil.com/path",
        "user@host",
        "a b",
        "host:99999",
        "host:8o",
        "-host",
        "a..b",
        "[::1",
        "[::1]x",
        "[zz::1]",
        long_label.as_str(),
    ] {
        assert_eq!(redirect::host_of(bad), None, "{bad:?}");
    }
}

#[test]
fn redirect_keeps_path_and_query() {
    let req = actix_web::test::TestRequest::default()
        .uri("/orgs/1?page=2&q=a%20b")
        .insert_header((header::HOST, "[::1]:8080"))
        .to_http_request();
    let resp = redirect::redirect(&req, 8443);
    assert_eq!(resp.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(resp.headers().get(header::LOCATION).unwrap(), "https://[::1]:8443/orgs/1?page=2&q=a%20b");

    let req = actix_web::test::TestRequest::default().insert_header((header::HOST, "box")).to_http_request();
    let resp = redirect::redirect(&req, 443);
    assert_eq!(resp.headers().get(header::LOCATION).unwrap(), "https://box/");

    let req = actix_web::test::TestRequest::default().insert_header((header::HOST, "a/b")).to_http_request();
    assert_eq!(redirect::redirect(&req, 443).status(), StatusCode::BAD_REQUEST);
}

async fn raw_request(port: u16, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

#[actix_web::test]
async fn redirect_server_answers_over_tcp() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = redirect::redirect_server(listener, 8443).unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let ok = raw_request(
        port,
        "POST /login?next=%2F HTTP/1.1\r\nHost: Steward.Example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(ok.starts_with("HTTP/1.1 308"), "{ok}");
    assert!(ok.to_ascii_lowercase().contains("location: https://steward.example:8443/login?next=%2f\r\n"), "{ok}");

    let bad = raw_request(port, "GET / HTTP/1.1\r\nHost: evil.example/x\r\nConnection: close\r\n\r\n").await;
    assert!(bad.starts_with("HTTP/1.1 400"), "{bad}");

    handle.stop(true).await;
}
