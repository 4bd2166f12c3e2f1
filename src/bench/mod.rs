//! `steward bench`: the figures the metrics engine is judged by, measured on the real
//! appliance started in-process on a temporary data directory:
//!
//! - `ingest`: durable samples per second through `POST /api/v1/ingest/metrics`;
//! - `storage`: bytes per sample on disk after a simulated week of one host is sealed;
//! - `query`: latency of a day and a month of history over `GET /api/v1/hosts/{id}/series`;
//! - `overview`: latency of `GET /api/v1/hosts` with 1,000 hosts;
//! - `nss`: rendering one host's account files for 100,000 users;
//! - `shutdown`: SIGTERM to exit of `steward serve` while an agent long-polls;
//! - `footprint` (not part of `all`): memory and CPU per cycle of the `steward-agent`
//!   binary, next to Debian's `prometheus-node-exporter`, over real minutes;
//! - `budgets` (not part of `all`): binary sizes and the agent's memory against the limits
//!   CI holds the release build to; the one phase that judges (non-zero exit on a breach);
//! - `ssh` (not part of `all`): hundreds of SSH hosts on local sshd instances polled for
//!   real minutes: missed polls, CPU per poll, memory per session.
//!
//! Owns the temporary directory, the simulated workloads and the report (results on stdout,
//! progress on stderr). Everything measured goes through the HTTP API, except storage,
//! which appends through the engine because its figure is about bytes, not speed; service
//! functions are called only to set up (keys, tokens, hosts). It must not change how the
//! appliance behaves, and apart from `budgets` it judges nothing: figures depend on the
//! machine, so nothing here asserts a timing. Everything it writes, including what the
//! agents it starts write, stays in its temporary directory.

mod budgets;
mod footprint;
mod ingest;
mod nss;
mod query;
mod report;
mod shutdown;
mod ssh;
pub mod sshd;
mod storage;
mod workload;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use toml::Value;

use crate::auth::NewToken;
use crate::caller::{Actor, Role, Scope};
use crate::config::Config;
use crate::ctx::Ctx;
use crate::users::{DisplayName, NewUser, Username};

/// `steward bench [PHASE] [--seconds N] [--clients N] [--dir DIR]`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// What to measure; `query` builds the storage phase's week of history first.
    #[arg(value_enum, default_value_t = Phase::All)]
    pub phase: Phase,
    /// How long the ingest clients send, in seconds.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub seconds: u64,
    /// Concurrent ingest clients (1-10). Each sends for whole machines, so the samples of
    /// every series arrive in order, as they would from real agents.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub clients: usize,
    /// Where to create the temporary data directory (default: the system's temporary
    /// directory; --config and --data-dir are not used). Put it on the disk you want
    /// measured: ingest waits for fsync.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Footprint and ssh: collection cycles measured (after warm-up).
    #[arg(long, default_value_t = 24, value_name = "N")]
    pub cycles: u32,
    /// Footprint and ssh: seconds between two cycles (the agent's default is 5).
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    pub interval: u32,
    /// Footprint: the node exporter measured alongside (skipped when missing).
    #[arg(long, default_value = "/usr/bin/prometheus-node-exporter", value_name = "PATH")]
    pub node_exporter: PathBuf,
    /// Footprint and budgets: the agent binary (default: `steward-agent` next to this one).
    #[arg(long, value_name = "PATH")]
    pub agent: Option<PathBuf>,
    /// Ssh: SSH hosts polled (50 per local sshd instance).
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub hosts: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Phase {
    Ingest,
    Storage,
    Query,
    Overview,
    Nss,
    Shutdown,
    /// Not part of `all`: it runs for minutes of real time.
    Footprint,
    /// Not part of `all`: it runs for minutes of real time and needs /usr/sbin/sshd.
    Ssh,
    /// Not part of `all`: binary sizes and the agent's memory against CI's limits; fails on
    /// a breach. Run it from a release build.
    Budgets,
    All,
}

/// Runs the chosen phases and prints one result line each (details indented below it).
/// The user's configuration is ignored: every appliance gets a fresh temporary directory.
pub fn run(args: BenchArgs, log_level: Option<&str>) -> anyhow::Result<ExitCode> {
    if !(1..=ingest::MACHINES).contains(&args.clients) {
        bail!("--clients must be between 1 and {}: each client sends for whole machines", ingest::MACHINES);
    }
    if args.seconds == 0 {
        bail!("--seconds must be at least 1");
    }
    if args.cycles == 0 || args.interval == 0 || args.hosts == 0 {
        bail!("--cycles, --interval and --hosts must be at least 1");
    }
    init_logging(log_level);
    let scratch = Scratch::create(args.dir.as_deref())?;
    actix_web::rt::System::new().block_on(phases(&args, &scratch))?;
    Ok(ExitCode::SUCCESS)
}

