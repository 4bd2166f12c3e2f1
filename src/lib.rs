//! Steward: a self-hosted server-monitoring appliance in one binary.
//!
//! Map of the crate, bottom layer first. A module imports only modules listed above it
//! (`python3 ../shared/tools/cycles.py src` finds no import cycle); a lower feature
//! reaches a higher one only through what the composition root hands it.
//!
//! Shared layers (no domain knowledge):
//! - [`blocking`]: the one wrapper that moves blocking work off the async executor.
//! - [`clock`]: time as a parameter.
//! - [`shutdown`]: the signal that ends long polls and live streams when the appliance stops.
//! - [`store`]: the redb file, schema version and migrations, the async-safe transaction wrapper.
//! - [`seal`]: the master key and sealed secrets (XChaCha20-Poly1305), key rotation.
//! - [`config`]: defaults < TOML < `STEWARD_*` env < flags, validated into one [`config::Config`].
//! - [`tls`]: certificates (self-signed or files), rustls server config, fingerprints.
//! - [`tasks`]: named, supervised background tasks.
//! - [`trim`]: handing the code pages only start-up used back to the kernel.
//! - [`collect`]: the local collector (this host's metrics and facts), shared with the agent.
//! - [`tsdb`]: the time-series engine: group-committed ingest, head, compressed chunks, rollups, queries.
//! - [`changes`]: a change counter writers bump and waiters watch.
//! - [`caller`]: identity: organization and user ids, roles, the [`caller::Scope`] every
//!   service function takes, the audit actor, and the request extractor types.
//!
//! The context and HTTP plumbing:
//! - [`ctx`]: the [`ctx::Ctx`] every handler and task gets, with a typed map of feature state.
//! - [`http`]: listeners, middleware, [`http::ApiError`] and the shared layers' error
//!   mappings, the JSON extractor, the embedded web UI.
//!
//! Features (each owns its tables, service functions, routes, OpenAPI paths, error type and
//! its HTTP mapping), lowest first:
//! - [`audit`]: the hash-chained audit trail, its queries, verification and retention.
//! - [`orgs`]: organizations and their names.
//! - [`users`]: accounts, password policy and hashing; the hooks other features run when
//!   an account changes ([`users::cascade`]).
//! - [`auth`]: login, sessions, CSRF, personal API tokens, lockout and rate limits.
//! - [`hosts`]: monitored machines, their facts and status, SSH settings, overview and history routes.
//! - [`sshkeys`]: the SSH key store: generated or imported keys, sealed, their public halves and users.
//! - [`poll`]: agentless SSH monitoring: the poll script and parsers, the poller pool, `test-ssh`.
//! - [`ingest`]: the push endpoint and its ingest keys.
//! - [`accounts`]: central accounts: users' Unix side (uid, shell, SSH keys), Unix groups, access rules.
//! - [`nss`]: the NSS files and SSH keys each host receives, and password changes coming back from hosts.
//! - [`live`]: WebSocket streams of committed samples and host status.
//! - [`system`]: liveness and status.
//!
//! Above the features:
//! - [`agent`]: the push agent (`steward agent`): collection, spool, pinned transport, enrollment, local API.
//! - [`admin`]: the local administration commands and the socket the CLI reaches a running appliance through.
//! - [`app`]: the composition root: opens the store, runs migrations, installs the users'
//!   hooks, bootstraps, starts tasks; the route table and the OpenAPI document.
//! - [`bench`]: `steward bench`, the performance figures measured on a temporary in-process appliance.
//! - [`cli`]: command-line parsing and the commands; the only place `anyhow` lives.

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
pub mod trim;
pub mod tsdb;
pub mod users;
