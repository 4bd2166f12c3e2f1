//! Bad input: each gets a clear 4xx with a stable `code`, and nothing changes.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Client, Resp, TestApp, USER_PW, read};

/// Sends `body` as-is with a content type (or none).
async fn raw(
    client: &Client,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Resp {
    let mut req = client.request(method, path).body(body);
    if let Some(ct) = content_type {
        req = req.header("Content-Type", ct);
    }
    read(req.send().await.expect("sent")).await
}

async fn usernames(admin: &Client) -> Vec<String> {
    let list = admin.get("/api/v1/users").await.expect_status(200).body;
    list.as_array().expect("users").iter().map(|u| u["username"].as_str().expect("username").to_string()).collect()
}

fn new_user(username: &str, password: &str) -> Value {
    json!({ "username": username, "role": "viewer", "password": password })
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let before = usernames(&admin).await;
    for body in [r#"{"username": "eve", "role": "viewer", "password": "#, "not json", r#"{"username": "eve",}"#, ""] {
        let resp = raw(&admin, Method::POST, "/api/v1/users", Some("application/json"), body).await;
        assert_eq!((resp.status, resp.code()), (400, "request.malformed_json"), "body {body:?}: {resp:?}");
    }
    assert_eq!(usernames(&admin).await, before);
}

#[actix_web::test]
async fn unknown_wrong_typed_and_missing_fields_are_422_naming_the_field() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let before = usernames(&admin).await;
    let cases = [
        (json!({ "username": "eve", "role": "viewer", "password": USER_PW, "colour": "red" }), "colour"),
        (json!({ "username": 5, "role": "viewer", "password": USER_PW }), "username"),
        (json!({ "username": "eve", "role": "viewer", "password": ["x"] }), "password"),
        (json!({ "username": "eve", "role": "emperor", "password": USER_PW }), "role"),
        (
            json!({ "username": "eve", "role": "viewer", "password": USER_PW, "must_change_password": "yes" }),
            "must_change_password",
        ),
        (json!({ "username": "eve", "role": "viewer" }), "password"),
        (json!({ "role": "viewer", "password": USER_PW }), "username"),
        (json!("eve"), "request body"),
    ];
    for (body, field) in cases {
        let resp = admin.post("/api/v1/users", body.clone()).await;
        let resp = resp.expect_error(422, "request.invalid_field");
        assert!(resp.message().contains(field), "message should name {field}: {body} -> {resp:?}");
    }
    let resp = admin.post("/api/v1/auth/login", json!({ "username": "admin", "password": "x", "otp": "1" })).await;
    assert!(resp.expect_error(422, "request.invalid_field").message().contains("otp"));
    assert_eq!(usernames(&admin).await, before);
}

#[actix_web::test]
async fn a_wrong_typed_enum_field_is_422_not_malformed_json() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    for role in [json!(5), json!(true), json!(null), json!(["admin"])] {
        let resp = admin.post("/api/v1/users", json!({ "username": "eve", "role": role, "password": USER_PW })).await;
        assert_eq!((resp.status, resp.code()), (422, "request.invalid_field"), "role {role}: {resp:?}");
        assert!(resp.message().contains("role"), "{resp:?}");
    }
}

#[actix_web::test]
async fn bodies_over_the_limit_are_413_before_parsing() {
    let app = TestApp::builder().set("http.body_limit_kib", 1).start().await;
    let admin = app.superadmin().await;
    let before = usernames(&admin).await;
    let padding = "x".repeat(4096);
    let big = json!({ "username": "eve", "role": "viewer", "password": USER_PW, "display_name": padding });
    admin.post("/api/v1/users", big).await.expect_error(413, "request.too_large");
    let login = json!({ "username": "admin", "password": padding });
    app.anon().post("/api/v1/auth/login", login).await.expect_error(413, "request.too_large");
    // Even malformed, an oversized body is refused for its size.
    let resp = raw(&admin, Method::POST, "/api/v1/orgs", Some("application/json"), "{".repeat(4096)).await;
    resp.expect_error(413, "request.too_large");
    assert_eq!(usernames(&admin).await, before);
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_415() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let before = usernames(&admin).await;
    let body = new_user("eve", USER_PW).to_string();
    for ct in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
        let resp = raw(&admin, Method::POST, "/api/v1/users", ct, body.clone()).await;
        assert_eq!((resp.status, resp.code()), (415, "request.unsupported_media_type"), "{ct:?}: {resp:?}");
    }
    let ok = raw(&admin, Method::POST, "/api/v1/users", Some("application/json; charset=utf-8"), body).await;
    ok.expect_status(201);
    assert_eq!(usernames(&admin).await.len(), before.len() + 1);
}