async fn phases(args: &BenchArgs, scratch: &Scratch) -> anyhow::Result<()> {
    let wants = |p: Phase| args.phase == p || args.phase == Phase::All;
    if wants(Phase::Ingest) {
        let dir = scratch.sub("ingest");
        print(&ingest::run(&dir, args.clients, args.seconds).await?);
        // Ingest leaves hundreds of MiB of write-ahead rows behind; free them now.
        let _ = std::fs::remove_dir_all(&dir);
    }
    if wants(Phase::Storage) || wants(Phase::Query) {
        let history = storage::build(&scratch.sub("history")).await?;
        if wants(Phase::Storage) {
            print(&history.report.lines());
        }
        if wants(Phase::Query) {
            print(&query::history(&history).await?);
        }
    }
    if wants(Phase::Overview) {
        print(&query::overview(&scratch.sub("overview")).await?);
    }
    if wants(Phase::Nss) {
        print(&nss::run());
    }
    if wants(Phase::Shutdown) {
        print(&shutdown::run(&scratch.sub("shutdown")).await?);
    }
    if args.phase == Phase::Footprint {
        let agent = footprint::find_agent(args.agent.as_deref())?;
        let setup = footprint::Setup {
            dir: &scratch.sub("footprint"),
            agent: &agent,
            cycles: args.cycles,
            interval_s: args.interval,
            node_exporter: &args.node_exporter,
        };
        print(&footprint::run(&setup).await?);
    }
    if args.phase == Phase::Budgets {
        let agent = footprint::find_agent(args.agent.as_deref())?;
        print(&budgets::run(&scratch.sub("budgets"), &agent).await?);
    }
    if args.phase == Phase::Ssh {
        print(&ssh::run(&scratch.sub("ssh"), args.hosts, args.cycles, args.interval).await?);
    }
    Ok(())
}

fn print(lines: &[String]) {
    for line in lines {
        println!("{line}");
    }
}

/// Logging is the bench's own: quiet (warnings) unless `--log-level` says otherwise, so
/// the appliances it starts do not bury the progress bars.
fn init_logging(level: Option<&str>) {
    let filter = tracing_subscriber::EnvFilter::try_new(level.unwrap_or("warn")).unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// The temporary directory every phase works under; removed when dropped, also on error.
struct Scratch(PathBuf);

impl Scratch {
    fn create(parent: Option<&Path>) -> anyhow::Result<Self> {
        use std::os::unix::fs::DirBuilderExt;
        let parent = parent.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let path = parent.join(format!("steward-bench-{}-{nanos:09}", std::process::id()));
        // 0700 as the appliance wants its data directory; `create` fails if it exists.
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&path)
            .with_context(|| format!("creating the temporary directory {}", path.display()))?;
        Ok(Self(path))
    }

    fn sub(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The configuration `steward serve` would build, from the compiled defaults and these
/// overrides: port 0, a cheap bcrypt cost (logins are not measured), no local collector
/// (its samples would mix into the figures).
fn config(data_dir: &Path, extra: &[(&str, Value)]) -> anyhow::Result<Config> {
    let mut cli: Vec<(&str, &str, Value)> = vec![
        ("data_dir", "--bench", Value::String(data_dir.display().to_string())),
        ("listen", "--bench", Value::String("127.0.0.1:0".into())),
        ("auth.bcrypt_cost", "--bench", Value::Integer(4)),
        ("metrics.collect_interval_s", "--bench", Value::Integer(0)),
        ("http.shutdown_grace_s", "--bench", Value::Integer(1)),
        ("log_level", "--bench", Value::String("error".into())),
    ];
    cli.extend(extra.iter().map(|(k, v)| (*k, "--bench", v.clone())));
    let loaded =
        crate::config::load(None, std::iter::empty::<(String, String)>(), cli).context("bench configuration")?;
    Ok(loaded.config)
}

/// An admin account and a personal API token for it, made through the service functions
/// (no login ceremony): the requests measured then authenticate like a script would.
async fn api_token(ctx: &Ctx) -> anyhow::Result<String> {
    let now = ctx.clock.now();
    let new = NewUser {
        username: Username::try_from("bench".to_string())?,
        email: None,
        display_name: DisplayName::default(),
        role: Role::Admin,
        password: "bench-Only-secret-7f3a91c2".into(),
        must_change_password: false,
    };
    let hasher = ctx.state::<crate::users::Passwords>().hasher.clone();
    let user = crate::users::create(&ctx.store, &Scope::system(ctx.default_org), new, &hasher, now).await?;
    let actor = Actor { user_id: Some(user.id.0), name: user.username, ip: None, user_agent: None };
    let scope = Scope { org: ctx.default_org, role: Role::Admin, actor };
    let new = NewToken { name: "bench".into(), role: None, expires_in_days: None };
    Ok(crate::auth::create_token(&ctx.store, &scope, new, None, now).await?.value)
}

fn http_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder().no_proxy().build().context("building the HTTP client")
}

/// A progress bar on stderr; hidden when stderr is not a terminal. `len: None` counts up.
fn progress(prefix: &str, len: Option<u64>, unit: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    let template = match len {
        Some(_) => format!("{{prefix:9}} {{bar:30}} {{pos}}/{{len}} {unit} {{elapsed}}"),
        None => format!("{{prefix:9}} {{spinner}} {{human_pos}} {unit} {{elapsed}}"),
    };
    bar.set_style(ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar.set_prefix(prefix.to_string());
    bar
}

/// Milliseconds since the Unix epoch, the engine's unit of time.
fn ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn at_ms(ms: i64) -> anyhow::Result<time::OffsetDateTime> {
    Ok(time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)?)
}
