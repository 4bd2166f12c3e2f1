//! The `steward` binary: scriptable commands on a stopped appliance's data directory, and
//! the health check against a running one.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::TestApp;

/// `steward --data-dir DIR` with a hermetic environment: no inherited `STEWARD_*`, fast
/// bcrypt, quiet logs.
pub fn steward(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_steward"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("STEWARD_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("STEWARD_AUTH__BCRYPT_COST", "4").env("STEWARD_LOG_LEVEL", "error").arg("--data-dir").arg(data_dir);
    cmd
}

/// Runs and asserts success; returns stdout.
#[track_caller]
fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run steward");
    assert!(out.status.success(), "{cmd:?} failed: {}", describe(&out));
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// Runs and asserts failure; returns stderr.
#[track_caller]
fn fails(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run steward");
    assert!(!out.status.success(), "{cmd:?} should have failed: {}", describe(&out));
    assert!(out.stdout.is_empty(), "errors go to stderr: {}", describe(&out));
    String::from_utf8(out.stderr).expect("utf-8 stderr")
}

fn describe(out: &Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn version_and_example_config() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(ok(steward(dir.path()).arg("version")), format!("steward {}\n", env!("CARGO_PKG_VERSION")));
    assert_eq!(ok(steward(dir.path()).args(["config", "example"])), steward::config::EXAMPLE);
}

#[test]
fn config_check_prints_values_with_their_sources() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = ok(steward(dir.path()).args(["config", "check"]).env("STEWARD_MASTER_KEY", "ab".repeat(32)));
    let data_dir = format!("data_dir = {:?}  # flag --data-dir", dir.path().display().to_string());
    assert!(out.lines().any(|l| l == data_dir), "{out}");
    assert!(out.lines().any(|l| l == "auth.bcrypt_cost = 4  # env STEWARD_AUTH__BCRYPT_COST"), "{out}");
    assert!(out.lines().any(|l| l == "master_key = \"<redacted>\"  # env STEWARD_MASTER_KEY"), "{out}");
    assert!(!out.contains(&"ab".repeat(32)));
    let err = fails(steward(dir.path()).args(["config", "check"]).env("STEWARD_LISTNE", "x"));
    assert!(err.contains("STEWARD_LISTNE"), "{err}");
}

fn user_line<'a>(list: &'a str, name: &str) -> Vec<&'a str> {
    let line = list.lines().find(|l| l.split('\t').nth(1) == Some(name));
    line.unwrap_or_else(|| panic!("{name} not in {list:?}")).split('\t').collect()
}

