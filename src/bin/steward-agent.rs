//! `steward-agent`: the push agent alone (`steward agent` without the appliance), for the
//! machines being monitored. Only the agent's code is linked into it; see `cli::agent`.

use std::process::ExitCode;

fn main() -> ExitCode {
    match steward::cli::run_agent() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("steward-agent: {err:#}");
            ExitCode::FAILURE
        }
    }
}
