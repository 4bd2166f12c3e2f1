//! The agent's configuration: compiled defaults (`config/agent.example.toml`) < TOML file <
//! `STEWARD_AGENT_*` environment < flags, checked once into [`AgentConfig`].

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;

use super::nss::InstallOptions;
use crate::collect::{CollectorOptions, METRICS};
use crate::config::{ConfigError, Loaded, LogFormat, Schema, Secret};

/// The example file, compiled in: defaults, schema and documentation in one.
pub const EXAMPLE: &str = include_str!("../../config/agent.example.toml");

/// Read when present and no other file is named.
pub const DEFAULT_FILE: &str = "/etc/steward/agent.toml";

pub const SCHEMA: Schema = Schema {
    example: EXAMPLE,
    env_prefix: "STEWARD_AGENT_",
    env_ignore: &["STEWARD_AGENT_CONFIG"],
    env_foreign: &[],
    secret_keys: &["key"],
    example_command: "steward agent example",
};

/// The file as written; [`AgentConfig::from_file`] checks it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    server: String,
    key: Secret,
    state_dir: PathBuf,
    interval_s: u32,
    hostname: String,
    fingerprint: String,
    labels: Vec<String>,
    compression: String,
    spool_limit_mib: u32,
    request_timeout_s: u32,
    max_backoff_s: u32,
    log_format: LogFormat,
    log_level: String,
    tls: RawTls,
    collect: RawCollect,
    local_api: RawLocalApi,
    nss: RawNss,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    server_fingerprint: String,
    trust_on_first_use: bool,
    allow_insecure_http: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCollect {
    ignore_mounts: Vec<String>,
    ignore_interfaces: Vec<String>,
    gpu: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocalApi {
    enabled: bool,
    listen: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNss {
    enabled: bool,
    dir: PathBuf,
    interval_s: u32,
    uid_min: u32,
    uid_max: u32,
}

/// Central accounts (`[nss]`): whether and where the appliance's account files are
/// installed, how often they are checked, and what a bundle must satisfy.
#[derive(Debug, Clone)]
pub struct NssOptions {
    pub enabled: bool,
    /// libnss-extrausers' directory.
    pub dir: PathBuf,
    /// Longest time between two requests for the bundle.
    pub interval: Duration,
    /// The id range and the local account files bundles are checked against. Tests point
    /// the files at fixtures and turn `set_owner` off; the file format offers neither.
    pub install: InstallOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Zstd,
    Gzip,
    None,
}

/// How the appliance's certificate is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// Plain HTTP (loopback, or explicitly allowed).
    Insecure,
    /// The system's roots; with `tofu`, an untrusted certificate is pinned on first contact.
    System { tofu: bool },
    /// Exactly this certificate.
    Pinned([u8; 32]),
}

/// The checked configuration. Tests build it with [`AgentConfig::for_server`] and adjust
/// fields (e.g. a sub-second interval the file format does not allow).
#[derive(Debug, Clone)]
pub struct AgentConfig {
    pub server: Url,
    pub key: Secret,
    pub state_dir: PathBuf,
    pub interval: Duration,
    pub hostname: Option<String>,
    pub fingerprint: Option<String>,
    pub labels: Vec<(String, String)>,
    pub compression: Compression,
    pub spool_limit: u64,
    pub request_timeout: Duration,
    pub max_backoff: Duration,
    pub trust: Trust,
    pub collect: CollectorOptions,
    /// Where the local API listens, when it is on.
    pub local_api: Option<SocketAddr>,
    pub nss: NssOptions,
    pub log_format: LogFormat,
    pub log_level: String,
}

impl AgentConfig {
    /// Layers the sources and checks the result.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        cli: Vec<(&str, &str, toml::Value)>,
    ) -> Result<Loaded<AgentConfig>, ConfigError> {
        let raw: Loaded<Raw> = crate::config::load_with(&SCHEMA, file, env, cli)?;
        let checked = AgentConfig::check(&raw.config, true)?;
        Ok(raw.map(|_| checked))
    }

    /// [`AgentConfig::load`] for commands that never enroll: an absent key is no error
    /// (the password hook runs from PAM, without the credential holding the key; it
    /// authenticates with the machine token the running agent stored).
    pub fn load_without_key(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        cli: Vec<(&str, &str, toml::Value)>,
    ) -> Result<Loaded<AgentConfig>, ConfigError> {
        let raw: Loaded<Raw> = crate::config::load_with(&SCHEMA, file, env, cli)?;
        let checked = AgentConfig::check(&raw.config, false)?;
        Ok(raw.map(|_| checked))
    }

    /// The defaults, pointed at `server` with `key`; for tests and the benchmark. Central
    /// accounts are off: a test must never install accounts on the machine running it
    /// (`/var/lib/extrausers` may well exist there); a test that wants them turns them on
    /// with a temporary directory and fixture files.
    pub fn for_server(server: &str, key: &str, state_dir: &Path) -> Result<Self, ConfigError> {
        let cli = vec![
            ("server", "server", toml::Value::String(server.into())),
            ("key", "key", toml::Value::String(key.into())),
            ("state_dir", "state_dir", toml::Value::String(state_dir.display().to_string())),
            ("nss.enabled", "nss.enabled", toml::Value::Boolean(false)),
        ];
        Ok(Self::load(None, std::iter::empty(), cli)?.config)
    }

    fn check(raw: &Raw, require_key: bool) -> Result<Self, ConfigError> {
        let bad = |key: &str, reason: String| ConfigError::Invalid { key: key.into(), reason };
        if raw.server.trim().is_empty() {
            return Err(bad("server", "is required: the appliance's URL, e.g. https://steward.example.com".into()));
        }
        let server = Url::parse(raw.server.trim()).map_err(|e| bad("server", format!("{:?}: {e}", raw.server)))?;
        if raw.key.is_empty() && require_key {
            return Err(bad("key", "is required: an enrollment key (sti_...) from the appliance".into()));
        }
        if !raw.key.is_empty() && !raw.key.expose().starts_with(crate::ingest::keys::PREFIX) {
            return Err(bad("key", "is not an enrollment key (those start with sti_)".into()));
        }
        if raw.interval_s == 0 || raw.interval_s > 3600 {
            return Err(bad("interval_s", format!("{} is outside 1..=3600", raw.interval_s)));
        }
        let compression = match raw.compression.as_str() {
            "zstd" => Compression::Zstd,
            "gzip" => Compression::Gzip,
            "none" => Compression::None,
            other => return Err(bad("compression", format!("{other:?} is not zstd, gzip or none"))),
        };
        if raw.spool_limit_mib == 0 {
            return Err(bad("spool_limit_mib", "must be at least 1".into()));
        }
        if raw.request_timeout_s == 0 || raw.max_backoff_s == 0 {
            let key = if raw.request_timeout_s == 0 { "request_timeout_s" } else { "max_backoff_s" };
            return Err(bad(key, "must be at least 1".into()));
        }
        let trust = trust(&server, &raw.tls)?;
        let local_api = match raw.local_api.enabled {
            false => None,
            true => Some(raw.local_api.listen.parse().map_err(|_| {
                bad("local_api.listen", format!("{:?} is not an address like 127.0.0.1:9101", raw.local_api.listen))
            })?),
        };
        // `target=level` directives, not the appliance's full filter syntax: its regular
        // expression engine would be a tenth of the agent's binary.
        raw.log_level
            .parse::<tracing_subscriber::filter::Targets>()
            .map_err(|e| bad("log_level", format!("{:?}: {e}", raw.log_level)))?;
        let nonempty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        Ok(Self {
            server,
            key: raw.key.clone(),
            state_dir: raw.state_dir.clone(),
            interval: Duration::from_secs(u64::from(raw.interval_s)),
            hostname: nonempty(&raw.hostname),
            fingerprint: nonempty(&raw.fingerprint),
            labels: labels(&raw.labels)?,
            compression,
            spool_limit: u64::from(raw.spool_limit_mib) * 1024 * 1024,
            request_timeout: Duration::from_secs(u64::from(raw.request_timeout_s)),
            max_backoff: Duration::from_secs(u64::from(raw.max_backoff_s)),
            trust,
            collect: CollectorOptions {
                ignore_mounts: raw.collect.ignore_mounts.clone(),
                ignore_ifaces: raw.collect.ignore_interfaces.clone(),
                gpu: raw.collect.gpu,
            },
            local_api,
            nss: nss(&raw.nss)?,
            log_format: raw.log_format,
            log_level: raw.log_level.clone(),
        })
    }
}

