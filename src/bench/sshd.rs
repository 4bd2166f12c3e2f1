//! A real OpenSSH `sshd` (Debian's openssh-server) on 127.0.0.1 with a throwaway config
//! and host key in a temporary directory, killed with every session it forked when
//! dropped: the SSH hosts of the `ssh` bench phase and of the integration tests.
//!
//! It owns only those processes and files; it must not touch the system's own sshd or
//! its configuration.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

const SSHD: &str = "/usr/sbin/sshd";

pub struct Sshd {
    pub port: u16,
    dir: PathBuf,
    user: String,
    /// Who runs sshd (and so may read `dir`).
    owner: String,
    extra: String,
    child: Option<Child>,
}

impl Sshd {
    /// Starts sshd in `dir` (created), letting only `user` log in, with extra
    /// `sshd_config` lines (e.g. a `ForceCommand` to fake a broken host).
    pub async fn start(dir: &Path, user: &str, extra: &str) -> anyhow::Result<Sshd> {
        anyhow::ensure!(Path::new(SSHD).exists(), "{SSHD} is missing: install openssh-server");
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let owner = whoami()?;
        let mut sshd =
            Sshd { port: 0, dir: dir.to_path_buf(), user: user.into(), owner, extra: extra.into(), child: None };
        sshd.new_host_key()?;
        std::fs::write(sshd.path("authorized_keys"), "").context("writing authorized_keys")?;
        // sshd's privilege separation directory; /run is a tmpfs, so it may be gone.
        let _ = std::fs::create_dir_all("/run/sshd");
        sshd.spawn_on_free_port().await?;
        Ok(sshd)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Generates a fresh host key (the server "was reinstalled").
    pub fn new_host_key(&self) -> anyhow::Result<()> {
        let key = self.path("host_key");
        let _ = std::fs::remove_file(&key);
        let _ = std::fs::remove_file(self.path("host_key.pub"));
        let status = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(&key).status();
        anyhow::ensure!(status.is_ok_and(|s| s.success()), "ssh-keygen could not make a host key");
        Ok(())
    }

    /// The host key's fingerprint as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> anyhow::Result<String> {
        let out = Command::new("ssh-keygen").arg("-lf").arg(self.path("host_key.pub")).output()?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        text.split_whitespace().nth(1).map(str::to_string).context("ssh-keygen printed no fingerprint")
    }

    /// Lets a public key log in.
    pub fn authorize(&self, public_line: &str) -> anyhow::Result<()> {
        let mut f = std::fs::OpenOptions::new().append(true).open(self.path("authorized_keys"))?;
        writeln!(f, "{}", public_line.trim())?;
        Ok(())
    }

    /// Keys come through `cat` run as the account that started sshd, not from a file sshd
    /// opens as the logging-in user, who may not reach this (private) temporary directory.
    fn config(&self) -> String {
        let d = self.dir.display();
        format!(
            "Port {}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile none\nAuthorizedKeysCommand /bin/cat {d}/authorized_keys\n\
             AuthorizedKeysCommandUser {}\nStrictModes no\nUsePAM no\nPasswordAuthentication yes\n\
             KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nAllowUsers {}\n\
             MaxStartups 1000\nMaxSessions 100\nLogLevel ERROR\nPrintMotd no\n{}\n",
            self.port, self.owner, self.user, self.extra
        )
    }

    async fn spawn_on_free_port(&mut self) -> anyhow::Result<()> {
        for _ in 0..5 {
            let listener = TcpListener::bind("127.0.0.1:0").context("probing for a free port")?;
            self.port = listener.local_addr()?.port();
            drop(listener);
            if self.spawn().await? {
                return Ok(());
            }
        }
        anyhow::bail!("sshd did not start on any of five free ports (config {})", self.path("sshd_config").display())
    }

    /// Starts sshd on `self.port` and waits until it accepts connections.
    async fn spawn(&mut self) -> anyhow::Result<bool> {
        std::fs::write(self.path("sshd_config"), self.config()).context("writing sshd_config")?;
        let mut child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(self.path("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting sshd")?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return Ok(false);
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                self.child = Some(child);
                return Ok(true);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = child.kill();
        Ok(false)
    }

    /// Kills sshd and every session it forked: the host is down.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Per-connection processes outlive the listener; a dead host drops them too.
            for pid in descendants(child.id()) {
                let _ = Command::new("kill").arg("-KILL").arg(pid.to_string()).stderr(Stdio::null()).status();
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts sshd again on the same port (and the host key it has now).
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.spawn().await? {
            anyhow::ensure!(Instant::now() < deadline, "sshd did not come back on port {}", self.port);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The name of the account this process runs as.
pub fn whoami() -> anyhow::Result<String> {
    let out = Command::new("id").arg("-un").output().context("running id -un")?;
    let user = String::from_utf8_lossy(&out.stdout).trim().to_string();
    anyhow::ensure!(!user.is_empty(), "id -un printed no user name");
    Ok(user)
}

/// Every process below `root`, from /proc's parent links.
fn descendants(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // The command name is in parentheses and may contain spaces: the parent follows it.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else { continue };
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok()) {
            parents.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(pid, _)| *pid));
        i += 1;
    }
    found.remove(0);
    found
}
