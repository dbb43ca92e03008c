//! The `portalcheck` binary: parses the command line and hands over to
//! `app`; turns every error into a message and a documented exit code
//! (`reports::ExitCode`): `--help` and `--version` exit 0, an argument
//! error 64.

fn main() -> std::process::ExitCode {
    let cli = match harness::cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err((error, code)) => {
            let _ = error.print();
            return std::process::ExitCode::from(code.code() as u8);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("portalcheck: cannot start the async runtime: {e}");
            return std::process::ExitCode::from(reports::ExitCode::Incomplete.code() as u8);
        }
    };
    let code = runtime.block_on(harness::cli::app::main(cli));
    harness::browser::process::kill_all_children();
    std::process::ExitCode::from(code as u8)
}