fn trust(server: &Url, tls: &RawTls) -> Result<Trust, ConfigError> {
    let bad = |key: &str, reason: String| ConfigError::Invalid { key: key.into(), reason };
    match server.scheme() {
        "https" if tls.server_fingerprint.trim().is_empty() => Ok(Trust::System { tofu: tls.trust_on_first_use }),
        "https" => crate::tls::parse_fingerprint(&tls.server_fingerprint)
            .map(Trust::Pinned)
            .map_err(|e| bad("tls.server_fingerprint", e.to_string())),
        "http" if is_loopback(server) || tls.allow_insecure_http => Ok(Trust::Insecure),
        "http" => Err(bad(
            "server",
            format!(
                "{server} is plain http to an address that is not loopback: use https, or set tls.allow_insecure_http = true (--allow-insecure-http) to send in clear"
            ),
        )),
        other => Err(bad("server", format!("scheme {other:?} is not http or https"))),
    }
}

/// The lowest `nss.uid_min`: below it live the accounts distributions create themselves.
const NSS_UID_FLOOR: u32 = 1000;

fn nss(raw: &RawNss) -> Result<NssOptions, ConfigError> {
    let bad = |key: &str, reason: String| ConfigError::Invalid { key: key.into(), reason };
    if raw.interval_s == 0 || raw.interval_s > 3600 {
        return Err(bad("nss.interval_s", format!("{} is outside 1..=3600", raw.interval_s)));
    }
    if raw.uid_min < NSS_UID_FLOOR {
        return Err(bad(
            "nss.uid_min",
            format!("{} is below {NSS_UID_FLOOR}, where system accounts live", raw.uid_min),
        ));
    }
    if raw.uid_min > raw.uid_max {
        return Err(bad("nss.uid_max", format!("{} is below nss.uid_min ({})", raw.uid_max, raw.uid_min)));
    }
    // 4294967295 is (uid_t)-1, "no id" to chown and setuid; 65534 and the like are caught
    // as collisions with the local files instead.
    if raw.uid_max == u32::MAX {
        return Err(bad("nss.uid_max", format!("{} is (uid_t)-1, not an id", raw.uid_max)));
    }
    if !raw.dir.is_absolute() {
        return Err(bad("nss.dir", format!("{} is not an absolute path", raw.dir.display())));
    }
    Ok(NssOptions {
        enabled: raw.enabled,
        dir: raw.dir.clone(),
        interval: Duration::from_secs(u64::from(raw.interval_s)),
        install: InstallOptions { uid_min: raw.uid_min, uid_max: raw.uid_max, ..InstallOptions::default() },
    })
}

