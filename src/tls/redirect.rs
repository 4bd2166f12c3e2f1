//! The plain-HTTP listener that sends every request to the HTTPS one.
//!
//! It answers 308 (not 301) so a POST stays a POST, and builds the target from the Host
//! header alone: `X-Forwarded-*` is ignored, since nothing here is behind a proxy that
//! could be trusted to set it. It must never serve content or touch the store.

use std::net::{Ipv4Addr, Ipv6Addr, TcpListener};

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

/// An actix-web server on `addr` redirecting to `https://<host>:<https_port><path?query>`.
///
/// Bound but not yet polled: the caller awaits (or spawns) it and stops it through
/// `Server::handle()`. OS signals are left to the caller, so one Ctrl-C does not stop the
/// redirect and the HTTPS server independently.
/// It takes a bound listener so the caller knows the address, port 0 included.
pub fn redirect_server(listener: TcpListener, https_port: u16) -> std::io::Result<Server> {
    let server = HttpServer::new(move || {
        App::new().default_service(web::to(move |req: HttpRequest| async move { redirect(&req, https_port) }))
    })
    // One thread is plenty for answering with a header, and keeps the footprint small.
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?;
    Ok(server.run())
}

pub(super) fn redirect(req: &HttpRequest, https_port: u16) -> HttpResponse {
    // HTTP/1.1 requires Host; HTTP/2 and absolute-form requests carry the authority in the URI.
    let authority = match req.headers().get(header::HOST) {
        Some(value) => value.to_str().ok(),
        None => req.uri().authority().map(|a| a.as_str()),
    };
    let Some(host) = authority.and_then(host_of) else {
        return HttpResponse::BadRequest().content_type("text/plain").body("missing or invalid Host header\n");
    };
    // `OPTIONS *` has no path to keep.
    let path = req.uri().path_and_query().map(|pq| pq.as_str()).filter(|p| p.starts_with('/')).unwrap_or("/");
    let location = match https_port {
        443 => format!("https://{host}{path}"),
        port => format!("https://{host}:{port}{path}"),
    };
    HttpResponse::PermanentRedirect().insert_header((header::LOCATION, location)).finish()
}

/// The host part of a Host header (port dropped), if it is a plausible DNS name, IPv4
/// address or bracketed IPv6 address. Anything else could smuggle a different authority
/// or path into the Location header.
pub(super) fn host_of(authority: &str) -> Option<String> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = ip.parse().ok()?;
        return (after.is_empty() || after.strip_prefix(':').is_some_and(is_port)).then(|| format!("[{ip}]"));
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if port.is_some_and(|p| !is_port(p)) {
        return None;
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Some(ip.to_string());
    }
    is_dns_name(host).then(|| host.to_ascii_lowercase())
}

/// Empty is allowed: RFC 3986 permits `host:` with no port.
fn is_port(p: &str) -> bool {
    p.is_empty() || (p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok())
}

/// RFC 1123 labels, plus `_` (seen in real internal names) and one trailing dot.
fn is_dns_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}
