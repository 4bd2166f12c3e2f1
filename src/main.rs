use std::process::ExitCode;

fn main() -> ExitCode {
    match steward::cli::run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("steward: {err:#}");
            ExitCode::FAILURE
        }
    }
}
