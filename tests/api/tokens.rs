//! Personal API tokens: shown once, used as `Authorization: Bearer`, capped at a role,
//! revocable, expiring; forgeries get nowhere.

use serde_json::json;

use crate::support::{TestApp, USER_PW};

#[actix_web::test]
async fn a_token_is_shown_once_and_works_as_bearer() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let created = admin.post("/api/v1/tokens", json!({ "name": "ci" })).await.expect_status(201);
    let value = created.body["value"].as_str().expect("value").to_string();
    assert!(value.starts_with("stw_"), "{value}");
    assert!(value.len() >= 40, "256 random bits expected: {value}");
    let prefix = created.body["token"]["prefix"].as_str().expect("prefix");
    assert!(value.starts_with(prefix) && prefix.len() < value.len() / 2, "prefix {prefix} of {value}");
    assert_eq!(created.body["token"]["role"], "superadmin", "defaults to the owner's role");

    let list = admin.get("/api/v1/tokens").await.expect_status(200);
    let listed = list.body.as_array().expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "ci");
    assert!(listed[0].get("value").is_none());
    assert!(!list.body.to_string().contains(&value), "the list must never show the value");

    let script = app.bearer(&value);
    let me = script.get("/api/v1/auth/me").await.expect_status(200);
    assert_eq!(me.body["auth"], "token");
    assert_eq!(me.body["user"]["username"], "admin");
    assert!(me.body["csrf_token"].is_null());
    script.get("/api/v1/users").await.expect_status(200);
    let used = admin.get("/api/v1/tokens").await.body;
    assert!(used[0]["last_used_at"].is_string(), "use is recorded: {used}");
}

#[actix_web::test]
async fn a_token_role_caps_what_it_can_do() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let org = admin.create_org("acme").await;
    admin.create_user(Some(org), "ann", "admin").await;
    let ann = app.login("ann", USER_PW).await;
    let (_, value) = ann.create_token(json!({ "name": "read-only", "role": "viewer" })).await;
    let script = app.bearer(&value);

    let me = script.get("/api/v1/auth/me").await.expect_status(200);
    assert_eq!(me.body["user"]["role"], "admin", "the account is still an admin");
    let body = json!({ "username": "made-by-viewer-token", "role": "viewer", "password": USER_PW });
    script.post("/api/v1/users", body).await.expect_error(403, "auth.forbidden");
    script.get("/api/v1/users").await.expect_error(403, "auth.forbidden");
    script.get("/api/v1/audit").await.expect_error(403, "auth.forbidden");
    script.get("/api/v1/status").await.expect_status(200);

    let users = ann.get("/api/v1/users").await.expect_status(200).body;
    assert!(!users.to_string().contains("made-by-viewer-token"), "{users}");
    // A viewer-role token cannot mint itself a stronger one.
    script
        .post("/api/v1/tokens", json!({ "name": "escalate", "role": "admin" }))
        .await
        .expect_error(403, "tokens.role_too_high");
}

#[actix_web::test]
async fn a_token_role_cannot_exceed_its_owner() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "vic", "viewer").await;
    let vic = app.login("vic", USER_PW).await;
    vic.post("/api/v1/tokens", json!({ "name": "up", "role": "admin" }))
        .await
        .expect_error(403, "tokens.role_too_high");
    assert_eq!(vic.get("/api/v1/tokens").await.expect_status(200).body, json!([]));
}

#[actix_web::test]
async fn a_token_never_carries_more_than_its_owner_has_today() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let id = admin.create_user(None, "ann", "admin").await;
    let ann = app.login("ann", USER_PW).await;
    let (_, value) = ann.create_token(json!({ "name": "admin-token" })).await;
    let script = app.bearer(&value);
    script.get("/api/v1/users").await.expect_status(200);

    admin.patch(&format!("/api/v1/users/{id}"), json!({ "role": "viewer" })).await.expect_status(200);
    script.get("/api/v1/users").await.expect_error(403, "auth.forbidden");
    admin.patch(&format!("/api/v1/users/{id}"), json!({ "disabled": true })).await.expect_status(200);
    script.get("/api/v1/auth/me").await.expect_error(401, "auth.required");
}

