//! The key store's service functions on an in-memory store: roles, organizations, the
//! sealed private half, audit entries, and deletion refused while hosts use a key.

use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::*;
use crate::audit::Filter;
use crate::caller::{Actor, OrgId, Role, Scope};
use crate::seal::{MasterKey, SEALED, Sealer};
use crate::store::Store;

const ORG: OrgId = OrgId(1);

fn setup() -> (Store, Sealer) {
    let store = Store::in_memory(&crate::app::migrations()).expect("store");
    (store, Sealer::new(MasterKey::generate().expect("master key")))
}

fn scope(org: OrgId, role: Role) -> Scope {
    let actor = Actor { user_id: Some(7), name: format!("{}-user", role.as_str()), ip: None, user_agent: None };
    Scope { org, role, actor }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000)
}

async fn ed25519(store: &Store, sealer: &Sealer, name: &str) -> SshKey {
    generate(store, sealer, &scope(ORG, Role::Admin), name, KeyAlgorithm::Ed25519, None, now()).await.expect("generate")
}

/// The audit actions recorded in `org`, oldest first.
async fn actions(store: &Store, org: OrgId) -> Vec<(String, String)> {
    let page = crate::audit::query(store, &Scope::system(org), Filter::default()).await.expect("audit");
    page.entries.into_iter().rev().map(|e| (e.action, e.target)).collect()
}

#[tokio::test]
async fn a_generated_key_is_listed_and_its_private_half_sealed() {
    let (store, sealer) = setup();
    let key = ed25519(&store, &sealer, " deploy ").await;
    assert_eq!((key.name.as_str(), key.comment.as_str()), ("deploy", "deploy"));
    assert_eq!(
        (key.algorithm, key.source, key.created_by.as_str()),
        (KeyType::Ed25519, KeySource::Generated, "admin-user")
    );
    let viewer = scope(ORG, Role::Viewer);
    assert_eq!(list(&store, &viewer).await.expect("list"), vec![key.clone()]);
    assert_eq!(get(&store, &viewer, key.id).await.expect("get"), key);
    assert_eq!(public_line(&store, &viewer, key.id).await.expect("public"), format!("{}\n", key.public_key));
    assert!(hosts_using(&store, &viewer, key.id).await.expect("hosts").is_empty());

    let pem = store.read_sync(|txn| private_pem(txn, &sealer, ORG, key.id)).expect("private half");
    let parsed = ssh_key::PrivateKey::from_openssh(pem.as_str()).expect("OpenSSH PEM");
    assert_eq!(parsed.public_key().to_openssh().expect("public"), key.public_key);
    assert!(store.read_sync(|txn| exists(txn, ORG, key.id)).expect("exists"));
    // The record holds no private material.
    let json = serde_json::to_string(&key).expect("json");
    assert!(!json.contains("PRIVATE") && !json.contains(&pem[pem.len() - 120..pem.len() - 80]), "{json}");

    let admin = scope(ORG, Role::Admin);
    let with_comment = generate(&store, &sealer, &admin, "c", KeyAlgorithm::Ed25519, Some("ops@example"), now()).await;
    assert_eq!(with_comment.expect("generate").comment, "ops@example");
    assert_eq!(actions(&store, ORG).await[0], ("ssh_key.generate".into(), format!("ssh key {} (deploy)", key.id)));
}

#[tokio::test]
async fn only_admins_change_keys_and_organizations_stay_apart() {
    let (store, sealer) = setup();
    let key = ed25519(&store, &sealer, "k").await;
    for role in [Role::Viewer, Role::Operator] {
        let s = scope(ORG, role);
        let generated = generate(&store, &sealer, &s, "x", KeyAlgorithm::Ed25519, None, now()).await;
        assert!(matches!(generated, Err(SshKeyError::Forbidden(_))), "{role:?}");
        let imported = import(&store, &sealer, &s, "x", Zeroizing::new("x".into()), None, now()).await;
        assert!(matches!(imported, Err(SshKeyError::Forbidden(_))), "{role:?}");
        assert!(matches!(delete(&store, &sealer, &s, key.id, now()).await, Err(SshKeyError::Forbidden(_))));
    }
    let other = scope(OrgId(2), Role::Admin);
    assert!(list(&store, &other).await.expect("list").is_empty());
    assert!(matches!(get(&store, &other, key.id).await, Err(SshKeyError::NotFound(_))));
    assert!(matches!(hosts_using(&store, &other, key.id).await, Err(SshKeyError::NotFound(_))));
    assert!(matches!(delete(&store, &sealer, &other, key.id, now()).await, Err(SshKeyError::NotFound(_))));
    let pem = store.read_sync(|txn| private_pem(txn, &sealer, OrgId(2), key.id));
    assert!(matches!(pem, Err(SshKeyError::NotFound(_))));
    assert!(get(&store, &scope(ORG, Role::Viewer), key.id).await.is_ok(), "still there");
}

#[tokio::test]
async fn names_and_comments_are_checked() {
    let (store, sealer) = setup();
    let admin = scope(ORG, Role::Admin);
    for name in ["", "   ", "a\nb", &"x".repeat(65)] {
        let r = generate(&store, &sealer, &admin, name, KeyAlgorithm::Ed25519, None, now()).await;
        assert!(matches!(r, Err(SshKeyError::InvalidName(_))), "{name:?}");
    }
    let r = generate(&store, &sealer, &admin, "k", KeyAlgorithm::Ed25519, Some("a\nssh-rsa AAAA"), now()).await;
    assert!(matches!(r, Err(SshKeyError::InvalidComment(_))));
    assert!(list(&store, &admin).await.expect("list").is_empty());
}

