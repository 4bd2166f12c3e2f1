//! The command line: parsing, configuration assembly, and the commands. The only module
//! where `anyhow` is used; everything it calls returns typed errors.
//!
//! Output is quiet and scriptable: results on stdout, errors on stderr, non-zero exit.

mod access;
mod agent;
mod manage;
mod system;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Loaded};

#[derive(Parser)]
#[command(name = "steward", version, about = "Self-hosted server monitoring with central accounts on every host")]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct Global {
    /// TOML configuration file.
    #[arg(long, global = true, env = "STEWARD_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (store, master key, certificates).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Log filter, e.g. info or steward=debug.
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the appliance.
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 or 0.0.0.0:8443.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Manage user accounts.
    #[command(subcommand)]
    User(manage::UserCmd),
    /// Manage organizations.
    #[command(subcommand)]
    Org(manage::OrgCmd),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(manage::TokenCmd),
    /// Manage the ingest keys machines push samples with.
    #[command(subcommand, name = "ingest-key")]
    IngestKey(manage::IngestKeyCmd),
    /// List hosts, and approve or reject machines enrolled with an ingest key.
    #[command(subcommand)]
    Hosts(manage::HostsCmd),
    /// Who may log in on which hosts (central accounts).
    #[command(subcommand)]
    Access(access::AccessCmd),
    /// The appliance host's own account files.
    #[command(subcommand)]
    Nss(access::NssCmd),
    /// Audit trail tools.
    #[command(subcommand)]
    Audit(system::AuditCmd),
    /// Master key tools.
    #[command(subcommand)]
    Keys(system::KeysCmd),
    /// Show or check the configuration.
    #[command(subcommand, name = "config")]
    Config(system::ConfigCmd),
    /// Exit 0 when the appliance answers on its health endpoint.
    Healthcheck {
        /// Base URL; default: derived from the configuration.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// Seconds to wait for an answer.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
    /// Run the push agent: collect this machine and push to an appliance (the same as the
    /// `steward-agent` binary, which machines that only run the agent install instead).
    Agent(agent::AgentArgs),
    /// Measure ingest, storage, query and overview performance on a temporary appliance.
    Bench(crate::bench::BenchArgs),
    /// Print the version.
    Version,
}

/// The `steward-agent` binary: the agent's commands only.
pub fn run_agent() -> anyhow::Result<ExitCode> {
    agent::run_binary()
}

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let listen = match &cli.command {
        Command::Serve { listen } => listen.clone(),
        _ => None,
    };
    match cli.command {
        Command::Version => {
            println!("steward {}", env!("CARGO_PKG_VERSION"));
            Ok(ExitCode::SUCCESS)
        }
        Command::Config(cmd) => system::config(cmd, &cli.global),
        Command::Bench(args) => crate::bench::run(args, cli.global.log_level.as_deref()),
        Command::Agent(args) => {
            let global = agent::AgentGlobal {
                config: cli.global.config.clone(),
                log_format: cli.global.log_format.clone(),
                log_level: cli.global.log_level.clone(),
            };
            agent::agent(args, &global)
        }
        command => {
            let loaded = load_config(&cli.global, listen.as_deref())?;
            init_logging(&loaded.config);
            dispatch(command, loaded)
        }
    }
}

fn dispatch(command: Command, loaded: Loaded) -> anyhow::Result<ExitCode> {
    let config = loaded.config;
    match command {
        Command::Serve { .. } => system::serve(config),
        Command::User(cmd) => manage::user(cmd, config),
        Command::Org(cmd) => manage::org(cmd, config),
        Command::Token(cmd) => manage::token(cmd, config),
        Command::IngestKey(cmd) => manage::ingest_key(cmd, config),
        Command::Hosts(cmd) => manage::hosts(cmd, config),
        Command::Access(cmd) => access::access(cmd, config),
        Command::Nss(cmd) => access::nss(cmd, config),
        Command::Audit(cmd) => system::audit(cmd, config),
        Command::Keys(cmd) => system::keys(cmd, config),
        Command::Healthcheck { url, timeout } => system::healthcheck(config, url, timeout),
        Command::Bench(_) | Command::Agent(_) => Ok(ExitCode::SUCCESS),
        Command::Version | Command::Config(_) => Ok(ExitCode::SUCCESS),
    }
}

/// Defaults < file < environment < flags.
pub fn load_config(global: &Global, listen: Option<&str>) -> anyhow::Result<Loaded> {
    let mut cli: Vec<(&str, &str, toml::Value)> = Vec::new();
    if let Some(d) = &global.data_dir {
        cli.push(("data_dir", "--data-dir", toml::Value::String(d.display().to_string())));
    }
    if let Some(l) = listen {
        cli.push(("listen", "--listen", toml::Value::String(l.to_string())));
    }
    if let Some(f) = &global.log_format {
        cli.push(("log_format", "--log-format", toml::Value::String(f.clone())));
    }
    if let Some(l) = &global.log_level {
        cli.push(("log_level", "--log-level", toml::Value::String(l.clone())));
    }
    crate::config::load(global.config.as_deref(), std::env::vars(), cli).context("loading configuration")
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match config.log_format {
        crate::config::LogFormat::Json => builder.json().try_init(),
        crate::config::LogFormat::Text => builder.try_init(),
    };
}

/// CLI commands drive async service functions on a small runtime of their own.
fn block_on<F: std::future::Future>(f: F) -> anyhow::Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting runtime")?;
    Ok(rt.block_on(f))
}
