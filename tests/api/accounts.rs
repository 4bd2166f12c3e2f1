//! Central accounts through the API: access rules decide which users a host's bundle
//! holds; the files' formats; ETag and long-poll; password changes from hosts; bad input.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

const ED: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop";

/// An approved agent host with `tags`; returns (host id, machine token).
pub async fn enrolled_host(app: &TestApp, admin: &Client, name: &str, tags: &[&str]) -> (u64, String) {
    let (_, key) = admin.create_ingest_key(&unique("accounts")).await;
    let resp = app.agent(&key).push(&batch(name, &unique("fp"), vec![])).await.expect_status(202);
    let token = resp.body["token"].as_str().expect("token").to_string();
    let id = resp.body["host_id"].as_u64().expect("host id");
    admin.patch(&format!("/api/v1/hosts/{id}"), json!({"tags": tags})).await.expect_status(200);
    (id, token)
}

/// `GET path` as the host with `token`, with optional extra headers.
pub async fn as_host(app: &TestApp, token: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
    let client = Client::new(&app.url);
    let mut req = client.request(Method::GET, path).header("X-API-Key", token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    read(req.send().await.expect("request sent")).await
}

pub async fn post_as_host(app: &TestApp, token: &str, path: &str, body: Value) -> Resp {
    let client = Client::new(&app.url);
    let req = client.request(Method::POST, path).header("X-API-Key", token).json(&body);
    read(req.send().await.expect("request sent")).await
}

fn names(file: &Value) -> Vec<String> {
    file.as_str().expect("file").lines().map(|l| l.split(':').next().unwrap_or("").to_string()).collect()
}

#[tokio::test]
async fn each_host_receives_exactly_the_users_its_rules_allow() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let alice = admin.create_user(None, "alice", "viewer").await;
    let bob = admin.create_user(None, "bob", "operator").await;
    let carol = admin.create_user(None, "carol", "viewer").await;
    admin.create_user(None, "dave", "viewer").await;
    let (web, web_token) = enrolled_host(&app, &admin, "web-1", &["web"]).await;
    let (_db, db_token) = enrolled_host(&app, &admin, "db-1", &["db"]).await;

    admin.post("/api/v1/access-rules", json!({"user_id": alice, "on": "all", "sudo": true})).await.expect_status(201);
    admin.post("/api/v1/access-rules", json!({"user_id": bob, "on": "tags", "tags": ["web"]})).await.expect_status(201);
    admin
        .post("/api/v1/access-rules", json!({"user_id": carol, "on": "hosts", "hosts": [web]}))
        .await
        .expect_status(201);
    admin.post(&format!("/api/v1/users/{alice}/keys"), json!({"key": ED})).await.expect_status(201);

    let b = as_host(&app, &web_token, "/api/v1/agent/nss", &[]).await.expect_status(200);
    assert_eq!(names(&b.body["passwd"]), ["alice", "bob", "carol"], "{:#}", b.body);
    assert_eq!(b.body["keys"]["alice"][0], ED);
    let version = b.body["version"].as_str().expect("version").to_string();
    assert_eq!(b.header("etag"), Some(format!("\"{version}\"").as_str()));
    for (file, fields) in [("passwd", 7), ("group", 4), ("shadow", 9)] {
        let text = b.body[file].as_str().expect("file");
        assert!(text.ends_with('\n') && text.lines().all(|l| l.split(':').count() == fields), "{file}: {text}");
    }
    let uid = |name: &str| -> u64 {
        let line = b.body["passwd"]
            .as_str()
            .unwrap()
            .lines()
            .find(|l| l.starts_with(&format!("{name}:")))
            .unwrap()
            .to_string();
        line.split(':').nth(2).unwrap().parse().unwrap()
    };
    assert!((20_000..=59_999).contains(&uid("alice")) && uid("alice") != uid("bob"));
    assert!(b.body["group"].as_str().unwrap().contains(":alice\n"), "alice is in steward-sudo: {}", b.body["group"]);
    assert!(b.body["shadow"].as_str().unwrap().starts_with("alice:$2b$"), "{}", b.body["shadow"]);

    let d = as_host(&app, &db_token, "/api/v1/agent/nss", &[]).await.expect_status(200);
    assert_eq!(names(&d.body["passwd"]), ["alice"], "db-1 holds no hash of bob or carol");
    assert!(!d.body["shadow"].as_str().unwrap().contains("bob"));

    // The plain files answer the same content.
    let passwd = as_host(&app, &web_token, "/api/v1/agent/nss/passwd", &[]).await.expect_status(200);
    assert_eq!(passwd.body, b.body["passwd"]);
    assert_eq!(passwd.header("content-type"), Some("text/plain; charset=utf-8"));

    // What the host receives, as admins see it.
    let seen = admin.get(&format!("/api/v1/hosts/{web}/accounts")).await.expect_status(200);
    assert_eq!(seen.body["version"], version.as_str());
    assert_eq!(seen.body["users"][0]["sudo"], true);
    app.stop().await;
}

