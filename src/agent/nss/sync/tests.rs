use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant as StdInstant;

use super::*;
use crate::agent::AgentConfig;
use crate::agent::nss::bundle::version_of;
use crate::agent::nss::fake::{Fake, TOKEN};

const GROUP: &str = "alice:x:20001:\nbob:x:20002:\n";

fn bundle(passwd: &str, keys: &[(&str, &str)]) -> Vec<u8> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (user, key) in keys {
        map.entry(user.to_string()).or_default().push(key.to_string());
    }
    serde_json::to_vec(&serde_json::json!({
        "version": version_of(passwd, GROUP, "", &map), "host_id": 1, "uid_min": 20000, "uid_max": 59999,
        "passwd": passwd, "group": GROUP, "shadow": "", "keys": map,
    }))
    .unwrap()
}

const ALICE: &str = "alice:x:20001:20001::/home/alice:/bin/bash\n";
const BOB: &str = "bob:x:20002:20002::/home/bob:/bin/bash\n";

struct Setup {
    tmp: tempfile::TempDir,
    config: AgentConfig,
    state: State,
}

impl Setup {
    fn new(fake: &Fake, interval_s: u64) -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("nss")).unwrap();
        std::fs::write(tmp.path().join("passwd"), "root:x:0:0::/root:/bin/sh\n").unwrap();
        std::fs::write(tmp.path().join("group"), "root:x:0:\nshadow:x:42:\n").unwrap();
        let mut config = AgentConfig::for_server(&fake.url, "sti_test", &tmp.path().join("state")).unwrap();
        assert!(!config.nss.enabled, "tests and benchmarks never sync accounts unless asked");
        config.nss.enabled = true;
        config.nss.dir = tmp.path().join("nss");
        config.nss.interval = Duration::from_secs(interval_s);
        config.nss.install.passwd_file = tmp.path().join("passwd");
        config.nss.install.group_file = tmp.path().join("group");
        config.nss.install.set_owner = false;
        config.max_backoff = Duration::from_millis(200);
        config.request_timeout = Duration::from_secs(2);
        let state = State::open(&config.state_dir).unwrap();
        Setup { tmp, config, state }
    }

    fn nss(&self) -> PathBuf {
        self.tmp.path().join("nss")
    }

    fn passwd(&self) -> String {
        std::fs::read_to_string(self.nss().join("passwd")).unwrap_or_default()
    }

    fn start(&self, stats: &Arc<NssStats>) -> (watch::Sender<bool>, JoinHandle<()>) {
        let transport = Transport::new(&self.config, self.state.clone(), None).unwrap();
        let parts = Parts {
            options: self.config.nss.clone(),
            max_backoff: self.config.max_backoff,
            transport,
            state: self.state.clone(),
            token: self.state.token().unwrap(),
            stats: stats.clone(),
        };
        let (stop, stopped) = watch::channel(false);
        (stop, spawn(parts, stopped))
    }
}

