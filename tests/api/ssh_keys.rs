//! The SSH key store over HTTP: generate, list, download the public half (which OpenSSH's
//! `ssh-keygen` accepts), import with and without a passphrase, refusals with their codes,
//! deletion and its audit trail. Roles and organizations are in `matrix.rs`; private keys
//! at rest in `secrets.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{Client, TestApp, audit_entries};

/// Runs `ssh-keygen`; panics unless it succeeds. Returns stdout.
pub fn ssh_keygen(args: &[&str]) -> String {
    let out = Command::new("ssh-keygen").args(args).output().expect("ssh-keygen runs (openssh-client)");
    assert!(out.status.success(), "ssh-keygen {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A key pair made by `ssh-keygen` in `dir` (`-N passphrase`, `extra` flags); returns the
/// private key file's path (`.pub` next to it).
pub fn keygen(dir: &Path, name: &str, kind: &str, passphrase: &str, extra: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let mut args = vec!["-q", "-t", kind, "-N", passphrase, "-C", "fixture@test", "-f", path.to_str().expect("path")];
    args.extend_from_slice(extra);
    ssh_keygen(&args);
    path
}

/// The SHA256 fingerprint `ssh-keygen -l` prints for a public key file.
fn fingerprint_of(file: &Path) -> String {
    let line = ssh_keygen(&["-l", "-E", "sha256", "-f", file.to_str().expect("path")]);
    line.split_whitespace().nth(1).expect("fingerprint").to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("key file")
}

async fn ssh_audit(admin: &Client) -> Vec<(String, String)> {
    let entries = audit_entries(admin, "action=ssh_key").await;
    entries
        .iter()
        .map(|e| (e["action"].as_str().unwrap_or("").into(), e["target"].as_str().unwrap_or("").into()))
        .collect()
}

#[actix_web::test]
async fn a_generated_key_is_listed_downloaded_and_deleted() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let body = json!({ "name": "web servers", "algorithm": "ed25519", "comment": "steward@prod" });
    let key = admin.post("/api/v1/ssh-keys", body).await.expect_status(201).body;
    let id = key["id"].as_u64().expect("id");
    assert_eq!((key["algorithm"].as_str(), key["source"].as_str()), (Some("ssh-ed25519"), Some("generated")));
    assert_eq!(
        (key["bits"].clone(), key["comment"].as_str(), key["created_by"].as_str()),
        (Value::Null, Some("steward@prod"), Some("admin"))
    );
    let fields: Vec<&String> = key.as_object().expect("record").keys().collect();
    let expected = [
        "algorithm",
        "bits",
        "comment",
        "created_at",
        "created_by",
        "fingerprint",
        "id",
        "name",
        "public_key",
        "source",
    ];
    assert_eq!(fields, expected, "exactly the public fields");

    let list = admin.get("/api/v1/ssh-keys").await.expect_status(200).body;
    assert_eq!(list, json!([key.clone()]));
    assert_eq!(admin.get(&format!("/api/v1/ssh-keys/{id}")).await.expect_status(200).body, key);
    assert_eq!(admin.get(&format!("/api/v1/ssh-keys/{id}/hosts")).await.expect_status(200).body, json!([]));

    let public = admin.get(&format!("/api/v1/ssh-keys/{id}/public")).await.expect_status(200);
    assert_eq!(public.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(public.header("content-disposition"), Some("attachment; filename=\"web_servers.pub\""));
    let line = public.body.as_str().expect("text").to_string();
    assert_eq!(line, format!("{}\n", key["public_key"].as_str().expect("public key")));
    assert!(line.starts_with("ssh-ed25519 AAAA") && line.ends_with(" steward@prod\n"), "{line}");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("web_servers.pub");
    std::fs::write(&file, &line).expect("write");
    assert_eq!(fingerprint_of(&file), key["fingerprint"].as_str().expect("fingerprint"));

    admin.delete(&format!("/api/v1/ssh-keys/{id}")).await.expect_status(204);
    admin.get(&format!("/api/v1/ssh-keys/{id}")).await.expect_error(404, "ssh_key.not_found");
    admin.delete(&format!("/api/v1/ssh-keys/{id}")).await.expect_error(404, "ssh_key.not_found");
    assert_eq!(admin.get("/api/v1/ssh-keys").await.expect_status(200).body, json!([]));
    let target = format!("ssh key {id} (web servers)");
    // Newest first.
    assert_eq!(
        ssh_audit(&admin).await,
        vec![("ssh_key.delete".into(), target.clone()), ("ssh_key.generate".into(), target)]
    );
}

#[actix_web::test]
async fn keys_import_and_bad_ones_are_refused_with_their_code() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let encrypted = keygen(dir.path(), "enc", "ed25519", "open sesame", &[]);
    let import = |text: String, passphrase: Option<&str>| {
        let mut body = json!({ "name": "imported", "private_key": text });
        if let Some(p) = passphrase {
            body["passphrase"] = json!(p);
        }
        body
    };
    let text = read(&encrypted);
    let path = "/api/v1/ssh-keys/import";
    admin.post(path, import(text.clone(), None)).await.expect_error(400, "ssh_key.passphrase_required");
    admin.post(path, import(text.clone(), Some("guess"))).await.expect_error(400, "ssh_key.bad_passphrase");
    let key = admin.post(path, import(text, Some("open sesame"))).await.expect_status(201).body;
    assert_eq!((key["source"].as_str(), key["comment"].as_str()), (Some("imported"), Some("fixture@test")));
    assert_eq!(key["public_key"].as_str(), Some(read(&encrypted.with_extension("pub")).trim()));
    assert_eq!(key["fingerprint"].as_str(), Some(fingerprint_of(&encrypted.with_extension("pub")).as_str()));

    let pkcs1 = keygen(dir.path(), "pkcs1", "rsa", "", &["-b", "2048", "-m", "PEM"]);
    let rsa = admin.post(path, import(read(&pkcs1), None)).await.expect_status(201).body;
    assert_eq!((rsa["algorithm"].as_str(), rsa["bits"].as_u64()), (Some("ssh-rsa"), Some(2048)));

    let public = read(&encrypted.with_extension("pub"));
    let refused = admin.post(path, import(public, None)).await.expect_error(400, "ssh_key.invalid");
    assert!(refused.message().contains("public key"), "{refused:?}");
    admin.post(path, import("hello".into(), None)).await.expect_error(400, "ssh_key.invalid");
    let legacy = keygen(dir.path(), "legacy", "rsa", "pass phrase", &["-b", "2048", "-m", "PEM"]);
    let refused = admin
        .post(path, import(read(&legacy), Some("pass phrase")))
        .await
        .expect_error(400, "ssh_key.unsupported_format");
    assert!(refused.message().contains("ssh-keygen -p -f FILE"), "{refused:?}");
    let ecdsa = keygen(dir.path(), "ec", "ecdsa", "", &[]);
    let refused = admin.post(path, import(read(&ecdsa), None)).await.expect_error(400, "ssh_key.unsupported_algorithm");
    assert!(refused.message().contains("ecdsa-sha2-nistp256"), "{refused:?}");
    admin.post(path, import("x".repeat(17 * 1024), None)).await.expect_error(400, "ssh_key.too_large");
    admin.post(path, json!({ "name": "x" })).await.expect_error(422, "request.invalid_field");
    admin.post(path, json!({ "name": "", "private_key": "x" })).await.expect_error(422, "ssh_key.invalid_name");
    admin
        .post("/api/v1/ssh-keys", json!({ "name": "x", "algorithm": "dsa" }))
        .await
        .expect_error(422, "request.invalid_field");
    admin.get(path).await.expect_error(405, "http.method_not_allowed");

    let list = admin.get("/api/v1/ssh-keys").await.expect_status(200).body;
    assert_eq!(list.as_array().map(Vec::len), Some(2), "only the two that imported: {list}");
    let actions: Vec<String> = ssh_audit(&admin).await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(actions, ["ssh_key.import", "ssh_key.import"]);
}

#[actix_web::test]
async fn the_api_documents_the_key_routes() {
    let app = TestApp::start().await;
    let spec = app.anon().get("/api/v1/openapi.json").await.expect_status(200).body;
    let paths = spec["paths"].as_object().expect("paths");
    for path in [
        "/api/v1/ssh-keys",
        "/api/v1/ssh-keys/import",
        "/api/v1/ssh-keys/{id}",
        "/api/v1/ssh-keys/{id}/public",
        "/api/v1/ssh-keys/{id}/hosts",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    let public = &spec["paths"]["/api/v1/ssh-keys/{id}/public"]["get"]["responses"]["200"]["content"];
    assert!(public.get("text/plain").is_some(), "{public}");
}