#[actix_web::test]
async fn a_revoked_token_stops_working() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let (id, value) = admin.create_token(json!({ "name": "short-lived" })).await;
    let script = app.bearer(&value);
    script.get("/api/v1/auth/me").await.expect_status(200);

    admin.delete(&format!("/api/v1/tokens/{id}")).await.expect_status(204);
    script.get("/api/v1/auth/me").await.expect_error(401, "auth.required");
    assert_eq!(admin.get("/api/v1/tokens").await.body, json!([]));
    admin.delete(&format!("/api/v1/tokens/{id}")).await.expect_error(404, "tokens.not_found");
}

#[actix_web::test]
async fn a_token_may_revoke_itself() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let (id, value) = admin.create_token(json!({ "name": "self-destruct" })).await;
    let script = app.bearer(&value);
    script.delete(&format!("/api/v1/tokens/{id}")).await.expect_status(204);
    script.get("/api/v1/auth/me").await.expect_error(401, "auth.required");
}

#[actix_web::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let created = admin.post("/api/v1/tokens", json!({ "name": "day", "expires_in_days": 1 })).await.expect_status(201);
    assert!(created.body["token"]["expires_at"].is_string());
    let script = app.bearer(created.body["value"].as_str().expect("value"));

    app.advance_minutes(23 * 60);
    script.get("/api/v1/auth/me").await.expect_status(200);
    app.advance_minutes(61);
    script.get("/api/v1/auth/me").await.expect_error(401, "auth.required");
}

#[actix_web::test]
async fn forged_or_malformed_bearer_values_are_refused() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let (_, real) = admin.create_token(json!({ "name": "real" })).await;
    let mut altered = real.clone();
    let last = altered.pop().expect("non-empty");
    altered.push(if last == 'A' { 'B' } else { 'A' });

    let forged = [
        "stw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_string(),
        altered,
        real.trim_start_matches("stw_").to_string(),
        "stw_".to_string(),
        "not-a-token".to_string(),
    ];
    for value in &forged {
        let resp = app.bearer(value).get("/api/v1/auth/me").await;
        assert_eq!((resp.status, resp.code()), (401, "auth.required"), "bearer {value:?}: {resp:?}");
    }
    for header in [format!("Basic {real}"), format!("bearer{real}"), real.clone()] {
        let resp = app.anon().http.get(format!("{}/api/v1/auth/me", app.url)).header("Authorization", &header).send();
        let resp = crate::support::read(resp.await.expect("sent")).await;
        assert_eq!((resp.status, resp.code()), (401, "auth.required"), "Authorization {header:?}: {resp:?}");
    }
}

#[actix_web::test]
async fn a_forged_token_gets_401_before_any_body_validation() {
    let app = TestApp::start().await;
    let forged = app.bearer("stw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    for _ in 0..5 {
        forged.post("/api/v1/users", json!({})).await.expect_error(401, "auth.required");
        forged.post("/api/v1/orgs", json!({ "name": "Not Valid" })).await.expect_error(401, "auth.required");
    }
}

#[actix_web::test]
async fn a_token_cannot_mint_one_that_outlives_it() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let created = admin.post("/api/v1/tokens", json!({ "name": "day", "expires_in_days": 1 })).await.expect_status(201);
    let parent_expiry = created.body["token"]["expires_at"].as_str().expect("expiry").to_string();
    let script = app.bearer(created.body["value"].as_str().expect("value"));

    let forever = script.post("/api/v1/tokens", json!({ "name": "forever" })).await.expect_status(201);
    assert_eq!(forever.body["token"]["expires_at"], parent_expiry.as_str());
    let longer = script.post("/api/v1/tokens", json!({ "name": "year", "expires_in_days": 365 })).await;
    assert_eq!(longer.expect_status(201).body["token"]["expires_at"], parent_expiry.as_str());

    let child = app.bearer(forever.body["value"].as_str().expect("value"));
    app.advance_minutes(24 * 60 + 1);
    child.get("/api/v1/auth/me").await.expect_error(401, "auth.required");
}
