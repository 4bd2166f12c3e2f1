//! The appliance's own host: registered at start, collected every interval in-process with
//! the shared collector, stored like any other host's samples.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web;

use super::HostError;
use crate::collect::{Collection, Collector, CollectorOptions};
use crate::ctx::Ctx;
use crate::tsdb::{Labels, MetricName, Sample, SeriesKey};

/// Facts are re-read this often (every N collections) and stored when they changed.
const FACTS_EVERY: u64 = 120;

/// Registers the local host and starts its collection task; `None` when turned off.
pub async fn start(ctx: web::Data<Ctx>) -> Result<Option<tokio::task::JoinHandle<()>>, HostError> {
    let interval = ctx.config.metrics.collect_interval_s;
    if interval == 0 {
        return Ok(None);
    }
    let options = CollectorOptions { gpu: ctx.config.metrics.collect_gpu, ..CollectorOptions::default() };
    let (store, org, now) = (ctx.store.clone(), ctx.default_org, ctx.clock.now());
    let (collector, host) = crate::blocking::run(move || {
        let mut collector = Collector::new(options);
        let facts = collector.facts();
        super::ensure_local(&store, org, facts, interval, now).map(|h| (collector, h))
    })
    .await
    .map_err(crate::tsdb::TsdbError::from)??;
    tracing::info!(host = host.id, name = %host.name, interval_s = interval, "collecting the appliance's own host");
    let collector = Arc::new(Mutex::new(collector));
    let cycles = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let every = Duration::from_secs(interval.into());
    Ok(Some(crate::tasks::spawn_periodic("collect-local", every, every, move || {
        let (ctx, collector, cycles) = (ctx.clone(), collector.clone(), cycles.clone());
        async move {
            let n = cycles.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let now_ms = (ctx.clock.now().unix_timestamp_nanos() / 1_000_000) as i64;
            let (collection, facts) = crate::blocking::run(move || {
                let mut c = collector.lock().unwrap_or_else(|p| p.into_inner());
                let collection = c.collect(now_ms);
                let facts = (n % FACTS_EVERY == FACTS_EVERY - 1).then(|| c.facts());
                (collection, facts)
            })
            .await
            .map_err(|e| e.to_string())?;
            if let Some(facts) = facts {
                super::update_facts(&ctx.store, org, host.id, facts).await.map_err(|e| e.to_string())?;
            }
            ctx.tsdb
                .append(host.id, None, to_samples(&collection))
                .await
                .map_err(|e| format!("storing local samples: {e}"))?;
            Ok(String::new())
        }
    })))
}

/// Readings as samples. Names and label keys come from the collector's schema table, so
/// a failure here is a schema bug: it is logged and the reading skipped, never fatal.
pub fn to_samples(c: &Collection) -> Vec<Sample> {
    c.readings
        .iter()
        .filter_map(|r| {
            let key = MetricName::parse(r.name)
                .and_then(|m| Ok(SeriesKey::new(m, Labels::new(r.labels.iter().map(|(k, v)| (*k, v.as_str())))?)));
            match key {
                Ok(key) => Some(Sample { key, ts: c.ts_ms, value: r.value }),
                Err(e) => {
                    tracing::warn!(metric = r.name, error = %e, "collector reading skipped");
                    None
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_reading_of_this_machine_becomes_a_sample() {
        let mut c = crate::collect::Collector::new(crate::collect::CollectorOptions::default());
        let collection = c.collect(1_000);
        let samples = super::to_samples(&collection);
        assert_eq!(samples.len(), collection.readings.len());
        assert!(samples.iter().any(|s| s.key.metric.as_str() == "cpu.usage_pct"));
    }
}
