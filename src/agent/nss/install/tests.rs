use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;

use super::*;
use crate::agent::nss::{bundle::version_of, install_json};

struct Fixture {
    dir: tempfile::TempDir,
    options: InstallOptions,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("nss")).unwrap();
        fs::write(dir.path().join("passwd"), "root:x:0:0:root:/root:/bin/bash\nlocal:x:1000:1000::/home/l:/bin/sh\n")
            .unwrap();
        fs::write(dir.path().join("group"), "root:x:0:\nshadow:x:42:\nlocal:x:1000:\n").unwrap();
        let options = InstallOptions {
            passwd_file: dir.path().join("passwd"),
            group_file: dir.path().join("group"),
            set_owner: false,
            ..InstallOptions::default()
        };
        Self { dir, options }
    }

    fn nss(&self) -> PathBuf {
        self.dir.path().join("nss")
    }

    fn install(&self, json: &[u8]) -> Result<InstallReport, NssError> {
        install_json(&self.nss(), json, &self.options)
    }

    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.nss().join(name)).unwrap()
    }

    fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        let mut all: Vec<_> = fs::read_dir(self.nss())
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
            .collect();
        all.sort();
        all
    }
}

const PASSWD: &str = "alice:x:20001:20001:Alice:/home/alice:/bin/bash\n";
const GROUP: &str = "alice:x:20001:\nsteward-sudo:x:20000:alice\n";
const SHADOW: &str = "alice:$2b$12$abc:20050::::::\n";

fn json(passwd: &str, keys: &[&str]) -> Vec<u8> {
    let keys: BTreeMap<String, Vec<String>> = match keys {
        [] => BTreeMap::new(),
        k => BTreeMap::from([("alice".to_string(), k.iter().map(|s| s.to_string()).collect())]),
    };
    serde_json::to_vec(&serde_json::json!({
        "version": version_of(passwd, GROUP, SHADOW, &keys),
        "host_id": 7, "uid_min": 20000, "uid_max": 59999,
        "passwd": passwd, "group": GROUP, "shadow": SHADOW, "keys": keys,
    }))
    .unwrap()
}

const KEY: &str = "ssh-ed25519 AAAAC3 alice@laptop";

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o7777
}

#[test]
fn a_bundle_becomes_four_files_in_order_with_their_modes() {
    let f = Fixture::new();
    let report = f.install(&json(PASSWD, &[KEY])).unwrap();
    assert_eq!(report.written, vec!["authorized_keys", "shadow", "group", "passwd"]);
    assert!(report.unchanged.is_empty() && report.changed());
    assert_eq!(f.read("passwd"), PASSWD);
    assert_eq!(f.read("group"), GROUP);
    assert_eq!(f.read("shadow"), SHADOW);
    assert_eq!(f.read("authorized_keys"), format!("alice\t{KEY}\n"));
    for (name, expected) in [("passwd", 0o644), ("group", 0o644), ("shadow", 0o640), ("authorized_keys", 0o644)] {
        assert_eq!(mode(&f.nss().join(name)), expected, "{name}");
    }
    if is_root() {
        // As root the files always go to root, shadow to the group file's `shadow`.
        let meta = |n: &str| fs::metadata(f.nss().join(n)).unwrap();
        assert_eq!((meta("passwd").uid(), meta("passwd").gid()), (0, 0));
        assert_eq!((meta("shadow").uid(), meta("shadow").gid()), (0, 42));
    }
    let names: Vec<String> = f.snapshot().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["authorized_keys", "group", "passwd", "shadow"], "no temporary file is left");
}

#[test]
fn identical_files_are_not_rewritten() {
    let f = Fixture::new();
    f.install(&json(PASSWD, &[KEY])).unwrap();
    let inode = |n: &str| fs::metadata(f.nss().join(n)).unwrap().ino();
    let before = ["passwd", "group", "shadow", "authorized_keys"].map(inode);
    let again = f.install(&json(PASSWD, &[KEY])).unwrap();
    assert!(again.written.is_empty() && !again.changed(), "{again:?}");
    assert_eq!(["passwd", "group", "shadow", "authorized_keys"].map(inode), before);

    let other_key = f.install(&json(PASSWD, &[KEY, "ssh-rsa AAAAB3 second"])).unwrap();
    assert_eq!(other_key.written, vec!["authorized_keys"]);
    assert_eq!(f.read("authorized_keys").lines().count(), 2);

    // A file changed behind the agent's back, or loosened, is put right.
    fs::set_permissions(f.nss().join("shadow"), fs::Permissions::from_mode(0o644)).unwrap();
    fs::write(f.nss().join("passwd"), "mallory:x:0:0::/:/bin/sh\n").unwrap();
    let repaired = f.install(&json(PASSWD, &[KEY, "ssh-rsa AAAAB3 second"])).unwrap();
    assert_eq!(repaired.written, vec!["shadow", "passwd"]);
    assert_eq!(mode(&f.nss().join("shadow")), 0o640);
    assert_eq!(f.read("passwd"), PASSWD);
}

