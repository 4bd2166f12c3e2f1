//! `/api/v1/ssh-keys*`: list, generate, import, show, download the public half, list the
//! hosts using a key, delete. No route ever answers with a private key.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zeroize::Zeroizing;

use super::{KeyAlgorithm, SshKey};
use crate::caller::Caller;
use crate::ctx::Ctx;
use crate::http::Path;
use crate::http::{ApiError, ErrorBody, Json, resource};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/ssh-keys")
            .service(resource("").route(web::get().to(list)).route(web::post().to(generate)))
            // Before `/{id}`, which would take `import` for an id and answer 405 to a POST.
            .service(resource("/import").route(web::post().to(import)))
            .service(resource("/{id}").route(web::get().to(get)).route(web::delete().to(delete)))
            .service(resource("/{id}/public").route(web::get().to(public)))
            .service(resource("/{id}/hosts").route(web::get().to(hosts))),
    );
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSshKey {
    /// What the key is for, e.g. "web servers" (1-64 characters).
    pub name: String,
    /// `ed25519` (default) or `rsa` (4096 bits, for servers older than OpenSSH 6.5).
    #[serde(default)]
    pub algorithm: KeyAlgorithm,
    /// The comment ending the `authorized_keys` line (at most 255 characters); the name
    /// when left out.
    pub comment: Option<String>,
}

/// A private key to import. Its `Debug` shows neither the key nor the passphrase.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportSshKey {
    /// What the key is for (1-64 characters).
    pub name: String,
    /// The private key file's text: OpenSSH (`-----BEGIN OPENSSH PRIVATE KEY-----`),
    /// encrypted or not, or RSA in PEM PKCS#1 or PKCS#8; at most 16 KiB.
    pub private_key: String,
    /// The passphrase of an encrypted OpenSSH key.
    pub passphrase: Option<String>,
}

impl std::fmt::Debug for ImportSshKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportSshKey").field("name", &self.name).finish_non_exhaustive()
    }
}

/// A host that logs in with a key.
#[derive(Debug, Serialize, ToSchema)]
pub struct HostRef {
    pub id: u64,
    pub name: String,
}

/// The SSH keys of your organization (any member).
#[utoipa::path(get, path = "/api/v1/ssh-keys", tag = "ssh-keys",
    responses((status = 200, body = Vec<SshKey>), (status = 401, body = ErrorBody), crate::http::AuthErrors))]
pub async fn list(ctx: web::Data<Ctx>, caller: Caller) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::list(&ctx.store, &caller.scope).await?))
}

/// Generate a key pair (admins). The private key is sealed in the appliance and never
/// returned; add `public_key` to `~/.ssh/authorized_keys` on the hosts.
#[utoipa::path(post, path = "/api/v1/ssh-keys", tag = "ssh-keys", request_body = NewSshKey,
    responses((status = 201, body = SshKey), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors))]
pub async fn generate(ctx: web::Data<Ctx>, caller: Caller, body: Json<NewSshKey>) -> Result<HttpResponse, ApiError> {
    let NewSshKey { name, algorithm, comment } = body.into_inner();
    let (store, sealer, now) = (&ctx.store, &ctx.sealer, ctx.clock.now());
    let key = super::generate(store, sealer, &caller.scope, &name, algorithm, comment.as_deref(), now).await?;
    Ok(HttpResponse::Created().json(key))
}

/// Import a private key (admins): OpenSSH format (ed25519 or RSA, with its `passphrase`
/// if encrypted) or RSA in PEM (PKCS#1, PKCS#8). It is stored decrypted and sealed, and
/// never returned. Legacy encrypted PEM must be converted first (`ssh-keygen -p -f FILE`).
#[utoipa::path(post, path = "/api/v1/ssh-keys/import", tag = "ssh-keys", request_body = ImportSshKey,
    responses((status = 201, body = SshKey), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody), crate::http::AuthErrors, crate::http::BodyErrors))]
pub async fn import(ctx: web::Data<Ctx>, caller: Caller, body: Json<ImportSshKey>) -> Result<HttpResponse, ApiError> {
    let ImportSshKey { name, private_key, passphrase } = body.into_inner();
    let (private_key, passphrase) = (Zeroizing::new(private_key), passphrase.map(Zeroizing::new));
    let (store, sealer, now) = (&ctx.store, &ctx.sealer, ctx.clock.now());
    let key = super::import(store, sealer, &caller.scope, &name, private_key, passphrase, now).await?;
    Ok(HttpResponse::Created().json(key))
}

/// One SSH key (any member).
#[utoipa::path(get, path = "/api/v1/ssh-keys/{id}", tag = "ssh-keys", params(("id" = u64, Path)),
    responses((status = 200, body = SshKey), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn get(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(super::get(&ctx.store, &caller.scope, *id).await?))
}

/// The key's `authorized_keys` line, as a `NAME.pub` download (any member).
#[utoipa::path(get, path = "/api/v1/ssh-keys/{id}/public", tag = "ssh-keys", params(("id" = u64, Path)),
    responses((status = 200, body = String, content_type = "text/plain"), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn public(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    let key = super::get(&ctx.store, &caller.scope, *id).await?;
    let disposition = format!("attachment; filename=\"{}.pub\"", file_stem(key.name.as_str(), key.id));
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .body(super::service::authorized_keys_line(&key)))
}

/// A file name from a key name: letters, digits, `-`, `_` and inner dots; anything else
/// (quotes, slashes, spaces, non-ASCII) becomes `_`, so the header stays one token.
fn file_stem(name: &str, id: u64) -> String {
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    let safe = safe.trim_matches(|c| c == '.' || c == '_');
    if safe.is_empty() { format!("ssh-key-{id}") } else { safe.to_string() }
}

/// The hosts that log in with the key (any member).
#[utoipa::path(get, path = "/api/v1/ssh-keys/{id}/hosts", tag = "ssh-keys", params(("id" = u64, Path)),
    responses((status = 200, body = Vec<HostRef>), (status = 404, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn hosts(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    let hosts = super::hosts_using(&ctx.store, &caller.scope, *id).await?;
    let hosts: Vec<HostRef> = hosts.into_iter().map(|(id, name)| HostRef { id, name }).collect();
    Ok(HttpResponse::Ok().json(hosts))
}

/// Delete a key and its sealed private half (admins). Refused with 409 `ssh_key.in_use`,
/// naming them, while hosts log in with it.
#[utoipa::path(delete, path = "/api/v1/ssh-keys/{id}", tag = "ssh-keys", params(("id" = u64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), crate::http::AuthErrors, crate::http::PathErrors))]
pub async fn delete(ctx: web::Data<Ctx>, caller: Caller, id: Path<u64>) -> Result<HttpResponse, ApiError> {
    super::delete(&ctx.store, &ctx.sealer, &caller.scope, *id, ctx.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn download_names_are_one_safe_token() {
        assert_eq!(file_stem("deploy", 1), "deploy");
        assert_eq!(file_stem("web servers \"prod\"", 1), "web_servers__prod");
        assert_eq!(file_stem("../../etc/passwd", 2), "etc_passwd");
        assert_eq!(file_stem("clé", 3), "cl");
        assert_eq!(file_stem("....", 4), "ssh-key-4");
        assert_eq!(file_stem("a.b-c_d", 5), "a.b-c_d");
    }
}
