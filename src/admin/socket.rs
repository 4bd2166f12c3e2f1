//! The administration socket: one JSON command per connection, one JSON reply.
//!
//! The server side runs inside the appliance; the client side is plain blocking std I/O
//! for the CLI. Connections are few and short: at most four at a time, each bounded in
//! size and time.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::Semaphore;

use super::{Command, Env, Output, execute};
use crate::ctx::Ctx;

const MAX_REQUEST: u64 = 64 * 1024;
/// Key rotation over a large store is the slowest command; nothing should take longer.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Reply {
    Ok(Output),
    Error(String),
}

/// Binds `path` (0600) and serves commands until the returned task is aborted. A socket
/// file left by a crash is replaced: holding the store lock proves no one else serves
/// this data directory.
pub fn serve(path: &Path, ctx: web::Data<Ctx>) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    let permits = Arc::new(Semaphore::new(4));
    Ok(tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "admin socket: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let Ok(permit) = permits.clone().acquire_owned().await else { return };
            let ctx = ctx.clone();
            tokio::spawn(async move {
                if tokio::time::timeout(COMMAND_TIMEOUT, handle(stream, &ctx)).await.is_err() {
                    tracing::warn!("admin socket: a command timed out");
                }
                drop(permit);
            });
        }
    }))
}

async fn handle(stream: UnixStream, ctx: &Ctx) {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    let reply = match BufReader::new(read.take(MAX_REQUEST)).read_line(&mut line).await {
        Err(e) => Reply::Error(format!("reading the command: {e}")),
        Ok(_) => match serde_json::from_str::<Command>(&line) {
            Err(e) => Reply::Error(format!("not a command: {e}")),
            Ok(command) => {
                tracing::info!(command = command_name(&command), "admin socket command");
                match execute(&Env::from_ctx(ctx), command, Arc::new(|_, _| {})).await {
                    Ok(out) => Reply::Ok(out),
                    Err(e) => Reply::Error(e.to_string()),
                }
            }
        },
    };
    let mut bytes = serde_json::to_vec(&reply).unwrap_or_else(|_| b"{\"error\":\"encoding the reply\"}".to_vec());
    bytes.push(b'\n');
    let _ = write.write_all(&bytes).await;
}

/// The command's name only: arguments may hold passwords.
fn command_name(command: &Command) -> String {
    serde_json::to_value(command)
        .ok()
        .and_then(|v| v.get("command").and_then(|c| c.as_str()).map(str::to_string))
        .unwrap_or_default()
}

/// Sends `command` to the appliance serving the data directory. `Ok(None)` when none is
/// running there (no socket, or a stale one nobody listens on).
pub fn call(path: &Path, command: &Command) -> std::io::Result<Option<Result<Output, String>>> {
    use std::io::ErrorKind;
    let mut stream = match std::os::unix::net::UnixStream::connect(path) {
        Ok(s) => s,
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut request = serde_json::to_vec(command).map_err(std::io::Error::other)?;
    request.push(b'\n');
    stream.write_all(&request)?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    match serde_json::from_str::<Reply>(&answer) {
        Ok(Reply::Ok(out)) => Ok(Some(Ok(out))),
        Ok(Reply::Error(e)) => Ok(Some(Err(e))),
        Err(e) => Err(std::io::Error::other(format!("unreadable answer from the appliance: {e}"))),
    }
}
