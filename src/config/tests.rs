use std::io::Write;

use toml::Value;

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn the_example_is_the_defaults_and_parses() {
    let c = Config::defaults().unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.data_dir, std::path::PathBuf::from("./steward-data"));
    assert_eq!(c.store.cache_mib, 64);
    assert_eq!(c.auth.bcrypt_cost, 12);
    assert_eq!(c.audit.retention_days, 365);
    assert_eq!(c.tls.mode, TlsMode::Off);
}

#[test]
fn precedence_is_default_file_env_cli() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "listen = \"127.0.0.1:1000\"\nlog_level = \"debug\"\n[auth]\nbcrypt_cost = 10\nlockout_threshold = 7")
        .unwrap();
    let e = env(&[("STEWARD_LISTEN", "127.0.0.1:2000"), ("STEWARD_AUTH__BCRYPT_COST", "11"), ("HOME", "/x")]);
    let cli = vec![("listen", "--listen", Value::String("127.0.0.1:3000".into()))];
    let loaded = load(Some(f.path()), e, cli).unwrap();
    assert_eq!(loaded.config.listen.port(), 3000);
    assert_eq!(loaded.config.auth.bcrypt_cost, 11);
    assert_eq!(loaded.config.auth.lockout_threshold, 7);
    assert_eq!(loaded.config.log_level, "debug");
    assert_eq!(loaded.config.auth.lockout_minutes, 15);
    assert_eq!(loaded.sources["listen"], Source::Cli("--listen".into()));
    assert_eq!(loaded.sources["auth.bcrypt_cost"], Source::Env("STEWARD_AUTH__BCRYPT_COST".into()));
    assert_eq!(loaded.sources["auth.lockout_threshold"], Source::File(f.path().into()));
    assert_eq!(loaded.sources["auth.lockout_minutes"], Source::Default);
}

#[test]
fn unknown_keys_are_refused_by_name() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "[auth]\nbcrypt_costt = 10").unwrap();
    let err = load(Some(f.path()), env(&[]), vec![]).unwrap_err().to_string();
    assert!(err.contains("auth.bcrypt_costt"), "{err}");
    let err = load(None, env(&[("STEWARD_LISTN", "x")]), vec![]).unwrap_err().to_string();
    assert!(err.contains("listn") && err.contains("STEWARD_LISTN"), "{err}");
}

#[test]
fn bad_values_name_key_and_source() {
    let err = load(None, env(&[("STEWARD_AUTH__BCRYPT_COST", "twelve")]), vec![]).unwrap_err().to_string();
    assert!(err.contains("auth.bcrypt_cost") && err.contains("twelve"), "{err}");
    let err = load(None, env(&[("STEWARD_AUTH__BCRYPT_COST", "40")]), vec![]).unwrap_err().to_string();
    assert!(err.contains("auth.bcrypt_cost"), "{err}");
    let err = load(None, env(&[("STEWARD_TLS__MODE", "files")]), vec![]).unwrap_err().to_string();
    assert!(err.contains("tls.cert_file"), "{err}");
    let err = load(None, env(&[("STEWARD_LISTEN", "nowhere")]), vec![]).unwrap_err().to_string();
    assert!(err.contains("nowhere") || err.contains("listen"), "{err}");
}

#[test]
fn secrets_come_from_files_and_are_redacted() {
    let mut key = tempfile::NamedTempFile::new().unwrap();
    writeln!(key, "{}", "ab".repeat(32)).unwrap();
    let mut pw = tempfile::NamedTempFile::new().unwrap();
    writeln!(pw, "correct horse battery staple").unwrap();
    let e = env(&[
        ("STEWARD_MASTER_KEY_FILE", key.path().to_str().unwrap()),
        ("STEWARD_AUTH__INITIAL_ADMIN_PASSWORD_FILE", pw.path().to_str().unwrap()),
    ]);
    let loaded = load(None, e, vec![]).unwrap();
    assert_eq!(loaded.config.master_key.expose(), "ab".repeat(32));
    assert_eq!(loaded.config.auth.initial_admin_password.expose(), "correct horse battery staple");
    let shown = loaded.render();
    assert!(!shown.contains("abab") && !shown.contains("horse"), "{shown}");
    assert!(shown.contains("master_key = \"<redacted>\"  # env STEWARD_MASTER_KEY_FILE"), "{shown}");
    assert!(format!("{:?}", loaded.config).contains("<redacted>"));
    let err = load(None, env(&[("STEWARD_MASTER_KEY", "short")]), vec![]).unwrap_err().to_string();
    assert!(err.contains("master_key") && !err.contains("short\""), "{err}");
}
