//! Layering and provenance: which value wins, and where it came from.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;
use toml::{Table, Value};

use super::{Config, EXAMPLE, SECRET_KEYS};

/// What one configuration file format is: its documented example (defaults and schema in
/// one), the environment prefix it reads, and which keys hold secrets.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    pub example: &'static str,
    /// `STEWARD_` for the appliance, `STEWARD_AGENT_` for the agent.
    pub env_prefix: &'static str,
    /// Variables with the prefix that are not keys (e.g. the config file's path).
    pub env_ignore: &'static [&'static str],
    /// Variable prefixes that belong to another schema sharing this prefix.
    pub env_foreign: &'static [&'static str],
    pub secret_keys: &'static [&'static str],
    /// Where the user finds every key, for the unknown-key message.
    pub example_command: &'static str,
}

/// The appliance's schema.
pub const APPLIANCE: Schema = Schema {
    example: EXAMPLE,
    env_prefix: "STEWARD_",
    env_ignore: &["STEWARD_CONFIG"],
    env_foreign: &["STEWARD_AGENT_"],
    secret_keys: SECRET_KEYS,
    example_command: "steward config example",
};

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("reading config file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("parsing config file {path}: {reason}")]
    Parse { path: String, reason: String },
    #[error("unknown configuration key `{key}` (from {origin}); `{hint}` lists every key")]
    UnknownKey { key: String, origin: Source, hint: &'static str },
    #[error("configuration key `{key}` (from {origin}): {reason}")]
    BadValue { key: String, origin: Source, reason: String },
    #[error("configuration key `{key}`: {reason}")]
    Invalid { key: String, reason: String },
    #[error("configuration: {0}")]
    Type(String),
}

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(String),
    Cli(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File(p) => write!(f, "file {}", p.display()),
            Source::Env(v) => write!(f, "env {v}"),
            Source::Cli(flag) => write!(f, "flag {flag}"),
        }
    }
}

/// The validated configuration and, per dotted key, where its value came from.
#[derive(Debug)]
pub struct Loaded<C = Config> {
    pub config: C,
    pub sources: BTreeMap<String, Source>,
    merged: Table,
    secret_keys: &'static [&'static str],
}

impl<C> Loaded<C> {
    /// The same provenance around a checked form of the configuration.
    pub fn map<D>(self, f: impl FnOnce(C) -> D) -> Loaded<D> {
        Loaded { config: f(self.config), sources: self.sources, merged: self.merged, secret_keys: self.secret_keys }
    }

    /// `key = value  # source` lines of the effective configuration, secrets redacted.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (key, source) in &self.sources {
            let value = lookup(&self.merged, key).cloned().unwrap_or(Value::String(String::new()));
            let shown = match &value {
                Value::String(s) if self.secret_keys.contains(&key.as_str()) && !s.is_empty() => {
                    "\"<redacted>\"".into()
                }
                other => other.to_string(),
            };
            out.push_str(&format!("{key} = {shown}  # {source}\n"));
        }
        out
    }
}

/// Builds the configuration from the compiled defaults, an optional file, environment
/// pairs (only `STEWARD_*` are looked at) and CLI overrides `(dotted key, flag, value)`.
pub fn load(
    file: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
    cli: Vec<(&str, &str, Value)>,
) -> Result<Loaded, ConfigError> {
    let loaded = load_with::<Config>(&APPLIANCE, file, env, cli)?;
    loaded.config.validate()?;
    Ok(loaded)
}

/// [`load`] for any schema: layers the sources and deserializes the result; the caller
/// validates what types cannot say.
pub fn load_with<C: serde::de::DeserializeOwned>(
    format: &Schema,
    file: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
    cli: Vec<(&str, &str, Value)>,
) -> Result<Loaded<C>, ConfigError> {
    let schema: Table = toml::from_str(format.example)
        .map_err(|e| ConfigError::Parse { path: "compiled defaults".into(), reason: e.to_string() })?;
    let mut merged = schema.clone();
    let mut sources = BTreeMap::new();
    for key in leaf_keys(&schema, "") {
        sources.insert(key, Source::Default);
    }
    let mut layer = Layer { format, schema: &schema, merged: &mut merged, sources: &mut sources };

    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::Read { path: path.display().to_string(), reason: e.to_string() })?;
        let table: Table = toml::from_str(&text)
            .map_err(|e| ConfigError::Parse { path: path.display().to_string(), reason: e.to_string() })?;
        for key in leaf_keys(&table, "") {
            let value = lookup(&table, &key).cloned().unwrap_or(Value::Boolean(false));
            layer.set(&key, value, Source::File(path.to_path_buf()))?;
        }
    }

    let mut env: Vec<(String, String)> = env.into_iter().filter(|(k, _)| is_config_var(format, k)).collect();
    env.sort();
    for (var, raw) in env {
        let key = var[format.env_prefix.len()..].to_ascii_lowercase().replace("__", ".");
        let source = Source::Env(var.clone());
        let value = layer.parse_scalar(&key, &raw, &source)?;
        layer.set(&key, value, source)?;
    }

    for (key, flag, value) in cli {
        layer.set(key, value, Source::Cli(flag.to_string()))?;
    }

    let config = C::deserialize(Value::Table(merged.clone())).map_err(|e| ConfigError::Type(e.to_string()))?;
    Ok(Loaded { config, sources, merged, secret_keys: format.secret_keys })
}

