//! Sealed secrets at rest and master key rotation, on the store of a stopped appliance (a
//! running one holds redb's file lock).

use std::sync::Arc;

use redb::ReadableTable;
use steward::admin::{Command, Env, Output};
use steward::audit::Filter;
use steward::caller::{OrgId, Scope};
use steward::clock::SystemClock;
use steward::config::Config;
use steward::ctx::Opened;
use steward::seal::{MasterKey, SEALED, SealError, SecretRef};
use steward::store::StoreError;
use zeroize::Zeroizing;

use crate::support::{TestApp, USER_PW};

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("randomness");
    b
}

fn put(opened: &Opened, at: &SecretRef, plaintext: &[u8]) {
    opened.store.write_sync(|txn| opened.sealer.put(txn, at, plaintext)).expect("seal");
}

fn get(opened: &Opened, at: &SecretRef) -> Result<Option<Zeroizing<Vec<u8>>>, SealError> {
    opened.store.read_sync(|txn| {
        let table = txn.open_table(SEALED)?;
        opened.sealer.get(&table, at)
    })
}

/// Every row of the sealed table, as raw bytes.
fn sealed_rows(opened: &Opened) -> Vec<(String, Vec<u8>)> {
    let rows = opened.store.read_sync(|txn| {
        let table = txn.open_table(SEALED)?;
        let mut rows = Vec::new();
        for row in table.iter()? {
            let (k, v) = row?;
            rows.push((k.value().to_string(), v.value().to_vec()));
        }
        Ok::<_, StoreError>(rows)
    });
    rows.expect("sealed rows")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// An appliance that ran (bootstrap, a user, some audit), then stopped.
async fn stopped_appliance() -> (tempfile::TempDir, Config) {
    let app = TestApp::start().await;
    app.superadmin().await.create_user(None, "alice", "operator").await;
    app.stop().await
}

#[actix_web::test]
async fn secrets_never_reach_the_store_file_in_plaintext() {
    let (_dir, config) = stopped_appliance().await;
    let raw: [u8; 64] = random_bytes();
    let hex_secret = hex::encode(raw);
    let opened = steward::app::open(&config).expect("store opens once the appliance stopped");
    let key_ref = SecretRef::new("hosts", 1, "ssh_key");
    let hex_ref = SecretRef::new("hosts", 1, "password");
    put(&opened, &key_ref, &raw);
    put(&opened, &hex_ref, hex_secret.as_bytes());

    assert_eq!(get(&opened, &key_ref).expect("opens").expect("present").as_slice(), raw);
    assert_eq!(get(&opened, &hex_ref).expect("opens").expect("present").as_slice(), hex_secret.as_bytes());
    assert!(get(&opened, &SecretRef::new("hosts", 9, "ssh_key")).expect("no error").is_none());
    for (_, sealed) in sealed_rows(&opened) {
        assert!(!contains(&sealed, &raw[..16]) && !contains(&sealed, &hex_secret.as_bytes()[..32]));
    }
    drop(opened);

    let file = std::fs::read(config.store_path()).expect("store file");
    assert!(!contains(&file, &raw[..16]), "raw secret bytes found in the store file");
    assert!(!contains(&file, hex_secret.as_bytes()), "hex secret found in the store file");
    assert!(!contains(&file, hex_secret.to_uppercase().as_bytes()));
    assert!(!contains(&file, &hex_secret.as_bytes()[..24]), "part of the hex secret found in the store file");
    // Neither is the master key in the store.
    let key = std::fs::read_to_string(config.data_dir.join("master.key")).expect("master key file");
    assert!(!contains(&file, key.trim().as_bytes()));
}

#[actix_web::test]
async fn a_sealed_value_moved_to_another_record_does_not_open() {
    let (_dir, config) = stopped_appliance().await;
    let opened = steward::app::open(&config).expect("open");
    let original = SecretRef::new("hosts", 1, "ssh_key");
    let other = SecretRef::new("hosts", 2, "ssh_key");
    put(&opened, &original, b"the real key");
    let original_row = sealed_rows(&opened).pop().expect("one row");
    put(&opened, &other, b"a decoy");
    let other_key =
        sealed_rows(&opened).into_iter().map(|(k, _)| k).find(|k| *k != original_row.0).expect("second row");

    // Copy the sealed bytes of the original onto the other record, as someone with the file could.
    opened
        .store
        .write_sync(|txn| {
            txn.open_table(SEALED)?.insert(other_key.as_str(), original_row.1.as_slice())?;
            Ok::<_, StoreError>(())
        })
        .expect("copy");
    assert!(matches!(get(&opened, &other), Err(SealError::Tampered(_))), "a moved value must not open");
    assert_eq!(get(&opened, &original).expect("original still opens").expect("present").as_slice(), b"the real key");

    // A flipped ciphertext bit is caught too.
    let mut flipped = original_row.1.clone();
    *flipped.last_mut().expect("bytes") ^= 1;
    opened
        .store
        .write_sync(|txn| {
            txn.open_table(SEALED)?.insert(original_row.0.as_str(), flipped.as_slice())?;
            Ok::<_, StoreError>(())
        })
        .expect("flip");
    assert!(matches!(get(&opened, &original), Err(SealError::Tampered(_))));
}

/// `steward keys rotate`, as the CLI runs it on a stopped appliance's store.
async fn rotate(opened: &Opened, config: &Config) -> Output {
    let env = Env::from_opened(opened, config, Arc::new(SystemClock));
    let command = Command::KeysRotate { new_key_file: None };
    steward::admin::execute(&env, command, Arc::new(|_, _| {})).await.expect("rotation")
}

#[actix_web::test]
async fn key_rotation_reseals_everything_and_retires_the_old_key() {
    let (_dir, config) = stopped_appliance().await;
    let key_file = config.data_dir.join("master.key");
    let old_hex = std::fs::read_to_string(&key_file).expect("master.key").trim().to_string();
    let old_id = MasterKey::from_hex(&old_hex).expect("old key").id();
    let secrets: Vec<(SecretRef, Vec<u8>)> =
        (1..=3).map(|i| (SecretRef::new("hosts", i, "ssh_key"), random_bytes::<48>().to_vec())).collect();

    let opened = steward::app::open(&config).expect("open");
    assert_eq!(opened.sealer.key().id(), old_id);
    for (at, plain) in &secrets {
        put(&opened, at, plain);
    }
    let out = rotate(&opened, &config).await;
    assert!(out.stdout[0].starts_with("re-sealed 3 secrets"), "{out:?}");

    let new_id = opened.sealer.key().id();
    assert_ne!(new_id, old_id);
    for (at, plain) in &secrets {
        assert_eq!(get(&opened, at).expect("opens under the new key").expect("present").as_slice(), plain.as_slice());
    }
    let new_hex = std::fs::read_to_string(&key_file).expect("master.key").trim().to_string();
    assert_ne!(new_hex, old_hex, "master.key was replaced");
    assert_eq!(MasterKey::from_hex(&new_hex).expect("new key").id(), new_id);
    assert!(!config.data_dir.join("master.key.next").exists(), "no staged key left behind");

    let filter = Filter { action: Some("keys.rotate".into()), ..Filter::default() };
    let page = steward::audit::query(&opened.store, &Scope::local(OrgId(1)), filter).await.expect("audit query");
    let detail = page.entries.first().and_then(|e| e.detail.clone()).expect("keys.rotate entry");
    assert!(detail.contains(&old_id) && detail.contains(&new_id), "{detail}");
    assert!(steward::audit::verify(&opened.store).expect("verify").is_ok());
    drop(opened);

    let reopened = steward::app::open(&config).expect("reopens with the rotated key");
    assert_eq!(reopened.sealer.key().id(), new_id);
    for (at, plain) in &secrets {
        assert_eq!(get(&reopened, at).expect("opens").expect("present").as_slice(), plain.as_slice());
    }
    drop(reopened);

    let old_config = crate::support::config_for(&config.data_dir, true, &[("master_key", old_hex.as_str().into())]);
    let refused = steward::app::open(&old_config).err().expect("the old key is refused");
    let message = refused.to_string();
    assert!(message.contains("does not match the key that sealed this store"), "{message}");
    assert!(message.contains(&old_id) && message.contains(&new_id), "{message}");
}

#[actix_web::test]
async fn the_appliance_restarts_on_a_rotated_store() {
    let (dir, config) = stopped_appliance().await;
    let opened = steward::app::open(&config).expect("open");
    put(&opened, &SecretRef::new("hosts", 1, "ssh_key"), b"kept");
    assert!(rotate(&opened, &config).await.success);
    drop(opened);

    let app = TestApp::builder().data_dir(dir).start().await;
    app.login("alice", USER_PW).await.get("/api/v1/auth/me").await.expect_status(200);
}

#[actix_web::test]
async fn stop_releases_the_store_at_once() {
    for _ in 0..30 {
        let app = TestApp::start().await;
        app.superadmin().await.create_user(None, "alice", "operator").await;
        let store = app.config.store_path();
        // Stop as Appliance::stop does, without the harness's wait for the file to close.
        let _dir = app.stop_without_waiting().await;
        assert!(!crate::support::fd_open(&store), "{} is still open after Appliance::stop returned", store.display());
    }
}

/// What of an ed25519 private key shows in `haystack`, if anything: a line of its PEM body
/// (after the first, the same `openssh-key-v1` header in every key), or its secret seed
/// raw, in hex or in base64.
fn leaks_pem(haystack: &[u8], pem: &str) -> Option<String> {
    use base64::Engine;
    let lines = pem.lines().filter(|l| !l.starts_with("-----")).skip(1);
    if let Some(line) = lines.filter(|l| l.len() >= 24).find(|l| contains(haystack, l.as_bytes())) {
        return Some(format!("PEM line {line}"));
    }
    let key = ssh_key::PrivateKey::from_openssh(pem).expect("OpenSSH PEM");
    let seed = Zeroizing::new(key.key_data().ed25519().expect("an ed25519 key").private.to_bytes());
    let forms = [
        ("raw", seed[..16].to_vec()),
        ("hex", hex::encode(&seed[..16]).into_bytes()),
        ("base64", base64::engine::general_purpose::STANDARD.encode(&seed[..]).as_bytes()[..20].to_vec()),
    ];
    forms.into_iter().find(|(_, f)| contains(haystack, f)).map(|(name, _)| format!("the seed, {name}"))
}

#[actix_web::test]
async fn ssh_private_keys_are_sealed_and_never_answered() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = crate::ssh_keys::keygen(dir.path(), "imported", "ed25519", "", &[]);
    let imported_text = std::fs::read_to_string(&file).expect("key");
    let mut answers = Vec::new();
    let generated = admin.post("/api/v1/ssh-keys", serde_json::json!({ "name": "made here" })).await.expect_status(201);
    let body = serde_json::json!({ "name": "brought", "private_key": imported_text });
    let imported = admin.post("/api/v1/ssh-keys/import", body).await.expect_status(201);
    let ids = [generated.id(), imported.id()];
    answers.extend([generated.body, imported.body]);
    answers.push(admin.get("/api/v1/ssh-keys").await.expect_status(200).body);
    for id in ids {
        for path in ["", "/public", "/hosts"] {
            answers.push(admin.get(&format!("/api/v1/ssh-keys/{id}{path}")).await.expect_status(200).body);
        }
    }
    answers.push(crate::support::audit_entries(&admin, "action=ssh_key").await.into());
    let (_dir, config) = app.stop().await;

    let opened = steward::app::open(&config).expect("store opens once the appliance stopped");
    let pems: Vec<Zeroizing<String>> = ids
        .iter()
        .map(|id| opened.store.read_sync(|txn| steward::sshkeys::private_pem(txn, &opened.sealer, OrgId(1), *id)))
        .collect::<Result<_, _>>()
        .expect("both private halves open");
    drop(opened);
    let file = std::fs::read(config.store_path()).expect("store file");
    let answered = serde_json::to_vec(&answers).expect("answers");
    assert!(!contains(&answered, b"PRIVATE KEY"), "a private key in an answer");
    for pem in pems.iter().map(|p| p.as_str()).chain([imported_text.as_str()]) {
        assert!(pem.contains("BEGIN OPENSSH PRIVATE KEY"));
        assert_eq!(leaks_pem(&file, pem), None, "private key material in the store file");
        assert_eq!(leaks_pem(&answered, pem), None, "private key material in an answer");
    }
}
