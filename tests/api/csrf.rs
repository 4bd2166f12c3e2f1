//! CSRF: cookie sessions must send the session's `X-CSRF-Token` on every state change;
//! bearer tokens need none (a browser never adds them on its own).

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Client, TestApp, USER_PW};

/// The same session, without the CSRF header or with a wrong one.
fn variants(client: &Client) -> [(&'static str, Client); 2] {
    let missing = Client { csrf: None, ..client.clone() };
    let wrong = Client { csrf: Some("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".into()), ..client.clone() };
    [("missing", missing), ("wrong", wrong)]
}

async fn snapshot(admin: &Client) -> (Value, Value, Value) {
    let users = admin.get("/api/v1/users").await.expect_status(200).body;
    let tokens = admin.get("/api/v1/tokens?all=true").await.expect_status(200).body;
    let orgs = admin.get("/api/v1/orgs").await.expect_status(200).body;
    (users, tokens, orgs)
}

#[actix_web::test]
async fn cookie_requests_without_the_right_csrf_token_change_nothing() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let bob = admin.create_user(None, "bob", "viewer").await;
    let (token, _) = admin.create_token(json!({ "name": "keep-me" })).await;
    let before = snapshot(&admin).await;

    let new_user = json!({ "username": "mallory", "role": "admin", "password": USER_PW });
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::POST, "/api/v1/users".into(), Some(new_user)),
        (Method::PATCH, format!("/api/v1/users/{bob}"), Some(json!({ "role": "admin" }))),
        (Method::DELETE, format!("/api/v1/users/{bob}"), None),
        (
            Method::POST,
            format!("/api/v1/users/{bob}/password"),
            Some(json!({ "new_password": "attacker-Chosen-pw-1" })),
        ),
        (Method::POST, format!("/api/v1/users/{bob}/unlock"), None),
        (Method::POST, "/api/v1/orgs".into(), Some(json!({ "name": "evil" }))),
        (Method::POST, "/api/v1/tokens".into(), Some(json!({ "name": "stolen" }))),
        (Method::DELETE, format!("/api/v1/tokens/{token}"), None),
        (
            Method::POST,
            "/api/v1/auth/password".into(),
            Some(json!({ "current_password": crate::support::ADMIN_PW, "new_password": "attacker-Chosen-pw-1" })),
        ),
        (Method::POST, "/api/v1/auth/logout".into(), None),
        (Method::POST, "/api/v1/auth/logout-all".into(), None),
    ];
    for (label, client) in variants(&admin) {
        for (method, path, body) in &attempts {
            let resp = client.send(method.clone(), path, body.as_ref()).await;
            assert_eq!((resp.status, resp.code()), (403, "auth.csrf"), "{label} CSRF, {method} {path}: {resp:?}");
        }
    }
    assert_eq!(snapshot(&admin).await, before, "refused requests changed something");
    // The session survived the refused logouts, and the password is unchanged.
    admin.get("/api/v1/auth/me").await.expect_status(200);
    app.login("admin", crate::support::ADMIN_PW).await;
}

#[actix_web::test]
async fn reads_need_no_csrf_token() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let bare = Client { csrf: None, ..admin.clone() };
    bare.get("/api/v1/users").await.expect_status(200);
    bare.get("/api/v1/auth/me").await.expect_status(200);
}

#[actix_web::test]
async fn another_sessions_csrf_token_is_refused() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "admin").await;
    let first = app.login("alice", USER_PW).await;
    let second = app.login("alice", USER_PW).await;
    assert_ne!(first.csrf, second.csrf, "each session has its own CSRF token");

    let crossed = Client { csrf: second.csrf.clone(), ..first.clone() };
    crossed.post("/api/v1/orgs", json!({ "name": "x" })).await.expect_error(403, "auth.csrf");
    crossed.post("/api/v1/tokens", json!({ "name": "x" })).await.expect_error(403, "auth.csrf");
    first.post("/api/v1/tokens", json!({ "name": "x" })).await.expect_status(201);
}

#[actix_web::test]
async fn bearer_tokens_need_no_csrf_header() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let (_, value) = admin.create_token(json!({ "name": "script" })).await;
    let script = app.bearer(&value);
    assert!(script.csrf.is_none());

    let id = script.create_user(None, "made-by-script", "viewer").await;
    script.patch(&format!("/api/v1/users/{id}"), json!({ "display_name": "Scripted" })).await.expect_status(200);
    script.delete(&format!("/api/v1/users/{id}")).await.expect_status(204);
}
