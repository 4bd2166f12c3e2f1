//! The audit trail over the API (what is recorded, filters, paging) and tamper evidence on
//! the stopped store.

use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use crate::support::{ADMIN_PW, Client, TestApp, USER_AGENT, USER_PW, audit_entries};

/// Logins (good and bad), a password change, an org, a user, a token made and revoked.
async fn some_history(app: &TestApp) -> Client {
    app.try_login("admin", "wrong-Password-000").await.1.expect_error(401, "auth.invalid_credentials");
    let admin = app.superadmin().await;
    admin.create_org("acme").await;
    admin.create_user(None, "alice", "operator").await;
    let (token, _) = admin.create_token(json!({ "name": "ci" })).await;
    admin.delete(&format!("/api/v1/tokens/{token}")).await.expect_status(204);
    app.login("alice", USER_PW).await;
    admin
}

fn find<'a>(entries: &'a [Value], action: &str, outcome: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["action"] == action && e["outcome"] == outcome)
        .unwrap_or_else(|| panic!("no {action} {outcome} in {entries:#?}"))
}

#[actix_web::test]
async fn actions_are_recorded_with_actor_org_origin_and_outcome() {
    let app = TestApp::start().await;
    let admin = some_history(&app).await;
    let entries = audit_entries(&admin, "").await;

    let failed = find(&entries, "auth.login", "failure");
    assert_eq!(failed["actor"], "admin");
    assert_eq!(failed["detail"], "wrong password");
    let login = find(&entries, "auth.login", "success");
    for e in [failed, login] {
        assert_eq!(e["org"], 1);
        assert_eq!(e["ip"], "127.0.0.1");
        assert_eq!(e["user_agent"], USER_AGENT);
    }
    assert!(login["actor_id"].is_u64());
    assert_eq!(find(&entries, "user.password_change", "success")["target"], "admin");
    let created = find(&entries, "user.create", "success");
    assert_eq!((created["target"].as_str(), created["actor"].as_str()), (Some("alice"), Some("admin")));
    assert_eq!(created["detail"], "role operator");
    assert!(find(&entries, "token.create", "success")["target"].as_str().expect("target").contains("ci"));
    assert!(find(&entries, "token.revoke", "success")["target"].as_str().expect("target").contains("ci"));
    let org = find(&entries, "org.create", "success");
    assert_eq!((org["target"].as_str(), org["org"].as_u64()), (Some("acme"), Some(2)));
    assert_eq!(entries.iter().filter(|e| e["actor"] == "alice" && e["action"] == "auth.login").count(), 1);

    // Newest first, sequence numbers without gaps, each entry chained to the one before.
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().expect("seq")).collect();
    assert!(seqs.windows(2).all(|w| w[0] == w[1] + 1), "{seqs:?}");
    assert!(entries.windows(2).all(|w| w[0]["prev_hash"] == w[1]["hash"]));
}

#[actix_web::test]
async fn filters_select_by_actor_action_and_time() {
    let app = TestApp::start().await;
    let admin = some_history(&app).await;
    let all = audit_entries(&admin, "").await;

    let by_alice = audit_entries(&admin, "actor=alice").await;
    assert!(!by_alice.is_empty() && by_alice.iter().all(|e| e["actor"] == "alice"));
    let tokens = audit_entries(&admin, "action=token").await;
    let actions: Vec<&str> = tokens.iter().map(|e| e["action"].as_str().expect("action")).collect();
    assert_eq!(actions, ["token.revoke", "token.create"]);
    let auth = audit_entries(&admin, "action=auth").await;
    assert!(auth.iter().all(|e| e["action"].as_str().expect("action").starts_with("auth.")));
    assert_eq!(auth.len(), all.iter().filter(|e| e["action"].as_str().is_some_and(|a| a.starts_with("auth."))).count());
    assert!(audit_entries(&admin, "action=tok").await.is_empty(), "a prefix only matches whole dotted parts");
    assert_eq!(audit_entries(&admin, "target=acme").await.len(), 1);

    // Move time on, act again; from/to split the trail at a point between.
    app.advance_minutes(10);
    let split = app.clock_now() - time::Duration::minutes(5);
    admin.create_user(None, "bob", "viewer").await;
    let split = split.format(&Rfc3339).expect("rfc3339");
    let later = audit_entries(&admin, &format!("from={split}")).await;
    let earlier = audit_entries(&admin, &format!("to={split}")).await;
    assert_eq!(later.len(), 1, "{later:?}");
    assert_eq!(later[0]["target"], "bob");
    assert_eq!(earlier, all);
    let both = audit_entries(&admin, &format!("from={split}&action=user.create&actor=admin")).await;
    assert_eq!(both.len(), 1);
}