const BAD_USERNAMES: &[&str] = &[
    "Alice",
    "ålice",
    "bob\u{7}",
    "bob\nroot",
    "root",
    "nobody",
    "",
    "1abc",
    "a b",
    "a.b",
    "abcdefghijklmnopqrstuvwxyz0123456",
];

#[actix_web::test]
async fn invalid_usernames_are_422_and_create_nothing() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let before = usernames(&admin).await;
    for name in BAD_USERNAMES {
        let resp = admin.post("/api/v1/users", new_user(name, USER_PW)).await;
        assert_eq!(resp.status, 422, "username {name:?}: {resp:?}");
        assert!(resp.message().contains("username"), "{name:?}: {resp:?}");
        assert!(!resp.message().chars().any(char::is_control), "control characters echoed: {resp:?}");
    }
    assert_eq!(usernames(&admin).await, before);
}

#[actix_web::test]
async fn invalid_usernames_answer_users_invalid_username() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    for name in BAD_USERNAMES {
        let resp = admin.post("/api/v1/users", new_user(name, USER_PW)).await;
        assert_eq!((resp.status, resp.code()), (422, "users.invalid_username"), "username {name:?}: {resp:?}");
    }
}

#[actix_web::test]
async fn password_policy_answers_a_code_per_rule() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let before = usernames(&admin).await;
    let cases = [
        ("eve", "a".repeat(73), "password.too_long"),
        ("eve", "Short-pw-11".to_string(), "password.too_short"),
        ("eve", "password1234".to_string(), "password.too_common"),
        ("eve", "Password1234".to_string(), "password.too_common"),
        ("longusername1", "LongUserName1".to_string(), "password.same_as_username"),
    ];
    for (name, password, code) in &cases {
        let resp = admin.post("/api/v1/users", new_user(name, password)).await;
        assert_eq!((resp.status, resp.code()), (422, *code), "{name} / {password}: {resp:?}");
        assert!(!resp.message().contains(password.as_str()), "the password is echoed: {resp:?}");
    }
    assert_eq!(usernames(&admin).await, before);
    // The limits are inclusive: 72 bytes and 12 characters are fine.
    admin.post("/api/v1/users", new_user("maxlen", &"Ab1-".repeat(18))).await.expect_status(201);
    admin.post("/api/v1/users", new_user("minlen", "Twelve-chars")).await.expect_status(201);
    // The same rules apply to one's own change.
    admin.change_password(crate::support::ADMIN_PW, "password1234").await.expect_error(422, "password.too_common");
    admin.change_password(crate::support::ADMIN_PW, "Short-pw-11").await.expect_error(422, "password.too_short");
}

#[actix_web::test]
async fn duplicate_usernames_and_emails_are_409() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let org = admin.create_org("acme").await;
    let body = json!({ "username": "eve", "email": "eve@example.com", "role": "viewer", "password": USER_PW });
    admin.post("/api/v1/users", body).await.expect_status(201);
    let before = admin.get("/api/v1/users").await.body;

    admin.post("/api/v1/users", new_user("eve", USER_PW)).await.expect_error(409, "users.username_taken");
    // Usernames are appliance-wide: they log in without naming an organization.
    admin
        .post(&format!("/api/v1/users?org={org}"), new_user("eve", USER_PW))
        .await
        .expect_error(409, "users.username_taken");
    let same_email = json!({ "username": "eve2", "email": "EVE@example.com", "role": "viewer", "password": USER_PW });
    admin.post("/api/v1/users", same_email).await.expect_error(409, "users.email_taken");
    admin.post("/api/v1/orgs", json!({ "name": "acme" })).await.expect_error(409, "orgs.exists");

    assert_eq!(admin.get("/api/v1/users").await.body, before);
    assert_eq!(admin.get(&format!("/api/v1/users?org={org}")).await.body, json!([]));
}

