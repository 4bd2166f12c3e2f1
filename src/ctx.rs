//! The shared context every handler, service and task can reach ([`Ctx`]), and the store
//! and key as opened before it exists ([`Opened`]).
//!
//! A leaf above the shared layers: it imports only `config`, `store`, `seal`, `clock`,
//! `tsdb`, `caller` (the ids), `changes` and `shutdown`, never a feature, so every feature can take a
//! `Ctx` without the context knowing the features.
//!
//! Feature-owned runtime state (the login rate limiter, the password hasher, when each host
//! last pushed, what the SSH poller reports, ...) lives in a typed map instead of named
//! fields: a feature declares a type, implements [`FeatureState`] for it, and reaches it as
//! `ctx.state::<T>()`. The first call creates it (`T::init`, from the configuration), later
//! calls share the same `Arc<T>`. So a new feature adds state without touching this file,
//! and only code that may name the feature can reach its state. Generic primitives that
//! several features write (the accounts change counter) stay plain fields.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::caller::OrgId;
use crate::changes::Changes;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::seal::{KeyOrigin, Sealer};
use crate::shutdown::Shutdown;
use crate::store::Store;
use crate::tsdb::Tsdb;

/// What every handler and service can reach.
#[derive(Debug)]
pub struct Ctx {
    pub config: Arc<Config>,
    pub store: Store,
    pub sealer: Sealer,
    pub key_origin: KeyOrigin,
    pub clock: SharedClock,
    pub default_org: OrgId,
    pub started: Instant,
    pub tls: bool,
    pub tsdb: Tsdb,
    /// Bumped after changes to users, accounts or hosts: wakes hosts waiting for new
    /// account files.
    pub accounts_changed: Changes,
    /// Fired when the appliance stops: long polls and live streams end on it.
    pub shutdown: Shutdown,
    states: States,
}

/// Runtime state a feature keeps for the life of the appliance, reached through
/// [`Ctx::state`].
pub trait FeatureState: Any + Send + Sync + Sized {
    /// Builds the state the first time it is asked for. It may read the configuration and
    /// other features' state, never block.
    fn init(ctx: &Ctx) -> Self;
}

impl Ctx {
    pub fn new(config: Config, clock: SharedClock, opened: Opened, tsdb: Tsdb, tls: bool) -> Self {
        Self {
            config: Arc::new(config),
            store: opened.store,
            sealer: opened.sealer,
            key_origin: opened.key_origin,
            clock,
            default_org: opened.default_org,
            started: Instant::now(),
            tls,
            tsdb,
            accounts_changed: Changes::default(),
            shutdown: Shutdown::default(),
            states: States::default(),
        }
    }

    /// `__Host-` under TLS: the browser then refuses it without Secure, a Path of / and a
    /// Domain, so a sibling subdomain cannot plant one.
    pub fn cookie_name(&self) -> &'static str {
        if self.tls { "__Host-steward_session" } else { "steward_session" }
    }

    /// A feature's state, created on first use. The map's lock is not held while `init`
    /// runs (it may ask for other state); if two threads race, the first stored wins and
    /// both get it.
    pub fn state<T: FeatureState>(&self) -> Arc<T> {
        if let Some(found) = self.states.get::<T>() {
            return found;
        }
        self.states.insert(Arc::new(T::init(self)))
    }
}

type AnyState = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct States(Mutex<HashMap<TypeId, AnyState>>);

impl std::fmt::Debug for States {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("States")
    }
}

impl States {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<TypeId, AnyState>> {
        // A panic elsewhere while holding the lock leaves the map itself intact.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get<T: FeatureState>(&self) -> Option<Arc<T>> {
        self.map().get(&TypeId::of::<T>()).cloned().and_then(|s| s.downcast::<T>().ok())
    }

    /// Stores `fresh` unless another thread stored one first; returns the one stored.
    fn insert<T: FeatureState>(&self, fresh: Arc<T>) -> Arc<T> {
        let mut map = self.map();
        let slot = map.entry(TypeId::of::<T>()).or_insert_with(|| fresh.clone());
        // Entries are keyed by their own type, so the downcast holds; were it ever not to,
        // the fresh state replaces the entry rather than failing the caller.
        match slot.clone().downcast::<T>() {
            Ok(stored) => stored,
            Err(_) => {
                *slot = fresh.clone();
                fresh
            }
        }
    }
}

/// The store and key, opened and checked. Blocking.
pub struct Opened {
    pub store: Store,
    pub sealer: Sealer,
    pub key_origin: KeyOrigin,
    pub default_org: OrgId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Counter(u32);

    impl FeatureState for Counter {
        fn init(_: &Ctx) -> Self {
            Counter(0)
        }
    }

    #[test]
    fn the_first_state_stored_is_the_one_everyone_shares() {
        let states = States::default();
        assert!(states.get::<Counter>().is_none());
        let first = states.insert(Arc::new(Counter(1)));
        // A racer that built its own loses to the one already stored.
        let second = states.insert(Arc::new(Counter(2)));
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(states.get::<Counter>().as_deref(), Some(&Counter(1)));
    }
}
