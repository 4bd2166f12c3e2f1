//! Background tasks: each one named, periodic, bounded in time per run, and supervised (a
//! run that fails or panics is logged and the next run happens anyway).

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;

/// Runs `job` every `every`, each run cut off after `limit`. Returns the supervisor's
/// handle; aborting it stops the task.
pub fn spawn_periodic<F, Fut>(name: &'static str, every: Duration, limit: Duration, job: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<String, String>> + Send + 'static,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // A run lives in its own task so a panic is contained and reported, not fatal.
            let run = tokio::spawn(tokio::time::timeout(limit, job()));
            match run.await {
                Ok(Ok(Ok(summary))) if !summary.is_empty() => tracing::info!(task = name, "{summary}"),
                Ok(Ok(Ok(_))) => {}
                Ok(Ok(Err(e))) => tracing::warn!(task = name, error = %e, "background task failed"),
                Ok(Err(_)) => tracing::warn!(task = name, limit_s = limit.as_secs(), "background task timed out"),
                Err(e) => tracing::error!(task = name, error = %e, "background task panicked"),
            }
        }
    })
}
