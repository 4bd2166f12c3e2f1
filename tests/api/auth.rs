//! Login, logout, "who am I", log out everywhere, and the forced first password change.

use serde_json::{Value, json};

use crate::support::{ADMIN_PW, KNOWN_ADMIN_PW, Resp, TestApp, USER_PW};

/// The session cookie's `name=value` from a login answer.
fn session_cookie(resp: &Resp) -> String {
    let header = resp.header("set-cookie").expect("login sets a cookie");
    header.split(';').next().expect("cookie pair").trim().to_string()
}

#[actix_web::test]
async fn login_answers_user_csrf_and_sets_a_strict_httponly_cookie() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "operator").await;

    let (client, resp) = app.try_login("alice", USER_PW).await;
    let resp = resp.expect_status(200);
    assert_eq!(resp.body["user"]["username"], "alice");
    assert_eq!(resp.body["user"]["role"], "operator");
    assert_eq!(resp.body["must_change_password"], false);
    assert!(resp.body["user"].get("password_hash").is_none(), "the hash never leaves the appliance");
    let csrf = resp.body["csrf_token"].as_str().expect("csrf token");
    assert!(csrf.len() >= 32, "csrf token too short: {csrf}");

    let cookie = resp.header("set-cookie").expect("set-cookie").to_ascii_lowercase();
    assert!(cookie.starts_with("steward_session="), "{cookie}");
    assert!(cookie.contains("httponly"), "cookie must be HttpOnly: {cookie}");
    assert!(cookie.contains("samesite=strict"), "cookie must be SameSite=Strict: {cookie}");
    assert!(cookie.contains("path=/"), "{cookie}");

    let me = client.get("/api/v1/auth/me").await.expect_status(200);
    assert_eq!(me.body["user"]["username"], "alice");
    assert_eq!(me.body["auth"], "session");
    assert_eq!(me.body["csrf_token"], csrf, "me returns the same CSRF token as login");
}

#[actix_web::test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "viewer").await;

    let (_, wrong) = app.try_login("alice", "not-the-password-1").await;
    let (_, unknown) = app.try_login("nobody-here", "not-the-password-1").await;
    let wrong = wrong.expect_error(401, "auth.invalid_credentials");
    let unknown = unknown.expect_error(401, "auth.invalid_credentials");
    assert_eq!(wrong.message(), unknown.message());
    assert!(wrong.header("set-cookie").is_none(), "no cookie on a failed login");
}

#[actix_web::test]
async fn logout_ends_the_session_and_the_old_cookie_is_dead() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "viewer").await;
    let (client, login) = app.try_login("alice", USER_PW).await;
    let cookie = session_cookie(&login.expect_status(200));

    let out = client.post_empty("/api/v1/auth/logout").await.expect_status(204);
    let cleared = out.header("set-cookie").expect("logout clears the cookie");
    assert!(cleared.starts_with("steward_session=;") || cleared.contains("Max-Age=0"), "{cleared}");
    let me = client.get("/api/v1/auth/me").await;
    assert!(matches!(me.code(), "auth.required" | "auth.session_expired"), "{me:?}");
    assert_eq!(me.status, 401);

    // Replaying the old cookie value by hand does not bring the session back.
    let replay = app.anon().http.get(format!("{}/api/v1/auth/me", app.url)).header("Cookie", cookie).send().await;
    crate::support::read(replay.expect("sent")).await.expect_error(401, "auth.required");
}

#[actix_web::test]
async fn login_by_email_works() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let body = json!({ "username": "carol", "email": "Carol@Example.com", "role": "viewer",
        "password": USER_PW, "must_change_password": false });
    admin.post("/api/v1/users", body).await.expect_status(201);

    let client = app.login("carol@example.com", USER_PW).await;
    let me = client.get("/api/v1/auth/me").await.expect_status(200);
    assert_eq!(me.body["user"]["username"], "carol");
    assert_eq!(me.body["user"]["email"], "carol@example.com");
    // Case and surrounding spaces in the login name do not matter.
    app.login(" CAROL@example.COM ", USER_PW).await;
}

#[actix_web::test]
async fn logout_everywhere_ends_other_sessions() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "viewer").await;
    admin.create_user(None, "bob", "viewer").await;
    let laptop = app.login("alice", USER_PW).await;
    let phone = app.login("alice", USER_PW).await;
    let bob = app.login("bob", USER_PW).await;

    laptop.post_empty("/api/v1/auth/logout-all").await.expect_status(204);
    phone.get("/api/v1/auth/me").await.expect_error(401, "auth.required");
    let me = laptop.get("/api/v1/auth/me").await;
    assert_eq!(me.status, 401, "{me:?}");
    // Someone else's session is untouched.
    bob.get("/api/v1/auth/me").await.expect_status(200);
}

#[actix_web::test]
async fn changing_password_ends_other_sessions_but_keeps_this_one() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "viewer").await;
    let here = app.login("alice", USER_PW).await;
    let elsewhere = app.login("alice", USER_PW).await;

    here.change_password(USER_PW, "a-brand-new-Secret-9").await.expect_status(204);
    here.get("/api/v1/auth/me").await.expect_status(200);
    elsewhere.get("/api/v1/auth/me").await.expect_error(401, "auth.required");
    app.try_login("alice", USER_PW).await.1.expect_error(401, "auth.invalid_credentials");
    app.login("alice", "a-brand-new-Secret-9").await;
    here.change_password("wrong-current-pw-1", "another-new-Secret-8")
        .await
        .expect_error(403, "password.wrong_current");
}

