//! Configuration: defaults < file < `STEWARD_*` environment < flags, strict keys, secrets
//! from files, a redacted rendering that names every value's source.

use std::path::{Path, PathBuf};

use steward::config::{ConfigError, Loaded, Source, load};
use toml::Value;

const EXAMPLE_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/steward.example.toml");
const KEY_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write file");
    path
}

fn load_err(file: Option<&Path>, vars: &[(&str, &str)]) -> String {
    match load(file, env(vars), Vec::new()) {
        Ok(_) => panic!("configuration should have been refused"),
        Err(e) => e.to_string(),
    }
}

const FILE: &str = "listen = \"127.0.0.1:9001\"\n[auth]\nbcrypt_cost = 6\nsession_idle_minutes = 30\n";

#[test]
fn each_layer_overrides_the_one_below() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "steward.toml", FILE);
    let vars =
        [("STEWARD_LISTEN", "127.0.0.1:9002"), ("STEWARD_AUTH__BCRYPT_COST", "5"), ("PATH", "/bin"), ("HOME", "/root")];
    let flag = || vec![("listen", "--listen", Value::String("127.0.0.1:9003".into()))];

    let defaults = load(None, env(&[]), Vec::new()).expect("defaults");
    assert_eq!(defaults.config.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(defaults.config.auth.bcrypt_cost, 12);
    assert_eq!(defaults.sources["listen"], Source::Default);

    let from_file = load(Some(&file), env(&[]), Vec::new()).expect("file");
    assert_eq!(from_file.config.listen.to_string(), "127.0.0.1:9001");
    assert_eq!((from_file.config.auth.bcrypt_cost, from_file.config.auth.session_idle_minutes), (6, 30));
    assert_eq!(from_file.sources["auth.bcrypt_cost"], Source::File(file.clone()));
    assert_eq!(from_file.sources["auth.lockout_minutes"], Source::Default);

    let from_env = load(Some(&file), env(&vars), Vec::new()).expect("env");
    assert_eq!(from_env.config.listen.to_string(), "127.0.0.1:9002");
    assert_eq!(from_env.config.auth.bcrypt_cost, 5);
    assert_eq!(from_env.config.auth.session_idle_minutes, 30, "the file still counts where env is silent");
    assert_eq!(from_env.sources["auth.bcrypt_cost"], Source::Env("STEWARD_AUTH__BCRYPT_COST".into()));

    let from_flag = load(Some(&file), env(&vars), flag()).expect("flag");
    assert_eq!(from_flag.config.listen.to_string(), "127.0.0.1:9003");
    assert_eq!(from_flag.config.auth.bcrypt_cost, 5);
    assert_eq!(from_flag.sources["listen"], Source::Cli("--listen".into()));
}

#[test]
fn unknown_keys_in_the_file_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (text, key) in [
        ("listne = \"127.0.0.1:1\"\n", "listne"),
        ("[auth]\nbcrypt_costs = 5\n", "auth.bcrypt_costs"),
        ("[nope]\nx = 1\n", "nope.x"),
    ] {
        let file = write(dir.path(), "bad.toml", text);
        let message = load_err(Some(&file), &[]);
        assert!(message.contains(&format!("`{key}`")), "{key}: {message}");
        assert!(message.contains("unknown configuration key"), "{message}");
    }
    assert!(matches!(
        load(Some(&write(dir.path(), "b.toml", "bogus = 1")), env(&[]), Vec::new()),
        Err(ConfigError::UnknownKey { .. })
    ));
}

#[test]
fn unknown_steward_variables_are_refused_by_name() {
    let message = load_err(None, &[("STEWARD_LISTNE", "127.0.0.1:1")]);
    assert!(message.contains("STEWARD_LISTNE") && message.contains("`listne`"), "{message}");
    let message = load_err(None, &[("STEWARD_AUTH__BCRYPT", "5")]);
    assert!(message.contains("STEWARD_AUTH__BCRYPT"), "{message}");
    // STEWARD_CONFIG names the file, it is not a key; other variables are not ours.
    load(None, env(&[("STEWARD_CONFIG", "/nowhere.toml"), ("STEWARDX", "1"), ("LISTEN", "x")]), Vec::new())
        .expect("ignored");
}

