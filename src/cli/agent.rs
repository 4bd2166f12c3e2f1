//! `steward-agent` (and its alias `steward agent`): flags and files into an
//! [`AgentConfig`], then the agent until a signal; and the small commands sshd and PAM run
//! for central accounts.
//!
//! The `steward-agent` binary enters through [`run_binary`] and must reach nothing of the
//! appliance (web framework, store, SSH, password hashing): the linker keeps only what is
//! called, and that is what keeps the agent's binary and memory small.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use toml::Value;

use crate::agent::{AgentConfig, config as agent_config, hooks, nss};
use crate::config::{Loaded, LogFormat};

/// The `steward-agent` binary's command line: the same flags and subcommands as
/// `steward agent`.
#[derive(Parser)]
#[command(
    name = "steward-agent",
    version,
    about = "Steward's push agent: collect this machine and push to an appliance",
    args_conflicts_with_subcommands = true
)]
pub struct AgentCli {
    #[command(flatten)]
    pub global: AgentGlobal,
    #[command(flatten)]
    pub args: AgentArgs,
}

/// The options `steward agent` takes from the appliance's global ones.
#[derive(Args, Clone, Default)]
pub struct AgentGlobal {
    /// Agent configuration file (default: STEWARD_AGENT_CONFIG, else /etc/steward/agent.toml
    /// when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log format: text or json.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Log filter, e.g. info or steward=debug.
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,
}

/// `steward-agent ...`: parses its own command line and runs it.
pub fn run_binary() -> anyhow::Result<ExitCode> {
    let cli = AgentCli::parse();
    agent(cli.args, &cli.global)
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AgentArgs {
    #[command(subcommand)]
    pub command: Option<AgentCmd>,
    /// The appliance's base URL, e.g. https://steward.example.com:8443.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Enrollment key (sti_...). Prefer --key-file or STEWARD_AGENT_KEY_FILE: arguments are
    /// visible to every user of the machine.
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// File holding the enrollment key.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Where the machine token, certificate pin and spool live.
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Pin the appliance's certificate by its SHA-256 fingerprint.
    #[arg(long, value_name = "SHA256")]
    pub server_fingerprint: Option<String>,
    /// Allow plain http:// to an address that is not loopback.
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Seconds between two collections.
    #[arg(long, value_name = "SECONDS")]
    pub interval: Option<u32>,
    /// Print the effective configuration with the source of each value (key redacted) and
    /// exit.
    #[arg(long)]
    pub check: bool,
}

#[derive(Subcommand)]
pub enum AgentCmd {
    /// Print the example agent configuration, documenting every key.
    Example,
    /// Print USER's SSH public keys from the central accounts, for sshd:
    /// `AuthorizedKeysCommand /usr/local/bin/steward-agent authorized-keys %u` with
    /// `AuthorizedKeysCommandUser nobody`. Reads no configuration and no network.
    AuthorizedKeys {
        /// The account logging in.
        user: String,
        /// The central accounts' directory.
        #[arg(long, value_name = "DIR", default_value = nss::DEFAULT_DIR)]
        dir: PathBuf,
    },
    /// Change a central account's password on the appliance, for PAM: reads the old
    /// password, NUL, the new password from stdin; exits 0 only when the appliance accepted
    /// the change.
    PasswordHook {
        /// The account whose password changes (pam_exec sets PAM_USER).
        #[arg(long, env = "PAM_USER", value_name = "USER")]
        user: String,
        /// The appliance's base URL, when not from the configuration.
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// Where the agent keeps the machine token.
        #[arg(long, value_name = "DIR")]
        state_dir: Option<PathBuf>,
    },
}

pub fn agent(args: AgentArgs, global: &AgentGlobal) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(AgentCmd::Example) => {
            print!("{}", agent_config::EXAMPLE);
            return Ok(ExitCode::SUCCESS);
        }
        Some(AgentCmd::AuthorizedKeys { user, dir }) => return Ok(authorized_keys(&dir, &user)),
        Some(AgentCmd::PasswordHook { user, server, state_dir }) => {
            return password_hook(&user, server.as_deref(), state_dir.as_deref(), global);
        }
        None => {}
    }
    let loaded = load(&args, global)?;
    if args.check {
        print!("{}", loaded.render());
        return Ok(ExitCode::SUCCESS);
    }
    let config = loaded.config;
    init_logging(config.log_format, &config.log_level);
    crate::agent::run(config).context("running the agent")?;
    Ok(ExitCode::SUCCESS)
}