#[tokio::test]
async fn an_imported_key_is_stored_decrypted_and_audited() {
    let (store, sealer) = setup();
    let admin = scope(ORG, Role::Admin);
    let original = ssh_key::PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519)
        .expect("key")
        .encrypt(&mut ssh_key::rand_core::OsRng, "pass")
        .expect("encrypted");
    let text = Zeroizing::new(original.to_openssh(ssh_key::LineEnding::LF).expect("pem").to_string());
    let wrong = import(&store, &sealer, &admin, "k", text.clone(), Some(Zeroizing::new("nope".into())), now()).await;
    assert!(matches!(wrong, Err(SshKeyError::BadPassphrase)));
    let key = import(&store, &sealer, &admin, "imported", text, Some(Zeroizing::new("pass".into())), now())
        .await
        .expect("import");
    assert_eq!((key.source, key.comment.as_str()), (KeySource::Imported, "imported"));
    assert_eq!(key.fingerprint, original.fingerprint(ssh_key::HashAlg::Sha256).to_string());
    let pem = store.read_sync(|txn| private_pem(txn, &sealer, ORG, key.id)).expect("private half");
    assert!(!ssh_key::PrivateKey::from_openssh(pem.as_str()).expect("parses").is_encrypted());
    let entries = actions(&store, ORG).await;
    assert_eq!(entries, vec![("ssh_key.import".to_string(), format!("ssh key {} (imported)", key.id))]);
}

#[tokio::test]
async fn deleting_removes_the_record_and_the_sealed_half() {
    let (store, sealer) = setup();
    let key = ed25519(&store, &sealer, "gone").await;
    let kept = ed25519(&store, &sealer, "kept").await;
    delete(&store, &sealer, &scope(ORG, Role::Admin), key.id, now()).await.expect("delete");
    let viewer = scope(ORG, Role::Viewer);
    assert!(matches!(get(&store, &viewer, key.id).await, Err(SshKeyError::NotFound(_))));
    assert!(matches!(store.read_sync(|txn| private_pem(txn, &sealer, ORG, key.id)), Err(SshKeyError::NotFound(_))));
    let rows = store
        .read_sync(|txn| Ok::<_, StoreError>(redb::ReadableTableMetadata::len(&txn.open_table(SEALED)?)?))
        .expect("sealed rows");
    assert_eq!(rows, 1, "only the kept key's private half is left");
    assert!(store.read_sync(|txn| private_pem(txn, &sealer, ORG, kept.id)).is_ok());
    let again = delete(&store, &sealer, &scope(ORG, Role::Admin), key.id, now()).await;
    assert!(matches!(again, Err(SshKeyError::NotFound(_))));
    let last = actions(&store, ORG).await.pop().expect("entry");
    assert_eq!(last, ("ssh_key.delete".into(), format!("ssh key {} (gone)", key.id)));
}

/// Creates an SSH host logging in with `key_id`, through the SSH hosts' own service.
async fn ssh_host(store: &Store, sealer: &crate::seal::Sealer, name: &str, key_id: u64) -> u64 {
    let new: crate::poll::NewSshHost = serde_json::from_value(serde_json::json!({
        "kind": "ssh", "name": name, "address": format!("{name}.example"), "username": "steward", "key_id": key_id
    }))
    .expect("valid host");
    let scope = scope(ORG, Role::Admin);
    crate::poll::create(store, sealer, &scope, new, now()).await.expect("ssh host").id
}

#[tokio::test]
async fn a_key_in_use_is_not_deleted_and_the_hosts_are_named() {
    let (store, sealer) = setup();
    let key = ed25519(&store, &sealer, "shared").await;
    let other = ed25519(&store, &sealer, "other").await;
    let web = ssh_host(&store, &sealer, "web-1", key.id).await;
    let db = ssh_host(&store, &sealer, "db-2", key.id).await;
    ssh_host(&store, &sealer, "elsewhere", other.id).await;
    let viewer = scope(ORG, Role::Viewer);
    let using = hosts_using(&store, &viewer, key.id).await.expect("hosts");
    assert_eq!(using, vec![(web, "web-1".to_string()), (db, "db-2".to_string())]);

    let err = delete(&store, &sealer, &scope(ORG, Role::Admin), key.id, now()).await.expect_err("in use");
    let expected =
        format!("key {} is used by hosts {web} (web-1), {db} (db-2); change their authentication first", key.id);
    assert_eq!(err.to_string(), expected);
    assert!(matches!(err, SshKeyError::InUse { .. }));
    assert!(get(&store, &viewer, key.id).await.is_ok());
    assert!(store.read_sync(|txn| private_pem(txn, &sealer, ORG, key.id)).is_ok(), "the private half stays");
}

#[test]
fn algorithms_read_as_the_api_names_them() {
    let read = |s: &str| serde_json::from_str::<KeyAlgorithm>(s);
    assert_eq!(read("\"ed25519\"").expect("ed25519"), KeyAlgorithm::Ed25519);
    assert_eq!(read("\"rsa\"").expect("rsa"), KeyAlgorithm::Rsa4096);
    assert!(read("\"dsa\"").is_err() && read("\"Rsa4096\"").is_err());
    assert_eq!(KeyAlgorithm::default(), KeyAlgorithm::Ed25519);
    assert_eq!(serde_json::to_value(KeyType::Rsa).expect("json"), "ssh-rsa");
    assert_eq!(serde_json::to_value(KeySource::Imported).expect("json"), "imported");
}