/// Everything but me / password / logout needs the forced change done first. The bodies
/// are valid, so only the pending change can be the reason for a refusal.
fn blocked_while_pending() -> Vec<(&'static str, &'static str, Option<Value>)> {
    let new_user = json!({ "username": "blocked-user", "role": "viewer", "password": USER_PW });
    vec![
        ("GET", "/api/v1/status", None),
        ("GET", "/api/v1/users", None),
        ("POST", "/api/v1/users", Some(new_user)),
        ("GET", "/api/v1/users/1", None),
        ("PATCH", "/api/v1/users/1", Some(json!({ "display_name": "Blocked" }))),
        ("POST", "/api/v1/users/1/unlock", None),
        ("GET", "/api/v1/orgs", None),
        ("POST", "/api/v1/orgs", Some(json!({ "name": "blocked-org" }))),
        ("GET", "/api/v1/orgs/1", None),
        ("GET", "/api/v1/audit", None),
        ("GET", "/api/v1/tokens", None),
        ("POST", "/api/v1/tokens", Some(json!({ "name": "blocked-token" }))),
        ("DELETE", "/api/v1/tokens/1", None),
    ]
}

#[actix_web::test]
async fn fresh_admin_must_change_the_generated_password_first() {
    let app = TestApp::builder().generated_admin_password().start().await;
    let file = app.data_dir().join("initial-admin-password");
    let generated = std::fs::read_to_string(&file).expect("initial password file").trim().to_string();
    assert!(generated.len() >= 12);

    let (admin, resp) = app.try_login("admin", &generated).await;
    let resp = resp.expect_status(200);
    assert_eq!(resp.body["must_change_password"], true);
    assert_eq!(resp.body["user"]["role"], "superadmin");

    let me = admin.get("/api/v1/auth/me").await.expect_status(200);
    assert_eq!(me.body["must_change_password"], true);
    for (method, path, body) in blocked_while_pending() {
        let resp = admin.send(method.parse().expect("method"), path, body.as_ref()).await;
        assert_eq!((resp.status, resp.code()), (403, "auth.password_change_required"), "{method} {path}: {resp:?}");
    }
    assert!(file.exists(), "the file stays until the password is changed");

    admin.change_password(&generated, &generated).await.expect_error(422, "password.unchanged");
    admin.change_password(&generated, ADMIN_PW).await.expect_status(204);
    assert!(!file.exists(), "the initial password file is removed once it has served");

    let me = admin.get("/api/v1/auth/me").await.expect_status(200);
    assert_eq!(me.body["must_change_password"], false);
    admin.get("/api/v1/status").await.expect_status(200);
    admin.get("/api/v1/audit").await.expect_status(200);
    // Nothing the blocked calls carried happened.
    let users = admin.get("/api/v1/users").await.expect_status(200).body;
    assert_eq!(users.as_array().map(Vec::len), Some(1), "only admin exists: {users}");
    assert_eq!(users[0]["display_name"], "");
    let orgs = admin.get("/api/v1/orgs").await.expect_status(200).body;
    assert!(!orgs.to_string().contains("blocked-org"), "{orgs}");
    let tokens = admin.get("/api/v1/tokens").await.expect_status(200).body;
    assert_eq!(tokens, json!([]));
    admin.create_org("acme").await;
    app.try_login("admin", &generated).await.1.expect_error(401, "auth.invalid_credentials");

    // Logging out is allowed while the change is pending, too.
    let pending = app.login("admin", ADMIN_PW).await;
    pending.post_empty("/api/v1/auth/logout").await.expect_status(204);
}

#[actix_web::test]
async fn configured_admin_password_writes_no_file_and_logout_works_while_pending() {
    let app = TestApp::start().await;
    assert!(!app.data_dir().join("initial-admin-password").exists());
    let admin = app.login("admin", KNOWN_ADMIN_PW).await;
    admin.get("/api/v1/users").await.expect_error(403, "auth.password_change_required");
    admin.post_empty("/api/v1/auth/logout").await.expect_status(204);
    admin.get("/api/v1/auth/me").await.expect_error(401, "auth.required");
}

#[actix_web::test]
async fn pending_password_change_blocks_logout_everywhere() {
    let app = TestApp::start().await;
    let admin = app.login("admin", KNOWN_ADMIN_PW).await;
    admin.post_empty("/api/v1/auth/logout-all").await.expect_error(403, "auth.password_change_required");
}

#[actix_web::test]
async fn disabling_a_user_ends_their_sessions_and_refuses_login() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let id = admin.create_user(None, "alice", "viewer").await;
    let alice = app.login("alice", USER_PW).await;

    admin.patch(&format!("/api/v1/users/{id}"), json!({ "disabled": true })).await.expect_status(200);
    let me = alice.get("/api/v1/auth/me").await;
    assert_eq!(me.status, 401, "{me:?}");
    app.try_login("alice", USER_PW).await.1.expect_error(403, "auth.disabled");

    admin.patch(&format!("/api/v1/users/{id}"), json!({ "disabled": false })).await.expect_status(200);
    app.login("alice", USER_PW).await;
}