#[actix_web::test]
async fn account_commands_manage_a_stopped_appliance() {
    // A first start bootstraps the admin; the CLI then works on the stopped store.
    let (dir, _) = TestApp::start().await.stop().await;
    let d = dir.path();

    let added = ok(steward(d).args(["user", "add", "bob", "--role", "operator"]));
    let mut lines = added.lines();
    let id: u64 = lines.next().expect("id line").parse().expect("numeric id");
    let password = lines.next().and_then(|l| l.strip_prefix("password: ")).expect("generated password").to_string();
    assert!(password.len() >= 12);

    let list = ok(steward(d).args(["user", "list"]));
    assert_eq!(user_line(&list, "bob"), [id.to_string().as_str(), "bob", "operator", "active", ""]);
    assert_eq!(user_line(&list, "admin")[2], "superadmin");
    ok(steward(d).args(["user", "disable", "bob"]));
    assert_eq!(user_line(&ok(steward(d).args(["user", "list"])), "bob")[3], "disabled");
    ok(steward(d).args(["user", "enable", "bob"]));
    ok(steward(d).args(["user", "unlock", "bob"]));
    assert_eq!(user_line(&ok(steward(d).args(["user", "list"])), "bob")[3], "active");

    assert_eq!(ok(steward(d).args(["org", "add", "acme"])).trim(), "2");
    assert_eq!(ok(steward(d).args(["org", "list"])), "1\tdefault\n2\tacme\n");
    let token = ok(steward(d).args(["token", "create", "--user", "bob", "--name", "ci"])).trim().to_string();
    assert!(token.starts_with("stw_"), "{token}");

    assert!(ok(steward(d).args(["audit", "verify"])).starts_with("audit trail intact"));
    let old_key = std::fs::read_to_string(d.join("master.key")).expect("key");
    let rotated = ok(steward(d).args(["keys", "rotate"]));
    let new_key = std::fs::read_to_string(d.join("master.key")).expect("key");
    assert_ne!(old_key, new_key);
    let new_id = steward::seal::MasterKey::from_hex(&new_key).expect("new key").id();
    assert!(rotated.contains(&format!("under master key {new_id}")), "{rotated}");
    ok(steward(d).args(["audit", "verify"]));

    // The appliance starts on what the CLI left, and bob's password and token work.
    let app = TestApp::builder().data_dir(dir).start().await;
    let (bob, login) = app.try_login("bob", &password).await;
    assert_eq!(login.expect_status(200).body["must_change_password"], true, "CLI passwords are one-time");
    bob.get("/api/v1/users").await.expect_error(403, "auth.password_change_required");
    let me = app.bearer(&token).get("/api/v1/auth/me").await.expect_status(200);
    assert_eq!(me.body["user"]["username"], "bob");
    let admin = app.superadmin().await;
    let rotations = crate::support::audit_entries(&admin, "action=keys.rotate").await;
    assert!(rotations[0]["detail"].as_str().expect("detail").ends_with(&new_id), "{rotations:?}");
    assert!(rotations[0]["actor"].as_str().expect("actor").starts_with("cli"));
}

#[actix_web::test]
async fn unknown_names_fail_with_a_message_on_stderr() {
    let (dir, _) = TestApp::start().await.stop().await;
    let d = dir.path();
    for args in [
        vec!["user", "disable", "nobody"],
        vec!["user", "unlock", "nobody"],
        vec!["token", "create", "--user", "nobody", "--name", "ci"],
    ] {
        let err = fails(steward(d).args(&args));
        assert!(err.contains("user \"nobody\" not found"), "{args:?}: {err}");
    }
    let err = fails(steward(d).args(["user", "list", "--org", "nowhere"]));
    assert!(err.contains("organization \"nowhere\" not found"), "{err}");
    let err = fails(steward(d).args(["user", "add", "Root!", "--role", "viewer"]));
    assert!(err.contains("username"), "{err}");
    let err = fails(steward(d).args(["user", "add", "carol", "--role", "emperor"]));
    assert!(err.contains("emperor") && err.contains("viewer, operator, admin, superadmin"), "{err}");
}

#[actix_web::test]
async fn the_cli_works_through_a_running_appliance() {
    use std::os::unix::fs::PermissionsExt;

    let app = TestApp::start().await;
    let socket = app.data_dir().join("admin.sock");
    let mode = std::fs::metadata(&socket).expect("socket exists").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "only the appliance's user may administer it");

    let dir = app.data_dir().to_path_buf();
    let run = move |args: &'static [&'static str]| {
        let dir = dir.clone();
        actix_web::rt::task::spawn_blocking(move || steward(&dir).args(args).output().expect("run steward"))
    };
    let added = run(&["user", "add", "dave", "--role", "operator"]).await.expect("join");
    assert!(added.status.success(), "{}", describe(&added));
    let out = String::from_utf8_lossy(&added.stdout).to_string();
    let password = out.lines().find_map(|l| l.strip_prefix("password: ")).expect("generated password").to_string();
    let (_, login) = app.try_login("dave", &password).await;
    assert_eq!(login.status, 200, "{login:?}");

    let disabled = run(&["user", "disable", "dave"]).await.expect("join");
    assert!(disabled.status.success(), "{}", describe(&disabled));
    app.try_login("dave", &password).await.1.expect_error(403, "auth.disabled");

    for args in [&["audit", "verify"][..], &["keys", "rotate"][..]] {
        let done = run(args).await.expect("join");
        assert!(done.status.success(), "{args:?}: {}", describe(&done));
    }
    let admin = app.superadmin().await;
    let rotations = crate::support::audit_entries(&admin, "action=keys.rotate").await;
    assert_eq!(rotations.len(), 1, "{rotations:?}");

    let missing = run(&["user", "passwd", "nobody"]).await.expect("join");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("user \"nobody\" not found"), "{}", describe(&missing));
}

