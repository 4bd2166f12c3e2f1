//! Central accounts on a real host: the real agent installs the appliance's files into
//! `/var/lib/extrausers`, glibc finds the users through libnss-extrausers, a Debian sshd
//! with PAM lets in whom it should, and a forced password change at SSH login flows back
//! to the appliance through the shipped PAM profile and hook (`etc/pam`).
//!
//! It changes system paths, so it runs as root in its own mount and network namespaces
//! (`unshare --mount --net`): `/etc` is a copy, and `/var/lib/extrausers`, `/usr/local/bin`,
//! `/home` and PAM's profile directories are temporary directories mounted over the real
//! ones. The machine is never touched.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::*;

/// Set in the re-run inside the namespaces.
const INSIDE: &str = "STEWARD_TEST_INSIDE_NAMESPACE";
const NEW_PW: &str = "changed-On-host-0042";

fn sh(program: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap_or_else(|e| panic!("running {program}: {e}"))
}

#[track_caller]
fn ok(program: &str, args: &[&str]) -> String {
    let out = sh(program, args);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{program} {args:?}: {text}{}", String::from_utf8_lossy(&out.stderr));
    text
}

/// Outside: re-runs `test` alone inside fresh namespaces and fails if it failed there;
/// returns false. Inside: returns true, and the caller does the work.
fn inside_namespaces(test: &str) -> bool {
    if std::env::var_os(INSIDE).is_some() {
        return true;
    }
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new("unshare")
        .args(["--mount", "--net", "--propagation", "private", "--"])
        .arg(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .output()
        .expect("unshare runs (root, util-linux)");
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && log.contains("1 passed"), "inside the namespaces:\n{log}");
    false
}

