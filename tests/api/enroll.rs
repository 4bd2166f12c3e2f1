//! Enrollment of push agents: a machine pushing with an ingest key waits for an admin's
//! approval (unless the key auto-approves), then receives a machine token in an ingest
//! answer and pushes with it; rejection, deletion, and deactivated or deleted keys cut it
//! off; refusals store and audit nothing; status follows the last accepted push.

use serde_json::{Value, json};

use crate::ingest::{accepted, host_id, load, metrics, points, quiet_app, stored};
use crate::support::{Client, Resp, TestApp, audit_entries, batch};

/// One sample of `load.1` from machine `fp` (hostname = fingerprint).
fn push_of(app: &TestApp, fp: &str, value: f64) -> Value {
    batch(fp, fp, vec![load(value, app.now_ms())])
}

/// The host summary with fingerprint `fp`, as `GET /api/v1/hosts` lists it.
async fn host_by_fp(admin: &Client, fp: &str) -> Value {
    let hosts = admin.hosts().await;
    hosts.iter().find(|h| h["fingerprint"] == fp).cloned().unwrap_or_else(|| panic!("{fp} not in {hosts:?}"))
}

/// A 202 that hands out a machine token; returns it.
#[track_caller]
fn token_of(resp: &Resp) -> String {
    assert_eq!((resp.status, &resp.body["state"]), (202, &json!("approved")), "{resp:?}");
    let token = resp.body["token"].as_str().unwrap_or_else(|| panic!("no token in {resp:?}")).to_string();
    assert!(token.starts_with("stm_") && token.len() > 40, "{token}");
    token
}

/// A 202 without a token (a token push).
#[track_caller]
fn no_token(resp: Resp) -> Resp {
    let resp = accepted(resp, 1);
    assert!(resp.body.get("token").is_none(), "{resp:?}");
    assert_eq!(resp.body["state"], "approved");
    resp
}

/// The actions of the audit entries about host `id`, newest first.
async fn host_actions(admin: &Client, id: u64) -> Vec<String> {
    let target = format!("host {id} (");
    let entries = audit_entries(admin, "action=host").await;
    let about = entries.iter().filter(|e| e["target"].as_str().is_some_and(|t| t.starts_with(&target)));
    about.map(|e| e["action"].as_str().expect("action").to_string()).collect()
}

/// Every (org, host) holding a machine token, read from the running appliance's store.
async fn token_holders(app: &TestApp) -> Vec<(u64, u64)> {
    let store = app.appliance().ctx.store.clone();
    store.read(steward::hosts::tokens::holders).await.expect("token rows")
}

