//! Agentless SSH monitoring against a real OpenSSH sshd on 127.0.0.1: password and key
//! logins, a wrong password, a replaced host key, sshd killed and back, precise test-ssh
//! errors, broken hosts, and unreachable hosts not delaying reachable ones.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::sshd::{PASSWORD, Sshd, USER};
use crate::support::{Client, TestApp};

async fn ssh_app() -> TestApp {
    TestApp::builder()
        .set("metrics.collect_interval_s", 0)
        .set("ssh.threads", 4)
        .set("ssh.connect_timeout_s", 3)
        .set("ssh.poll_timeout_s", 3)
        .set("ssh.backoff_max_s", 1)
        .start()
        .await
}

async fn create(admin: &Client, sshd: &Sshd, auth: Value) -> u64 {
    let mut body = json!({"kind": "ssh", "name": crate::support::unique("ssh"), "address": "127.0.0.1",
        "port": sshd.port(), "username": USER, "interval_s": 1});
    body.as_object_mut().expect("object").extend(auth.as_object().expect("object").clone());
    admin.post("/api/v1/hosts", body).await.expect_status(201).id()
}

/// Polls the host's detail until `ok` holds, moving the manual clock along with real time
/// (sample times come from it); panics with the last answer after 20 s.
async fn wait_for(app: &TestApp, admin: &Client, id: u64, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let host = admin.get(&format!("/api/v1/hosts/{id}")).await.expect_status(200).body;
        if ok(&host) {
            return host;
        }
        assert!(Instant::now() < deadline, "waiting for {what}: {host:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
        app.clock.advance(time::Duration::milliseconds(100));
    }
}

fn has_metric(host: &Value, metric: &str) -> bool {
    host["latest"].as_array().is_some_and(|l| l.iter().any(|v| v["metric"] == metric))
}

fn poll_status(host: &Value) -> &str {
    host["poll"]["status"].as_str().unwrap_or("")
}