#[tokio::test]
async fn an_unchanged_bundle_is_304_and_a_change_wakes_a_waiting_host() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let alice = admin.create_user(None, "alice", "viewer").await;
    let (_, token) = enrolled_host(&app, &admin, "web-1", &[]).await;
    let first = as_host(&app, &token, "/api/v1/agent/nss", &[]).await.expect_status(200);
    let etag = first.header("etag").expect("etag").to_string();
    let same = as_host(&app, &token, "/api/v1/agent/nss", &[("If-None-Match", &etag)]).await;
    assert_eq!((same.status, &same.body), (304, &Value::Null));

    let waiting = {
        let (app_url, token, etag) = (app.url.clone(), token.clone(), etag.clone());
        tokio::spawn(async move {
            let client = Client::new(&app_url);
            let req = client.request(Method::GET, "/api/v1/agent/nss?wait=60");
            read(req.header("X-API-Key", token).header("If-None-Match", etag).send().await.expect("sent")).await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "the host waits while nothing changes");
    admin.post("/api/v1/access-rules", json!({"user_id": alice, "on": "all"})).await.expect_status(201);
    let woke = tokio::time::timeout(Duration::from_secs(10), waiting).await.expect("woken at once").expect("task");
    assert_eq!(woke.status, 200);
    assert_eq!(names(&woke.body["passwd"]), ["alice"]);
    assert_ne!(woke.header("etag"), Some(etag.as_str()));
    app.stop().await;
}

#[tokio::test]
async fn disabled_users_expire_without_keys_and_a_forced_change_is_day_zero() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let alice = admin.create_user(None, "alice", "viewer").await;
    let (_, token) = enrolled_host(&app, &admin, "web-1", &[]).await;
    admin.post("/api/v1/access-rules", json!({"user_id": alice, "on": "all", "sudo": true})).await.expect_status(201);
    admin.post(&format!("/api/v1/users/{alice}/keys"), json!({"key": ED})).await.expect_status(201);
    admin.patch(&format!("/api/v1/users/{alice}"), json!({"disabled": true})).await.expect_status(200);
    let b = as_host(&app, &token, "/api/v1/agent/nss", &[]).await.expect_status(200);
    let shadow = b.body["shadow"].as_str().unwrap();
    assert!(shadow.starts_with("alice:!$2b$") && shadow.ends_with(":1:\n"), "{shadow}");
    assert_eq!(b.body["keys"], json!({}));
    assert!(!b.body["group"].as_str().unwrap().contains("steward-sudo:x:20000:alice"), "{}", b.body["group"]);

    admin.patch(&format!("/api/v1/users/{alice}"), json!({"disabled": false})).await.expect_status(200);
    admin
        .post(&format!("/api/v1/users/{alice}/password"), json!({"new_password": "reset-Password-0042"}))
        .await
        .expect_status(200);
    let b = as_host(&app, &token, "/api/v1/agent/nss", &[]).await.expect_status(200);
    let shadow = b.body["shadow"].as_str().unwrap();
    assert_eq!(shadow.split(':').nth(2), Some("0"), "{shadow}");
    app.stop().await;
}

#[tokio::test]
async fn a_password_changed_on_a_host_needs_the_current_one_and_comes_back() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let alice = admin.create_user(None, "alice", "viewer").await;
    admin.create_user(None, "bob", "viewer").await;
    let (_, token) = enrolled_host(&app, &admin, "web-1", &[]).await;
    admin.post("/api/v1/access-rules", json!({"user_id": alice, "on": "all"})).await.expect_status(201);
    let change = |user: &str, old: &str, new: &str| json!({"user": user, "old": old, "new": new});
    let new_pw = "host-Changed-secret-77";

    let r = post_as_host(&app, &token, "/api/v1/agent/password", change("alice", "wrong-password-123", new_pw)).await;
    r.expect_error(403, "password.wrong_current");
    let r = post_as_host(&app, &token, "/api/v1/agent/password", change("bob", USER_PW, new_pw)).await;
    r.expect_error(404, "nss.not_on_host");
    let r = post_as_host(&app, &token, "/api/v1/agent/password", change("alice", USER_PW, "short")).await;
    r.expect_error(422, "password.too_short");
    let r = post_as_host(&app, &"stm_".repeat(12), "/api/v1/agent/password", change("alice", USER_PW, new_pw)).await;
    assert_eq!(r.status, 401, "{r:?}");

    let before = as_host(&app, &token, "/api/v1/agent/nss", &[]).await.body["shadow"].clone();
    post_as_host(&app, &token, "/api/v1/agent/password", change("alice", USER_PW, new_pw)).await.expect_status(204);
    let after = as_host(&app, &token, "/api/v1/agent/nss", &[]).await.body["shadow"].clone();
    assert_ne!(before, after, "the next bundle carries the new hash");
    app.try_login("alice", USER_PW).await.1.expect_status(401);
    app.login("alice", new_pw).await;
    let audit = audit_entries(&admin, "action=user.password_change").await;
    assert!(
        audit.iter().any(|e| e["outcome"] == "failure" && e["actor"].as_str().is_some_and(|a| a.starts_with("host "))),
        "{audit:#?}"
    );
    assert!(audit.iter().any(|e| e["outcome"] == "success"), "{audit:#?}");
    app.stop().await;
}

