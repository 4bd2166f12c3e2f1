//! What happens elsewhere when an account changes: `users` reaches sessions, tokens and
//! Unix accounts only through the hooks the composition root installs, so these check the
//! wiring end to end.

use serde_json::json;

use crate::support::{TestApp, USER_PW};

const NEW_PW: &str = "reset-Account-secret-07";

#[actix_web::test]
async fn a_password_reset_ends_the_users_sessions() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let id = admin.create_user(None, "alice", "viewer").await;
    let alice = app.login("alice", USER_PW).await;
    alice.get("/api/v1/auth/me").await.expect_status(200);

    admin.post(&format!("/api/v1/users/{id}/password"), json!({ "new_password": NEW_PW })).await.expect_status(200);
    alice.get("/api/v1/auth/me").await.expect_status(401);
    app.login("alice", NEW_PW).await;
}

#[actix_web::test]
async fn a_deleted_user_loses_sessions_tokens_rules_and_group_memberships() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let id = admin.create_user(None, "bob", "operator").await;
    let bob = app.login("bob", USER_PW).await;
    let (_, token) = bob.create_token(json!({ "name": "script" })).await;
    app.bearer(&token).get("/api/v1/auth/me").await.expect_status(200);
    admin.post("/api/v1/access-rules", json!({ "user_id": id, "on": "all" })).await.expect_status(201);
    admin.post("/api/v1/unix-groups", json!({ "name": "ops", "members": [id] })).await.expect_status(201);

    admin.delete(&format!("/api/v1/users/{id}")).await.expect_status(204);
    bob.get("/api/v1/auth/me").await.expect_status(401);
    app.bearer(&token).get("/api/v1/auth/me").await.expect_error(401, "auth.required");
    let rules = admin.get("/api/v1/access-rules").await.expect_status(200).body;
    assert_eq!(rules.as_array().map(Vec::len), Some(0), "{rules}");
    let groups = admin.get("/api/v1/unix-groups").await.expect_status(200).body;
    assert_eq!(groups[0]["name"], "ops", "{groups}");
    assert_eq!(groups[0]["members"], json!([]), "{groups}");
}

#[actix_web::test]
async fn a_username_cannot_take_a_unix_groups_name() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.post("/api/v1/unix-groups", json!({ "name": "ops", "members": [] })).await.expect_status(201);
    let body = json!({ "username": "ops", "role": "viewer", "password": USER_PW });
    admin.post("/api/v1/users", body).await.expect_error(409, "users.username_taken");
}
