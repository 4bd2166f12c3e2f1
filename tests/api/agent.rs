//! `steward agent` against the real appliance, both in-process: enrollment and approval,
//! an outage without a gap, replays counted once, a changed certificate refused, a revoked
//! key, a full or damaged spool, and the local API. The agent collects this machine for
//! real; only its interval is shortened.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use steward::agent::{Agent, AgentConfig};

use crate::ingest::points;
use crate::support::{Client, TestApp, unique};

/// An agent of a machine of its own (unique fingerprint) pushing to `url`.
fn config(url: &str, key: &str, state: &Path, interval_ms: u64) -> AgentConfig {
    let mut c = AgentConfig::for_server(url, key, state).expect("agent config");
    c.interval = Duration::from_millis(interval_ms);
    c.max_backoff = Duration::from_millis(300);
    c.request_timeout = Duration::from_secs(5);
    c.fingerprint = Some(unique("machine"));
    c.hostname = Some(unique("host"));
    c.collect.gpu = false;
    c
}

async fn start(config: AgentConfig) -> Agent {
    Agent::start(config, Arc::new(steward::clock::SystemClock)).await.expect("agent starts")
}

/// Polls `done` until it holds; panics with `what` after `limit`.
async fn until<F, Fut>(what: &str, limit: Duration, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn n(counter: &std::sync::atomic::AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

async fn host_named(admin: &Client, name: &str) -> Option<Value> {
    admin.hosts().await.into_iter().find(|h| h["name"] == name)
}

/// Timestamps of the stored `cpu.usage_pct` samples of `host` around now.
async fn cpu_times(admin: &Client, host: u64) -> Vec<i64> {
    let now = steward_now_ms();
    points(admin, host, "cpu.usage_pct", now - 300_000, now + 60_000).await.into_iter().map(|p| p.1).collect()
}

fn steward_now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

#[actix_web::test]
async fn a_new_machine_waits_for_approval_then_its_samples_arrive_including_those_spooled_meanwhile() {
    let app = TestApp::builder().set("metrics.collect_interval_s", 0).start().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key_with("manual", false).await;
    let state = tempfile::tempdir().expect("state dir");
    let cfg = config(&app.url, &key, state.path(), 200);
    let name = cfg.hostname.clone().expect("name");
    let agent = start(cfg.clone()).await;

    until("the machine is registered as pending", Duration::from_secs(20), || async {
        agent.stats().state() == "host.pending" && host_named(&admin, &name).await.is_some()
    })
    .await;
    let host = host_named(&admin, &name).await.expect("host");
    assert_eq!(host["state"], "pending", "{host}");
    let id = host["id"].as_u64().expect("id");
    assert!(cpu_times(&admin, id).await.is_empty(), "nothing is stored before approval");
    until("batches wait in the spool", Duration::from_secs(10), || async { n(&agent.stats().spooled) >= 3 }).await;

    let approved_at = steward_now_ms();
    admin.post_empty(&format!("/api/v1/hosts/{id}/approve")).await.expect_status(200);
    until("the spool is replayed", Duration::from_secs(20), || async {
        n(&agent.stats().spooled) == 0 && n(&agent.stats().delivered) >= 4
    })
    .await;
    assert_eq!(agent.stats().state(), "approved");
    let token = std::fs::read_to_string(state.path().join("token")).expect("token stored");
    assert!(token.trim().starts_with("stm_"), "{token}");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(state.path().join("token")).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let times = cpu_times(&admin, id).await;
    assert!(times.first().is_some_and(|t| *t < approved_at), "samples collected while pending arrive: {times:?}");

    // A restarted agent pushes with its token: same host, no new registration.
    agent.stop().await;
    let agent = start(cfg).await;
    let before = n(&agent.stats().delivered);
    until("the restarted agent delivers", Duration::from_secs(10), || async {
        n(&agent.stats().delivered) > before + 1
    })
    .await;
    assert_eq!(admin.hosts().await.iter().filter(|h| h["name"] == name.as_str()).count(), 1);
    let summary = host_named(&admin, &name).await.expect("host");
    assert_eq!(
        (summary["status"].as_str(), summary["state"].as_str()),
        (Some("online"), Some("approved")),
        "{summary}"
    );
    agent.stop().await;
}

/// The appliance is down for 30 s: the agent spools, and once it is back the series has
/// every sample, at its collection time, with no gap and nothing twice.
#[actix_web::test]
async fn an_appliance_down_for_30_seconds_leaves_no_gap() {
    let app = TestApp::builder().set("metrics.collect_interval_s", 0).start().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("auto").await;
    let state = tempfile::tempdir().expect("state dir");
    let cfg = config(&app.url, &key, state.path(), 1000);
    let name = cfg.hostname.clone().expect("name");
    let agent = start(cfg).await;
    until("the first batches arrive", Duration::from_secs(20), || async { n(&agent.stats().delivered) >= 2 }).await;
    let id = host_named(&admin, &name).await.expect("host")["id"].as_u64().expect("id");
    let addr = app.url.trim_start_matches("http://").to_string();

    let (dir, _) = app.stop().await;
    let down_at = Instant::now();
    until("the outage is seen", Duration::from_secs(10), || async { agent.stats().state() == "unreachable" }).await;
    tokio::time::sleep(Duration::from_secs(30).saturating_sub(down_at.elapsed())).await;
    assert!(n(&agent.stats().spooled) >= 25, "{:?}", agent.stats());

    let app = TestApp::builder()
        .data_dir(dir)
        .set("listen", addr.as_str())
        .set("metrics.collect_interval_s", 0)
        .start()
        .await;
    let admin = app.login("admin", crate::support::ADMIN_PW).await;
    until("the spool is replayed", Duration::from_secs(30), || async {
        n(&agent.stats().spooled) == 0 && agent.stats().state() == "approved"
    })
    .await;
    let delivered = n(&agent.stats().delivered);
    until("one more cycle", Duration::from_secs(10), || async { n(&agent.stats().delivered) > delivered }).await;
    agent.stop().await;

    let times = cpu_times(&admin, id).await;
    assert!(times.len() >= 33, "{} samples: {times:?}", times.len());
    let gaps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.iter().all(|g| (500..=1_600).contains(g)), "a gap or a duplicate: {gaps:?}");
}

/// A batch the appliance stored but whose answer was lost is sent again from the spool; it
/// is recognised by its ingest_id and counted once.
#[actix_web::test]
async fn a_replayed_batch_is_counted_once_and_the_local_api_serves_what_was_pushed() {
    let app = TestApp::builder().set("metrics.collect_interval_s", 0).start().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("auto").await;
    let state = tempfile::tempdir().expect("state dir");
    let mut cfg = config(&app.url, &key, state.path(), 200);
    cfg.local_api = Some("127.0.0.1:0".parse().expect("addr"));
    let agent = start(cfg.clone()).await;
    until("batches arrive", Duration::from_secs(20), || async { n(&agent.stats().delivered) >= 2 }).await;

    let local = format!("http://{}", agent.local_api_addr().expect("local api"));
    let http = reqwest::Client::new();
    let readings: Value = http.get(format!("{local}/metrics/local")).send().await.unwrap().json().await.unwrap();
    assert!(
        readings["metrics"].as_array().is_some_and(|m| m.iter().any(|r| r["name"] == "cpu.usage_pct")),
        "{readings}"
    );
    let pushed: Value = http.get(format!("{local}/metrics/server-format")).send().await.unwrap().json().await.unwrap();
    let ingest_id = pushed["ingest_id"].as_str().expect("ingest_id").to_string();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws/metrics", agent.local_api_addr().unwrap()))
        .await
        .expect("websocket");
    let first = futures_util::StreamExt::next(&mut ws).await.expect("a message").expect("ok");
    assert!(first.to_text().unwrap_or_default().contains("cpu.usage_pct"), "{first:?}");
    agent.stop().await;
    let stored_before = crate::ingest::metrics(&admin).await["samples_accepted"].clone();

    // The same batch again, as if its answer had been lost.
    let mut spool = steward::agent::spool::Spool::open(&state.path().join("spool"), 1 << 20).expect("spool");
    let mut framed = b"n".to_vec();
    framed.extend_from_slice(&serde_json::to_vec(&pushed).unwrap());
    spool.push(&framed).expect("spooled");
    drop(spool);
    cfg.local_api = None;
    let agent = start(cfg).await;
    until("the replay is answered", Duration::from_secs(20), || async { n(&agent.stats().duplicates) >= 1 }).await;
    agent.stop().await;
    assert_eq!(
        crate::ingest::metrics(&admin).await["samples_accepted"],
        stored_before,
        "replay of {ingest_id} stored nothing new"
    );
}

#[actix_web::test]
async fn a_certificate_pinned_on_first_use_that_changes_is_refused() {
    let app = TestApp::builder().set("tls.mode", "auto").set("metrics.collect_interval_s", 0).start().await;
    // The harness's clients do not pin; the key is made through the service function.
    let ctx = &app.appliance().ctx;
    let scope = steward::caller::Scope::system(ctx.default_org);
    let key = steward::ingest::keys::create(&ctx.store, &scope, "auto", true, app.clock_now()).await.expect("key").key;
    let state = tempfile::tempdir().expect("state dir");
    let agent = start(config(&app.url, &key, state.path(), 200)).await;
    until("batches arrive over TLS", Duration::from_secs(20), || async { n(&agent.stats().delivered) >= 1 }).await;
    let pin = std::fs::read_to_string(state.path().join("server.pin")).expect("pinned on first use");
    assert_eq!(pin.trim(), app.appliance().fingerprint.clone().expect("fingerprint"));

    // Same address, new certificate: the agent refuses it and keeps its batches.
    let addr = app.url.trim_start_matches("https://").to_string();
    let (dir, _) = app.stop().await;
    std::fs::remove_dir_all(dir.path().join("tls")).expect("old certificate removed");
    let app = TestApp::builder().data_dir(dir).set("tls.mode", "auto").set("listen", addr.as_str()).start().await;
    assert_ne!(app.appliance().fingerprint.as_deref(), Some(pin.trim()));
    let delivered = n(&agent.stats().delivered);
    until("the changed certificate is refused", Duration::from_secs(20), || async {
        agent.stats().state() == "certificate_changed" && n(&agent.stats().spooled) >= 2
    })
    .await;
    assert_eq!(n(&agent.stats().delivered), delivered);
    agent.stop().await;

    // A fingerprint given up front that the server does not match: refused from the start.
    let other = tempfile::tempdir().expect("state dir");
    let mut cfg = config(&app.url, &key, other.path(), 200);
    cfg.trust = steward::agent::config::Trust::Pinned([0xab; 32]);
    let agent = start(cfg).await;
    until("the wrong pin is refused", Duration::from_secs(20), || async {
        agent.stats().state() == "certificate_changed"
    })
    .await;
    assert_eq!(n(&agent.stats().delivered), 0);
    agent.stop().await;
}

#[actix_web::test]
async fn a_deactivated_key_stops_the_machines_it_enrolled_until_enabled_again() {
    let app = TestApp::builder().set("metrics.collect_interval_s", 0).start().await;
    let admin = app.superadmin().await;
    let (key_id, key) = admin.create_ingest_key("auto").await;
    let state = tempfile::tempdir().expect("state dir");
    let agent = start(config(&app.url, &key, state.path(), 200)).await;
    until("the token is in use", Duration::from_secs(20), || async {
        n(&agent.stats().delivered) >= 2 && state.path().join("token").exists()
    })
    .await;

    admin.patch(&format!("/api/v1/ingest-keys/{key_id}"), json!({"active": false})).await.expect_status(200);
    until("ingest stops", Duration::from_secs(20), || async { agent.stats().state() == "ingest.key_inactive" }).await;
    let delivered = n(&agent.stats().delivered);
    until("batches wait", Duration::from_secs(10), || async { n(&agent.stats().spooled) >= 3 }).await;
    assert_eq!(n(&agent.stats().delivered), delivered);

    admin.patch(&format!("/api/v1/ingest-keys/{key_id}"), json!({"active": true})).await.expect_status(200);
    until("the spool drains", Duration::from_secs(20), || async {
        n(&agent.stats().spooled) == 0 && agent.stats().state() == "approved"
    })
    .await;
    agent.stop().await;
}

/// Nobody answers: the spool fills, the oldest batches go first and are counted; a damaged
/// spool file is skipped and counted; when an appliance answers, the rest arrive in order.
#[actix_web::test]
async fn a_full_spool_drops_the_oldest_and_counts_them_and_damaged_batches_are_skipped() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let state = tempfile::tempdir().expect("state dir");
    let mut cfg = config(&url, "sti_not_yet_known_key_0000000000000000000000", state.path(), 100);
    cfg.spool_limit = 6 * 1024;
    let agent = start(cfg.clone()).await;
    until("the spool overflows", Duration::from_secs(30), || async { n(&agent.stats().spool_dropped) >= 3 }).await;
    assert!(n(&agent.stats().spooled) <= 12, "{:?}", agent.stats());
    agent.stop().await;
    let spooled: u64 =
        std::fs::read_dir(state.path().join("spool")).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
    assert!(spooled <= 6 * 1024, "{spooled} bytes on disk");

    // One damaged file among them.
    let mut files: Vec<_> = std::fs::read_dir(state.path().join("spool")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let damaged = files.len() / 2;
    let mut bytes = std::fs::read(&files[damaged]).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&files[damaged], bytes).unwrap();

    let app = TestApp::builder()
        .set("listen", format!("127.0.0.1:{port}"))
        .set("metrics.collect_interval_s", 0)
        .start()
        .await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key("auto").await;
    cfg.key = toml_secret(&key);
    let agent = start(cfg.clone()).await;
    until("the spool drains", Duration::from_secs(30), || async {
        n(&agent.stats().spooled) == 0 && n(&agent.stats().delivered) >= files.len() as u64 - 1
    })
    .await;
    assert_eq!(n(&agent.stats().spool_damaged), 1);
    agent.stop().await;
    let id = host_named(&admin, cfg.hostname.as_deref().unwrap()).await.expect("host")["id"].as_u64().unwrap();
    let times = cpu_times(&admin, id).await;
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
}

/// The key the agent was started with: the configuration's secret type, built the way the
/// loader builds it.
fn toml_secret(key: &str) -> steward::config::Secret {
    AgentConfig::for_server("http://127.0.0.1:1", key, Path::new("/tmp")).expect("config").key
}
