//! The `portalcheck` binary: parses the command line and hands over to
//! `app`; turns every error into a message and a documented exit code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = harness::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("portalcheck: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(3);
        }
    };
    let code = runtime.block_on(harness::app::main(cli));
    harness::browser::process::kill_all_children();
    std::process::ExitCode::from(code as u8)
}