async fn healthcheck(url: String) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = steward(dir.path());
    cmd.args(["healthcheck", "--timeout", "5", "--url", &url]);
    actix_web::rt::task::spawn_blocking(move || cmd.output().expect("run steward")).await.expect("join")
}

#[actix_web::test]
async fn healthcheck_exits_zero_only_when_the_appliance_answers() {
    let app = TestApp::start().await;
    let up = healthcheck(app.url.clone()).await;
    assert!(up.status.success(), "{}", describe(&up));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let down = healthcheck(format!("http://{closed}")).await;
    assert!(!down.status.success(), "{}", describe(&down));
    assert!(String::from_utf8_lossy(&down.stderr).contains("did not answer"), "{}", describe(&down));
}

#[test]
fn account_commands_work_on_a_store_never_served() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = ok(steward(dir.path()).args(["user", "add", "carol", "--role", "admin"]));
    assert!(out.lines().any(|l| l.starts_with("password: ")), "{out}");
    assert!(ok(steward(dir.path()).args(["org", "list"])).contains("default"));
}

/// `serve` prints its URL (port 0 becomes a real port), answers, and on SIGTERM drains
/// and exits 0.
#[test]
fn serve_prints_its_url_and_exits_zero_on_sigterm() {
    use std::io::{BufRead, BufReader, Read, Write};

    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = steward(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn serve");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("first line");
    let url = first.trim().strip_prefix("Steward is listening on http://").unwrap_or_else(|| panic!("{first}"));
    let mut second = String::new();
    stdout.read_line(&mut second).expect("second line");
    assert!(second.contains("initial-admin-password"), "{second}");

    let mut conn = std::net::TcpStream::connect(url).expect("connect");
    conn.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("send");
    let mut answer = String::new();
    conn.read_to_string(&mut answer).expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert!(status.success(), "serve exited with {status} after SIGTERM");
}

#[actix_web::test]
async fn ingest_keys_are_managed_from_the_command_line() {
    let (dir, _) = TestApp::builder().set("metrics.collect_interval_s", 0).start().await.stop().await;
    let d = dir.path();
    let value = ok(steward(d).args(["ingest-key", "create", "racks"]));
    let value = value.trim();
    assert!(value.starts_with("sti_") && value.len() > 40, "{value}");
    let list = ok(steward(d).args(["ingest-key", "list"]));
    let line: Vec<&str> = list.lines().next().expect("one key").split('\t').collect();
    assert_eq!((line[1], line[3], line[4]), ("racks", "active", "-"), "{list}");
    assert!(value.starts_with(line[2]) && !list.contains(value), "only the prefix is listed");
    let id = line[0];
    ok(steward(d).args(["ingest-key", "disable", id]));
    assert!(ok(steward(d).args(["ingest-key", "list"])).contains("\tinactive\t"));
    ok(steward(d).args(["ingest-key", "enable", id]));
    ok(steward(d).args(["ingest-key", "delete", id]));
    assert_eq!(ok(steward(d).args(["ingest-key", "list"])), "");
    let err = fails(steward(d).args(["ingest-key", "delete", id]));
    assert!(err.contains(&format!("ingest key {id} not found")), "{err}");
    let err = fails(steward(d).args(["ingest-key", "create", "x", "--org", "nowhere"]));
    assert!(err.contains("organization \"nowhere\" not found"), "{err}");
}

#[actix_web::test]
async fn hosts_are_listed_approved_and_rejected_from_the_command_line() {
    let app = TestApp::builder().set("metrics.collect_interval_s", 0).start().await;
    let admin = app.superadmin().await;
    let (_, key) = admin.create_ingest_key_with("manual", false).await;
    let body = crate::support::batch("web-1", "fp-cli", vec![]);
    app.agent(&key).push(&body).await.expect_error(403, "host.pending");

    // Through the running appliance: the approval takes effect at once.
    let dir = app.data_dir().to_path_buf();
    let run = move |args: Vec<String>| {
        let dir = dir.clone();
        actix_web::rt::task::spawn_blocking(move || steward(&dir).args(args).output().expect("run steward"))
    };
    let listed = run(vec!["hosts".into(), "list".into()]).await.expect("join");
    assert!(listed.status.success(), "{}", describe(&listed));
    let list = String::from_utf8_lossy(&listed.stdout).to_string();
    let line: Vec<&str> = list.lines().next().expect("one host").split('\t').collect();
    assert_eq!(line[1..], ["web-1", "agent", "pending", "fp-cli"], "{list}");
    let id = line[0].to_string();
    let approved = run(vec!["hosts".into(), "approve".into(), id.clone()]).await.expect("join");
    assert!(approved.status.success(), "{}", describe(&approved));
    assert_eq!(String::from_utf8_lossy(&approved.stdout), format!("{id}\tweb-1\tagent\tapproved\tfp-cli\n"));
    let resp = app.agent(&key).push(&body).await.expect_status(202);
    assert!(resp.body["token"].as_str().is_some_and(|t| t.starts_with("stm_")), "{resp:?}");

    // On the stopped store.
    let (dir, _) = app.stop().await;
    let d = dir.path();
    assert_eq!(ok(steward(d).args(["hosts", "reject", &id])), format!("{id}\tweb-1\tagent\trejected\tfp-cli\n"));
    assert_eq!(ok(steward(d).args(["hosts", "list"])), format!("{id}\tweb-1\tagent\trejected\tfp-cli\n"));
    assert!(fails(steward(d).args(["hosts", "approve", "999"])).contains("host 999 not found"));
    assert!(
        fails(steward(d).args(["hosts", "list", "--org", "nowhere"])).contains("organization \"nowhere\" not found")
    );
    let auto = ok(steward(d).args(["ingest-key", "create", "auto", "--auto-approve"]));
    assert!(auto.starts_with("sti_"), "{auto}");
    let keys = ok(steward(d).args(["ingest-key", "list"]));
    let approvals: Vec<&str> = keys.lines().filter_map(|l| l.split('\t').nth(6)).collect();
    assert_eq!(approvals, ["manual-approve", "auto-approve"], "{keys}");

    let app = TestApp::builder().data_dir(dir).set("metrics.collect_interval_s", 0).start().await;
    let admin = app.login("admin", crate::support::ADMIN_PW).await;
    for action in ["host.approve", "host.reject"] {
        let entries = crate::support::audit_entries(&admin, &format!("action={action}")).await;
        assert_eq!(entries.len(), 1, "{action}: {entries:?}");
        assert!(entries[0]["actor"].as_str().is_some_and(|a| a.starts_with("cli")), "{entries:?}");
    }
}

#[test]
fn agent_example_check_and_refusals() {
    let dir = tempfile::tempdir().expect("temp dir");
    let agent = || {
        let mut cmd = steward(dir.path());
        cmd.env("STEWARD_AGENT_CONFIG", "/dev/null").arg("agent");
        cmd
    };
    assert_eq!(ok(agent().arg("example")), steward::agent::config::EXAMPLE);
    let key = "sti_0123456789abcdefghijklmnopqrstuvwxyz0123456";
    let out = ok(agent().args(["--server", "https://steward.example.com", "--key", key, "--check"]));
    assert!(out.lines().any(|l| l == "server = \"https://steward.example.com\"  # flag --server"), "{out}");
    assert!(out.lines().any(|l| l == "key = \"<redacted>\"  # flag --key") && !out.contains(key), "{out}");

    let err = fails(agent().args(["--server", "http://10.1.2.3:8080", "--key", key]));
    assert!(err.contains("allow_insecure_http") && err.starts_with("steward: "), "{err}");
    let err = fails(agent().args(["--server", "https://a.example", "--key", "not-a-key"]));
    assert!(err.contains("sti_"), "{err}");
    let err = fails(agent().args(["--server", "https://a.example"]));
    assert!(err.contains("key"), "{err}");
}

/// The agent's own binary takes the same commands as `steward agent`.
#[test]
fn the_agent_binary_has_the_agent_commands() {
    let agent = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_steward-agent"));
        cmd.env_clear().env("STEWARD_AGENT_CONFIG", "/dev/null");
        cmd
    };
    assert_eq!(ok(agent().arg("example")), steward::agent::config::EXAMPLE);
    let key = "sti_0123456789abcdefghijklmnopqrstuvwxyz0123456";
    let out = ok(agent().args(["--server", "https://steward.example.com", "--key", key, "--interval", "7", "--check"]));
    assert!(out.lines().any(|l| l == "interval_s = 7  # flag --interval"), "{out}");
    let err = fails(agent().args(["--server", "https://a.example"]));
    assert!(err.contains("key") && err.starts_with("steward-agent: "), "{err}");
    // No accounts synced yet: no keys, and sshd gets a clean exit.
    assert_eq!(ok(agent().args(["authorized-keys", "alice", "--dir", "/nonexistent/steward"])), "");
    let out = ok(agent().arg("--version"));
    assert!(out.starts_with("steward-agent "), "{out}");
    // Not an appliance: its commands are not there.
    let err = fails(agent().arg("serve"));
    assert!(err.contains("serve"), "{err}");
}