#[test]
fn wrong_types_and_invalid_values_are_refused_by_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write(dir.path(), "t.toml", "[auth]\nbcrypt_cost = \"high\"\n");
    let message = load_err(Some(&file), &[]);
    assert!(message.contains("auth.bcrypt_cost") && message.contains("expected integer"), "{message}");
    let message = load_err(None, &[("STEWARD_AUTH__BCRYPT_COST", "many")]);
    assert!(message.contains("auth.bcrypt_cost") && message.contains("not an integer"), "{message}");
    let message = load_err(None, &[("STEWARD_AUTH__BCRYPT_COST", "3")]);
    assert!(message.contains("auth.bcrypt_cost"), "{message}");
    let message = load_err(None, &[("STEWARD_MASTER_KEY", "abc")]);
    assert!(message.contains("master_key") && !message.contains("abc"), "{message}");
}

#[test]
fn secrets_can_come_from_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pw_file = write(dir.path(), "admin-pw", "from-a-file-Secret\n");
    let key_file = write(dir.path(), "master-key", &format!("{KEY_HEX}\n"));
    let toml = format!("[auth]\ninitial_admin_password_file = {:?}\n", pw_file.display().to_string());
    let file = write(dir.path(), "s.toml", &toml);

    let loaded = load(Some(&file), env(&[("STEWARD_MASTER_KEY_FILE", &key_file.display().to_string())]), Vec::new())
        .expect("secrets from files");
    assert_eq!(loaded.config.auth.initial_admin_password.expose(), "from-a-file-Secret");
    assert_eq!(loaded.config.master_key.expose(), KEY_HEX);
    assert_eq!(loaded.sources["master_key"], Source::Env("STEWARD_MASTER_KEY_FILE".into()));
    assert_eq!(loaded.sources["auth.initial_admin_password"], Source::File(file));

    let missing = dir.path().join("missing");
    let message = load_err(None, &[("STEWARD_MASTER_KEY_FILE", &missing.display().to_string())]);
    assert!(message.contains("master_key_file") && message.contains("missing"), "{message}");
    // `_file` only exists for secrets.
    let message = load_err(None, &[("STEWARD_LISTEN_FILE", &key_file.display().to_string())]);
    assert!(message.contains("listen_file"), "{message}");
}

fn rendered(dir: &Path) -> (Loaded, PathBuf) {
    let key_file = write(dir, "master-key", KEY_HEX);
    let file = write(dir, "r.toml", "listen = \"127.0.0.1:9001\"\n");
    let vars = [
        ("STEWARD_MASTER_KEY_FILE", key_file.display().to_string()),
        ("STEWARD_AUTH__INITIAL_ADMIN_PASSWORD", "plain-env-Secret".to_string()),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let cli = vec![("data_dir", "--data-dir", Value::String("/srv/steward".into()))];
    (load(Some(&file), env(&vars), cli).expect("load"), file)
}

#[test]
fn render_redacts_secrets_and_names_every_source() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (loaded, file) = rendered(dir.path());
    let text = loaded.render();
    assert!(!text.contains(KEY_HEX) && !text.contains("plain-env-Secret"), "secret leaked:\n{text}");
    for line in [
        "master_key = \"<redacted>\"  # env STEWARD_MASTER_KEY_FILE".to_string(),
        "auth.initial_admin_password = \"<redacted>\"  # env STEWARD_AUTH__INITIAL_ADMIN_PASSWORD".to_string(),
        format!("listen = \"127.0.0.1:9001\"  # file {}", file.display()),
        "data_dir = \"/srv/steward\"  # flag --data-dir".to_string(),
        "log_level = \"info\"  # default".to_string(),
    ] {
        assert!(text.lines().any(|l| l == line), "missing line {line:?} in:\n{text}");
    }
    // Every key appears exactly once.
    assert_eq!(text.lines().count(), loaded.sources.len());
    let debug = format!("{:?}", loaded.config);
    assert!(!debug.contains(KEY_HEX) && !debug.contains("plain-env-Secret"), "Debug leaks a secret: {debug}");
}

#[test]
fn the_shipped_example_parses_and_is_the_defaults() {
    let text = std::fs::read_to_string(EXAMPLE_PATH).expect("example file");
    assert_eq!(text, steward::config::EXAMPLE);
    let loaded = load(Some(Path::new(EXAMPLE_PATH)), env(&[]), Vec::new()).expect("example parses");
    assert!(loaded.sources.values().all(|s| *s == Source::File(PathBuf::from(EXAMPLE_PATH))));
    let defaults = steward::config::Config::defaults().expect("defaults");
    assert_eq!(format!("{:?}", loaded.config), format!("{defaults:?}"));
}
