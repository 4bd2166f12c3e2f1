use std::io::Write;

use toml::Value;

use super::*;

fn cli<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str, Value)> {
    pairs.iter().map(|(k, v)| (*k, *k, Value::String(v.to_string()))).collect()
}

fn load(pairs: &[(&str, &str)]) -> Result<AgentConfig, ConfigError> {
    AgentConfig::load(None, std::iter::empty(), cli(pairs)).map(|l| l.config)
}

const KEY: &str = "sti_0123456789abcdef";

#[test]
fn the_example_is_the_defaults() {
    let c = load(&[("server", "https://steward.example.com"), ("key", KEY)]).unwrap();
    assert_eq!(c.interval, Duration::from_secs(5));
    assert_eq!(c.state_dir, PathBuf::from("/var/lib/steward-agent"));
    assert_eq!(c.spool_limit, 64 << 20);
    assert_eq!(c.compression, Compression::Zstd);
    assert_eq!(c.trust, Trust::System { tofu: true });
    assert_eq!(c.local_api, None);
    assert!(c.collect.gpu);
    assert!(c.collect.ignore_ifaces.contains(&"veth*".to_string()));
}

#[test]
fn server_and_key_are_required_and_checked() {
    let msg = |r: Result<AgentConfig, ConfigError>| r.unwrap_err().to_string();
    assert!(msg(load(&[("key", KEY)])).contains("server"));
    assert!(msg(load(&[("server", "https://a")])).contains("key"));
    assert!(msg(load(&[("server", "https://a"), ("key", "stk_nope")])).contains("sti_"));
    assert!(msg(load(&[("server", "ftp://a"), ("key", KEY)])).contains("ftp"));
    assert!(msg(load(&[("server", "not a url"), ("key", KEY)])).contains("server"));
}

#[test]
fn plain_http_only_to_loopback_unless_allowed() {
    for ok in ["http://127.0.0.1:8080", "http://[::1]:8080", "http://localhost:8080", "http://127.3.2.1"] {
        assert_eq!(load(&[("server", ok), ("key", KEY)]).unwrap().trust, Trust::Insecure, "{ok}");
    }
    let err = load(&[("server", "http://10.0.0.5:8080"), ("key", KEY)]).unwrap_err().to_string();
    assert!(err.contains("allow_insecure_http"), "{err}");
    let mut args = cli(&[("server", "http://10.0.0.5:8080"), ("key", KEY)]);
    args.push(("tls.allow_insecure_http", "--allow-insecure-http", Value::Boolean(true)));
    let c = AgentConfig::load(None, std::iter::empty(), args).unwrap().config;
    assert_eq!(c.trust, Trust::Insecure);
}

#[test]
fn a_pinned_fingerprint_replaces_the_system_roots() {
    let fp = ["AB"; 32].join(":");
    let c = load(&[("server", "https://a"), ("key", KEY), ("tls.server_fingerprint", &fp)]).unwrap();
    assert_eq!(c.trust, Trust::Pinned([0xab; 32]));
    let err = load(&[("server", "https://a"), ("key", KEY), ("tls.server_fingerprint", "AB:CD")]).unwrap_err();
    assert!(err.to_string().contains("tls.server_fingerprint"), "{err}");
}

#[test]
fn labels_are_checked_against_the_schema() {
    let mut args = cli(&[("server", "https://a"), ("key", KEY)]);
    args.push(("labels", "labels", Value::Array(vec!["env=prod".into(), "rack = r1".into()])));
    let c = AgentConfig::load(None, std::iter::empty(), args).unwrap().config;
    assert_eq!(c.labels, vec![("env".into(), "prod".into()), ("rack".into(), "r1".into())]);
    for bad in ["noequals", "mount=/x", "env=a"] {
        let mut args = cli(&[("server", "https://a"), ("key", KEY)]);
        args.push(("labels", "labels", Value::Array(vec!["env=prod".into(), bad.into()])));
        let err = AgentConfig::load(None, std::iter::empty(), args).unwrap_err().to_string();
        assert!(err.contains("labels"), "{bad}: {err}");
    }
}

