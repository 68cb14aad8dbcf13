//! The `kawal` binary: parse, run, map errors to exit codes.

use clap::Parser;
use kawal::cli::{self, Cli, EXIT_USAGE};
use std::process::ExitCode;

fn main() -> ExitCode {
    kawal::install_crypto_provider();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    let filter = match cli.verbosity() {
        0 => "warn",
        1 => "info,kawal=debug",
        _ => "debug",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KAWAL_LOG")
                .unwrap_or_else(|_| filter.into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kawal: tidak dapat memulai runtime / cannot start runtime: {e}");
            return ExitCode::from(cli::EXIT_INCOMPLETE);
        }
    };
    match rt.block_on(cli::main(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("kawal: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}
