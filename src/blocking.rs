//! The one door from async code to blocking work (redb transactions, bcrypt, later ssh2).
//!
//! Owns nothing but the hop onto tokio's blocking pool; it must not grow policy of its own.

use thiserror::Error;

/// The blocking task died before it could answer (it panicked or the runtime is shutting down).
#[derive(Debug, Error)]
#[error("blocking task failed: {0}")]
pub struct BlockingError(String);

/// Runs `f` on the blocking pool and waits for it without holding up the executor.
pub async fn run<F, T>(f: F) -> Result<T, BlockingError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await.map_err(|e| BlockingError(e.to_string()))
}