async fn audit_actions(admin: &Client) -> Vec<String> {
    let page = admin.get("/api/v1/audit?limit=500").await.expect_status(200);
    page.body["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The audit actions once `action` is among them (within a deadline).
async fn audit_until(admin: &Client, action: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let actions = audit_actions(admin).await;
        if actions.iter().any(|a| a == action) || Instant::now() >= deadline {
            return actions;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_password_host_is_polled_into_the_shared_schema_and_its_key_pinned() {
    let sshd = Sshd::start().await;
    let app = ssh_app().await;
    let admin = app.superadmin().await;
    let id = create(&admin, &sshd, json!({"password": PASSWORD, "tags": ["db", "rack:3"]})).await;
    let host = wait_for(&app, &admin, id, "rates after two polls", |h| has_metric(h, "cpu.usage_pct")).await;
    assert_eq!((host["status"].as_str(), poll_status(&host)), (Some("online"), "online"), "{host:#}");
    for metric in ["mem.total_bytes", "mem.used_bytes", "load.1", "uptime_s", "disk.total_bytes", "net.rx_bytes"] {
        assert!(has_metric(&host, metric), "{metric} missing: {host:#}");
    }
    let host = wait_for(&app, &admin, id, "the pin", |h| !h["ssh"]["host_key"].is_null()).await;
    assert_eq!(host["ssh"]["host_key"]["fingerprint"], sshd.fingerprint().as_str());
    assert_eq!(host["ssh"]["host_key"]["source"], "first_use");
    let host =
        wait_for(&app, &admin, id, "facts", |h| h["facts"]["kernel"].as_str().is_some_and(|k| !k.is_empty())).await;
    // Later polls leave the inventory out (it is asked for again every 10 minutes) and must
    // keep it, not blank it.
    let seen = host["poll"]["last_ok_ms"].as_i64().expect("last_ok_ms");
    let host =
        wait_for(&app, &admin, id, "two more polls", |h| h["poll"]["last_ok_ms"].as_i64() > Some(seen + 1000)).await;
    for fact in ["kernel", "os", "hostname", "arch"] {
        assert!(host["facts"][fact].as_str().is_some_and(|k| !k.is_empty()), "{fact} blank: {host:#}");
    }
    assert_eq!(host["kind"], "ssh");
    assert_eq!(host["tags"], json!(["db", "rack:3"]));
    assert_eq!(host["ssh"]["auth"], json!({"method": "password"}));

    let report = admin.post_empty(&format!("/api/v1/hosts/{id}/test-ssh")).await.expect_status(200).body;
    assert_eq!((report["ok"].as_bool(), report["host_key_matches"].as_bool()), (Some(true), Some(true)), "{report:#}");
    assert!(report["readings"].as_u64().is_some_and(|n| n > 5), "{report:#}");

    let everything = [
        admin.get("/api/v1/hosts").await.body,
        admin.get(&format!("/api/v1/hosts/{id}")).await.body,
        report,
        admin.get("/api/v1/audit?limit=500").await.body,
    ];
    for body in everything {
        assert!(!body.to_string().contains(PASSWORD), "the password leaked: {body}");
    }
    let actions = audit_actions(&admin).await;
    assert!(
        actions.iter().any(|a| a == "host.ssh_create") && actions.iter().any(|a| a == "host.ssh_pin"),
        "{actions:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_wrong_password_is_auth_failed_with_the_reason() {
    let sshd = Sshd::start().await;
    let app = ssh_app().await;
    let admin = app.superadmin().await;
    let id = create(&admin, &sshd, json!({"password": "not-the-password"})).await;
    let host = wait_for(&app, &admin, id, "auth failed", |h| poll_status(h) == "auth_failed").await;
    assert_eq!(host["status"], "auth_failed");
    assert_eq!(host["poll"]["last_error"]["code"], "ssh.auth_failed");
    assert!(host["poll"]["last_error"]["message"].as_str().is_some_and(|m| m.contains(USER)), "{host:#}");
    assert!(host["poll"]["last_error"]["at_ms"].as_i64().is_some());

    // Fixing the password brings it online.
    admin.patch(&format!("/api/v1/hosts/{id}"), json!({"password": PASSWORD})).await.expect_status(200);
    wait_for(&app, &admin, id, "online after the fix", |h| poll_status(h) == "online").await;
    app.stop().await;
}

#[tokio::test]
async fn a_replaced_host_key_stops_polling_until_an_admin_re_pins_it() {
    let mut sshd = Sshd::start().await;
    let app = ssh_app().await;
    let admin = app.superadmin().await;
    let id = create(&admin, &sshd, json!({"password": PASSWORD})).await;
    wait_for(&app, &admin, id, "pinned and online", |h| poll_status(h) == "online" && !h["ssh"]["host_key"].is_null())
        .await;
    let old = sshd.fingerprint();
    sshd.inner.new_host_key().expect("new host key");
    sshd.inner.restart().await.expect("sshd restarts");
    let new = sshd.fingerprint();
    assert_ne!(old, new);
    let host = wait_for(&app, &admin, id, "host key changed", |h| poll_status(h) == "host_key_changed").await;
    assert_eq!(host["status"], "host_key_changed");
    assert_eq!(host["poll"]["last_error"]["code"], "ssh.host_key_mismatch");
    assert_eq!(host["poll"]["presented_key"]["fingerprint"], new.as_str());
    assert_eq!(host["ssh"]["host_key"]["fingerprint"], old.as_str(), "the pin stays until an admin changes it");
    // The poller publishes the status first and audits the change in a task of its own.
    let actions = audit_until(&admin, "host.ssh_host_key_changed").await;
    assert_eq!(actions.iter().filter(|a| *a == "host.ssh_host_key_changed").count(), 1, "{actions:?}");

    // Still refused a while later: not polled at all, so no new error and no new samples.
    let before = admin.get(&format!("/api/v1/hosts/{id}")).await.body;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after = admin.get(&format!("/api/v1/hosts/{id}")).await.body;
    assert_eq!(before["poll"], after["poll"]);
    assert_eq!(before["last_seen_ms"], after["last_seen_ms"]);

    let pinned = admin.post(&format!("/api/v1/hosts/{id}/pin-host-key"), json!({"fingerprint": new})).await;
    assert_eq!(pinned.expect_status(200).body["ssh"]["host_key"]["source"], "admin");
    wait_for(&app, &admin, id, "online after re-pinning", |h| poll_status(h) == "online").await;
    assert!(audit_actions(&admin).await.iter().any(|a| a == "host.ssh_repin"));
    app.stop().await;
}

#[tokio::test]
async fn sshd_killed_then_back_goes_unreachable_then_recovers_without_duplicate_samples() {
    let mut sshd = Sshd::start().await;
    let app = ssh_app().await;
    let admin = app.superadmin().await;
    let id = create(&admin, &sshd, json!({"password": PASSWORD})).await;
    wait_for(&app, &admin, id, "online", |h| has_metric(h, "cpu.usage_pct")).await;
    sshd.inner.kill();
    let down = wait_for(&app, &admin, id, "unreachable", |h| poll_status(h) == "unreachable").await;
    assert_eq!(down["status"], "unreachable");
    assert!(down["poll"]["last_error"]["code"].as_str().is_some_and(|c| c.starts_with("ssh.")), "{down:#}");
    sshd.inner.restart().await.expect("sshd restarts");
    let back = wait_for(&app, &admin, id, "online again", |h| poll_status(h) == "online").await;
    let seen_after = back["last_seen_ms"].as_i64().expect("last seen");
    wait_for(&app, &admin, id, "new samples", |h| h["last_seen_ms"].as_i64() > Some(seen_after)).await;

    // Every poll stored once: never more points than polls, and uptime never goes back
    // (a sample stored again after the reconnect would). Two polls can share a one-second
    // bucket under load, so wait for three buckets rather than assume them.
    let deadline = Instant::now() + Duration::from_secs(20);
    let stored = loop {
        let q =
            admin.get(&format!("/api/v1/hosts/{id}/series?metric=uptime_s&from=-2m&step=1")).await.expect_status(200);
        let avg = q.body["series"][0]["avg"].as_array().expect("avg");
        let stored: Vec<f64> = avg.iter().filter_map(Value::as_f64).collect();
        if stored.len() >= 3 {
            break stored;
        }
        assert!(Instant::now() < deadline, "waiting for three stored points: {}", q.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
        app.clock.advance(time::Duration::milliseconds(100));
    };
    assert!(stored.windows(2).all(|w| w[0] <= w[1]), "uptime went back: {stored:?}");
    let polls = app.appliance().ctx.state::<steward::poll::Stats>().snapshot().polls_ok;
    assert!(stored.len() as u64 <= polls, "{} points from {polls} polls", stored.len());
    app.stop().await;
}

#[tokio::test]
async fn test_ssh_names_what_failed() {
    let sshd = Sshd::start().await;
    let app = ssh_app().await;
    let admin = app.superadmin().await;
    let test = |address: &str, port: u16, extra: Value| {
        let mut body = json!({"kind": "ssh", "address": address, "port": port, "username": USER, "password": PASSWORD});
        body.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
        let admin = admin.clone();
        async move { admin.post("/api/v1/hosts/test-ssh", body).await.expect_status(200).body }
    };
    let code = |r: &Value| r["error"]["code"].as_str().unwrap_or("").to_string();

    let ok = test("127.0.0.1", sshd.port(), json!({})).await;
    assert_eq!(ok["ok"], true, "{ok:#}");
    assert_eq!(ok["host_key"]["fingerprint"], sshd.fingerprint().as_str());
    assert!(ok["facts"]["hostname"].as_str().is_some_and(|h| !h.is_empty()), "{ok:#}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    assert_eq!(code(&test("127.0.0.1", closed, json!({})).await), "ssh.refused");
    assert!(matches!(code(&test("no-such-host.invalid", 22, json!({})).await).as_str(), "ssh.dns" | "ssh.timeout"));
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let r = test("127.0.0.1", silent.local_addr().expect("addr").port(), json!({})).await;
    assert_eq!(code(&r), "ssh.timeout", "a port that never speaks SSH: {r:#}");
    assert_eq!(code(&test("127.0.0.1", sshd.port(), json!({"password": "wrong"})).await), "ssh.auth_failed");
    let other = "SHA256:GHRqWrB41KnB3h8I21Xbs6dVtrnsEYgX+wcJSuuWmLc";
    let r = test("127.0.0.1", sshd.port(), json!({"host_key_fingerprint": other})).await;
    assert_eq!((code(&r), r["host_key_matches"].as_bool()), ("ssh.host_key_mismatch".to_string(), Some(false)));

    // Bad input is refused before any connection, and nothing is stored.
    admin
        .post("/api/v1/hosts/test-ssh", json!({"kind": "ssh", "address": "a b", "username": USER, "password": "x"}))
        .await
        .expect_status(422);
    admin
        .post("/api/v1/hosts", json!({"kind": "ssh", "address": "h", "username": USER, "password": "x", "key_id": 1}))
        .await
        .expect_error(422, "hosts.invalid");
    admin
        .post("/api/v1/hosts", json!({"kind": "ssh", "address": "h", "username": USER}))
        .await
        .expect_error(422, "hosts.invalid");
    admin
        .post("/api/v1/hosts", json!({"kind": "ssh", "address": "h", "username": USER, "key_id": 999}))
        .await
        .expect_error(422, "hosts.ssh_key_not_found");
    admin
        .post("/api/v1/hosts", json!({"kind": "agent", "address": "h", "username": USER, "password": "x"}))
        .await
        .expect_error(422, "hosts.invalid");
    let hosts = admin.get("/api/v1/hosts").await.body;
    assert!(hosts.as_array().is_some_and(|h| h.iter().all(|h| h["kind"] != "ssh")), "{hosts:#}");
    app.stop().await;
}

#[tokio::test]
async fn broken_hosts_fail_precisely_and_never_store_nonsense() {
    // Logs in, then prints no script output / hangs mid-output / floods.
    let nothing = Sshd::start_with("ForceCommand echo This account is currently not available.").await;
    let hangs = Sshd::start_with("ForceCommand sh -c 'echo partial; sleep 30'").await;
    let floods = Sshd::start_with("ForceCommand sh -c 'head -c 3000000 /dev/zero'").await;
    let app = ssh_app().await;
    let admin = app.superadmin().await;
    let cases = [
        (&nothing, "ssh.command_missing", "error"),
        (&hangs, "ssh.timeout", "unreachable"),
        (&floods, "ssh.output_too_large", "error"),
    ];
    for (sshd, code, status) in cases {
        let id = create(&admin, sshd, json!({"password": PASSWORD})).await;
        let host = wait_for(&app, &admin, id, code, |h| h["poll"]["last_error"]["code"] == code).await;
        assert_eq!(host["status"], status, "{host:#}");
        assert_eq!(host["latest"], json!([]), "nothing stored for {code}: {host:#}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_thousand_unreachable_hosts_do_not_delay_a_reachable_one() {
    let sshd = Sshd::start().await;
    let app = ssh_app().await;
    let admin = app.superadmin().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    // Refused at once, and (10.255.255.1, unroutable here) hanging until the connect timeout.
    let (store, sealer, scope) = {
        let ctx = &app.appliance().ctx;
        (ctx.store.clone(), ctx.sealer.clone(), steward::caller::Scope::local(ctx.default_org))
    };
    for i in 0..1000 {
        let address = if i % 2 == 0 { "127.0.0.1" } else { "10.255.255.1" };
        let port = if i % 2 == 0 { closed } else { 22 };
        let new: steward::poll::NewSshHost = serde_json::from_value(json!({"kind": "ssh", "name": format!("dead-{i}"),
            "address": address, "port": port, "username": USER, "password": "x", "interval_s": 1}))
        .expect("valid host");
        steward::poll::create(&store, &sealer, &scope, new, app.clock_now()).await.expect("created");
    }
    let id = create(&admin, &sshd, json!({"password": PASSWORD})).await;
    app.appliance().ctx.state::<steward::hosts::Polls>().targets_changed();
    wait_for(&app, &admin, id, "online", |h| poll_status(h) == "online").await;
    let start = app.appliance().ctx.state::<steward::poll::Stats>().snapshot();
    // Five more intervals: the reachable host is polled on time through all of them.
    tokio::time::sleep(Duration::from_millis(5500)).await;
    let end = app.appliance().ctx.state::<steward::poll::Stats>().snapshot();
    assert_eq!(end.polls_missed, start.polls_missed, "the reachable host missed polls");
    assert!(end.polls_ok - start.polls_ok >= 5, "{start:?} -> {end:?}");
    assert!(end.polls_failed - start.polls_failed > 1000, "the dead hosts were tried: {start:?} -> {end:?}");
    let host = admin.get(&format!("/api/v1/hosts/{id}")).await.body;
    assert_eq!(poll_status(&host), "online");
    app.stop().await;
}

#[tokio::test]
async fn a_key_from_the_key_store_logs_in_and_cannot_be_deleted_while_used() {
    let sshd = Sshd::start().await;
    let app = ssh_app().await;
    let admin = app.superadmin().await;
    let key = admin.post("/api/v1/ssh-keys", json!({"name": "poller"})).await.expect_status(201);
    let key_id = key.id();
    sshd.inner.authorize(key.body["public_key"].as_str().expect("public key")).expect("authorized");
    let id = create(&admin, &sshd, json!({"key_id": key_id})).await;
    let host = wait_for(&app, &admin, id, "online with the key", |h| poll_status(h) == "online").await;
    assert_eq!(host["ssh"]["auth"], json!({"method": "key", "key_id": key_id}));

    let users = admin.get(&format!("/api/v1/ssh-keys/{key_id}/hosts")).await.expect_status(200).body;
    assert_eq!(users[0]["id"], id, "{users:#}");
    let refused = admin.delete(&format!("/api/v1/ssh-keys/{key_id}")).await.expect_error(409, "ssh_key.in_use");
    assert!(refused.message().contains(&format!("{id} (")), "{refused:?}");

    // A key the server does not know is an authentication failure, named as such.
    let stranger = admin.post("/api/v1/ssh-keys", json!({"name": "stranger"})).await.expect_status(201).id();
    admin.patch(&format!("/api/v1/hosts/{id}"), json!({"key_id": stranger})).await.expect_status(200);
    wait_for(&app, &admin, id, "auth failed with an unknown key", |h| poll_status(h) == "auth_failed").await;
    // Once no host uses it, the first key may go.
    admin.delete(&format!("/api/v1/ssh-keys/{key_id}")).await.expect_status(204);
    admin.delete(&format!("/api/v1/hosts/{id}")).await.expect_status(204);
    admin.delete(&format!("/api/v1/ssh-keys/{stranger}")).await.expect_status(204);
    app.stop().await;
}

#[tokio::test]
async fn any_host_takes_a_name_and_tags_but_only_ssh_hosts_take_connection_fields() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let hosts = admin.get("/api/v1/hosts").await.expect_status(200).body;
    let local = hosts.as_array().and_then(|h| h.iter().find(|h| h["kind"] == "local")).expect("the appliance's host");
    let id = local["id"].as_u64().unwrap();
    let patched = admin.patch(&format!("/api/v1/hosts/{id}"), json!({"tags": ["appliance", "rack:1"]})).await;
    assert_eq!(patched.expect_status(200).body["tags"], json!(["appliance", "rack:1"]));
    admin
        .patch(&format!("/api/v1/hosts/{id}"), json!({"address": "10.0.0.1"}))
        .await
        .expect_error(409, "hosts.not_ssh");
    admin.patch(&format!("/api/v1/hosts/{id}"), json!({"tags": ["bad tag"]})).await.expect_status(422);
    let host = admin.get(&format!("/api/v1/hosts/{id}")).await.expect_status(200).body;
    assert_eq!(host["tags"], json!(["appliance", "rack:1"]), "a refused patch changes nothing");
    assert!(audit_actions(&admin).await.iter().any(|a| a == "host.update"));
    app.stop().await;
}
