//! Configuration: one typed [`Config`], built from compiled defaults < TOML file <
//! `STEWARD_*` environment < CLI flags, validated once and passed explicitly.
//!
//! The compiled defaults *are* `config/steward.example.toml`: it documents every key and
//! doubles as the schema, so an undocumented key cannot exist. This module must not read
//! the process environment itself; callers hand it in, so tests stay hermetic.

mod layers;

pub use layers::{APPLIANCE, ConfigError, Loaded, Schema, Source, load, load_with};

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

/// The example file, compiled in: defaults, schema and documentation in one.
pub const EXAMPLE: &str = include_str!("../../config/steward.example.toml");

/// Keys whose values are secrets: redacted when printed, and settable as `KEY_file`.
pub const SECRET_KEYS: &[&str] = &["master_key", "auth.initial_admin_password"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub log_format: LogFormat,
    pub log_level: String,
    pub master_key: Secret,
    pub store: StoreConfig,
    pub http: HttpConfig,
    pub tls: TlsConfig,
    pub auth: AuthConfig,
    pub audit: AuditConfig,
    pub metrics: MetricsConfig,
    pub ssh: SshConfig,
    pub accounts: AccountsConfig,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    pub cache_mib: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    pub body_limit_kib: u32,
    pub workers: u16,
    pub shutdown_grace_s: u32,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    Off,
    Auto,
    Files,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    pub mode: TlsMode,
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    pub hostnames: Vec<String>,
    pub redirect_listen: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub bcrypt_cost: u32,
    pub session_idle_minutes: u32,
    pub session_absolute_hours: u32,
    pub lockout_threshold: u32,
    pub lockout_window_minutes: u32,
    pub lockout_minutes: u32,
    pub login_rate_per_minute: u32,
    pub initial_admin_password: Secret,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    pub retention_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    pub collect_interval_s: u32,
    pub collect_gpu: bool,
    pub raw_retention_days: u32,
    pub minute_retention_days: u32,
    pub hour_retention_days: u32,
    pub max_future_s: u32,
    pub seal_grace_s: u32,
    pub ingest_body_limit_kib: u32,
    pub max_samples_per_batch: u32,
    pub max_series_per_host: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshConfig {
    pub threads: u16,
    pub connect_timeout_s: u32,
    pub poll_timeout_s: u32,
    pub backoff_max_s: u32,
    pub max_output_kib: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountsConfig {
    pub uid_min: u32,
    pub uid_max: u32,
    pub shells: Vec<String>,
}

impl AccountsConfig {
    /// The shell of a new account.
    pub fn default_shell(&self) -> &str {
        self.shells.first().map_or("/bin/sh", String::as_str)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, reason: String| Err(ConfigError::Invalid { key: key.into(), reason });
        // Below 1000 are the hosts' own system and first human accounts; above 2^31 some
        // tools misread ids as negative.
        if self.uid_min < 1000 || self.uid_max > i32::MAX as u32 || self.uid_min > self.uid_max {
            let (min, max) = (self.uid_min, self.uid_max);
            return bad("accounts.uid_min", format!("{min}-{max} is not a range within 1000-{}", i32::MAX));
        }
        if self.shells.is_empty() {
            return bad("accounts.shells", "must name at least one shell".into());
        }
        if let Some(s) = self.shells.iter().find(|s| !s.starts_with('/') || s.contains([':', '\n', ' '])) {
            return bad("accounts.shells", format!("{s:?} is not an absolute path without ':' or spaces"));
        }
        Ok(())
    }
}

/// A configured secret: never printed, never logged.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "<redacted>" })
    }
}

impl Config {
    /// The compiled defaults alone.
    pub fn defaults() -> Result<Self, ConfigError> {
        Ok(load(None, std::iter::empty(), Vec::new())?.config)
    }

    pub fn store_path(&self) -> PathBuf {
        self.data_dir.join("steward.redb")
    }

    pub fn redirect_listen(&self) -> Result<Option<SocketAddr>, ConfigError> {
        if self.tls.redirect_listen.is_empty() {
            return Ok(None);
        }
        self.tls.redirect_listen.parse().map(Some).map_err(|_| ConfigError::Invalid {
            key: "tls.redirect_listen".into(),
            reason: format!("{:?} is not an address like 0.0.0.0:80", self.tls.redirect_listen),
        })
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, reason: String| Err(ConfigError::Invalid { key: key.into(), reason });
        if !(4..=31).contains(&self.auth.bcrypt_cost) {
            return bad("auth.bcrypt_cost", format!("{} is outside bcrypt's range 4..=31", self.auth.bcrypt_cost));
        }
        if self.store.cache_mib == 0 {
            return bad("store.cache_mib", "must be at least 1".into());
        }
        if self.http.body_limit_kib == 0 {
            return bad("http.body_limit_kib", "must be at least 1".into());
        }
        let positive = [
            ("auth.session_idle_minutes", self.auth.session_idle_minutes),
            ("auth.session_absolute_hours", self.auth.session_absolute_hours),
            ("auth.lockout_threshold", self.auth.lockout_threshold),
            ("auth.lockout_window_minutes", self.auth.lockout_window_minutes),
            ("auth.login_rate_per_minute", self.auth.login_rate_per_minute),
            ("audit.retention_days", self.audit.retention_days),
            ("metrics.raw_retention_days", self.metrics.raw_retention_days),
            ("metrics.minute_retention_days", self.metrics.minute_retention_days),
            ("metrics.hour_retention_days", self.metrics.hour_retention_days),
            ("metrics.ingest_body_limit_kib", self.metrics.ingest_body_limit_kib),
            ("metrics.max_samples_per_batch", self.metrics.max_samples_per_batch),
            ("metrics.max_series_per_host", self.metrics.max_series_per_host),
            ("ssh.threads", u32::from(self.ssh.threads)),
            ("ssh.connect_timeout_s", self.ssh.connect_timeout_s),
            ("ssh.poll_timeout_s", self.ssh.poll_timeout_s),
            ("ssh.backoff_max_s", self.ssh.backoff_max_s),
            ("ssh.max_output_kib", self.ssh.max_output_kib),
        ];
        if let Some((key, _)) = positive.iter().find(|(_, v)| *v == 0) {
            return bad(key, "must be at least 1".into());
        }
        if self.tls.mode == TlsMode::Files {
            if self.tls.cert_file.as_os_str().is_empty() {
                return bad("tls.cert_file", "is required when tls.mode = \"files\"".into());
            }
            if self.tls.key_file.as_os_str().is_empty() {
                return bad("tls.key_file", "is required when tls.mode = \"files\"".into());
            }
        }
        if !self.master_key.is_empty() {
            crate::seal::MasterKey::from_hex(self.master_key.expose())
                .map_err(|e| ConfigError::Invalid { key: "master_key".into(), reason: e.to_string() })?;
        }
        self.redirect_listen()?;
        self.accounts.validate()?;
        tracing_subscriber::EnvFilter::try_new(&self.log_level).map_err(|e| ConfigError::Invalid {
            key: "log_level".into(),
            reason: format!("{:?}: {e}", self.log_level),
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