#[actix_web::test]
async fn cursor_paging_walks_the_whole_trail_once() {
    let app = TestApp::start().await;
    let admin = some_history(&app).await;
    let all = audit_entries(&admin, "").await;
    assert!(all.len() >= 8, "{}", all.len());

    let mut paged = Vec::new();
    let mut query = "limit=3".to_string();
    loop {
        let page = admin.get(&format!("/api/v1/audit?{query}")).await.expect_status(200);
        let entries = page.body["entries"].as_array().expect("entries").clone();
        assert!(entries.len() <= 3);
        paged.extend(entries);
        match page.body["next_cursor"].as_u64() {
            Some(cursor) => query = format!("limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, all);
    let first = admin.get("/api/v1/audit?limit=1").await.expect_status(200);
    assert_eq!(first.body["entries"][0], all[0]);
    assert_eq!(first.body["next_cursor"], all[0]["seq"]);
}

#[actix_web::test]
async fn a_tampered_entry_is_reported_by_verify() {
    let app = TestApp::start().await;
    some_history(&app).await;
    let (dir, config) = app.stop().await;

    let opened = steward::app::open(&config).expect("open");
    let report = steward::audit::verify(&opened.store).expect("verify");
    assert!(report.is_ok(), "{report:?}");
    let total = report.checked;
    assert!(total >= 8);
    drop(opened);

    let seq = 4;
    tamper_target(&config.store_path(), seq, "someone-else");
    let opened = steward::app::open(&config).expect("open");
    let report = steward::audit::verify(&opened.store).expect("verify");
    assert_eq!(report.problem, Some(steward::audit::Problem::Altered { seq }), "{report:?}");
    assert_eq!(report.checked, seq - 1);
    drop(opened);

    let out = crate::cli::steward(&config.data_dir).args(["audit", "verify"]).output().expect("run steward");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("audit entry {seq} was altered")), "{stderr}");

    // The API says the same once the appliance runs again on the altered store.
    let app = TestApp::builder().data_dir(dir).start().await;
    let admin = app.login("admin", ADMIN_PW).await;
    let answer = admin.get("/api/v1/audit/verify").await.expect_status(200).body;
    assert_eq!(answer["ok"], false, "{answer}");
    assert_eq!(answer["entries"], seq - 1);
    assert_eq!(answer["first_bad"]["id"], seq);
    assert_eq!(answer["first_bad"]["problem"], json!({ "kind": "altered", "seq": seq }));
    assert!(answer["first_bad"]["reason"].as_str().is_some_and(|r| r.contains("was altered")), "{answer}");
}

#[actix_web::test]
async fn verify_over_the_api_reports_an_intact_chain_to_admins_only() {
    let app = TestApp::start().await;
    let admin = some_history(&app).await;
    let answer = admin.get("/api/v1/audit/verify").await.expect_status(200).body;
    let total = audit_entries(&admin, "").await.len() as u64;
    assert_eq!(answer, json!({ "ok": true, "entries": total, "pruned_through": null, "first_bad": null }));

    // Admins of any organization may ask (the chain is one); viewers and operators may not.
    // `acme`, made by some_history, is organization 2.
    admin.create_user(Some(2), "acme-admin", "admin").await;
    let acme_admin = app.login("acme-admin", USER_PW).await;
    assert_eq!(acme_admin.get("/api/v1/audit/verify").await.expect_status(200).body["ok"], true);
    admin.create_user(None, "vera", "viewer").await;
    let viewer = app.login("vera", USER_PW).await;
    viewer.get("/api/v1/audit/verify").await.expect_error(403, "auth.forbidden");
    let operator = app.login("alice", USER_PW).await;
    operator.get("/api/v1/audit/verify").await.expect_error(403, "auth.forbidden");
    app.anon().get("/api/v1/audit/verify").await.expect_error(401, "auth.required");
}

/// Rewrites one entry's target in the redb file, as someone with the file could.
fn tamper_target(store: &std::path::Path, seq: u64, target: &str) {
    use redb::{ReadableTable, TableDefinition};
    const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
    let db = redb::Database::open(store).expect("open redb");
    let txn = db.begin_write().expect("write txn");
    {
        let mut table = txn.open_table(AUDIT).expect("audit table");
        let bytes = table.get(seq).expect("read").expect("entry exists").value().to_vec();
        let mut entry: Value = serde_json::from_slice(&bytes).expect("entry JSON");
        assert_ne!(entry["target"], target);
        entry["target"] = json!(target);
        table.insert(seq, serde_json::to_vec(&entry).expect("encode").as_slice()).expect("write");
    }
    txn.commit().expect("commit");
}

#[actix_web::test]
async fn the_admin_password_change_is_attributed_to_the_admin() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let changes = audit_entries(&admin, "action=user.password_change").await;
    assert_eq!(changes.len(), 1);
    assert_eq!((changes[0]["actor"].as_str(), changes[0]["ip"].as_str()), (Some("admin"), Some("127.0.0.1")));
    app.login("admin", ADMIN_PW).await;
}