#[tokio::test]
async fn bad_unix_input_is_refused_and_changes_nothing() {
    let app = TestApp::builder().set("accounts.uid_min", 30_000).set("accounts.uid_max", 30_002).start().await;
    let admin = app.superadmin().await;
    let alice = admin.create_user(None, "alice", "viewer").await;
    for (key, code) in [
        ("not a key", "accounts.invalid_key"),
        ("ssh-ed25519 AAAA", "accounts.invalid_key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "accounts.invalid_key"),
    ] {
        admin.post(&format!("/api/v1/users/{alice}/keys"), json!({"key": key})).await.expect_error(422, code);
    }
    admin.post(&format!("/api/v1/users/{alice}/keys"), json!({"key": ED})).await.expect_status(201);
    admin
        .post(&format!("/api/v1/users/{alice}/keys"), json!({"key": ED}))
        .await
        .expect_error(409, "accounts.duplicate_key");
    admin
        .patch(&format!("/api/v1/users/{alice}/unix"), json!({"shell": "/bin/evil"}))
        .await
        .expect_error(422, "accounts.shell_not_allowed");
    for name in ["root", "daemon", "steward-sudo", "alice"] {
        let r = admin.post("/api/v1/unix-groups", json!({"name": name})).await;
        assert!(r.status == 409 || r.status == 422, "{name}: {r:?}");
    }
    admin
        .post("/api/v1/unix-groups", json!({"name": "Bad Name"}))
        .await
        .expect_error(422, "accounts.invalid_group_name");
    admin
        .post("/api/v1/access-rules", json!({"user_id": alice, "on": "tags", "tags": []}))
        .await
        .expect_error(422, "accounts.invalid_rule");
    admin
        .post("/api/v1/access-rules", json!({"user_id": alice, "on": "hosts", "hosts": [999]}))
        .await
        .expect_status(404);
    admin.post("/api/v1/access-rules", json!({"user_id": 999, "on": "all"})).await.expect_error(404, "users.not_found");
    // The range holds three ids: alice took one (her key), the group one, then none are left.
    admin.post("/api/v1/unix-groups", json!({"name": "devs", "members": [alice]})).await.expect_status(201);
    let bob = admin.create_user(None, "bob", "viewer").await;
    admin.post("/api/v1/access-rules", json!({"user_id": bob, "on": "all"})).await.expect_status(201);
    let carol = admin.create_user(None, "carol", "viewer").await;
    admin
        .post("/api/v1/access-rules", json!({"user_id": carol, "on": "all"}))
        .await
        .expect_error(409, "accounts.ids_exhausted");
    // A user cannot take a group's name either.
    let body = json!({"username": "devs", "role": "viewer", "password": USER_PW});
    admin.post("/api/v1/users", body).await.expect_error(409, "users.username_taken");
    let rules = admin.get("/api/v1/access-rules").await.expect_status(200);
    assert_eq!(rules.body.as_array().map(Vec::len), Some(1), "{:#}", rules.body);
    app.stop().await;
}

#[tokio::test]
async fn users_manage_their_own_keys_and_shell_but_not_others() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let alice = admin.create_user(None, "alice", "viewer").await;
    let bob = admin.create_user(None, "bob", "viewer").await;
    let me = app.login("alice", USER_PW).await;
    let key = me.post(&format!("/api/v1/users/{alice}/keys"), json!({"key": ED})).await.expect_status(201);
    let fp = key.body["fingerprint"].as_str().expect("fingerprint").to_string();
    me.patch(&format!("/api/v1/users/{alice}/unix"), json!({"shell": "/bin/sh"})).await.expect_status(200);
    let view = me.get(&format!("/api/v1/users/{alice}/unix")).await.expect_status(200);
    assert_eq!((view.body["shell"].as_str(), view.body["home"].as_str()), (Some("/bin/sh"), Some("/home/alice")));
    assert_eq!(view.body["uid"], view.body["gid"]);
    me.post(&format!("/api/v1/users/{bob}/keys"), json!({"key": ED})).await.expect_error(403, "auth.forbidden");
    me.get("/api/v1/access-rules").await.expect_error(403, "auth.forbidden");
    let path = format!("/api/v1/users/{alice}/keys?fingerprint={}", urlencode(&fp));
    me.delete(&path).await.expect_status(204);
    me.delete(&path).await.expect_error(404, "accounts.key_not_found");
    app.stop().await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
