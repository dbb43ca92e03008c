//! The defect matrix: the whole catalogue against the clean reference
//! (every scenario must pass) and, against every defect switch, the
//! scenarios that could catch it (some scenario checking a requirement the
//! defect breaks must fail, no other may, and none may error). It prints
//! each row as it finishes and the table at the end.
//!
//! About 10 minutes on 2 cores (134 rows, four at a time; a few hundred
//! scenario runs for the defect rows, where running the whole catalogue on
//! each would be 16,348: `portalcheck selftest --scope full`); CI runs
//! it (`scripts/test`). To skip it locally: `scripts/test --exclude-matrix`;
//! to watch it alone: `cargo test -p harness --test defect_matrix -- --nocapture`.

use fixtures::defects::Defect;
use harness::run::runner::Filter;
use harness::run::selftest::{run_matrix, MatrixOptions, MatrixRow, RowScope};

/// Scenarios at once per row: measured on 2 cores, this keeps the matrix
/// CPU-bound without turning waits into time-outs.
const JOBS: usize = 8;
/// Matrix rows at once (each its own reference instance). Focused rows are
/// small and mostly wait (expiry windows, network-idle barriers), so four
/// overlap those waits; measured whole at four (83 rows in 6 m 21 s, 2 cores).
const ROWS: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_defect_is_caught_by_its_scenarios_and_nothing_else_fails() {
    let everything = Filter::default();
    let started = std::time::Instant::now();
    let rows = run_matrix(
        Defect::ALL,
        &everything,
        MatrixOptions {
            jobs: JOBS,
            // `selftest`'s default, so CI measures what users run
            // (2 cores: 134 rows in 596 s with 4 sessions, 673 s with 3).
            browsers: harness::cli::run_browsers(harness::browser::engine::Engine::Chromium),
            rows_in_flight: ROWS,
            scope: RowScope::Focused,
            engine: harness::browser::engine::Engine::Chromium,
        },
        |row: &MatrixRow| {
            eprintln!(
                "{} {} caught by {:?} ({:.0?} so far)",
                if row.ok() { "ok  " } else { "FAIL" },
                row.defect,
                row.caught_by,
                started.elapsed()
            );
            for detail in &row.details {
                eprintln!("     {detail}");
            }
        },
    )
    .await
    .expect("the matrix runs (Chromium and ChromeDriver installed: scripts/ensure-browser)");

    let bad: Vec<&MatrixRow> = rows.iter().filter(|r| !r.ok()).collect();
    assert!(bad.is_empty(), "rows that are not ok:\n{bad:#?}");
    assert_eq!(
        rows.len(),
        Defect::ALL.len() + 1,
        "the clean reference and every defect"
    );
    assert!(rows[0].defect == "clean" && rows[0].caught_by.is_empty());
    assert_eq!(
        rows[0].ran,
        scenarios::scenarios().len(),
        "the clean row runs the whole catalogue"
    );
    assert!(
        rows.iter().all(|r| r.ran > 0),
        "every defect row ran scenarios that could catch it"
    );

    eprint!("{}", harness::run::selftest::render_matrix(&rows));
}
