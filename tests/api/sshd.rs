//! The integration tests' SSH hosts: [`steward::bench::sshd::Sshd`] (a real OpenSSH sshd
//! on 127.0.0.1 with a throwaway config and host key) logging in one local account made
//! for the tests (created once, as root, with a known password).

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub use steward::bench::sshd::Sshd as Inner;

pub const USER: &str = "steward-ssh-test";
pub const PASSWORD: &str = "ssh-Test-secret-04";

/// Creates the test account once per run (needs root, as `.ci/run` has).
fn ensure_user() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let exists = Command::new("id").arg("-u").arg(USER).output().is_ok_and(|o| o.status.success());
        if !exists {
            let ok = Command::new("useradd")
                .args(["--no-create-home", "--home-dir", "/", "--shell", "/bin/sh", USER])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "creating the test account {USER} (run the tests as root)");
        }
        let mut chpasswd = Command::new("chpasswd").stdin(Stdio::piped()).spawn().expect("chpasswd runs");
        let mut stdin = chpasswd.stdin.take().expect("stdin");
        writeln!(stdin, "{USER}:{PASSWORD}").expect("chpasswd input");
        drop(stdin);
        assert!(chpasswd.wait().is_ok_and(|s| s.success()), "setting {USER}'s password");
    });
}

/// An sshd for one test, with its directory.
pub struct Sshd {
    pub inner: Inner,
    _dir: tempfile::TempDir,
}

impl Sshd {
    pub async fn start() -> Sshd {
        Self::start_with("").await
    }

    pub async fn start_with(extra: &str) -> Sshd {
        ensure_user();
        let dir = tempfile::tempdir().expect("temp dir");
        let inner = Inner::start(dir.path(), USER, extra).await.expect("sshd starts");
        Sshd { inner, _dir: dir }
    }

    pub fn port(&self) -> u16 {
        self.inner.port
    }

    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint().expect("fingerprint")
    }
}