async fn until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = StdInstant::now() + limit;
    while !done() {
        assert!(StdInstant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn version(json: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(json).unwrap()["version"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_change_on_the_appliance_arrives_through_the_long_poll() {
    let v1 = bundle(ALICE, &[("alice", "ssh-ed25519 AAAA a")]);
    let fake = Fake::start(v1.clone());
    // An hour between checks: whatever arrives sooner came through the long poll.
    let mut setup = Setup::new(&fake, 3600);
    // Shorter than the hold below: the long poll has a time limit of its own.
    setup.config.request_timeout = Duration::from_secs(1);
    setup.state.set_token(TOKEN).unwrap();
    let stats = Arc::new(NssStats::default());
    let (stop, task) = setup.start(&stats);
    until("the first bundle is installed", Duration::from_secs(10), || fake.statuses().len() == 1).await;
    assert_eq!(setup.passwd(), ALICE);
    assert_eq!(fake.statuses()[0], serde_json::json!({"version": version(&v1), "ok": true, "error": null}));

    let v2 = bundle(&format!("{ALICE}{BOB}"), &[]);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(fake.shared.gets.load(Ordering::Relaxed), 2, "one request waiting, none given up on");
    let changed = StdInstant::now();
    fake.set_bundle(v2.clone());
    until("the change is installed", Duration::from_secs(5), || fake.statuses().len() == 2).await;
    assert!(changed.elapsed() < Duration::from_secs(3), "took {:?}", changed.elapsed());
    assert_eq!(setup.passwd(), format!("{ALICE}{BOB}"));
    assert_eq!(std::fs::read_to_string(setup.nss().join("authorized_keys")).unwrap(), "");
    let asked = fake.shared.asked.lock().unwrap().clone();
    assert_eq!(asked[0], None, "the first request takes whatever there is");
    assert_eq!(asked[1].as_deref(), Some(version(&v1).as_str()));
    assert_eq!(stats.installs.load(Ordering::Relaxed), 2);

    // A bundle that collides with a local account is refused whole and reported.
    let v3 = bundle(&format!("{ALICE}root:x:20002:20002::/root:/bin/sh\n"), &[]);
    fake.set_bundle(v3.clone());
    until("the refusal is reported", Duration::from_secs(5), || fake.statuses().len() == 3).await;
    let refusal = &fake.statuses()[2];
    assert_eq!(refusal["ok"], false);
    assert_eq!(refusal["version"], version(&v3).as_str());
    assert!(refusal["error"].as_str().unwrap().contains("\"root\" collides with a local account"), "{refusal}");
    assert_eq!(setup.passwd(), format!("{ALICE}{BOB}"), "the last good files stay");

    // Stopping does not wait for the long poll to end.
    let stopping = StdInstant::now();
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(2), task).await.expect("the task stops at once").unwrap();
    assert!(stopping.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_missing_directory_is_reported_once_and_waited_for() {
    let v1 = bundle(ALICE, &[]);
    let fake = Fake::start(v1.clone());
    let setup = Setup::new(&fake, 1);
    std::fs::remove_dir(setup.nss()).unwrap();
    setup.state.set_token(TOKEN).unwrap();
    let stats = Arc::new(NssStats::default());
    let (stop, task) = setup.start(&stats);
    until("the missing directory is reported", Duration::from_secs(10), || !fake.statuses().is_empty()).await;
    let first = fake.statuses()[0].clone();
    assert_eq!(first["ok"], false);
    assert!(first["error"].as_str().unwrap().contains("install libnss-extrausers"), "{first}");
    // Several one-second rounds later: checked again each time, reported once.
    until("a few more rounds", Duration::from_secs(10), || fake.shared.gets.load(Ordering::Relaxed) >= 4).await;
    assert_eq!(fake.statuses().len(), 1);
    assert!(stats.failures.load(Ordering::Relaxed) >= 2);

    std::fs::create_dir(setup.nss()).unwrap();
    until("the recovery is reported", Duration::from_secs(10), || fake.statuses().len() == 2).await;
    assert_eq!(fake.statuses()[1]["ok"], true);
    assert_eq!(setup.passwd(), ALICE);
    assert_eq!(stats.status().map(|s| s.ok), Some(true));
    stop.send(true).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn the_token_is_taken_from_the_state_directory_when_it_appears_or_changes() {
    let fake = Fake::start(bundle(ALICE, &[]));
    let setup = Setup::new(&fake, 1);
    let stats = Arc::new(NssStats::default());
    let (stop, task) = setup.start(&stats);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(fake.shared.gets.load(Ordering::Relaxed), 0, "nothing is asked without a token");
    setup.state.set_token(TOKEN).unwrap();
    until("installed once the token is there", Duration::from_secs(10), || setup.passwd() == ALICE).await;

    // The appliance issued another token (the sender enrolled again): the old one is
    // refused until the new one is in the state directory.
    *fake.shared.token.lock().unwrap() = "stm_second".into();
    // Past the request under way (accepted with the old token), then the change.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    fake.set_bundle(bundle(&format!("{ALICE}{BOB}"), &[]));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(setup.passwd(), ALICE);
    setup.state.set_token("stm_second").unwrap();
    until("installed with the new token", Duration::from_secs(10), || setup.passwd() == format!("{ALICE}{BOB}")).await;
    stop.send(true).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn a_damaged_bundle_installs_nothing() {
    let good = bundle(ALICE, &[]);
    let damaged = String::from_utf8(good.clone()).unwrap().replace("/home/alice", "/home/mallory").into_bytes();
    let fake = Fake::start(damaged);
    let setup = Setup::new(&fake, 1);
    setup.state.set_token(TOKEN).unwrap();
    let stats = Arc::new(NssStats::default());
    let (stop, task) = setup.start(&stats);
    until("the damage is reported", Duration::from_secs(10), || !fake.statuses().is_empty()).await;
    let report = fake.statuses()[0].clone();
    assert_eq!(report["ok"], false);
    assert_eq!(report["version"], version(&good).as_str(), "the version it claimed");
    assert!(report["error"].as_str().unwrap().contains("digest does not match"), "{report}");
    assert_eq!(setup.passwd(), "");
    fake.set_bundle(good);
    until("the good bundle is installed", Duration::from_secs(10), || setup.passwd() == ALICE).await;
    stop.send(true).unwrap();
    task.await.unwrap();
}

#[tokio::test]
async fn without_root_the_task_ends_by_itself() {
    if is_root() {
        return; // The case cannot arise as root.
    }
    let fake = Fake::start(bundle(ALICE, &[]));
    let mut setup = Setup::new(&fake, 1);
    setup.config.nss.install.set_owner = true;
    setup.state.set_token(TOKEN).unwrap();
    let (_stop, task) = setup.start(&Arc::new(NssStats::default()));
    tokio::time::timeout(Duration::from_secs(2), task).await.expect("ends").unwrap();
    assert_eq!(fake.shared.gets.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn the_agent_runs_the_sync_when_enabled() {
    let fake = Fake::start(bundle(ALICE, &[]));
    let mut setup = Setup::new(&fake, 1);
    setup.config.collect.gpu = false;
    setup.config.fingerprint = Some("nss-sync-test".into());
    setup.state.set_token(TOKEN).unwrap();
    let agent = crate::agent::Agent::start(setup.config.clone(), Arc::new(crate::clock::SystemClock)).await.unwrap();
    let stats = agent.nss_stats().clone();
    until("installed by the agent", Duration::from_secs(10), || stats.status().is_some_and(|s| s.ok)).await;
    assert_eq!(setup.passwd(), ALICE);
    tokio::time::timeout(Duration::from_secs(10), agent.stop()).await.expect("the agent stops");
}

#[test]
fn an_early_answer_waits_out_the_rest() {
    let wait = Duration::from_secs(1);
    assert!(pace(Instant::now(), wait) > Duration::from_millis(900));
    let long_ago = Instant::now().checked_sub(Duration::from_secs(2)).unwrap();
    assert_eq!(pace(long_ago, wait), Duration::ZERO);
    let v = "a".repeat(64);
    assert_eq!(claimed_version(format!("{{\"version\": \"{v}\"}}").as_bytes()), v);
    assert_eq!(claimed_version(b"{\"version\": \"nonsense\"}"), "");
    assert_eq!(claimed_version(b"{\"ver"), "");
}