/// Loopback by address or by the name `localhost` (which resolves only to loopback).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `name=value` strings into labels that can join every metric's own without clashing.
fn labels(raw: &[String]) -> Result<Vec<(String, String)>, ConfigError> {
    let bad = |reason: String| ConfigError::Invalid { key: "labels".into(), reason };
    let mut out: Vec<(String, String)> = Vec::new();
    for entry in raw {
        let (k, v) = entry.split_once('=').ok_or_else(|| bad(format!("{entry:?} is not name=value")))?;
        let (k, v) = (k.trim().to_string(), v.trim().to_string());
        if METRICS.iter().any(|m| m.labels.contains(&k.as_str())) {
            return Err(bad(format!("{k:?} is a label the collector sets itself")));
        }
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(bad(format!("{k:?} is given twice")));
        }
        out.push((k, v));
    }
    let most = METRICS.iter().map(|m| m.labels.len()).max().unwrap_or(0);
    if out.len() + most > crate::tsdb::MAX_LABELS {
        let room = crate::tsdb::MAX_LABELS - most;
        return Err(bad(format!(
            "{} labels, at most {room} (series carry at most {})",
            out.len(),
            crate::tsdb::MAX_LABELS
        )));
    }
    // Checked label by label (duplicates and the count are checked above): the engine's
    // `Labels` reports through its error type, which would link the store into the agent.
    if let Some(problem) = out.iter().find_map(|(k, v)| crate::tsdb::label_problem(k, v)) {
        return Err(bad(format!("invalid labels: {problem}")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
