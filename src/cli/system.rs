//! `serve`, `healthcheck`, `audit`, `keys` and `config` commands.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Subcommand;

use super::{Global, block_on};
use crate::config::{Config, TlsMode};

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Walk the hash chain; report the first altered or missing entry (exit 1 if any).
    Verify,
}

#[derive(Subcommand)]
pub enum KeysCmd {
    /// Generate a new master key and re-seal every secret under it, in one transaction.
    Rotate {
        /// Where to write the new key when the current one comes from the configuration.
        #[arg(long, value_name = "PATH")]
        new_key_file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum ConfigCmd {
    /// Print the example configuration, documenting every key.
    Example,
    /// Print the effective configuration with the source of each value (secrets redacted).
    Check,
}

pub fn serve(config: Config) -> anyhow::Result<ExitCode> {
    actix_web::rt::System::new().block_on(async move {
        let clock = Arc::new(crate::clock::SystemClock);
        let appliance = crate::app::Appliance::start(config, clock, true).await.context("starting the appliance")?;
        println!("Steward is listening on {}", appliance.url());
        if let Some(fp) = &appliance.fingerprint {
            println!("TLS certificate SHA-256 fingerprint: {fp}");
        }
        if let Some(file) = &appliance.admin_password_file {
            println!("First login: user `admin`, password in {}", file.display());
        }
        tracing::info!(url = %appliance.url(), "serving");
        // Code only start-up or a rare request ran goes back to the kernel every minute;
        // see `crate::trim`.
        let _trim = crate::tasks::spawn_periodic("trim", Duration::from_secs(60), Duration::from_secs(10), || async {
            crate::trim::give_back().await;
            Ok(String::new())
        });
        appliance.wait().await.context("serving")?;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

pub fn healthcheck(config: Config, url: Option<String>, timeout: u64) -> anyhow::Result<ExitCode> {
    let tls = config.tls.mode != TlsMode::Off;
    let base = url.unwrap_or_else(|| {
        let mut addr = config.listen;
        if addr.ip().is_unspecified() {
            addr.set_ip(if addr.is_ipv4() { [127, 0, 0, 1].into() } else { std::net::Ipv6Addr::LOCALHOST.into() });
        }
        format!("{}://{addr}", if tls { "https" } else { "http" })
    });
    let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(timeout));
    if base.starts_with("https://") {
        // Pin our own certificate: a self-signed appliance has no CA to vouch for it.
        if let Some(pin) = crate::tls::served_fingerprint(&config.tls, &config.data_dir)? {
            builder = builder.tls_backend_preconfigured(crate::tls::pinned_client_config(pin)?);
        }
    }
    let client = builder.build().context("building HTTP client")?;
    let url = format!("{}/api/v1/health", base.trim_end_matches('/'));
    let answer = block_on(async { client.get(&url).send().await })?;
    match answer {
        Ok(r) if r.status().is_success() => Ok(ExitCode::SUCCESS),
        Ok(r) => bail!("{url} answered {}", r.status()),
        Err(e) => match crate::tls::certificate_changed(&e) {
            Some(changed) => bail!("{url}: {changed}"),
            None => bail!("{url} did not answer: {e}"),
        },
    }
}

pub fn audit(cmd: AuditCmd, config: Config) -> anyhow::Result<ExitCode> {
    let AuditCmd::Verify = cmd;
    super::manage::run(&config, crate::admin::Command::AuditVerify)
}

pub fn keys(cmd: KeysCmd, config: Config) -> anyhow::Result<ExitCode> {
    let KeysCmd::Rotate { new_key_file } = cmd;
    super::manage::run(&config, crate::admin::Command::KeysRotate { new_key_file })
}

pub fn config(cmd: ConfigCmd, global: &Global) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCmd::Example => print!("{}", crate::config::EXAMPLE),
        ConfigCmd::Check => {
            let loaded = super::load_config(global, None)?;
            print!("{}", loaded.render());
        }
    }
    Ok(ExitCode::SUCCESS)
}
