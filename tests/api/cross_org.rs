//! The organization boundary: another organization's records look like they do not exist
//! (404, never 403 or 200), for sessions and tokens alike, and `?org=` is a superadmin's.

use serde_json::{Value, json};

use crate::matrix::World;
use crate::support::{Client, Resp};

/// Every call on one account id an org admin could try.
async fn user_calls(client: &Client, id: u64) -> Vec<(String, Resp)> {
    let p = format!("/api/v1/users/{id}");
    vec![
        (format!("GET {p}"), client.get(&p).await),
        (format!("PATCH {p}"), client.patch(&p, json!({ "display_name": "Owned" })).await),
        (format!("PATCH {p} role"), client.patch(&p, json!({ "role": "admin" })).await),
        (
            format!("POST {p}/password"),
            client.post(&format!("{p}/password"), json!({ "new_password": "hijacked-Secret-01" })).await,
        ),
        (format!("POST {p}/unlock"), client.post_empty(&format!("{p}/unlock")).await),
        (format!("DELETE {p}"), client.delete(&p).await),
    ]
}

/// Asserts 404 `users.not_found` for every call, with the same message as for an id that
/// exists nowhere (no existence oracle across organizations).
async fn assert_all_not_found(client: &Client, id: u64) {
    let ghost = 999_999;
    let ghost_calls = user_calls(client, ghost).await;
    for ((label, resp), (_, ghost_resp)) in user_calls(client, id).await.into_iter().zip(ghost_calls) {
        assert_eq!((resp.status, resp.code()), (404, "users.not_found"), "{label}: {resp:?}");
        assert_eq!(
            resp.message().replace(&id.to_string(), "N"),
            ghost_resp.message().replace(&ghost.to_string(), "N"),
            "{label}"
        );
    }
}

#[actix_web::test]
async fn org_b_admin_gets_404_for_org_a_accounts_and_changes_nothing() {
    let world = World::build().await;
    let before = world.snapshot().await;
    assert_all_not_found(&world.callers[4], world.viewer_a).await;
    assert_eq!(world.snapshot().await, before, "refused cross-organization calls changed something");
    // The target is intact and can still log in with its password.
    world.app.login("va", crate::support::USER_PW).await;
}

#[actix_web::test]
async fn a_token_of_org_b_cannot_touch_org_a_records() {
    let world = World::build().await;
    let (a_token, a_value) = world.callers[3].create_token(json!({ "name": "a-token" })).await;
    let before = world.snapshot().await;
    let b = &world.admin_b_witness;

    assert_all_not_found(b, world.viewer_a).await;
    b.delete(&format!("/api/v1/tokens/{a_token}")).await.expect_error(404, "tokens.not_found");
    b.get(&format!("/api/v1/orgs/{}", world.org_a)).await.expect_error(404, "orgs.not_found");
    b.get(&format!("/api/v1/users?org={}", world.org_a)).await.expect_error(404, "orgs.not_found");
    let listed = b.get("/api/v1/tokens?all=true").await.expect_status(200).body;
    assert!(!listed.to_string().contains("a-token"), "{listed}");

    assert_eq!(world.snapshot().await, before);
    world.app.bearer(&a_value).get("/api/v1/auth/me").await.expect_status(200);
}

#[actix_web::test]
async fn org_query_is_refused_for_non_superadmins() {
    let world = World::build().await;
    let (a, b) = (world.org_a, world.org_b);
    let admin_a = &world.callers[3];
    let admin_b = &world.callers[4];
    let viewer_a = &world.callers[1];
    let new_user = json!({ "username": "smuggled", "role": "admin", "password": "smuggled-Secret-01" });

    admin_b.get(&format!("/api/v1/users?org={a}")).await.expect_error(404, "orgs.not_found");
    admin_b.post(&format!("/api/v1/users?org={a}"), new_user.clone()).await.expect_error(404, "orgs.not_found");
    admin_a.get(&format!("/api/v1/users?org={b}")).await.expect_error(404, "orgs.not_found");
    viewer_a.get(&format!("/api/v1/users/{}?org={b}", world.viewer_a)).await.expect_error(404, "orgs.not_found");
    admin_a.get(&format!("/api/v1/orgs/{b}")).await.expect_error(404, "orgs.not_found");
    // An org that does not exist answers the same.
    admin_a.get("/api/v1/orgs/424242").await.expect_error(404, "orgs.not_found");
    let users_b = world.sup_witness.get(&format!("/api/v1/users?org={b}")).await.expect_status(200).body;
    assert!(!users_b.to_string().contains("smuggled"));

    let orgs: Vec<String> = names(&admin_a.get("/api/v1/orgs").await.expect_status(200).body);
    assert_eq!(orgs, ["alpha"]);
    let all: Vec<String> = names(&world.callers[5].get("/api/v1/orgs").await.expect_status(200).body);
    assert_eq!(all, ["default", "alpha", "beta"]);
}

#[actix_web::test]
async fn audit_is_scoped_to_the_callers_organization() {
    let world = World::build().await;
    let (a, b) = (world.org_a, world.org_b);
    // Org B's admin asking for org A's trail sees nothing of it: the organization does not
    // exist for them, as on every other endpoint.
    world.callers[4].get(&format!("/api/v1/audit?org={a}")).await.expect_error(404, "orgs.not_found");
    for (client, org) in [(&world.callers[3], a), (&world.callers[4], b)] {
        let entries = crate::support::audit_entries(client, "").await;
        assert!(!entries.is_empty());
        assert!(entries.iter().all(|e| e["org"] == org), "only org {org}: {entries:?}");
    }
    let everything = crate::support::audit_entries(&world.callers[5], "").await;
    let orgs: std::collections::BTreeSet<u64> = everything.iter().filter_map(|e| e["org"].as_u64()).collect();
    assert_eq!(orgs, [1, a, b].into_iter().collect());
    let only_a = crate::support::audit_entries(&world.callers[5], &format!("org={a}")).await;
    assert!(!only_a.is_empty() && only_a.iter().all(|e| e["org"] == a));
}

fn names(list: &Value) -> Vec<String> {
    list.as_array().expect("list").iter().map(|o| o["name"].as_str().expect("name").to_string()).collect()
}
