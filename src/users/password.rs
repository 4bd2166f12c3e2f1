//! Password policy and bcrypt hashing. Hashing and verifying cost ~66-280 ms of CPU, so
//! they only ever run on the blocking pool.

use std::sync::Arc;

use tokio::sync::Semaphore;
use zeroize::Zeroizing;

use super::UserError;

const COMMON: &str = include_str!("common-passwords.txt");
pub const MIN_CHARS: usize = 12;
/// bcrypt ignores everything past 72 bytes; refusing longer input beats silently truncating.
pub const MAX_BYTES: usize = 72;

/// A password that passed the policy for a given user.
pub struct Password(Zeroizing<String>);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    /// Checks the policy: at least 12 characters, at most 72 bytes, not the username, not
    /// one of the 10,000 most common passwords.
    pub fn new(candidate: &str, username: &str) -> Result<Self, UserError> {
        if candidate.chars().count() < MIN_CHARS {
            return Err(UserError::PasswordTooShort);
        }
        if candidate.len() > MAX_BYTES {
            return Err(UserError::PasswordTooLong(candidate.len()));
        }
        let lower = candidate.to_lowercase();
        if lower == username.to_lowercase() {
            return Err(UserError::PasswordIsUsername);
        }
        if COMMON.lines().any(|l| l == lower) {
            return Err(UserError::PasswordTooCommon);
        }
        Ok(Self(Zeroizing::new(candidate.to_string())))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A random password of `len` characters from an unambiguous alphabet.
pub fn generate(len: usize) -> Result<Zeroizing<String>, UserError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = Zeroizing::new(String::with_capacity(len));
    let mut byte = [0u8; 1];
    while out.len() < len {
        getrandom::fill(&mut byte).map_err(|_| UserError::Random)?;
        // Rejection sampling keeps every character equally likely.
        if (byte[0] as usize) < 256 - 256 % ALPHABET.len() {
            out.push(ALPHABET[byte[0] as usize % ALPHABET.len()] as char);
        }
    }
    Ok(out)
}

/// bcrypt, bounded: at most a few hashes run at once (half the cores, at least one), so a
/// burst of logins queues for the hasher instead of taking every core from the threads
/// that serve requests. Each hash runs on the blocking pool.
#[derive(Clone, Debug)]
pub struct Hasher {
    cost: u32,
    permits: Arc<Semaphore>,
}

impl Hasher {
    pub fn new(cost: u32) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self { cost, permits: Arc::new(Semaphore::new((cores / 2).max(1))) }
    }

    pub async fn hash(&self, password: &Password) -> Result<String, UserError> {
        let secret = password.0.clone();
        let cost = self.cost;
        self.run(move || bcrypt::hash(secret.as_bytes(), cost).map_err(|e| UserError::Hash(e.to_string()))).await?
    }

    /// A malformed stored hash counts as a mismatch.
    pub async fn verify(&self, candidate: &str, hash: String) -> Result<bool, UserError> {
        let secret = Zeroizing::new(candidate.to_string());
        self.run(move || bcrypt::verify(secret.as_bytes(), &hash).unwrap_or(false)).await
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, UserError> {
        let _permit = self.permits.acquire().await.map_err(|e| UserError::Hash(e.to_string()))?;
        crate::blocking::run(work).await.map_err(|e| UserError::Hash(e.to_string()))
    }
}

/// The appliance's hasher and the hash a login of an unknown name verifies against, so
/// timing reveals nothing: users' state in the context (`ctx.state::<Passwords>()`).
#[derive(Debug)]
pub struct Passwords {
    pub hasher: Hasher,
    /// Computed in the background at start rather than delaying it.
    dummy: tokio::sync::OnceCell<String>,
}

impl crate::ctx::FeatureState for Passwords {
    fn init(ctx: &crate::ctx::Ctx) -> Self {
        Self { hasher: Hasher::new(ctx.config.auth.bcrypt_cost), dummy: tokio::sync::OnceCell::new() }
    }
}

impl Passwords {
    pub async fn dummy_hash(&self) -> Result<String, UserError> {
        self.dummy
            .get_or_try_init(|| async {
                let p = Password::new("steward-timing-equalizer", "-")?;
                self.hasher.hash(&p).await
            })
            .await
            .cloned()
    }
}
