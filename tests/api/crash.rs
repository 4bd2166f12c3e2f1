//! Crash safety of ingest, with the real binary: concurrent machines push while the
//! appliance is killed with SIGKILL; after a restart on the same data directory every
//! batch that was answered 202 is there, sample for sample, and a resent acknowledged batch
//! is recognised as a duplicate.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{ADMIN_PW, Agent, Client, KNOWN_ADMIN_PW, batch, sample};

const PUSHERS: usize = 4;
const SERIES_PER_PUSHER: usize = 5;
/// Batch `b` is stamped `base + b` seconds: 400 of them fill one 400-point query at 1 s.
const MAX_BATCHES: usize = 400;
/// Acknowledged batches (all pushers together) before the kill.
const KILL_AFTER: usize = 50;

/// `steward serve` on port 0 in `dir`; killed (SIGKILL) when dropped.
pub struct Served {
    child: Child,
    pub url: String,
}

impl Served {
    /// Starts the binary and reads the address it prints; returns once it answers health.
    pub async fn start(dir: &Path) -> Served {
        Self::start_with(dir, &[]).await
    }

    /// [`Served::start`] with extra environment variables.
    pub async fn start_with(dir: &Path, env: &[(&str, &str)]) -> Served {
        let mut child = crate::cli::steward(dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("STEWARD_AUTH__INITIAL_ADMIN_PASSWORD", KNOWN_ADMIN_PW)
            .env("STEWARD_METRICS__COLLECT_INTERVAL_S", "0")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn steward serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads stdout to its end (the child's death), so the child never blocks on it.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("Steward is listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        // Owned from here, so a failure below still kills it.
        let mut served = Served { child, url: String::new() };
        let url = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
            .await
            .expect("reader")
            .unwrap_or_else(|e| panic!("steward serve printed no address: {e}"));
        served.url = url;
        served.wait_healthy().await;
        served
    }

    /// Polls `/api/v1/health` (bounded) until it answers 200.
    async fn wait_healthy(&self) {
        let client = reqwest::Client::builder().no_proxy().build().expect("client");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let answer = client.get(format!("{}/api/v1/health", self.url)).send().await;
            if answer.is_ok_and(|r| r.status() == 200) {
                return;
            }
            assert!(Instant::now() < deadline, "{} not healthy within 30 s", self.url);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The child's peak resident memory so far, in KiB (`VmHWM`).
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("/proc status");
        let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
        line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("VmHWM in kB")
    }

    /// SIGTERM, as systemd stops it.
    pub fn terminate(&self) {
        use rustix::process::{Pid, Signal, kill_process};
        kill_process(Pid::from_child(&self.child), Signal::TERM).expect("kill -TERM");
    }

    /// Waits (bounded) for the child to exit: its status, None if it still runs.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// SIGKILL: no shutdown code runs.
    fn kill(&mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

fn value(pusher: usize, b: usize, slot: usize) -> f64 {
    (pusher * 100_000 + b * 10 + slot) as f64
}

/// Batch `b` of pusher `p`: one sample of each of its series, at `base + b` seconds.
fn pusher_batch(p: usize, b: usize, base: i64) -> Value {
    let ts = base + b as i64 * 1000;
    let metrics = (0..SERIES_PER_PUSHER)
        .map(|k| sample("crash.test", json!({ "pusher": p.to_string(), "slot": k.to_string() }), value(p, b, k), ts))
        .collect();
    let mut body = batch("crash-1", "fp-crash", metrics);
    body["ingest_id"] = json!(format!("p{p}-b{b}"));
    body
}

/// How one pusher's run ended.
struct Pushed {
    /// Batches answered 202 (answer read in full), in order.
    acked: Vec<usize>,
    /// Whether it was cut off by a connection error rather than running out of batches.
    cut_off: bool,
}

/// Pushes batches back to back until the connection fails; counts acknowledgements.
async fn pusher(
    agent: Agent,
    p: usize,
    base: i64,
    acked: Arc<AtomicUsize>,
    progress: Arc<tokio::sync::Notify>,
) -> Pushed {
    let url = format!("{}/api/v1/ingest/metrics", agent.base);
    let key = agent.key.clone().expect("key");
    let mut done = Pushed { acked: Vec::new(), cut_off: false };
    for b in 0..MAX_BATCHES {
        let sent = agent.http.post(&url).header("X-API-Key", &key).json(&pusher_batch(p, b, base)).send().await;
        let answer = match sent {
            Ok(r) => (r.status().as_u16(), r.json::<Value>().await),
            Err(_) => (0, Ok(Value::Null)),
        };
        match answer {
            (202, Ok(body)) => {
                let n = SERIES_PER_PUSHER as u64;
                assert_eq!((&body["accepted"], &body["duplicate"]), (&json!(n), &json!(false)), "p{p} b{b}: {body}");
                done.acked.push(b);
                acked.fetch_add(1, Ordering::SeqCst);
                progress.notify_one();
            }
            // The connection died (before or while answering): not acknowledged.
            (0 | 202, _) => {
                done.cut_off = true;
                break;
            }
            (status, body) => panic!("p{p} b{b}: answered {status} {body:?}"),
        }
    }
    progress.notify_one();
    done
}

#[actix_web::test]
async fn every_acknowledged_sample_survives_kill_9() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut served = Served::start(dir.path()).await;
    let mut admin = Client::new(&served.url);
    admin.login("admin", KNOWN_ADMIN_PW).await.expect_status(200);
    admin.change_password(KNOWN_ADMIN_PW, ADMIN_PW).await.expect_status(204);
    let (_, key) = admin.create_ingest_key("crash").await;
    let agent = Agent::new(&served.url, Some(&key));
    // Registered first, so every pusher's batch goes straight to the writer.
    let host = agent.push(&batch("crash-1", "fp-crash", vec![])).await.expect_status(202).body["host_id"]
        .as_u64()
        .expect("host id");
    let base = now_ms() / 1000 * 1000;

    let acked = Arc::new(AtomicUsize::new(0));
    let progress = Arc::new(tokio::sync::Notify::new());
    let tasks: Vec<_> =
        (0..PUSHERS).map(|p| tokio::spawn(pusher(agent.clone(), p, base, acked.clone(), progress.clone()))).collect();
    let enough = async {
        while acked.load(Ordering::SeqCst) < KILL_AFTER {
            progress.notified().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(120), enough).await.expect("50 acknowledged batches within 2 minutes");
    // Pushes are in flight: kill -9.
    served.kill();
    let mut pushed = Vec::new();
    for t in tasks {
        pushed.push(t.await.expect("pusher"));
    }
    let total: usize = pushed.iter().map(|p| p.acked.len()).sum();
    assert!(total >= KILL_AFTER, "{total} acknowledged");
    assert!(pushed.iter().all(|p| p.cut_off), "every pusher was still pushing when the appliance died");

    // Restart on the same directory: every acknowledged sample is there.
    let served = Served::start(dir.path()).await;
    let admin = {
        let mut c = Client::new(&served.url);
        c.login("admin", ADMIN_PW).await.expect_status(200);
        c
    };
    let status = admin.get("/api/v1/status").await.expect_status(200).body;
    let replayed = status["metrics"]["head_samples"].as_u64().expect("head samples");
    assert!(replayed >= (total * SERIES_PER_PUSHER) as u64, "{replayed} samples replayed, {total} batches acked");
    let mut verified = 0;
    for (p, run) in pushed.iter().enumerate() {
        for k in 0..SERIES_PER_PUSHER {
            let q = format!(
                "metric=crash.test&labels=pusher={p},slot={k}&from={base}&to={}&step=1s",
                base + MAX_BATCHES as i64 * 1000
            );
            let answer = admin.series(host, &q).await;
            assert_eq!((answer["tier"].as_str(), answer["step"].as_i64()), (Some("raw"), Some(1000)), "{answer}");
            let avg = answer["series"][0]["avg"].as_array().unwrap_or_else(|| panic!("p{p} slot {k}: {answer}"));
            assert_eq!(avg.len(), MAX_BATCHES);
            for &b in &run.acked {
                assert_eq!(avg[b].as_f64(), Some(value(p, b, k)), "p{p} slot {k}: acknowledged batch {b} lost");
                verified += 1;
            }
            // Batches in flight at the kill may or may not be there, but never altered.
            for (b, v) in avg.iter().enumerate().filter(|(_, v)| !v.is_null()) {
                assert_eq!(v.as_f64(), Some(value(p, b, k)), "p{p} slot {k}: batch {b} corrupt");
            }
        }
    }
    assert_eq!(verified, total * SERIES_PER_PUSHER);

    // The write-ahead rows also brought back the ingest ids: a resend is a duplicate.
    let (p, b) = (0, *pushed[0].acked.last().expect("pusher 0 acknowledged something"));
    let resent = Agent::new(&served.url, Some(&key)).push(&pusher_batch(p, b, base)).await.expect_status(202);
    assert_eq!(
        (&resent.body["duplicate"], &resent.body["accepted"]),
        (&json!(true), &json!(SERIES_PER_PUSHER)),
        "{resent:?}"
    );
}