#[actix_web::test]
async fn access_rules_and_the_appliance_hosts_own_files_from_the_command_line() {
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    admin.create_user(None, "alice", "viewer").await;
    let (dir, files) = (app.data_dir().to_path_buf(), tempfile::tempdir().expect("temp dir"));
    let target = files.path().display().to_string();
    let run = move |args: Vec<String>| {
        let dir = dir.clone();
        actix_web::rt::task::spawn_blocking(move || steward(&dir).args(args).output().expect("run steward"))
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    let both = run(args(&["access", "grant", "alice", "--all", "--tag", "web"])).await.expect("join");
    assert!(
        !both.status.success() && String::from_utf8_lossy(&both.stderr).contains("exactly one"),
        "{}",
        describe(&both)
    );
    let granted = run(args(&["access", "grant", "alice", "--all", "--sudo"])).await.expect("join");
    assert!(granted.status.success(), "{}", describe(&granted));
    let id = String::from_utf8_lossy(&granted.stdout).trim().to_string();
    let list = run(args(&["access", "list"])).await.expect("join");
    assert_eq!(String::from_utf8_lossy(&list.stdout), format!("{id}\talice\tall hosts\tsudo\n"));

    let synced = run(args(&["nss", "sync", "--dir", &target])).await.expect("join");
    assert!(synced.status.success(), "{}", describe(&synced));
    assert_eq!(String::from_utf8_lossy(&synced.stdout).trim().len(), 64, "prints the version");
    let passwd = std::fs::read_to_string(files.path().join("passwd")).expect("passwd written");
    assert!(passwd.starts_with("alice:x:") && passwd.ends_with(":/home/alice:/bin/bash\n"), "{passwd}");

    let revoked = run(args(&["access", "revoke", &id])).await.expect("join");
    assert!(revoked.status.success(), "{}", describe(&revoked));
    let synced = run(args(&["nss", "sync", "--dir", &target])).await.expect("join");
    assert!(synced.status.success(), "{}", describe(&synced));
    assert_eq!(std::fs::read_to_string(files.path().join("passwd")).expect("passwd"), "");
    app.stop().await;
}
