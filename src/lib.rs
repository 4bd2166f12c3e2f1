//! Steward: a self-hosted server-monitoring appliance in one binary.
//!
//! Map of the crate (features own their tables, service functions, routes and errors;
//! `store` and `http` are the only shared layers):
//!
//! - [`admin`]: the local administration commands and the socket the CLI reaches a running appliance through.
//! - [`cli`]: command-line parsing and the commands; the only place `anyhow` lives.
//! - [`config`]: defaults < TOML < `STEWARD_*` env < flags, validated into one [`config::Config`].
//! - [`app`]: the composition root: opens the store, runs migrations, bootstraps, starts tasks.
//! - [`store`]: the redb file, schema version and migrations, the async-safe transaction wrapper.
//! - [`blocking`]: the one wrapper that moves blocking work off the async executor.
//! - [`clock`]: time as a parameter.
//! - [`shutdown`]: the signal that ends long polls and live streams when the appliance stops.
//! - [`seal`]: the master key and sealed secrets (XChaCha20-Poly1305), key rotation.
//! - [`orgs`]: organizations, roles and the [`orgs::Scope`] every service function takes.
//! - [`users`]: accounts, password policy and hashing.
//! - [`accounts`]: central accounts: users' Unix side (uid, shell, SSH keys), Unix groups, access rules.
//! - [`nss`]: the NSS files and SSH keys each host receives, and password changes coming back from hosts.
//! - [`auth`]: login, sessions, CSRF, personal API tokens, lockout and rate limits.
//! - [`audit`]: the hash-chained audit trail, its queries, verification and retention.
//! - [`tls`]: certificates (self-signed or files), rustls server config, fingerprints.
//! - [`http`]: app assembly, error mapping, middleware, health/status, OpenAPI and docs.
//! - [`tasks`]: named, supervised background tasks.
//! - [`collect`]: the local collector (this host's metrics and facts), shared with the agent.
//! - [`tsdb`]: the time-series engine: group-committed ingest, head, compressed chunks, rollups, queries.
//! - [`hosts`]: monitored machines, their facts and status, overview and history routes.
//! - [`ingest`]: the push endpoint and its ingest keys.
//! - [`live`]: WebSocket streams of committed samples and host status.
//! - [`poll`]: agentless SSH monitoring: SSH host settings, the poll script and parsers, the poller pool, `test-ssh`.
//! - [`sshkeys`]: the SSH key store: generated or imported keys, sealed, their public halves and users.
//! - [`agent`]: the push agent (`steward agent`): collection, spool, pinned transport, enrollment, local API.
//! - [`bench`]: `steward bench`, the performance figures measured on a temporary in-process appliance.

pub mod accounts;
pub mod admin;
pub mod agent;
pub mod app;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod blocking;
pub mod caller;
pub mod changes;
pub mod cli;
pub mod clock;
pub mod collect;
pub mod config;
pub mod ctx;
pub mod hosts;
pub mod http;
pub mod ingest;
pub mod live;
pub mod nss;
pub mod orgs;
pub mod poll;
pub mod seal;
pub mod shutdown;
pub mod sshkeys;
pub mod store;
pub mod system;
pub mod tasks;
pub mod tls;
pub mod tsdb;
pub mod users;
