//! Session lifetimes, account lockout and the per-IP login rate limit. Time moves by the
//! manual clock; nothing sleeps.

use crate::support::{TestApp, USER_PW};

const WRONG: &str = "definitely-Wrong-pw-7";

#[actix_web::test]
async fn idle_session_expires_after_idle_minutes() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "viewer").await;
    let alice = app.login("alice", USER_PW).await;

    app.advance_minutes(59);
    alice.get("/api/v1/auth/me").await.expect_status(200);
    // 61 idle minutes after that last request: past the default idle limit of 60.
    app.advance_minutes(61);
    alice.get("/api/v1/auth/me").await.expect_error(401, "auth.session_expired");
    // The expired session is gone for good, not just refused once.
    alice.get("/api/v1/auth/me").await.expect_error(401, "auth.required");
    app.login("alice", USER_PW).await.get("/api/v1/auth/me").await.expect_status(200);
}

#[actix_web::test]
async fn configured_idle_limit_is_honoured() {
    let app = TestApp::builder().set("auth.session_idle_minutes", 5).start().await;
    let admin = app.superadmin().await;
    app.advance_minutes(4);
    admin.get("/api/v1/status").await.expect_status(200);
    app.advance_minutes(6);
    admin.get("/api/v1/status").await.expect_error(401, "auth.session_expired");
}

#[actix_web::test]
async fn activity_keeps_a_session_alive_until_the_absolute_limit() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "viewer").await;
    let alice = app.login("alice", USER_PW).await;

    // 28 x 50 minutes = 23 h 20 min, never idle for an hour.
    for step in 1..=28 {
        app.advance_minutes(50);
        let me = alice.get("/api/v1/auth/me").await;
        assert_eq!(me.status, 200, "after {} minutes: {me:?}", step * 50);
    }
    // 24 h 10 min after login: over the absolute limit, however active.
    app.advance_minutes(50);
    alice.get("/api/v1/auth/me").await.expect_error(401, "auth.session_expired");
}

#[actix_web::test]
async fn five_failures_lock_the_account_until_an_admin_unlocks_it() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let id = admin.create_user(None, "alice", "viewer").await;

    for attempt in 1..=5 {
        let (_, resp) = app.try_login("alice", WRONG).await;
        assert_eq!((resp.status, resp.code()), (401, "auth.invalid_credentials"), "attempt {attempt}: {resp:?}");
    }
    let (_, locked) = app.try_login("alice", USER_PW).await;
    locked.expect_error(403, "auth.locked");
    let view = admin.get(&format!("/api/v1/users/{id}")).await.expect_status(200);
    assert_eq!(view.body["locked"], true);

    let unlocked = admin.post_empty(&format!("/api/v1/users/{id}/unlock")).await.expect_status(200);
    assert_eq!(unlocked.body["locked"], false);
    app.login("alice", USER_PW).await;

    let lockouts = crate::support::audit_entries(&admin, "action=auth.lockout").await;
    assert_eq!(lockouts.len(), 1, "{lockouts:?}");
    assert_eq!(lockouts[0]["target"], "alice");
    assert_eq!(crate::support::audit_entries(&admin, "action=user.unlock").await.len(), 1);
}

#[actix_web::test]
async fn a_lock_expires_after_lockout_minutes() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "viewer").await;

    for _ in 0..5 {
        app.try_login("alice", WRONG).await.1.expect_error(401, "auth.invalid_credentials");
    }
    app.advance_minutes(14);
    app.try_login("alice", USER_PW).await.1.expect_error(403, "auth.locked");
    app.advance_minutes(2);
    app.login("alice", USER_PW).await;
}

#[actix_web::test]
async fn failures_outside_the_window_do_not_add_up() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "viewer").await;

    for _ in 0..4 {
        app.try_login("alice", WRONG).await.1.expect_error(401, "auth.invalid_credentials");
    }
    app.advance_minutes(16);
    for _ in 0..4 {
        app.try_login("alice", WRONG).await.1.expect_error(401, "auth.invalid_credentials");
    }
    app.login("alice", USER_PW).await;
    // A successful login resets the count: four more failures still do not lock.
    for _ in 0..4 {
        app.try_login("alice", WRONG).await.1.expect_error(401, "auth.invalid_credentials");
    }
    app.login("alice", USER_PW).await;
}

#[actix_web::test]
async fn login_attempts_are_rate_limited_per_address() {
    let app = TestApp::builder().set("auth.login_rate_per_minute", 3).start().await;
    for attempt in 1..=3 {
        let (_, resp) = app.try_login("nobody-here", WRONG).await;
        assert_eq!(resp.status, 401, "attempt {attempt}: {resp:?}");
    }
    // Even the right password is not checked once the address is over its budget.
    let (_, limited) = app.try_login("admin", crate::support::KNOWN_ADMIN_PW).await;
    let limited = limited.expect_error(429, "auth.rate_limited");
    assert!(limited.header("set-cookie").is_none());
    let retry: u64 = limited.header("retry-after").expect("Retry-After header").parse().expect("seconds");
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
}