#[actix_web::test]
async fn a_machine_waits_for_approval_then_trades_its_key_for_a_token() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (key_id, key) = admin.create_ingest_key_with("fleet", false).await;
    let agent = app.agent(&key);
    let before = metrics(&admin).await;
    let resp = agent.push(&push_of(&app, "fp-web", 1.0)).await.expect_error(403, "host.pending");
    let host = host_by_fp(&admin, "fp-web").await;
    let id = host["id"].as_u64().expect("id");
    assert!(resp.message().contains(&format!("an admin must approve host {id} (fp-web)")), "{resp:?}");
    assert_eq!(
        (&host["state"], &host["status"], &host["ingest_key"]),
        (&json!("pending"), &json!("unknown"), &json!(key_id))
    );
    assert_eq!(metrics(&admin).await, before, "nothing of the batch was stored");

    // Retrying while pending changes nothing and records nothing.
    let (state, audit) = (stored(&admin).await, audit_entries(&admin, "").await.len());
    agent.push(&push_of(&app, "fp-web", 2.0)).await.expect_error(403, "host.pending");
    assert_eq!((stored(&admin).await, audit_entries(&admin, "").await.len()), (state, audit));

    let approved = admin.post_empty(&format!("/api/v1/hosts/{id}/approve")).await.expect_status(200);
    assert_eq!((&approved.body["id"], &approved.body["state"]), (&json!(id), &json!("approved")));
    assert!(approved.body.get("token").is_none() && approved.body.get("hash").is_none(), "{approved:?}");
    admin.post_empty(&format!("/api/v1/hosts/{id}/approve")).await.expect_status(200);

    // The key push is stored and answered with a token; until that token is used, another
    // key push (its answer lost, say) replaces it.
    let first = agent.push(&push_of(&app, "fp-web", 3.0)).await;
    let lost = token_of(&first);
    assert_eq!((host_id(&first), &first.body["server_time_ms"]), (id, &json!(app.now_ms())));
    accepted(first, 1);
    let token = token_of(&agent.push(&push_of(&app, "fp-web", 4.0)).await);
    assert_ne!(token, lost);
    app.agent(&lost).push(&push_of(&app, "fp-web", 5.0)).await.expect_error(401, "ingest.invalid_token");
    let now = app.now_ms();
    no_token(app.agent(&token).push(&batch("fp-web", "fp-web", vec![load(6.0, now + 1000)])).await);
    let got: Vec<f64> = points(&admin, id, "load.1", now - 10_000, now + 2000).await.into_iter().map(|p| p.2).collect();
    assert_eq!(got, [4.0, 6.0], "the batch of each accepted push (3.0 was replaced at the same second)");

    // The token was used: the key no longer speaks for the machine.
    let refused = agent.push(&push_of(&app, "fp-web", 7.0)).await.expect_error(403, "ingest.token_required");
    assert!(refused.message().contains("delete the host"), "{refused:?}");
    no_token(app.agent(&token).push(&push_of(&app, "fp-web", 8.0)).await);

    let actions = host_actions(&admin, id).await;
    assert_eq!(actions, ["host.token_issue", "host.token_issue", "host.approve", "host.register"], "newest first");
    let issued = audit_entries(&admin, "action=host.token_issue").await;
    assert_eq!(issued[0]["actor"], format!("ingest key {key_id}"));
    assert_eq!(audit_entries(&admin, "action=host.approve").await[0]["actor"], "admin");
}

#[actix_web::test]
async fn an_auto_approving_key_hands_out_a_token_in_the_first_answer() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key_with("auto", true).await;
    let first = app.agent(&key).push(&push_of(&app, "fp-auto", 1.0)).await;
    let token = token_of(&first);
    let id = host_id(&accepted(first, 1));
    assert_eq!(host_by_fp(&admin, "fp-auto").await["state"], "approved");
    no_token(app.agent(&token).push(&push_of(&app, "fp-auto", 2.0)).await);
    let register = audit_entries(&admin, "action=host.register").await;
    assert_eq!(register[0]["detail"], "approved", "{register:?}");
    assert_eq!(host_actions(&admin, id).await, ["host.token_issue", "host.register"]);
}

#[actix_web::test]
async fn rejecting_a_host_cuts_its_agent_off_at_once() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let token = token_of(&app.agent(&key).push(&push_of(&app, "fp-r", 1.0)).await);
    let id = host_by_fp(&admin, "fp-r").await["id"].as_u64().expect("id");
    no_token(app.agent(&token).push(&push_of(&app, "fp-r", 2.0)).await);

    let rejected = admin.post_empty(&format!("/api/v1/hosts/{id}/reject")).await.expect_status(200);
    assert_eq!(rejected.body["state"], "rejected");
    admin.post_empty(&format!("/api/v1/hosts/{id}/reject")).await.expect_status(200);
    assert!(token_holders(&app).await.is_empty(), "its token is deleted");
    let before = stored(&admin).await;
    app.agent(&token).push(&push_of(&app, "fp-r", 3.0)).await.expect_error(401, "ingest.invalid_token");
    let refused = app.agent(&key).push(&push_of(&app, "fp-r", 4.0)).await.expect_error(403, "host.rejected");
    assert!(refused.message().contains(&format!("host {id} (fp-r)")), "{refused:?}");
    assert_eq!(stored(&admin).await, before, "refused pushes stored nothing");
    assert_eq!(host_by_fp(&admin, "fp-r").await["state"], "rejected", "a rejected host is still listed");

    // Approved again, it enrolls again: its key gets a fresh token.
    admin.post_empty(&format!("/api/v1/hosts/{id}/approve")).await.expect_status(200);
    let again = token_of(&app.agent(&key).push(&push_of(&app, "fp-r", 5.0)).await);
    no_token(app.agent(&again).push(&push_of(&app, "fp-r", 6.0)).await);
    let actions = host_actions(&admin, id).await;
    assert_eq!(actions, ["host.token_issue", "host.approve", "host.reject", "host.token_issue", "host.register"]);
}

