//! Talking to the appliance: one HTTP client trusting exactly what the configuration says
//! (system roots, a pinned certificate, or plain HTTP where allowed), one push, and what its
//! answer means for the batch. Trust on first use lives here: an untrusted certificate is
//! noted without sending anything, pinned, and from then on nothing else is accepted.
//!
//! The account calls share that client: the bundle (a long poll), the install status, and
//! a password change for the PAM hook. Clones share the connection and its trust, so a pin
//! taken on first use by a push holds for every caller.
//!
//! It must not touch the spool or decide on retries; [`Outcome`] says what happened.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE, IF_NONE_MATCH, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};

use super::AgentError;
use super::batch::Framed;
use super::config::{AgentConfig, Trust};
use super::state::State;

/// What the agent authenticates with.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// The enrollment key, until a machine token is issued.
    Key(&'a str),
    Token(&'a str),
}

/// The 202 answer, as far as the agent cares.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Answer {
    pub host_id: u64,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub duplicate: bool,
    #[serde(default)]
    pub dropped_too_new: u32,
    #[serde(default)]
    pub dropped_too_old: u32,
    #[serde(default)]
    pub server_time_ms: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
}

/// What one push came to.
#[derive(Debug)]
pub enum Outcome {
    /// Stored (or already stored: a duplicate `ingest_id`).
    Accepted(Answer),
    /// The machine token is unknown (host deleted or rejected): enroll again with the key.
    InvalidToken,
    /// The appliance refuses this machine for now (pending, rejected, key revoked...): keep
    /// the batch and try later.
    Refused { code: String, message: String },
    /// The batch itself can never be stored (malformed, too large): drop it.
    Unacceptable { status: u16, code: String, message: String },
    /// No usable answer (unreachable, timeout, 5xx, garbage): keep the batch, retry.
    Retry { reason: String, after: Option<Duration> },
    /// The pinned certificate was not the one presented.
    CertificateChanged(String),
}

/// What asking for the account bundle came to.
#[derive(Debug)]
pub enum BundleAnswer {
    /// A bundle, not yet checked in any way.
    Bundle(Vec<u8>),
    /// Still the version asked about.
    NotModified,
    /// No bundle: the token is unknown, the appliance refuses, or no usable answer.
    Failed(Outcome),
}

/// The outcome of an install, as `POST /api/v1/agent/nss/status` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NssStatus {
    /// The bundle's version, empty when none could be read.
    pub version: String,
    pub ok: bool,
    pub error: Option<String>,
}

/// Why a password change did not happen; the hook prints it and refuses the change.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The appliance's own message (wrong password, too short, rate limited...).
    #[error("{message}")]
    Refused { status: u16, code: String, message: String },
    #[error("the appliance cannot be reached: {0}")]
    Unreachable(String),
}

#[derive(Clone)]
pub struct Transport {
    /// Shared by clones; replaced whole when a certificate is pinned on first use.
    conn: Arc<Mutex<Conn>>,
    urls: Arc<Urls>,
    timeout: Duration,
    state: State,
}

#[derive(Clone)]
struct Conn {
    client: reqwest::Client,
    trust: Trust,
}

struct Urls {
    ingest: Url,
    nss: Url,
    nss_status: Url,
    password: Url,
}

