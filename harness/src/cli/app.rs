//! The dispatcher: which subcommand does what. `anyhow` stops here (and in
//! the subcommands' own modules): below them every error is typed. The run
//! itself lives in `run::session`.

use std::path::PathBuf;

use anyhow::Context;
use reports::record::RunRecord;
use reports::ExitCode;

use crate::cli::{Cli, Command, ListFormat, ReportCommand, UsageError};
use crate::run::session::print_written;
use crate::world::error_chain;

/// Run the command; returns the process exit code.
pub async fn main(cli: Cli) -> i32 {
    match dispatch_command(cli).await {
        Ok(code) => code.code(),
        Err(e) => {
            let usage = e.downcast_ref::<UsageError>().is_some();
            eprintln!("portalcheck: {}", chain(&e));
            if usage {
                ExitCode::Usage.code()
            } else {
                ExitCode::Incomplete.code()
            }
        }
    }
}

fn chain(e: &anyhow::Error) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}

async fn dispatch_command(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => crate::run::session::run_command(args).await,
        Command::List(args) => {
            let filter = args.select.filter();
            print!("{}", crate::cli::catalogue_view::list(&filter, args.format == ListFormat::Json, args.requirements));
            Ok(ExitCode::Passed)
        }
        Command::Explain { id } => match crate::cli::catalogue_view::explain(&id) {
            Some(text) => {
                print!("{text}");
                Ok(ExitCode::Passed)
            }
            None => Err(UsageError(format!(
                "no requirement, scenario or attack class has the ID `{id}` (see `portalcheck list`, `portalcheck list --requirements` and REQUIREMENTS.md#threat-model)"
            ))
            .into()),
        },
        Command::ServeReference(args) => crate::world::serve::serve_reference(args).await,
        Command::Selftest(args) => crate::run::selftest::selftest(args).await,
        Command::Schema => {
            print!("{}", reports::json::REPORT_SCHEMA);
            Ok(ExitCode::Passed)
        }
        Command::Requirements => {
            print!("{}", scenarios::requirements_doc::render());
            Ok(ExitCode::Passed)
        }
        Command::Contract { schemas } => {
            if let Some(dir) = schemas {
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("create {}", dir.display()))?;
                for (name, text) in scenarios::contract::doc::schema_files() {
                    let path = dir.join(name);
                    std::fs::write(&path, text)
                        .with_context(|| format!("write {}", path.display()))?;
                }
            }
            print!("{}", scenarios::contract::doc::render());
            Ok(ExitCode::Passed)
        }
        Command::Baseline { from, output } => {
            let record = reports::json::read_json_report(&from)
                .map_err(|e| UsageError(format!("cannot read report {}: {}", from.display(), error_chain(&e))))?;
            let text = reports::baseline::baseline_from_record(&record);
            match output {
                Some(path) => std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::Passed)
        }
        Command::Report(ReportCommand::Merge { reports: paths, out }) => {
            let records = read_reports(&paths)?;
            let merged = reports::merge::merge(records).map_err(|e| UsageError(error_chain(&e)))?;
            let written = reports::write_record_files(&merged, &out)
                .with_context(|| format!("writing the merged reports into {}", out.display()))?;
            print_written(&written);
            Ok(merged.status.exit_code())
        }
        Command::Report(ReportCommand::Compare { reports: paths }) => {
            let records = read_reports(&paths)?;
            print!("{}", reports::merge::compare(&records));
            Ok(ExitCode::Passed)
        }
        Command::Bench(args) => crate::run::bench::bench(args).await,
    }
}

fn read_reports(paths: &[PathBuf]) -> anyhow::Result<Vec<RunRecord>> {
    paths
        .iter()
        .map(|p| {
            reports::json::read_json_report(p).map_err(|e| {
                UsageError(format!(
                    "cannot read report {}: {}",
                    p.display(),
                    error_chain(&e)
                ))
                .into()
            })
        })
        .collect()
}
