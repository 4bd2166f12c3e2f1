//! `/api/v1/hosts*`: the overview of every host, one host's facts and latest values, its
//! history, approval of pushing machines, and deletion. SSH hosts' own routes share these
//! paths: the route table hands them in as [`Mounts`], so this module need not know the
//! poller.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Host, HostError, HostSummary};
use crate::caller::Caller;
use crate::ctx::Ctx;
use crate::http::Path;
use crate::http::{ApiError, ErrorBody, resource};
use crate::tsdb::{Labels, MetricName, Query, QueryResult, TsdbError};

/// Routes another feature adds on the hosts' paths (SSH hosts: created with `POST /hosts`,
/// changed with `PATCH /hosts/{id}`, tested and re-pinned below them).
#[derive(Default)]
pub struct Mounts {
    /// `POST /hosts`.
    pub create: Option<actix_web::Route>,
    /// `PATCH /hosts/{id}`.
    pub update: Option<actix_web::Route>,
    /// Resources under `/hosts`, mounted before `/{id}` so a fixed segment wins over an id.
    pub resources: Vec<actix_web::Resource>,
}

pub fn configure(cfg: &mut web::ServiceConfig, mounts: Mounts) {
    let mut all = resource("").route(web::get().to(overview));
    if let Some(create) = mounts.create {
        all = all.route(create);
    }
    let mut one = resource("/{id}").route(web::get().to(detail));
    if let Some(update) = mounts.update {
        one = one.route(update);
    }
    let mut scope = web::scope("/hosts").service(all);
    for r in mounts.resources {
        scope = scope.service(r);
    }
    cfg.service(
        scope
            .service(one.route(web::delete().to(delete)))
            .service(resource("/{id}/series").route(web::get().to(series)))
            .service(resource("/{id}/approve").route(web::post().to(approve)))
            .service(resource("/{id}/reject").route(web::post().to(reject))),
    );
}

fn now_ms(ctx: &Ctx) -> i64 {
    (ctx.clock.now().unix_timestamp_nanos() / 1_000_000) as i64
}

/// A host as the overview shows it now.
pub fn summary(ctx: &Ctx, host: Host, latest: &[(std::sync::Arc<crate::tsdb::SeriesKey>, i64, f64)]) -> HostSummary {
    let last_push = ctx.state::<super::LastPush>().get(host.id);
    let poll = (host.kind == super::HostKind::Ssh).then(|| ctx.state::<super::Polls>().get(host.id)).flatten();
    HostSummary::new(host, latest, last_push, poll, now_ms(ctx))
}

/// Every host of your organization with its status and headline values, in one request.
#[utoipa::path(get, path = "/api/v1/hosts", tag = "hosts",
    responses((status = 200, body = Vec<HostSummary>), (status = 401, body = ErrorBody), crate::http::AuthErrors))]
