//! The composition root: opens the data directory and store, runs migrations, checks the
//! master key, bootstraps the default organization and first admin, starts background
//! tasks and the HTTP listeners.
//!
//! It wires features together: the schema steps, the users' cascades, the route table
//! ([`routes`]) and the OpenAPI document ([`openapi`]). Features never import it; `cli` and
//! `bench` sit above it (they start it). It must not grow feature logic.

pub mod openapi;
pub mod routes;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web;
use redb::WriteTransaction;
use thiserror::Error;

use crate::auth::{LoginLimiter, session_lifetimes};
use crate::caller::{OrgId, UserId};
use crate::clock::SharedClock;
use crate::config::Config;
use crate::ctx::{Ctx, Opened};
use crate::seal::Sealer;
use crate::store::{Migration, Store, StoreError};
use crate::tsdb::{Limits, Tsdb};
use crate::users::Passwords;
use crate::users::cascade::Cascades;

#[derive(Debug, Error)]
pub enum AppError {
    #[error("creating data directory {path}: {reason}")]
    DataDir { path: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Key(#[from] crate::seal::KeyError),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    #[error("bootstrapping accounts: {0}")]
    User(#[from] crate::users::UserError),
    #[error("bootstrapping organizations: {0}")]
    Org(#[from] crate::orgs::OrgError),
    #[error("listening on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("{0}")]
    Blocking(#[from] crate::blocking::BlockingError),
    #[error("opening the metrics store: {0}")]
    Metrics(#[from] crate::tsdb::TsdbError),
    #[error("registering the appliance's own host: {0}")]
    Host(#[from] crate::hosts::HostError),
}

/// Every schema step, in order. Version 1 creates the core tables, version 2 the metrics
/// ones (time series, hosts, ingest keys), version 3 the machine tokens of enrolled agents
/// (existing hosts read as approved, existing keys as not auto-approving), version 4 the
/// SSH key store (private halves go to the sealed table, which exists since version 1),
/// version 5 central accounts (Unix records, groups, access rules, hosts' sync reports).
pub fn migrations() -> Vec<Migration> {
    vec![
        Migration { version: 1, name: "core tables", apply: core_tables },
        Migration { version: 2, name: "metrics tables", apply: metrics_tables },
        Migration { version: 3, name: "machine token tables", apply: crate::hosts::create_token_tables },
        Migration { version: 4, name: "ssh key table", apply: crate::sshkeys::create_tables },
        Migration { version: 5, name: "central accounts tables", apply: accounts_tables },
    ]
}

/// What other features do, in the same transaction, when an account changes; installed
/// before anything can change one ([`open`], [`context`]).
fn install_user_cascades() {
    crate::users::cascade::install(|| Cascades {
        access_changed: vec![end_other_sessions],
        deleted: vec![end_all_sessions, revoke_tokens, crate::accounts::forget_user],
        name_taken: vec![unix_group_name_taken],
    });
}

fn end_other_sessions(
    txn: &WriteTransaction,
    _: OrgId,
    user: UserId,
    keep: Option<[u8; 32]>,
) -> Result<(), StoreError> {
    crate::auth::end_sessions(txn, user, keep).map(drop)
}

fn end_all_sessions(txn: &WriteTransaction, _: OrgId, user: UserId) -> Result<(), StoreError> {
    crate::auth::end_sessions(txn, user, None).map(drop)
}

fn revoke_tokens(txn: &WriteTransaction, org: OrgId, user: UserId) -> Result<(), StoreError> {
    crate::auth::revoke_user_tokens(txn, org, user).map(drop)
}

fn unix_group_name_taken(txn: &WriteTransaction, name: &str) -> Result<bool, StoreError> {
    crate::accounts::groups::name_taken(txn, name)
}

fn accounts_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    crate::accounts::create_tables(txn)?;
    crate::nss::reports::create_tables(txn)
}

fn metrics_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    crate::tsdb::create_tables(txn)?;
    crate::hosts::create_tables(txn)?;
    crate::ingest::create_tables(txn)
}

fn core_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    crate::orgs::create_tables(txn)?;
    crate::users::create_tables(txn)?;
    crate::auth::create_tables(txn)?;
    crate::audit::create_tables(txn)?;
    crate::seal::create_tables(txn)
}

pub fn ensure_data_dir(dir: &Path) -> Result<(), AppError> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let err = |e: std::io::Error| AppError::DataDir { path: dir.display().to_string(), reason: e.to_string() };
    if !dir.exists() {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(err)?;
    }
    let mode = std::fs::metadata(dir).map_err(err)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(path = %dir.display(), mode = format!("{:o}", mode & 0o777), "data directory is readable by others; tightening to 0700");
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(err)?;
    }
    Ok(())
}

/// Opens the data directory, store and master key. Blocking: run before the server or on
/// the blocking pool.
pub fn open(config: &Config) -> Result<Opened, AppError> {
    install_user_cascades();
    ensure_data_dir(&config.data_dir)?;
    let cache = config.store.cache_mib as usize * 1024 * 1024;
    let store = Store::open(&config.store_path(), cache, &migrations())?;
    let (key, origin) = crate::seal::load_or_create(config.master_key.expose(), &config.data_dir)?;
    let key = crate::seal::reconcile(&store, key, &origin, &config.data_dir)?;
    // Here rather than at serve time, so CLI commands work on a store never served. Only
    // the organization's creation stamp depends on the time, so the wall clock will do.
    let now = time::OffsetDateTime::now_utc();
    let default_org = store.write_sync(|txn| crate::orgs::ensure_default(txn, now))?;
    Ok(Opened { store, sealer: Sealer::new(key), key_origin: origin, default_org })
}

/// Builds the shared context and creates the first admin on an empty store.
/// Returns the initial password file when one was written.
pub async fn context(
    config: Config,
    clock: SharedClock,
    opened: Opened,
    tls: bool,
) -> Result<(Ctx, Option<PathBuf>), AppError> {
    install_user_cascades();
    let (store, limits, tsdb_clock) = (opened.store.clone(), Limits::from_config(&config.metrics), clock.clone());
    let tsdb = crate::blocking::run(move || Tsdb::open(store, limits, tsdb_clock)).await??;
    let ctx = Ctx::new(config, clock, opened, tsdb, tls);
    let now = ctx.clock.now();
    let admin_file = crate::users::bootstrap_admin(
        &ctx.store,
        ctx.default_org,
        ctx.config.auth.initial_admin_password.expose(),
        &ctx.state::<Passwords>().hasher,
        now,
        &ctx.config.data_dir,
    )
    .await?;
    Ok((ctx, admin_file))
}

/// A running appliance: its listeners, its context and its background tasks.
pub struct Appliance {
    pub http: crate::http::Running,
    pub ctx: web::Data<Ctx>,
    pub fingerprint: Option<String>,
    pub admin_password_file: Option<PathBuf>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Appliance {
    /// Opens everything and starts serving. `signals`: let SIGINT/SIGTERM stop it.
    pub async fn start(config: Config, clock: SharedClock, signals: bool) -> Result<Self, AppError> {
        let cfg = config.clone();
        let (opened, tls) = crate::blocking::run(move || -> Result<_, AppError> {
            let opened = open(&cfg)?;
            let tls = crate::tls::server_tls(&cfg.tls, &cfg.data_dir)?;
            Ok((opened, tls))
        })
        .await??;
        let fingerprint = tls.as_ref().map(|t| t.fingerprint.clone());
        let (ctx, admin_password_file) = context(config, clock, opened, tls.is_some()).await?;
        let ctx = web::Data::new(ctx);
        let warm = ctx.clone();
        tokio::spawn(async move { warm.state::<Passwords>().dummy_hash().await.map(drop) });
        let listen = ctx.config.listen;
        let http = crate::http::start(ctx.clone(), routes::configure, tls.map(|t| t.config), signals)
            .map_err(|e| AppError::Listen { addr: listen.to_string(), reason: e.to_string() })?;
        let socket = crate::admin::socket_path(&ctx.config.data_dir);
        let admin = crate::admin::socket::serve(&socket, ctx.clone())
            .map_err(|e| AppError::Listen { addr: socket.display().to_string(), reason: e.to_string() })?;
        let mut tasks = vec![housekeeping(ctx.clone()), admin, metrics_maintenance(ctx.clone())];
        tasks.extend(crate::hosts::local::start(ctx.clone()).await?);
        tasks.push(crate::poll::start(ctx.clone()));
        Ok(Self { http, ctx, fingerprint, admin_password_file, tasks })
    }

    /// Where the HTTP-to-HTTPS redirect listens, when it is on.
    pub fn redirect_addr(&self) -> Option<std::net::SocketAddr> {
        self.http.redirect.as_ref().map(|(addr, _)| *addr)
    }

    pub fn url(&self) -> String {
        let scheme = if self.ctx.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.http.addr)
    }

    /// Waits until the server stops (a signal, or [`Appliance::stop`] elsewhere).
    pub async fn wait(self) -> std::io::Result<()> {
        let result = self.http.task.await.map_err(std::io::Error::other);
        shut(self.tasks, self.ctx).await;
        result?
    }

    /// Stops serving (in-flight requests finish) and closes the store before returning, so
    /// the data directory can be reopened at once.
    pub async fn stop(self) {
        self.http.stop().await;
        shut(self.tasks, self.ctx).await;
    }
}

/// Ends the background tasks and closes the store. Worker threads drop their handles on
/// the context a little after the server reports it stopped; the last handle must go
/// before redb releases its file lock, so wait for it (bounded), then drop it off the
/// executor (closing syncs the file).
async fn shut(tasks: Vec<tokio::task::JoinHandle<()>>, ctx: web::Data<Ctx>) {
    for t in &tasks {
        t.abort();
    }
    let socket = crate::admin::socket_path(&ctx.config.data_dir);
    let _ = crate::blocking::run(move || std::fs::remove_file(socket)).await;
    let ctx = ctx.into_inner();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Arc::strong_count(&ctx) > 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    if Arc::strong_count(&ctx) > 1 {
        tracing::warn!("the store is still referenced after shutdown; it closes when the process exits");
    }
    let _ = crate::blocking::run(move || drop(ctx)).await;
}

/// Seals finished hours into compressed chunks and prunes expired ones, every minute.
fn metrics_maintenance(ctx: web::Data<Ctx>) -> tokio::task::JoinHandle<()> {
    crate::tasks::spawn_periodic("metrics-maintenance", Duration::from_secs(60), Duration::from_secs(600), move || {
        let ctx = ctx.clone();
        async move {
            let m = ctx.tsdb.maintain().await.map_err(|e| e.to_string())?;
            Ok(if m.sealed + m.pruned > 0 {
                format!(
                    "sealed {} windows, dropped {} write-ahead rows, pruned {} chunks",
                    m.sealed, m.wal_rows_dropped, m.pruned
                )
            } else {
                String::new()
            })
        }
    })
}

/// Expired sessions, old audit entries and idle rate-limit buckets, once a minute.
fn housekeeping(ctx: web::Data<Ctx>) -> tokio::task::JoinHandle<()> {
    crate::tasks::spawn_periodic("housekeeping", Duration::from_secs(60), Duration::from_secs(300), move || {
        let ctx = ctx.clone();
        async move {
            ctx.state::<LoginLimiter>().shrink();
            let now = ctx.clock.now();
            let life = session_lifetimes(&ctx.config);
            let sessions = ctx
                .store
                .write(move |txn| crate::auth::purge_expired(txn, now, life, 10_000))
                .await
                .map_err(|e| format!("purging sessions: {e}"))?;
            let store = ctx.store.clone();
            let days = ctx.config.audit.retention_days;
            let pruned = crate::blocking::run(move || crate::audit::prune(&store, now, days))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("pruning audit: {e}"))?;
            Ok(if sessions + pruned > 0 {
                format!("purged {sessions} sessions, pruned {pruned} audit entries")
            } else {
                String::new()
            })
        }
    })
}