#[actix_web::test]
async fn forged_and_expired_session_cookies_are_401() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "viewer").await;
    let (_, login) = app.try_login("alice", USER_PW).await;
    let cookie = login.header("set-cookie").expect("cookie").split(';').next().expect("pair").to_string();

    me_with_cookie(&app, &cookie).await.expect_status(200);
    me_with_cookie(&app, "steward_session=forged-value").await.expect_error(401, "auth.required");
    me_with_cookie(&app, "steward_session=").await.expect_error(401, "auth.required");
    app.advance_minutes(61);
    me_with_cookie(&app, &cookie).await.expect_error(401, "auth.session_expired");
    me_with_cookie(&app, &cookie).await.expect_error(401, "auth.required");
}

/// `GET /auth/me` with a hand-made Cookie header and no cookie jar.
async fn me_with_cookie(app: &TestApp, cookie: &str) -> Resp {
    let req = app.anon().http.get(format!("{}/api/v1/auth/me", app.url)).header("Cookie", cookie);
    read(req.send().await.expect("sent")).await
}

#[actix_web::test]
async fn unknown_routes_and_bad_paths_have_codes_too() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    for path in ["/api/v1/nope", "/api/v2/users", "/api", "/nope.js", "/api/v1/users/1/nope"] {
        let resp = admin.get(path).await;
        assert_eq!((resp.status, resp.code()), (404, "http.not_found"), "{path}: {resp:?}");
    }
    // Any other path is a route of the web UI: the app answers it.
    let page = admin.get("/nope").await.expect_status(200);
    assert!(page.body.as_str().is_some_and(|html| html.contains("<div id=\"root\">")), "{page:?}");
    admin.get("/api/v1/users/not-a-number").await.expect_error(404, "request.invalid_path");
    admin.get("/api/v1/users/999999").await.expect_error(404, "users.not_found");
    admin.get("/api/v1/tokens?all=maybe").await.expect_error(400, "request.invalid_query");
    admin.get("/api/v1/audit?from=yesterday").await.expect_error(400, "request.invalid_query");
}

#[actix_web::test]
async fn a_known_path_with_the_wrong_method_is_405() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let before = admin.get("/api/v1/users").await.expect_status(200).body;
    let cases = [
        (reqwest::Method::PUT, "/api/v1/users"),
        (reqwest::Method::DELETE, "/api/v1/users"),
        (reqwest::Method::POST, "/api/v1/users/1"),
        (reqwest::Method::GET, "/api/v1/auth/login"),
        (reqwest::Method::DELETE, "/api/v1/audit"),
        (reqwest::Method::POST, "/api/v1/health"),
    ];
    for (method, path) in cases {
        let resp = admin.send(method.clone(), path, Some(&serde_json::json!({}))).await;
        assert_eq!((resp.status, resp.code()), (405, "http.method_not_allowed"), "{method} {path}: {resp:?}");
    }
    assert_eq!(admin.get("/api/v1/users").await.expect_status(200).body, before);
}

#[actix_web::test]
async fn other_names_are_validated_too() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    for name in ["Acme", "-acme", "acme-", "ac me", ""] {
        let resp = admin.post("/api/v1/orgs", json!({ "name": name })).await;
        assert_eq!(resp.status, 422, "org name {name:?}: {resp:?}");
    }
    for name in ["", "   ", "tab\there", &"x".repeat(65)] {
        let resp = admin.post("/api/v1/tokens", json!({ "name": name })).await;
        assert_eq!((resp.status, resp.code()), (422, "tokens.invalid_name"), "token name {name:?}: {resp:?}");
    }
    let bad_email = json!({ "username": "eve", "email": "not-an-address", "role": "viewer", "password": USER_PW });
    assert_eq!(admin.post("/api/v1/users", bad_email).await.status, 422);
    let bad_display = json!({ "username": "eve", "display_name": "a:b", "role": "viewer", "password": USER_PW });
    assert_eq!(admin.post("/api/v1/users", bad_display).await.status, 422);
    assert_eq!(admin.get("/api/v1/orgs").await.body.as_array().map(Vec::len), Some(1));
    assert_eq!(admin.get("/api/v1/tokens").await.body, json!([]));
    assert_eq!(usernames(&admin).await, ["admin"]);
}