#[actix_web::test]
async fn a_deleted_host_enrolls_again_as_a_new_pending_host() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key_with("k", false).await;
    app.agent(&key).push(&push_of(&app, "fp-d", 1.0)).await.expect_error(403, "host.pending");
    let old = host_by_fp(&admin, "fp-d").await["id"].as_u64().expect("id");
    admin.post_empty(&format!("/api/v1/hosts/{old}/approve")).await.expect_status(200);
    let token = token_of(&app.agent(&key).push(&push_of(&app, "fp-d", 2.0)).await);
    no_token(app.agent(&token).push(&push_of(&app, "fp-d", 3.0)).await);

    admin.delete(&format!("/api/v1/hosts/{old}")).await.expect_status(204);
    assert!(token_holders(&app).await.is_empty(), "its token rows went with it");
    app.agent(&token).push(&push_of(&app, "fp-d", 4.0)).await.expect_error(401, "ingest.invalid_token");
    app.agent(&key).push(&push_of(&app, "fp-d", 5.0)).await.expect_error(403, "host.pending");
    let new = host_by_fp(&admin, "fp-d").await;
    assert_ne!(new["id"], old);
    assert_eq!(new["state"], "pending");
    assert_eq!(host_actions(&admin, old).await, ["host.delete", "host.token_issue", "host.approve", "host.register"]);
}

#[actix_web::test]
async fn the_enrolling_key_must_stay_active_for_its_machines_tokens() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (key_id, key) = admin.create_ingest_key("first").await;
    let token = token_of(&app.agent(&key).push(&push_of(&app, "fp-k", 1.0)).await);
    let id = host_by_fp(&admin, "fp-k").await["id"].as_u64().expect("id");

    admin.patch(&format!("/api/v1/ingest-keys/{key_id}"), json!({ "active": false })).await.expect_status(200);
    let before = stored(&admin).await;
    let refused = app.agent(&token).push(&push_of(&app, "fp-k", 2.0)).await.expect_error(403, "ingest.key_inactive");
    assert!(refused.message().contains(&format!("ingest key {key_id}")), "{refused:?}");
    assert_eq!(stored(&admin).await, before);
    admin.patch(&format!("/api/v1/ingest-keys/{key_id}"), json!({ "active": true })).await.expect_status(200);
    no_token(app.agent(&token).push(&push_of(&app, "fp-k", 3.0)).await);

    // Another active key cannot take over a machine whose own key is active.
    let (_, other) = admin.create_ingest_key("second").await;
    let before = stored(&admin).await;
    app.agent(&other).push(&push_of(&app, "fp-k", 4.0)).await.expect_error(403, "ingest.key_mismatch");
    assert_eq!(stored(&admin).await, before);

    // Deleted: its machines' tokens stop; a new key may rebind the machine, pending again.
    admin.delete(&format!("/api/v1/ingest-keys/{key_id}")).await.expect_status(204);
    app.agent(&token).push(&push_of(&app, "fp-k", 5.0)).await.expect_error(403, "ingest.key_inactive");
    app.agent(&other).push(&push_of(&app, "fp-k", 6.0)).await.expect_error(403, "host.pending");
    let host = host_by_fp(&admin, "fp-k").await;
    assert_eq!((&host["id"], &host["state"]), (&json!(id), &json!("pending")), "the same host, rebound");
    app.agent(&token).push(&push_of(&app, "fp-k", 7.0)).await.expect_error(401, "ingest.invalid_token");
    let rebind = audit_entries(&admin, "action=host.rebind").await;
    assert_eq!(rebind.len(), 1, "{rebind:?}");
    admin.post_empty(&format!("/api/v1/hosts/{id}/approve")).await.expect_status(200);
    let fresh = token_of(&app.agent(&other).push(&push_of(&app, "fp-k", 8.0)).await);
    no_token(app.agent(&fresh).push(&push_of(&app, "fp-k", 9.0)).await);
}

