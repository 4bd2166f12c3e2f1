//! `POST /api/v1/ingest/metrics` and `/api/v1/ingest-keys*`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::IngestError;
use super::body::{self, Batch, IngestBatch};
use super::enroll::{self, Admitted, TokenPush};
use super::keys::{self, CreatedKey, IngestKey, KeyPatch};
use crate::caller::Caller;
use crate::ctx::Ctx;
use crate::hosts::HostState;
use crate::http::Path;
use crate::http::{ApiError, ErrorBody, Json, resource};
use crate::tsdb::Appended;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/ingest/metrics").route(web::post().to(ingest))).service(
        web::scope("/ingest-keys")
            .service(resource("").route(web::get().to(list)).route(web::post().to(create)))
            .service(resource("/{id}").route(web::patch().to(update)).route(web::delete().to(delete))),
    );
}

/// Bodies above this (or compressed ones) are parsed on the blocking pool rather than the
/// executor.
const PARSE_INLINE_BYTES: usize = 64 * 1024;

#[derive(Debug, Serialize, ToSchema)]
pub struct IngestAnswer {
    pub host_id: u64,
    /// Always `approved`: other hosts' batches are refused.
    pub state: HostState,
    /// A new machine token (`stm_...`), shown this once: the answer to a push with an ingest
    /// key. Push with it from then on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The appliance's clock (ms since the Unix epoch), to detect clock skew.
    pub server_time_ms: i64,
    #[serde(flatten)]
    pub appended: Appended,
}

/// What a push presents in `X-API-Key`.
enum Credential {
    Key(IngestKey),
    /// Boxed: a host record is large next to a key.
    Token(Box<TokenPush>),
}

