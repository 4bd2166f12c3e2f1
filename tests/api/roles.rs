//! Rules on who may change whom: only superadmins manage superadmins, and nobody demotes,
//! disables or deletes themselves.

use serde_json::json;

use crate::support::{TestApp, USER_PW};

#[actix_web::test]
async fn only_superadmins_manage_superadmins() {
    let app = TestApp::start().await;
    let sup = app.superadmin().await;
    let org = sup.create_org("acme").await;
    sup.create_user(Some(org), "ann", "admin").await;
    let boss = sup.create_user(Some(org), "boss", "superadmin").await;
    let viewer = sup.create_user(Some(org), "vic", "viewer").await;
    let ann = app.login("ann", USER_PW).await;
    let before = sup.get(&format!("/api/v1/users/{boss}?org={org}")).await.expect_status(200).body;

    let new_super = json!({ "username": "another", "role": "superadmin", "password": USER_PW });
    ann.post("/api/v1/users", new_super).await.expect_error(403, "users.superadmin_only");
    let promote = json!({ "role": "superadmin" });
    ann.patch(&format!("/api/v1/users/{viewer}"), promote).await.expect_error(403, "users.superadmin_only");
    let p = format!("/api/v1/users/{boss}");
    ann.patch(&p, json!({ "display_name": "Demoted" })).await.expect_error(403, "users.superadmin_only");
    ann.patch(&p, json!({ "disabled": true })).await.expect_error(403, "users.superadmin_only");
    ann.post(&format!("{p}/password"), json!({ "new_password": "taken-Over-pw-001" }))
        .await
        .expect_error(403, "users.superadmin_only");
    ann.delete(&p).await.expect_error(403, "users.superadmin_only");
    ann.get(&p).await.expect_status(200);

    assert_eq!(sup.get(&format!("/api/v1/users/{boss}?org={org}")).await.body, before);
    let vic = sup.get(&format!("/api/v1/users/{viewer}?org={org}")).await.body;
    assert_eq!(vic["role"], "viewer");
    app.login("boss", USER_PW).await;
}

#[actix_web::test]
async fn nobody_demotes_disables_or_deletes_themselves() {
    let app = TestApp::start().await;
    let sup = app.superadmin().await;
    let me = sup.get("/api/v1/auth/me").await.id_of_user();
    let p = format!("/api/v1/users/{me}");
    sup.patch(&p, json!({ "role": "viewer" })).await.expect_error(409, "users.self_change");
    sup.patch(&p, json!({ "disabled": true })).await.expect_error(409, "users.self_change");
    sup.delete(&p).await.expect_error(409, "users.self_change");
    let still = sup.get(&p).await.expect_status(200);
    assert_eq!((still.body["role"].as_str(), still.body["disabled"].as_bool()), (Some("superadmin"), Some(false)));
    // Harmless changes to oneself are fine.
    sup.patch(&p, json!({ "display_name": "The Admin" })).await.expect_status(200);
}