/// sshd reads stdout only on exit 0; errors go to stderr as one line.
fn authorized_keys(dir: &Path, user: &str) -> ExitCode {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match hooks::authorized_keys(dir, user, &mut out) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("steward: {}", hooks::one_line(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}

/// Fails closed: exit 0 only on the appliance's yes, else one line on stderr (PAM shows it).
fn password_hook(
    user: &str,
    server: Option<&str>,
    state_dir: Option<&Path>,
    global: &AgentGlobal,
) -> anyhow::Result<ExitCode> {
    let text = |s: &str| Value::String(s.to_string());
    let mut cli: Vec<(&str, &str, Value)> = Vec::new();
    if let Some(v) = server {
        cli.push(("server", "--server", text(v)));
    }
    if let Some(v) = state_dir {
        cli.push(("state_dir", "--state-dir", text(&v.display().to_string())));
    }
    let result = AgentConfig::load_without_key(config_file(global).as_deref(), std::env::vars(), cli)
        .context("loading the agent configuration")
        .and_then(|loaded| {
            let stdin = hooks::read_stdin()?;
            let passwords = hooks::parse_passwords(&stdin)?;
            hooks::change_password(&loaded.config, user, &passwords)?;
            Ok(())
        });
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("steward: {}", hooks::one_line(&format!("{e:#}")));
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `--config`, else `STEWARD_AGENT_CONFIG`, else the default file when it exists.
fn config_file(global: &AgentGlobal) -> Option<PathBuf> {
    let env_file = std::env::var_os("STEWARD_AGENT_CONFIG").map(PathBuf::from);
    let default = Path::new(agent_config::DEFAULT_FILE);
    global.config.clone().or(env_file).or_else(|| default.exists().then(|| default.to_path_buf()))
}

fn load(args: &AgentArgs, global: &AgentGlobal) -> anyhow::Result<Loaded<AgentConfig>> {
    let file = config_file(global);
    let text = |s: &str| Value::String(s.to_string());
    let mut cli: Vec<(&str, &str, Value)> = Vec::new();
    if let Some(v) = &args.server {
        cli.push(("server", "--server", text(v)));
    }
    if let Some(v) = &args.key {
        cli.push(("key", "--key", text(v)));
    }
    if let Some(v) = &args.key_file {
        cli.push(("key_file", "--key-file", text(&v.display().to_string())));
    }
    if let Some(v) = &args.state_dir {
        cli.push(("state_dir", "--state-dir", text(&v.display().to_string())));
    }
    if let Some(v) = &args.server_fingerprint {
        cli.push(("tls.server_fingerprint", "--server-fingerprint", text(v)));
    }
    if args.allow_insecure_http {
        cli.push(("tls.allow_insecure_http", "--allow-insecure-http", Value::Boolean(true)));
    }
    if let Some(v) = args.interval {
        cli.push(("interval_s", "--interval", Value::Integer(v.into())));
    }
    if let Some(v) = &global.log_format {
        cli.push(("log_format", "--log-format", text(v)));
    }
    if let Some(v) = &global.log_level {
        cli.push(("log_level", "--log-level", text(v)));
    }
    AgentConfig::load(file.as_deref(), std::env::vars(), cli).context("loading the agent configuration")
}

/// The agent's logging: `target=level` directives ([`Targets`]), checked by the agent's
/// configuration; the appliance's regex-based filter stays out of the agent's binary.
///
/// [`Targets`]: tracing_subscriber::filter::Targets
pub(super) fn init_logging(format: LogFormat, level: &str) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter: tracing_subscriber::filter::Targets =
        level.parse().unwrap_or_else(|_| tracing_subscriber::filter::Targets::new().with_default(tracing::Level::INFO));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => tracing_subscriber::registry().with(fmt.json()).with(filter).try_init(),
        LogFormat::Text => tracing_subscriber::registry().with(fmt).with(filter).try_init(),
    };
}
