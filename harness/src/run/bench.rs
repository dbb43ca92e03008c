//! `portalcheck bench`: the figures a release gate cares about, printed,
//! never asserted: browser start-up, per-scenario median and maximum
//! (browser scenarios apart), whole-run wall time and the harness's peak
//! memory (Chromium aside).

use reports::ExitCode;

use crate::cli::BenchArgs;
use crate::run::runner::RunOptions;
use crate::run::session::{execute, RunDone, RunRequest};
use crate::world::{error_chain, WorldOptions};

fn percentile(sorted: &[u128], p: f64) -> u128 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// Peak resident memory of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub async fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let filter = args.select.filter();
    let request = RunRequest {
        world: WorldOptions::default(),
        options: RunOptions {
            jobs: args.jobs,
            browsers: args.browsers,
            seed: 1,
            selection: filter.describe(),
            webdriver: None,
            engine: crate::browser::engine::Engine::Chromium,
            proxy: Default::default(),
        },
        filter,
        baseline: None,
        progress: false,
        out_dir: None,
        pool: None,
    };
    let RunDone {
        record, figures, ..
    } = execute(request)
        .await
        .map_err(|e| anyhow::anyhow!("the harness could not run: {}", error_chain(&e)))?;
    let mut browser: Vec<(String, u128)> = Vec::new();
    let mut api: Vec<u128> = Vec::new();
    for (id, needs_browser, d) in &figures.scenario_durations {
        if *needs_browser {
            browser.push((id.clone(), d.as_millis()));
        } else {
            api.push(d.as_millis());
        }
    }
    let mut browser_ms: Vec<u128> = browser.iter().map(|(_, ms)| *ms).collect();
    browser_ms.sort_unstable();
    api.sort_unstable();
    println!(
        "portalcheck bench ({} scenarios, -j {}, {} browsers)",
        figures.scenario_durations.len(),
        args.jobs,
        args.browsers
    );
    println!(
        "  browser:                 {}",
        figures.browser.as_deref().unwrap_or("not started")
    );
    if let Some(d) = figures.browser_start {
        println!(
            "  browser start-up:        {} ms (all sessions)",
            d.as_millis()
        );
    }
    println!(
        "  browser scenarios:       {} — median {} ms, p90 {} ms, max {} ms",
        browser_ms.len(),
        percentile(&browser_ms, 0.5),
        percentile(&browser_ms, 0.9),
        browser_ms.last().copied().unwrap_or(0)
    );
    if let Some((id, ms)) = browser.iter().max_by_key(|(_, ms)| *ms) {
        println!("    slowest: {id} ({ms} ms; includes the waits the scenario itself needs)");
    }
    println!(
        "  API scenarios:           {} — median {} ms, max {} ms",
        api.len(),
        percentile(&api, 0.5),
        api.last().copied().unwrap_or(0)
    );
    println!("  whole run (wall):        {} ms", figures.wall.as_millis());
    if let Some((reset, new_session)) = fresh_state_costs().await {
        println!(
            "  fresh state per scenario: {reset} ms median (clearing cookies, storage, cache in the reused session) vs {new_session} ms for a new session"
        );
    }
    if let Some(mib) = peak_rss_mib() {
        println!("  harness peak memory:     {mib:.1} MiB (Chromium aside)");
    }
    println!("  {}", reports::record::summary_line(&record));
    Ok(ExitCode::Passed)
}

/// What reusing one browser session saves: the median cost of clearing its
/// state (what each scenario gets) against starting a new session.
async fn fresh_state_costs() -> Option<(u128, u128)> {
    let bins = crate::browser::BrowserBinaries::locate().ok()?;
    let options = crate::browser::process::LaunchOptions::pinned(Vec::new());
    let started = std::time::Instant::now();
    let session = crate::browser::session::BrowserSession::start(&bins, &options)
        .await
        .ok()?;
    let new_session = started.elapsed().as_millis();
    let origins: Vec<String> = [
        "shop-a",
        "shop-b",
        "evil",
        "canary",
        "sub.shop-a",
        "portal.userhero",
    ]
    .iter()
    .map(|h| format!("https://{h}.test:8443"))
    .collect();
    let mut resets = Vec::new();
    for _ in 0..15 {
        let t = std::time::Instant::now();
        if session.reset(&origins).await.is_err() {
            break;
        }
        resets.push(t.elapsed().as_millis());
    }
    session.close().await;
    resets.sort_unstable();
    (!resets.is_empty()).then(|| (percentile(&resets, 0.5), new_session))
}