fn is_config_var(format: &Schema, name: &str) -> bool {
    name.starts_with(format.env_prefix)
        && !format.env_ignore.contains(&name)
        && !format.env_foreign.iter().any(|p| name.starts_with(p))
}

struct Layer<'a> {
    format: &'a Schema,
    schema: &'a Table,
    merged: &'a mut Table,
    sources: &'a mut BTreeMap<String, Source>,
}

impl Layer<'_> {
    fn set(&mut self, key: &str, value: Value, source: Source) -> Result<(), ConfigError> {
        if let Some(secret) = key.strip_suffix("_file").filter(|k| self.format.secret_keys.contains(k)) {
            let path = value.as_str().ok_or_else(|| ConfigError::BadValue {
                key: key.into(),
                origin: source.clone(),
                reason: "expected a file path".into(),
            })?;
            let text = std::fs::read_to_string(path).map_err(|e| ConfigError::BadValue {
                key: key.into(),
                origin: source.clone(),
                reason: format!("reading {path}: {e}"),
            })?;
            let value = Value::String(text.trim_end_matches(['\n', '\r']).to_string());
            return self.set(secret, value, source);
        }
        let Some(expected) = lookup(self.schema, key) else {
            return Err(ConfigError::UnknownKey { key: key.into(), origin: source, hint: self.format.example_command });
        };
        if std::mem::discriminant(expected) != std::mem::discriminant(&value) {
            return Err(ConfigError::BadValue {
                key: key.into(),
                origin: source,
                reason: format!("expected {}, found {}", expected.type_str(), value.type_str()),
            });
        }
        insert(self.merged, key, value);
        self.sources.insert(key.to_string(), source);
        Ok(())
    }

    /// Environment values are strings; the schema says what they should become.
    fn parse_scalar(&self, key: &str, raw: &str, source: &Source) -> Result<Value, ConfigError> {
        let secret_file = key.strip_suffix("_file").is_some_and(|k| self.format.secret_keys.contains(&k));
        let bad = |reason: String| ConfigError::BadValue { key: key.into(), origin: source.clone(), reason };
        match lookup(self.schema, key) {
            _ if secret_file => Ok(Value::String(raw.into())),
            None => Err(ConfigError::UnknownKey {
                key: key.into(),
                origin: source.clone(),
                hint: self.format.example_command,
            }),
            Some(Value::Integer(_)) => {
                raw.trim().parse::<i64>().map(Value::Integer).map_err(|_| bad(format!("{raw:?} is not an integer")))
            }
            Some(Value::Boolean(_)) => match raw.trim() {
                "true" | "1" | "yes" => Ok(Value::Boolean(true)),
                "false" | "0" | "no" => Ok(Value::Boolean(false)),
                _ => Err(bad(format!("{raw:?} is not true or false"))),
            },
            Some(Value::Array(_)) => Ok(Value::Array(
                raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.into())).collect(),
            )),
            Some(_) => Ok(Value::String(raw.into())),
        }
    }
}

fn leaf_keys(table: &Table, prefix: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for (k, v) in table {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            Value::Table(t) => keys.extend(leaf_keys(t, &path)),
            _ => keys.push(path),
        }
    }
    keys
}

fn lookup<'t>(table: &'t Table, key: &str) -> Option<&'t Value> {
    let mut parts = key.split('.').peekable();
    let mut current = table;
    while let Some(part) = parts.next() {
        let v = current.get(part)?;
        if parts.peek().is_none() {
            return (!v.is_table()).then_some(v);
        }
        current = v.as_table()?;
    }
    None
}

fn insert(table: &mut Table, key: &str, value: Value) {
    match key.split_once('.') {
        Some((head, rest)) => {
            let entry = table.entry(head).or_insert_with(|| Value::Table(Table::new()));
            if let Value::Table(t) = entry {
                insert(t, rest, value);
            }
        }
        None => {
            table.insert(key.to_string(), value);
        }
    }
}
