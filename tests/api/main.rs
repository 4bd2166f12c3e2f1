//! Integration tests of the whole appliance: the real server in-process on port 0 with a
//! temporary data directory and a manual clock, driven over HTTP; plus the configuration
//! loader, sealed secrets and the audit chain on the stopped store, and the binary's CLI.

// The whole binary is tests: its helpers, like the tests themselves (clippy.toml), unwrap
// and expect, and a failed expectation is the report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod accounts;
mod agent;
mod audit;
mod auth;
mod bad_input;
mod cascades;
mod cli;
mod config;
mod contract;
mod crash;
mod cross_org;
mod csrf;
mod enroll;
mod history;
mod host_accounts;
mod ingest;
mod ingest_limits;
mod live;
mod matrix;
mod roles;
mod secrets;
mod sessions;
mod shutdown;
mod ssh;
mod ssh_keys;
mod sshd;
mod tls;
mod tokens;
mod web;