impl Transport {
    /// A client for `config`; a pin stored on first use earlier wins over the system roots.
    pub fn new(config: &AgentConfig, state: State, stored_pin: Option<[u8; 32]>) -> Result<Self, AgentError> {
        let mut trust = config.trust;
        if let Trust::System { tofu: true } = trust
            && let Some(pin) = stored_pin
        {
            trust = Trust::Pinned(pin);
        }
        let url = |path: &str| config.server.join(path).map_err(|e| AgentError::Url(e.to_string()));
        let urls = Urls {
            ingest: url("api/v1/ingest/metrics")?,
            nss: url("api/v1/agent/nss")?,
            nss_status: url("api/v1/agent/nss/status")?,
            password: url("api/v1/agent/password")?,
        };
        let client = client(trust, config.request_timeout)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(Conn { client, trust })),
            urls: Arc::new(urls),
            timeout: config.request_timeout,
            state,
        })
    }

    fn conn(&self) -> Conn {
        self.conn.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn trust(&self) -> Trust {
        self.conn().trust
    }

    /// Sends one framed batch and reads what the appliance made of it.
    pub async fn push(&mut self, batch: &Framed, credential: Credential<'_>) -> Outcome {
        let outcome = self.push_once(batch, credential).await;
        match outcome {
            Err(e) if matches!(self.trust(), Trust::System { tofu: true }) && crate::tls::certificate_untrusted(&e) => {
                match self.pin_on_first_use().await {
                    Ok(()) => self.push_once(batch, credential).await.unwrap_or_else(|e| failed(&e, self.timeout)),
                    Err(e) => Outcome::Retry { reason: e.to_string(), after: None },
                }
            }
            Err(e) => failed(&e, self.timeout),
            Ok(outcome) => outcome,
        }
    }

    async fn push_once(&self, batch: &Framed, credential: Credential<'_>) -> Result<Outcome, reqwest::Error> {
        let Some((encoding, body)) = batch.parts() else {
            return Ok(Outcome::Unacceptable {
                status: 0,
                code: "agent.damaged".into(),
                message: "damaged frame".into(),
            });
        };
        let value = match credential {
            Credential::Key(v) | Credential::Token(v) => v,
        };
        let mut req = self.conn().client.post(self.urls.ingest.clone()).header(CONTENT_TYPE, "application/json");
        if let Some(encoding) = encoding {
            req = req.header(CONTENT_ENCODING, encoding);
        }
        let (status, retry_after, bytes) = read(req.header("x-api-key", value).body(body.to_vec())).await?;
        Ok(classify(status, &bytes, retry_after))
    }

    /// Asks for the account bundle. With `version`, the appliance answers 304 while it is
    /// still that one, holding the request up to `wait` for a change (the long poll), so
    /// this request's time limit is `wait` plus the usual one.
    pub async fn get_bundle(&self, token: &str, version: Option<&str>, wait: Duration) -> BundleAnswer {
        let mut url = self.urls.nss.clone();
        if !wait.is_zero() {
            url.set_query(Some(&format!("wait={}", wait.as_secs().clamp(1, 120))));
        }
        let limit = wait + self.timeout;
        let mut req = self.conn().client.get(url).header("x-api-key", token).timeout(limit);
        if let Some(version) = version {
            req = req.header(IF_NONE_MATCH, format!("\"{version}\""));
        }
        match read(req).await {
            Err(e) => BundleAnswer::Failed(failed(&e, limit)),
            Ok((StatusCode::OK, _, bytes)) => BundleAnswer::Bundle(bytes.to_vec()),
            Ok((StatusCode::NOT_MODIFIED, _, _)) => BundleAnswer::NotModified,
            Ok((status, retry_after, bytes)) => BundleAnswer::Failed(refusal(status, &bytes, retry_after)),
        }
    }

    /// Reports how installing a bundle went; `Err` says why the report did not arrive.
    pub async fn post_status(&self, token: &str, status: &NssStatus) -> Result<(), String> {
        let req = self.conn().client.post(self.urls.nss_status.clone()).header("x-api-key", token).json(status);
        match read(req).await {
            Ok((StatusCode::NO_CONTENT | StatusCode::OK, _, _)) => Ok(()),
            Ok((status, retry_after, bytes)) => Err(match refusal(status, &bytes, retry_after) {
                Outcome::Refused { code, message } => format!("{code}: {message}"),
                Outcome::Retry { reason, .. } => reason,
                other => format!("{other:?}"),
            }),
            Err(e) => Err(error_chain(&e)),
        }
    }

    /// Asks the appliance to change a central account's password. `body` is the JSON
    /// (`user`, `old`, `new`); the caller owns it so it is wiped when sent.
    pub async fn change_password(&self, token: &str, body: bytes::Bytes) -> Result<(), PasswordError> {
        let req = self
            .conn()
            .client
            .post(self.urls.password.clone())
            .header("x-api-key", token)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        let (status, _, bytes) = read(req).await.map_err(|e| PasswordError::Unreachable(error_chain(&e)))?;
        // Exactly the appliance's yes: a proxy's or portal's 200 page must not count as one.
        if status == StatusCode::NO_CONTENT {
            return Ok(());
        }
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(e) => (e.code, e.message),
            Err(_) => (String::new(), format!("the appliance answered {status}")),
        };
        Err(PasswordError::Refused { status: status.as_u16(), code, message })
    }

    /// Notes the certificate the appliance presents (sending nothing), stores its pin and
    /// trusts only it from now on.
    async fn pin_on_first_use(&mut self) -> Result<(), AgentError> {
        let seen = Arc::new(Mutex::new(None));
        let config = crate::tls::capturing_client_config(seen.clone())?;
        let probe = reqwest::Client::builder()
            .tls_backend_preconfigured(config)
            .timeout(self.timeout)
            .build()
            .map_err(|e| AgentError::Client(e.to_string()))?;
        let _ = probe.get(self.urls.ingest.clone()).send().await;
        let pin = seen.lock().unwrap_or_else(|p| p.into_inner()).take().ok_or_else(|| {
            AgentError::Client("the appliance presented no certificate to pin; will try again".into())
        })?;
        let shown = crate::tls::format_fingerprint(&pin);
        let state = self.state.clone();
        let stored = shown.clone();
        crate::blocking::run(move || state.set_pin(&stored)).await.map_err(|e| AgentError::Client(e.to_string()))??;
        tracing::warn!(
            fingerprint = %shown,
            "the appliance's certificate is not trusted by this system: pinned it on first use; any other certificate will be refused"
        );
        let trust = Trust::Pinned(pin);
        let client = client(trust, self.timeout)?;
        *self.conn.lock().unwrap_or_else(|p| p.into_inner()) = Conn { client, trust };
        Ok(())
    }
}