#[test]
fn a_refused_bundle_leaves_the_last_good_files_untouched() {
    let f = Fixture::new();
    f.install(&json(PASSWD, &[KEY])).unwrap();
    let good = f.snapshot();
    let collides = json("local:x:20002:20001::/home/l:/bin/sh\n", &[]);
    let outside = json("alice:x:1001:20001:Alice:/home/alice:/bin/bash\n", &[]);
    let mut damaged = json(PASSWD, &[]);
    let at = damaged.windows(5).position(|w| w == b"Alice").unwrap();
    damaged[at] = b'M';
    let truncated = json(PASSWD, &[KEY])[..100].to_vec();
    for (bad, expected) in [
        (collides, "user \"local\" collides with a local account in"),
        (outside, "uid 1001 of \"alice\" is outside 20000-59999"),
        (damaged, "its digest does not match its version"),
        (truncated, "is not valid JSON"),
    ] {
        let err = f.install(&bad).unwrap_err().to_string();
        assert!(err.starts_with("refusing the account bundle: ") && err.contains(expected), "{err}");
        assert_eq!(f.snapshot(), good, "{expected}");
    }
}

#[test]
fn files_are_replaced_in_order_and_a_failure_stops_before_passwd() {
    let f = Fixture::new();
    f.install(&json(PASSWD, &[KEY])).unwrap();
    let passwd = "alice:x:20001:20001:Alice:/home/alice:/bin/zsh\nbob:x:20002:20002::/home/bob:/bin/sh\n";
    let group = "alice:x:20001:\nbob:x:20002:\nsteward-sudo:x:20000:alice,bob\n";
    let shadow = "alice:$2b$12$abc:20050::::::\nbob:!:20051::::::\n";
    let keys = BTreeMap::from([("bob".to_string(), vec!["ssh-rsa AAAAB3 bob".to_string()])]);
    let bundle = Bundle::of(passwd, group, shadow, keys);
    let files = check(&bundle, &(20000..=59999), &read_local(&f.options).unwrap()).unwrap();
    let mut seen = Vec::new();
    let mut fail_at_group = |name: &'static str| {
        seen.push(name);
        if name == "group" { Err(io::Error::other("disk full")) } else { Ok(()) }
    };
    // Owned as `install` would, so that what was written counts as current after.
    let owners = is_root().then_some(Owners { shadow_gid: 42 });
    let err = put(&f.nss(), &files, owners, &mut fail_at_group).unwrap_err().to_string();
    assert_eq!(seen, vec!["authorized_keys", "shadow", "group"]);
    assert!(err.starts_with("writing ") && err.ends_with("group: disk full"), "{err}");
    // Keys and passwords went first; bob does not exist yet, alice is unchanged.
    assert_eq!(f.read("authorized_keys"), "bob\tssh-rsa AAAAB3 bob\n");
    assert_eq!(f.read("shadow"), shadow);
    assert_eq!(f.read("group"), GROUP);
    assert_eq!(f.read("passwd"), PASSWD);
    assert!(!f.nss().join(".group.steward-new").exists());
    let done = install(&f.nss(), &bundle, &f.options).unwrap();
    assert_eq!(done.written, vec!["group", "passwd"]);
    assert_eq!(done.unchanged, vec!["authorized_keys", "shadow"]);
}

#[test]
fn the_directory_and_the_local_files_must_exist() {
    let f = Fixture::new();
    let missing = f.dir.path().join("absent");
    let err = install_json(&missing, &json(PASSWD, &[]), &f.options).unwrap_err();
    assert!(matches!(err, NssError::NoDir { .. }), "{err}");
    assert!(err.to_string().contains("install libnss-extrausers"), "{err}");
    let options = InstallOptions { passwd_file: f.dir.path().join("nope"), ..f.options.clone() };
    let err = install_json(&f.nss(), &json(PASSWD, &[]), &options).unwrap_err().to_string();
    assert!(err.starts_with("reading ") && err.contains("nope"), "{err}");
}