#[actix_web::test]
async fn a_machine_token_speaks_only_for_its_own_machine() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    let token_a = token_of(&app.agent(&key).push(&push_of(&app, "fp-a", 1.0)).await);
    token_of(&app.agent(&key).push(&push_of(&app, "fp-b", 1.0)).await);
    let before = stored(&admin).await;
    for fp in ["fp-b", "fp-unknown"] {
        let resp = app.agent(&token_a).push(&push_of(&app, fp, 2.0)).await.expect_error(403, "ingest.token_mismatch");
        assert!(resp.message().contains(fp), "{resp:?}");
    }
    let forged = format!("stm_{}", "A".repeat(43));
    app.agent(&forged).push(&push_of(&app, "fp-a", 2.0)).await.expect_error(401, "ingest.invalid_token");
    assert_eq!(stored(&admin).await, before);
}

#[actix_web::test]
async fn auto_approval_is_set_at_creation_or_by_patch_and_audited() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let created = admin.post("/api/v1/ingest-keys", json!({ "name": "plain" })).await.expect_status(201);
    assert_eq!(created.body["auto_approve"], false, "off unless asked for");
    let id = created.id();
    let patched = admin.patch(&format!("/api/v1/ingest-keys/{id}"), json!({ "auto_approve": true })).await;
    assert_eq!(patched.expect_status(200).body["auto_approve"], true);
    admin.patch(&format!("/api/v1/ingest-keys/{id}"), json!({ "auto_approve": true })).await.expect_status(200);
    admin.patch(&format!("/api/v1/ingest-keys/{id}"), json!({ "auto_approve": false })).await.expect_status(200);
    let actions: Vec<Value> =
        audit_entries(&admin, "action=ingest_key").await.iter().map(|e| e["action"].clone()).collect();
    assert_eq!(actions, ["ingest_key.auto_approve_off", "ingest_key.auto_approve_on", "ingest_key.create"]);
}

#[actix_web::test]
async fn status_follows_the_last_accepted_push_not_the_samples_clock() {
    let app = quiet_app().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("k").await;
    // An agent whose clock is an hour behind: its samples look old, its pushes are now.
    let behind = app.now_ms() - 3_600_000;
    let resp = app.agent(&key).push(&batch("late", "fp-late", vec![load(1.0, behind)])).await;
    let token = token_of(&resp);
    let id = host_id(&resp);
    let host = admin.get(&format!("/api/v1/hosts/{id}")).await.expect_status(200).body;
    assert_eq!((&host["status"], &host["last_seen_ms"]), (&json!("online"), &json!(behind)));
    assert_eq!(host["last_push_ms"], app.now_ms());

    app.clock.advance(time::Duration::seconds(16));
    assert_eq!(host_by_fp(&admin, "fp-late").await["status"], "offline", "three 5 s intervals without a push");
    no_token(app.agent(&token).push(&batch("late", "fp-late", vec![load(2.0, behind + 16_000)])).await);
    let host = host_by_fp(&admin, "fp-late").await;
    assert_eq!((&host["status"], &host["last_push_ms"]), (&json!("online"), &json!(app.now_ms())));
}