fn repo(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// Makes this namespace a host set up as the README says, with the binaries under test as
/// `/usr/local/bin/steward` and `/usr/local/bin/steward-agent`.
fn set_up_host(dir: &Path) {
    ok("ip", &["link", "set", "lo", "up"]);
    let d = |name: &str| dir.join(name).display().to_string();
    ok("cp", &["-a", "/etc", &d("etc")]);
    ok("cp", &["-a", "/usr/share/pam-configs", &d("pam-configs")]);
    ok("cp", &["-a", "/var/lib/pam", &d("var-lib-pam")]);
    for (name, mode) in [("extrausers", "0755"), ("bin", "0755"), ("home", "0755")] {
        ok("install", &["-d", "-m", mode, &d(name)]);
    }
    for (from, to) in [
        ("etc", "/etc"),
        ("extrausers", "/var/lib/extrausers"),
        ("bin", "/usr/local/bin"),
        ("home", "/home"),
        ("pam-configs", "/usr/share/pam-configs"),
        ("var-lib-pam", "/var/lib/pam"),
    ] {
        ok("mount", &["--bind", &d(from), to]);
    }
    ok("mount", &["-t", "tmpfs", "-o", "mode=755", "tmpfs", "/run"]);
    ok("install", &["-d", "-m", "0755", "/run/sshd"]);
    ok("install", &["-m", "0755", env!("CARGO_BIN_EXE_steward"), "/usr/local/bin/steward"]);
    ok("install", &["-m", "0755", env!("CARGO_BIN_EXE_steward-agent"), "/usr/local/bin/steward-agent"]);
    ok("sed", &["-i", "-E", r"s/^(passwd|group|shadow):.*/\1: files extrausers/", "/etc/nsswitch.conf"]);
    ok("install", &["-d", "-m", "0755", "/etc/steward/pam-script"]);
    ok("install", &["-m", "0755", &repo("etc/pam/pam_script_passwd"), "/etc/steward/pam-script/pam_script_passwd"]);
    ok("install", &["-m", "0644", &repo("etc/pam/pam-configs/steward"), "/usr/share/pam-configs/steward"]);
    ok("pam-auth-update", &["--disable", "pam_script", "--enable", "steward"]);
    ok("install", &["-d", "-m", "0755", "/etc/sudoers.d"]);
    ok("install", &["-m", "0440", &repo("etc/sudoers.d/steward"), "/etc/sudoers.d/steward"]);
}

/// `getent -s extrausers DB`'s names.
fn extrausers(db: &str) -> Vec<String> {
    let out = sh("getent", &["-s", "extrausers", db]);
    String::from_utf8_lossy(&out.stdout).lines().map(|l| l.split(':').next().unwrap_or("").to_string()).collect()
}

fn getent(db: &str, key: &str) -> String {
    String::from_utf8_lossy(&sh("getent", &[db, key]).stdout).trim().to_string()
}

/// Waits (20 s at most) for `done`, checking every 100 ms.
async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A Debian sshd with PAM, keys from the agent, on a free port.
struct HostSshd {
    port: u16,
    child: Child,
}

impl HostSshd {
    async fn start(dir: &Path) -> Self {
        let key = dir.join("host_key").display().to_string();
        ok("ssh-keygen", &["-q", "-t", "ed25519", "-N", "", "-f", &key]);
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let config = dir.join("sshd_config");
        let text = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {key}\nPidFile none\nPrintMotd no\nPrintLastLog no\n\
             Include {}\nPasswordAuthentication yes\nAuthorizedKeysFile none\nLogLevel VERBOSE\n",
            repo("etc/ssh/sshd_config.d/steward.conf")
        );
        std::fs::write(&config, text).expect("sshd_config");
        let log = std::fs::File::create(dir.join("sshd.log")).expect("sshd log");
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .stderr(Stdio::from(log))
            .spawn()
            .expect("sshd starts");
        until("sshd listening", || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()).await;
        Self { port, child }
    }

    fn ssh_args(&self) -> Vec<String> {
        let port = self.port.to_string();
        ["-p", &port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"]
            .map(str::to_string)
            .to_vec()
    }

    /// `id -un` over a password login, or `None` when refused.
    fn with_password(&self, user: &str, password: &str) -> Option<String> {
        let mut args = vec!["-p".to_string(), password.to_string(), "ssh".into()];
        args.extend(self.ssh_args());
        args.extend(["-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no"].map(String::from));
        args.extend([format!("{user}@127.0.0.1"), "id -un".into()]);
        let out = Command::new("timeout").arg("20").arg("sshpass").args(&args).output().expect("sshpass runs");
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    fn with_key(&self, user: &str, key: &Path) -> Option<String> {
        let mut args = self.ssh_args();
        args.extend(
            ["-o", "BatchMode=yes", "-o", "PreferredAuthentications=publickey", "-o", "IdentitiesOnly=yes"]
                .map(String::from),
        );
        args.extend(["-i".into(), key.display().to_string(), format!("{user}@127.0.0.1"), "id -un".into()]);
        let out = Command::new("timeout").args(["20", "ssh"]).args(&args).output().expect("ssh runs");
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

impl Drop for HostSshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `/etc/steward/agent.toml`, which the agent and its PAM hook read.
fn write_agent_config(url: &str, state: &Path) {
    let config = format!("server = \"{url}\"\nstate_dir = \"{}\"\ninterval_s = 1\n", state.display());
    std::fs::write("/etc/steward/agent.toml", config).expect("agent.toml");
}

/// The real agent (`steward-agent`) of this host, enrolled with `key`.
fn start_agent(url: &str, key: &str, state: &Path) -> Child {
    write_agent_config(url, state);
    Command::new("/usr/local/bin/steward-agent")
        .env("STEWARD_AGENT_KEY", key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the agent starts")
}

#[tokio::test]
async fn a_host_gets_exactly_the_allowed_accounts_and_sends_password_changes_back() {
    if !inside_namespaces("host_accounts::a_host_gets_exactly_the_allowed_accounts_and_sends_password_changes_back") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    set_up_host(dir.path());
    let app = TestApp::start().await;
    let admin = app.superadmin().await;
    let client_key = dir.path().join("client_key");
    ok("ssh-keygen", &["-q", "-t", "ed25519", "-N", "", "-f", &client_key.display().to_string()]);
    let public = std::fs::read_to_string(client_key.with_extension("pub")).expect("public key");

    let mut ids = std::collections::HashMap::new();
    for name in ["alice", "bob", "carol", "dave"] {
        let body =
            json!({"username": name, "role": "viewer", "password": USER_PW, "must_change_password": name == "bob"});
        ids.insert(name, admin.post("/api/v1/users", body).await.expect_status(201).id());
    }
    for (name, sudo) in [("alice", true), ("bob", false), ("carol", false)] {
        let rule = json!({"user_id": ids[name], "on": "all", "sudo": sudo});
        admin.post("/api/v1/access-rules", rule).await.expect_status(201);
    }
    for name in ["alice", "carol"] {
        admin
            .post(&format!("/api/v1/users/{}/keys", ids[name]), json!({"key": public.trim()}))
            .await
            .expect_status(201);
    }
    admin.patch(&format!("/api/v1/users/{}", ids["carol"]), json!({"disabled": true})).await.expect_status(200);

    let (_, key) = admin.create_ingest_key("host").await;
    let mut agent = start_agent(&app.url, &key, &dir.path().join("agent"));
    until("the agent's first sync", || extrausers("passwd").len() == 3).await;
    assert_eq!(extrausers("passwd"), ["alice", "bob", "carol"], "dave may not log in here");
    assert!(getent("group", "steward-sudo").ends_with(":alice"), "{}", getent("group", "steward-sudo"));
    assert_eq!(getent("shadow", "bob").split(':').nth(2), Some("0"), "bob must change his password");
    assert_eq!(getent("shadow", "carol").split(':').nth(7), Some("1"), "carol is disabled");
    let mode = ok("stat", &["-c", "%a %U %G", "/var/lib/extrausers/shadow"]);
    assert_eq!(mode.trim(), "640 root shadow");
    let sudo = sh("sudo", &["-l", "-U", "alice"]);
    assert!(String::from_utf8_lossy(&sudo.stdout).contains("(ALL : ALL) ALL"), "{sudo:?}");

    let sshd = HostSshd::start(dir.path()).await;
    assert_eq!(sshd.with_password("alice", USER_PW).as_deref(), Some("alice"));
    assert_eq!(sshd.with_key("alice", &client_key).as_deref(), Some("alice"));
    let home = ok("stat", &["-c", "%a %U %G", "/home/alice"]);
    assert_eq!(home.trim(), "700 alice alice", "the first login made alice's home");
    assert_eq!(sshd.with_password("alice", "wrong-Password-999"), None);
    assert_eq!(sshd.with_password("carol", USER_PW), None, "a disabled user's password is refused");
    assert_eq!(sshd.with_key("carol", &client_key), None, "a disabled user's key is refused");
    assert_eq!(sshd.with_password("dave", USER_PW), None, "dave has no account here");

    // Bob's first login: the forced change goes through the PAM hook to the appliance.
    let port = sshd.port.to_string();
    let exp = repo("tests/host/forced_change.exp");
    let out = Command::new("expect").args([exp.as_str(), &port, "bob", USER_PW, NEW_PW]).output().expect("expect runs");
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        said.contains("SESSION-CONTINUES-AS-bob"),
        "{said}\n{}",
        std::fs::read_to_string(dir.path().join("sshd.log")).unwrap_or_default()
    );
    app.try_login("bob", USER_PW).await.1.expect_status(401);
    app.login("bob", NEW_PW).await;
    until("the new hash on the host", || getent("shadow", "bob").split(':').nth(2) != Some("0")).await;
    assert_eq!(sshd.with_password("bob", NEW_PW).as_deref(), Some("bob"));
    assert_eq!(sshd.with_password("bob", USER_PW), None, "the old password is refused");

    // `passwd` on the host: a wrong current password is refused with the appliance's reason;
    // a right one is stored centrally; an unreachable appliance fails the change (closed).
    let passwd = |old: &str, new: &str| {
        let exp = repo("tests/host/passwd.exp");
        let out = Command::new("expect").args([exp.as_str(), "alice", old, new]).output().expect("expect runs");
        (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string())
    };
    let (changed, said) = passwd("wrong-Password-999", NEW_PW);
    assert!(!changed && said.contains("steward: current password is wrong"), "{said}");
    let (changed, said) = passwd(USER_PW, NEW_PW);
    assert!(changed, "{said}");
    app.login("alice", NEW_PW).await;
    let _ = agent.kill();
    let _ = agent.wait();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    write_agent_config(&format!("http://127.0.0.1:{closed}"), &dir.path().join("agent"));
    let (changed, said) = passwd(NEW_PW, "another-Password-0043");
    assert!(!changed && said.contains("steward: the appliance cannot be reached"), "{said}");
    app.login("alice", NEW_PW).await;
    drop(sshd);
    app.stop().await;
}