/// Push samples (machines, with `X-API-Key`). Answers 202 only once the samples are
/// durable; a batch resent with the same `ingest_id` is stored once. Bodies may be gzip or
/// zstd (`Content-Encoding`).
///
/// Enrollment: an unknown machine pushing with an ingest key is registered by its
/// fingerprint, `pending` (403 `host.pending`) until an admin approves it, or `approved` at
/// once when the key auto-approves. An approved machine's key push is stored and answered
/// with a machine token (`token`, `stm_...`) to push with from then on; once that token was
/// used, key pushes for the machine answer 403 `ingest.token_required`.
#[utoipa::path(post, path = "/api/v1/ingest/metrics", tag = "ingest", request_body = IngestBatch,
    params(("X-API-Key" = String, Header, description = "an ingest key (sti_...) to enroll, then the machine token (stm_...)")),
    responses((status = 202, body = IngestAnswer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ingest(ctx: web::Data<Ctx>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, ApiError> {
    // The key or token is settled before a byte of the body is read.
    let value = req.headers().get("x-api-key").and_then(|v| v.to_str().ok()).ok_or(IngestError::KeyRequired)?;
    let credential = credential(&ctx, value.trim().to_string()).await?;
    let encoding = check_headers(&req)?;
    let limit = ctx.config.metrics.ingest_body_limit_kib as usize * 1024;
    let bytes = read_body(&req, payload.into_inner(), limit).await?;
    let now = ctx.clock.now();
    let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    let max = ctx.config.metrics.max_samples_per_batch as usize;
    let inline = encoding == Encoding::Identity && bytes.len() <= PARSE_INLINE_BYTES;
    let work = move || decompress(bytes, encoding, limit).and_then(|b| body::parse(&b, now_ms, max));
    let batch = if inline {
        work()?
    } else {
        crate::blocking::run(work).await.map_err(crate::tsdb::TsdbError::from).map_err(IngestError::from)??
    };
    let Admitted { host, token } = match credential {
        Credential::Key(key) => enroll::admit_key(&ctx, &key, &batch, &req, now).await?,
        Credential::Token(push) => enroll::admit_token(&ctx, *push, &batch.machine, now).await?,
    };
    let Batch { ingest_id, facts, samples, .. } = batch;
    let appended = ctx.tsdb.append(host.id, ingest_id, samples).await.map_err(IngestError::from)?;
    let server_time_ms = (ctx.clock.now().unix_timestamp_nanos() / 1_000_000) as i64;
    ctx.state::<crate::hosts::LastPush>().record(host.id, server_time_ms);
    if let Some(facts) = facts.filter(|f| host.facts.as_ref() != Some(f)) {
        crate::hosts::update_facts(&ctx.store, host.org, host.id, facts).await.map_err(IngestError::from)?;
    }
    let answer = IngestAnswer { host_id: host.id, state: host.state, token, server_time_ms, appended };
    Ok(HttpResponse::Accepted().json(answer))
}

/// An active ingest key, or a machine token whose host may push.
async fn credential(ctx: &Ctx, value: String) -> Result<Credential, IngestError> {
    if value.starts_with(crate::hosts::tokens::PREFIX) {
        return Ok(Credential::Token(Box::new(enroll::resolve_token(ctx, value).await?)));
    }
    let key = ctx.store.read(move |txn| keys::resolve(txn, &value)).await?.ok_or(IngestError::InvalidKey)?;
    if !key.active {
        return Err(IngestError::KeyInactive);
    }
    Ok(Credential::Key(key))
}

fn check_headers(req: &HttpRequest) -> Result<Encoding, IngestError> {
    if !crate::http::is_json(req) {
        return Err(IngestError::UnsupportedMediaType);
    }
    let Some(enc) = req.headers().get(header::CONTENT_ENCODING) else { return Ok(Encoding::Identity) };
    let enc = enc.to_str().unwrap_or("?").trim().to_ascii_lowercase();
    match enc.as_str() {
        "identity" => Ok(Encoding::Identity),
        "gzip" | "x-gzip" => Ok(Encoding::Gzip),
        "zstd" => Ok(Encoding::Zstd),
        _ => Err(IngestError::UnsupportedEncoding(enc.chars().take(32).collect())),
    }
}

/// Reads the body as sent, refusing it once it passes `limit` bytes; [`decompress`] then
/// bounds the decompressed size the same way.
async fn read_body(
    req: &HttpRequest,
    mut payload: actix_web::dev::Payload,
    limit: usize,
) -> Result<web::Bytes, IngestError> {
    let too_large = || IngestError::TooLarge { limit_kib: limit / 1024 };
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut buf = web::BytesMut::with_capacity(declared.unwrap_or(8 * 1024).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| IngestError::Payload(e.to_string()))?;
        if buf.len() + chunk.len() > limit {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Identity,
    Gzip,
    Zstd,
}

/// The decompressed body, never more than `limit` bytes in memory however much the input
/// claims to expand (a few KiB of zstd can stand for gigabytes).
fn decompress(bytes: web::Bytes, encoding: Encoding, limit: usize) -> Result<web::Bytes, IngestError> {
    use std::io::Read;
    let bad = |e: std::io::Error| IngestError::Payload(format!("decompressing the body: {e}"));
    let mut out = Vec::with_capacity((bytes.len() * 4).min(limit + 1));
    match encoding {
        Encoding::Identity => return Ok(bytes),
        Encoding::Gzip => {
            flate2::read::GzDecoder::new(&bytes[..]).take(limit as u64 + 1).read_to_end(&mut out).map_err(bad)?
        }
        Encoding::Zstd => {
            let mut d = zstd::stream::read::Decoder::with_buffer(&bytes[..]).map_err(bad)?;
            // A frame header may ask for a window of up to 2 GiB; 8 MiB is plenty for
            // bodies of a few MiB and bounds what the decoder allocates.
            d.window_log_max(23).map_err(bad)?;
            d.take(limit as u64 + 1).read_to_end(&mut out).map_err(bad)?
        }
    };
    if out.len() > limit {
        return Err(IngestError::TooLarge { limit_kib: limit / 1024 });
    }
    Ok(out.into())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// What the key is for, e.g. "web servers" (1-64 characters).
    pub name: String,
    /// Machines enrolled with it start approved instead of pending (default false).
    #[serde(default)]
    pub auto_approve: bool,
}

/// Ingest keys of your organization (admins).
#[utoipa::path(get, path = "/api/v1/ingest-keys", tag = "ingest",
    responses((status = 200, body = Vec<IngestKey>), (status = 403, body = ErrorBody), crate::http::AuthErrors))]
pub async fn list(ctx: web::Data<Ctx>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(keys::list(&ctx.store, &caller.scope).await?))
}

/// Create an ingest key (admins). Its value is returned once, as `key`.
#[utoipa::path(post, path = "/api/v1/ingest-keys", tag = "ingest", request_body = NewKey,
    responses((status = 201, body = CreatedKey), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors))]
pub async fn create(ctx: web::Data<Ctx>, caller: Caller, body: Json<NewKey>) -> Result<HttpResponse, ApiError> {
    let created = keys::create(&ctx.store, &caller.scope, &body.name, body.auto_approve, ctx.clock.now()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Rename, deactivate or reactivate an ingest key, or change whether it auto-approves the
/// machines it enrolls (admins). Deactivating it also stops the machine tokens of every
/// machine it enrolled.
#[utoipa::path(patch, path = "/api/v1/ingest-keys/{id}", tag = "ingest", params(("id" = u64, Path)), request_body = KeyPatch,
    responses((status = 200, body = IngestKey), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors, crate::http::PathErrors))]
pub async fn update(
    ctx: web::Data<Ctx>,
    caller: Caller,
    id: Path<u64>,
    body: Json<KeyPatch>,
) -> Result<HttpResponse, ApiError> {
    let key = keys::update(&ctx.store, &caller.scope, *id, body.into_inner(), ctx.clock.now()).await?;
    Ok(HttpResponse::Ok().json(key))
}

/// Delete an ingest key (admins). Machines using it, and the machine tokens of every machine
/// it enrolled, are refused from then on.
#[utoipa::path(delete, path = "/api/v1/ingest-keys/{id}", tag = "ingest", params(("id" = u64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn delete(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    keys::delete(&ctx.store, &caller.scope, *id, ctx.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}