pub async fn overview(ctx: web::Data<Ctx>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let hosts = super::list(&ctx.store, caller.scope.org).await?;
    let out: Vec<HostSummary> = hosts
        .into_iter()
        .map(|h| {
            let latest = ctx.tsdb.latest(h.id);
            summary(&ctx, h, &latest)
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LatestValue {
    pub metric: String,
    #[schema(value_type = std::collections::HashMap<String, String>)]
    pub labels: Labels,
    pub ts: i64,
    pub value: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HostDetail {
    #[serde(flatten)]
    pub summary: HostSummary,
    /// The newest sample of every series, sorted by metric and labels.
    pub latest: Vec<LatestValue>,
}

/// One host: facts, status, and the newest value of each of its series.
#[utoipa::path(get, path = "/api/v1/hosts/{id}", tag = "hosts", params(("id" = u64, Path)),
    responses((status = 200, body = HostDetail), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn detail(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    let host = super::get(&ctx.store, caller.scope.org, *id).await?;
    let mut latest = ctx.tsdb.latest(host.id);
    latest.sort_by(|a, b| a.0.cmp(&b.0));
    let summary = summary(&ctx, host, &latest);
    let latest = latest
        .into_iter()
        .map(|(k, ts, value)| LatestValue { metric: k.metric.to_string(), labels: k.labels.clone(), ts, value })
        .collect();
    Ok(HttpResponse::Ok().json(HostDetail { summary, latest }))
}

/// Delete a host, its machine token and all its samples (admins). The appliance's own host
/// stays. Its machine, pushing again with its ingest key, registers as a new host.
#[utoipa::path(delete, path = "/api/v1/hosts/{id}", tag = "hosts", params(("id" = u64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn delete(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    let host = super::delete(&ctx.store, &caller.scope, *id, ctx.clock.now()).await?;
    ctx.state::<super::LastPush>().forget(host.id);
    ctx.state::<super::Polls>().targets_changed();
    ctx.tsdb.drop_host(host.id).await.map_err(HostError::from)?;
    Ok(HttpResponse::NoContent().finish())
}

/// Let a machine's samples in (admins). It was registered `pending` by its first push with
/// an ingest key; its next push with that key receives its machine token. Idempotent.
#[utoipa::path(post, path = "/api/v1/hosts/{id}/approve", tag = "hosts", params(("id" = u64, Path)),
    responses((status = 200, body = Host), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn approve(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::approve(&ctx.store, &caller.scope, *id, ctx.clock.now()).await?))
}

/// Refuse a machine's samples (admins): its machine token is deleted, so its agent is cut
/// off at once; its key pushes answer 403 `host.rejected`. Approving it later lets it
/// enroll again. Idempotent.
#[utoipa::path(post, path = "/api/v1/hosts/{id}/reject", tag = "hosts", params(("id" = u64, Path)),
    responses((status = 200, body = Host), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn reject(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::reject(&ctx.store, &caller.scope, *id, ctx.clock.now()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SeriesParams {
    /// Metric name, e.g. `cpu.core_pct`.
    #[param(max_length = 128, pattern = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
    pub metric: String,
    /// Only series with these labels: `core=0` or `mount=/,device=sda1`.
    pub labels: Option<String>,
    /// Start: ms since the Unix epoch, RFC 3339, or relative to now (`-1h`, `-30m`, `-7d`).
    /// Default: one hour before `to`.
    pub from: Option<String>,
    /// End (exclusive), in the same forms, or `now` (the default).
    pub to: Option<String>,
    /// Point spacing: ms, or `30s`, `5m`, `1h`, `1d`. Widened so at most 400 points come back;
    /// default: the finest that fits.
    pub step: Option<String>,
}

/// A host's history of one metric: points aligned to the step with avg, min and max.
/// Steps under a minute read raw samples, under an hour 1-minute rollups, else 1-hour ones.
#[utoipa::path(get, path = "/api/v1/hosts/{id}/series", tag = "hosts", params(("id" = u64, Path), SeriesParams),
    responses((status = 200, body = QueryResult), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::QueryErrors, crate::http::PathErrors))]
pub async fn series(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    params: crate::http::Query<SeriesParams>,
) -> Result<HttpResponse, ApiError> {
    let host = super::get(&ctx.store, caller.scope.org, *id).await?;
    let now = now_ms(&ctx);
    let p = params.into_inner();
    let bad =
        |field: &str, v: &str| TsdbError::InvalidQuery(format!("{field} {v:?} is not a time (ms, RFC 3339 or -1h)"));
    let to = p.to.as_deref().map_or(Ok(now), |s| parse_time(s, now).ok_or_else(|| bad("to", s)))?;
    let from = p.from.as_deref().map_or(Ok(to - 3_600_000), |s| parse_time(s, now).ok_or_else(|| bad("from", s)))?;
    let step =
        match p.step.as_deref() {
            None => None,
            Some(s) => Some(parse_duration(s).ok_or_else(|| {
                TsdbError::InvalidQuery(format!("step {s:?} is not a duration (ms, 30s, 5m, 1h, 1d)"))
            })?),
        };
    let labels = parse_labels(p.labels.as_deref().unwrap_or_default())?;
    let q = Query { host: host.id, metric: MetricName::parse(&p.metric)?, labels, from, to, step };
    Ok(HttpResponse::Ok().json(ctx.tsdb.query(q).await?))
}

fn parse_labels(s: &str) -> Result<Labels, TsdbError> {
    let pairs: Result<Vec<(&str, &str)>, TsdbError> = s
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').ok_or_else(|| TsdbError::InvalidLabels(format!("{p:?} is not key=value"))))
        .collect();
    Labels::new(pairs?)
}

/// `now`, ms since the epoch, RFC 3339, or a negative duration relative to now.
pub fn parse_time(s: &str, now: i64) -> Option<i64> {
    let s = s.trim();
    if s == "now" {
        return Some(now);
    }
    if let Some(rel) = s.strip_prefix('-') {
        return parse_duration(rel).map(|d| now - d);
    }
    if let Ok(ms) = s.parse::<i64>() {
        return Some(ms);
    }
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// `1500` (ms), `30s`, `5m`, `2h`, `7d`, `1y`.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok()?;
    let mult = match unit {
        "" | "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        "y" => 365 * 86_400_000,
        _ => return None,
    };
    n.checked_mul(mult).filter(|&d| d > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_durations_parse_in_every_documented_form() {
        assert_eq!(parse_time("now", 5_000), Some(5_000));
        assert_eq!(parse_time("-1h", 7_200_000), Some(3_600_000));
        assert_eq!(parse_time("1700000000000", 0), Some(1_700_000_000_000));
        assert_eq!(parse_time("2023-11-14T22:13:20Z", 0), Some(1_700_000_000_000));
        assert_eq!(parse_time("yesterday", 0), None);
        assert_eq!(parse_duration("5m"), Some(300_000));
        assert_eq!(parse_duration("1500"), Some(1_500));
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("5 minutes"), None);
        assert_eq!(parse_duration("99999999999999999d"), None);
    }

    #[test]
    fn label_filters_parse() {
        assert_eq!(parse_labels("").unwrap(), Labels::default());
        assert_eq!(parse_labels("mount=/,device=sda1").unwrap().get("device"), Some("sda1"));
        assert!(parse_labels("mount").is_err());
    }
}