/// Sends `req` and reads the status, `Retry-After` (in seconds) and body.
async fn read(req: reqwest::RequestBuilder) -> Result<(StatusCode, Option<Duration>, bytes::Bytes), reqwest::Error> {
    let resp = req.send().await?;
    let status = resp.status();
    let retry_after = resp
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    Ok((status, retry_after, resp.bytes().await?))
}

/// A request that got no answer: a changed certificate, or something to retry.
fn failed(e: &reqwest::Error, timeout: Duration) -> Outcome {
    if let Some(changed) = crate::tls::certificate_changed(e) {
        return Outcome::CertificateChanged(changed.to_string());
    }
    let what = if e.is_timeout() {
        format!("no answer within {} s", timeout.as_secs_f32())
    } else if e.is_connect() {
        "cannot connect".to_string()
    } else {
        "request failed".to_string()
    };
    Outcome::Retry { reason: format!("{what}: {}", error_chain(e)), after: None }
}

fn client(trust: Trust, timeout: Duration) -> Result<reqwest::Client, AgentError> {
    let builder = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        // Shorter than the appliance's 75 s keep-alive: the agent closes an idle connection
        // before the server does, so a push never races a server-side close.
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("steward-agent/", env!("CARGO_PKG_VERSION")));
    let builder = match trust {
        Trust::Pinned(pin) => builder.tls_backend_preconfigured(crate::tls::pinned_client_config(pin)?),
        Trust::Insecure | Trust::System { .. } => builder,
    };
    builder.build().map_err(|e| AgentError::Client(error_chain(&e)))
}

/// What an answer means; pure, so every status is tested without a server.
pub fn classify(status: StatusCode, body: &[u8], retry_after: Option<Duration>) -> Outcome {
    if status == StatusCode::ACCEPTED || status == StatusCode::OK {
        // A success without the answer it should carry is not trusted as a delivery: the
        // batch is sent again, and its ingest_id keeps that from counting twice.
        return match serde_json::from_slice::<Answer>(body) {
            Ok(answer) => Outcome::Accepted(answer),
            Err(_) => {
                Outcome::Retry { reason: format!("the appliance answered {status} without a valid body"), after: None }
            }
        };
    }
    refusal(status, body, retry_after)
}