#[test]
fn file_then_env_then_flags_and_the_key_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "server = \"https://file\"\ninterval_s = 10\n[local_api]\nenabled = true").unwrap();
    let env = vec![
        ("STEWARD_AGENT_SERVER".to_string(), "https://env".to_string()),
        ("STEWARD_AGENT_KEY_FILE".to_string(), key_file.display().to_string()),
        ("STEWARD_AGENT_CONFIG".to_string(), "/ignored".to_string()),
        ("STEWARD_LISTEN".to_string(), "not the agent's".to_string()),
    ];
    let loaded = AgentConfig::load(Some(f.path()), env, cli(&[("state_dir", "/tmp/x")])).unwrap();
    let c = &loaded.config;
    assert_eq!(c.server.as_str(), "https://env/");
    assert_eq!(c.key.expose(), KEY);
    assert_eq!(c.interval, Duration::from_secs(10));
    assert_eq!(c.local_api, Some("127.0.0.1:9101".parse().unwrap()));
    assert_eq!(c.state_dir, PathBuf::from("/tmp/x"));
    let shown = loaded.render();
    assert!(shown.contains("key = \"<redacted>\"") && !shown.contains(KEY), "{shown}");
}

#[test]
fn the_appliance_ignores_the_agents_variables() {
    let env = vec![("STEWARD_AGENT_SERVER".to_string(), "https://x".to_string())];
    crate::config::load(None, env, Vec::new()).unwrap();
}

#[test]
fn central_accounts_are_on_by_default_and_checked() {
    let c = load(&[("server", "https://a"), ("key", KEY)]).unwrap();
    assert!(c.nss.enabled);
    assert_eq!(c.nss.dir, PathBuf::from("/var/lib/extrausers"));
    assert_eq!(c.nss.interval, Duration::from_secs(60));
    assert_eq!((c.nss.install.uid_min, c.nss.install.uid_max), (20000, 59999));
    assert_eq!(c.nss.install.passwd_file, PathBuf::from("/etc/passwd"));
    assert!(c.nss.install.set_owner);
    let msg = |pairs: &[(&str, i64)]| {
        let mut args = cli(&[("server", "https://a"), ("key", KEY)]);
        args.extend(pairs.iter().map(|(k, v)| (*k, *k, Value::Integer(*v))));
        AgentConfig::load(None, std::iter::empty(), args).unwrap_err().to_string()
    };
    assert!(msg(&[("nss.uid_min", 999)]).contains("nss.uid_min"));
    assert!(msg(&[("nss.uid_min", 30000), ("nss.uid_max", 29999)]).contains("nss.uid_max"));
    assert!(msg(&[("nss.uid_max", 4294967295)]).contains("nss.uid_max"));
    assert!(msg(&[("nss.interval_s", 0)]).contains("nss.interval_s"));
    assert!(msg(&[("nss.interval_s", 3601)]).contains("nss.interval_s"));
    let err = load(&[("server", "https://a"), ("key", KEY), ("nss.dir", "relative")]).unwrap_err().to_string();
    assert!(err.contains("nss.dir"), "{err}");
}

#[test]
fn central_accounts_follow_the_environment() {
    let env = vec![
        ("STEWARD_AGENT_NSS__ENABLED".to_string(), "false".to_string()),
        ("STEWARD_AGENT_NSS__UID_MIN".to_string(), "30000".to_string()),
        ("STEWARD_AGENT_NSS__DIR".to_string(), "/srv/extrausers".to_string()),
    ];
    let c = AgentConfig::load(None, env, cli(&[("server", "https://a"), ("key", KEY)])).unwrap().config;
    assert!(!c.nss.enabled);
    assert_eq!(c.nss.install.uid_min, 30000);
    assert_eq!(c.nss.dir, PathBuf::from("/srv/extrausers"));
}

#[test]
fn tests_never_sync_accounts_and_hooks_need_no_key() {
    let c = AgentConfig::for_server("http://127.0.0.1:1", KEY, Path::new("/tmp/x")).unwrap();
    assert!(!c.nss.enabled);
    assert!(load(&[("server", "https://a")]).is_err());
    let hook = AgentConfig::load_without_key(None, std::iter::empty(), cli(&[("server", "https://a")])).unwrap();
    assert!(hook.config.key.is_empty());
    let wrong = AgentConfig::load_without_key(None, std::iter::empty(), cli(&[("server", "https://a"), ("key", "x")]));
    assert!(wrong.unwrap_err().to_string().contains("sti_"));
    assert!(AgentConfig::load_without_key(None, std::iter::empty(), Vec::new()).is_err(), "the server is still needed");
}