/// What an answer other than success means, for every call of the agent: the machine
/// token is unknown, the appliance refuses this machine (its error body says why), or
/// something to retry (a proxy's page without that body is no verdict).
pub fn refusal(status: StatusCode, body: &[u8], retry_after: Option<Duration>) -> Outcome {
    let error = serde_json::from_slice::<ErrorBody>(body).ok();
    let (code, message) = match error {
        Some(e) => (e.code, e.message),
        None => (String::new(), String::from_utf8_lossy(body).chars().take(200).collect()),
    };
    match status.as_u16() {
        401 if matches!(code.as_str(), "ingest.invalid_token" | "nss.invalid_token") => Outcome::InvalidToken,
        401 | 403 if !code.is_empty() => Outcome::Refused { code, message },
        400 | 413 | 415 | 422 if !code.is_empty() => Outcome::Unacceptable { status: status.as_u16(), code, message },
        429 => Outcome::Retry { reason: "the appliance asks to slow down".into(), after: retry_after },
        s => Outcome::Retry {
            reason: format!(
                "the appliance answered {s}{}",
                if code.is_empty() { String::new() } else { format!(" ({code})") }
            ),
            after: retry_after,
        },
    }
}

/// An error and its causes on one line, the way reqwest hides them otherwise.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"code": code, "message": "m"})).unwrap()
    }

    #[test]
    fn answers_are_classified_for_the_spool() {
        let ok = br#"{"host_id": 3, "accepted": 10, "duplicate": false, "token": "stm_x"}"#;
        assert!(
            matches!(classify(StatusCode::ACCEPTED, ok, None), Outcome::Accepted(a) if a.token.as_deref() == Some("stm_x"))
        );
        assert!(matches!(classify(StatusCode::ACCEPTED, b"<html>", None), Outcome::Retry { .. }));
        assert!(matches!(
            classify(StatusCode::UNAUTHORIZED, &err("ingest.invalid_token"), None),
            Outcome::InvalidToken
        ));
        assert!(
            matches!(classify(StatusCode::FORBIDDEN, &err("host.pending"), None), Outcome::Refused { code, .. } if code == "host.pending")
        );
        assert!(matches!(
            classify(StatusCode::UNPROCESSABLE_ENTITY, &err("ingest.invalid"), None),
            Outcome::Unacceptable { status: 422, .. }
        ));
        // A proxy's 413 or 403 page without our error body is not a verdict on the batch.
        assert!(matches!(classify(StatusCode::PAYLOAD_TOO_LARGE, b"too big", None), Outcome::Retry { .. }));
        assert!(matches!(classify(StatusCode::FORBIDDEN, b"<html>", None), Outcome::Retry { .. }));
        assert!(matches!(classify(StatusCode::BAD_GATEWAY, b"", None), Outcome::Retry { after: None, .. }));
        let later = Some(Duration::from_secs(7));
        assert!(
            matches!(classify(StatusCode::TOO_MANY_REQUESTS, b"", later), Outcome::Retry { after, .. } if after == later)
        );
        assert!(matches!(classify(StatusCode::SERVICE_UNAVAILABLE, &err("x"), None), Outcome::Retry { .. }));
    }

    #[test]
    fn account_calls_share_the_refusals() {
        assert!(matches!(refusal(StatusCode::UNAUTHORIZED, &err("nss.invalid_token"), None), Outcome::InvalidToken));
        assert!(
            matches!(refusal(StatusCode::FORBIDDEN, &err("nss.tls_required"), None), Outcome::Refused { code, .. } if code == "nss.tls_required")
        );
        assert!(matches!(refusal(StatusCode::NOT_FOUND, b"", None), Outcome::Retry { .. }));
        assert!(matches!(refusal(StatusCode::UNAUTHORIZED, b"<html>", None), Outcome::Retry { .. }));
    }
}
