//! `portalcheck bench`: the figures a release gate cares about, printed,
//! never asserted: browser start-up, per-scenario median and maximum
//! (browser scenarios apart), whole-run wall time, the critical path and
//! how long browser slots sat idle, the harness's peak memory (Chromium
//! aside), and with `--against FILE` the wall time of an earlier run's
//! `report.json` beside this one's; per engine with `--browser`.

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

/// One engine's headline figures, for the side-by-side lines at the end.
struct EngineFigures {
    engine: crate::browser::engine::Engine,
    browser: String,
    wall_ms: u128,
    median_browser_ms: u128,
    startup_ms: Option<u128>,
    summary: String,
}

pub async fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let engines = crate::cli::engines(&args.browser);
    let mut all = Vec::new();
    for engine in engines {
        all.push(bench_engine(&args, engine).await?);
    }
    if all.len() > 1 {
        println!("per engine:");
        println!(
            "  {:<9} {:>10} {:>16} {:>12}  browser",
            "engine", "wall ms", "median browser", "start-up ms"
        );
        for f in &all {
            println!(
                "  {:<9} {:>10} {:>16} {:>12}  {} ({})",
                f.engine.name(),
                f.wall_ms,
                f.median_browser_ms,
                f.startup_ms
                    .map_or_else(|| "-".to_string(), |ms| ms.to_string()),
                f.browser,
                f.summary
            );
        }
    }
    Ok(ExitCode::Passed)
}

/// The figures of one engine's run.
async fn bench_engine(
    args: &BenchArgs,
    engine: crate::browser::engine::Engine,
) -> anyhow::Result<EngineFigures> {
    let filter = args.select.filter();
    let browsers = args
        .browsers
        .unwrap_or_else(|| crate::cli::run_browsers(engine));
    let waits = DeclaredWaits::of(&filter.select(scenarios::scenarios()));
    let request = RunRequest {
        world: WorldOptions::default(),
        options: RunOptions {
            jobs: args.jobs,
            browsers,
            seed: 1,
            selection: filter.describe(),
            webdriver: None,
            engine,
            proxy: Default::default(),
        },
        filter,
        baseline: None,
        progress: false,
        out_dir: None,
        pool: None,
    };
    let cpu_before = MachineCpu::read();
    let commands_before = crate::browser::webdriver_commands();
    let RunDone {
        record, figures, ..
    } = execute(request)
        .await
        .map_err(|e| anyhow::anyhow!("the harness could not run: {}", error_chain(&e)))?;
    let cpu = cpu_before.zip(MachineCpu::read()).map(|(a, b)| b.since(&a));
    let commands = crate::browser::webdriver_commands() - commands_before;
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
        "portalcheck bench on {engine} ({} scenarios, -j {}, {} browsers)",
        figures.scenario_durations.len(),
        args.jobs,
        browsers
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
    let slots = SlotUse::of(&figures.scenario_durations, browsers, figures.wall);
    if let Some((id, d)) = &slots.critical_path {
        println!(
            "  critical path:           {} ms ({id}: no schedule ends sooner)",
            d.as_millis()
        );
    }
    if let Some((id, longest)) = &waits.longest {
        println!(
            "  declared waits:          {} scenarios, {} ms in all, longest {id} ({} ms): started first",
            waits.count,
            waits.total.as_millis(),
            longest.as_millis()
        );
    }
    println!(
        "  browser slots:           {} ms busy of {} ms ({} slots × wall): idle {} ms ({:.0} %)",
        slots.busy.as_millis(),
        slots.capacity.as_millis(),
        browsers,
        slots.idle().as_millis(),
        slots.idle_share() * 100.0
    );
    if let Some(cpu) = cpu {
        let cores = crate::cli::cores();
        println!(
            "  machine CPU:             {:.1} core-s over the run ({cores} cores, {:.0} % busy): at this CPU cost no schedule on this machine ends before {:.1} s",
            cpu.busy_seconds,
            cpu.busy_share() * 100.0,
            cpu.busy_seconds / cores as f64
        );
    }
    println!(
        "  WebDriver commands:      {commands} ({:.1} per browser scenario)",
        commands as f64 / browser_ms.len().max(1) as f64
    );
    if let Some(path) = &args.against {
        match Earlier::read(path) {
            Ok(earlier) => println!("  {}", earlier.beside(&record, figures.wall)),
            Err(e) => println!("  against {}: {e}", path.display()),
        }
    }
    // Measured on Chromium's own session (the one engine with DevTools).
    let fresh = if engine == crate::browser::engine::Engine::Chromium {
        fresh_state_costs().await
    } else {
        None
    };
    if let Some((reset, new_session)) = fresh {
        println!(
            "  fresh state per scenario: {reset} ms median (clearing cookies, storage, cache in the reused session) vs {new_session} ms for a new session"
        );
    }
    if let Some(mib) = peak_rss_mib() {
        println!("  harness peak memory:     {mib:.1} MiB (the browser aside; the peak so far)");
    }
    let summary = reports::record::summary_line(&record);
    println!("  {summary}");
    Ok(EngineFigures {
        engine,
        browser: figures
            .browser
            .clone()
            .unwrap_or_else(|| "not started".into()),
        wall_ms: figures.wall.as_millis(),
        median_browser_ms: percentile(&browser_ms, 0.5),
        startup_ms: figures.browser_start.map(|d| d.as_millis()),
        summary,
    })
}

/// What the catalogue declares the selected scenarios wait in real time
/// ([`scenarios::Scenario::wait`]): the runner starts these first.
#[derive(Debug, PartialEq)]
pub struct DeclaredWaits {
    pub count: usize,
    pub total: std::time::Duration,
    pub longest: Option<(String, std::time::Duration)>,
}

impl DeclaredWaits {
    pub fn of(selected: &[scenarios::Scenario]) -> DeclaredWaits {
        let waiting: Vec<_> = selected.iter().filter(|s| !s.wait.is_zero()).collect();
        DeclaredWaits {
            count: waiting.len(),
            total: waiting.iter().map(|s| s.wait).sum(),
            longest: waiting
                .iter()
                .max_by_key(|s| s.wait)
                .map(|s| (s.id.to_string(), s.wait)),
        }
    }
}

/// The whole machine's CPU time from `/proc/stat` (Linux; `None`
/// elsewhere): the browsers' processes are not this one's children, so
/// only the machine's counters show what a run cost in CPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MachineCpu {
    /// Seconds spent busy (user, nice, system, irq, softirq, steal), all cores.
    pub busy_seconds: f64,
    /// Seconds in all, all cores.
    pub total_seconds: f64,
}

impl MachineCpu {
    pub fn read() -> Option<MachineCpu> {
        Self::parse(&std::fs::read_to_string("/proc/stat").ok()?)
    }

    /// The `cpu` line of `/proc/stat`, in USER_HZ (100 a second on Linux).
    pub fn parse(stat: &str) -> Option<MachineCpu> {
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let ticks: Vec<f64> = line
            .split_whitespace()
            .skip(1)
            .map(|t| t.parse().ok())
            .collect::<Option<_>>()?;
        let at = |i: usize| ticks.get(i).copied().unwrap_or(0.0);
        // user nice system idle iowait irq softirq steal
        let busy = at(0) + at(1) + at(2) + at(5) + at(6) + at(7);
        let total = busy + at(3) + at(4);
        Some(MachineCpu {
            busy_seconds: busy / 100.0,
            total_seconds: total / 100.0,
        })
    }

    pub fn since(&self, earlier: &MachineCpu) -> MachineCpu {
        MachineCpu {
            busy_seconds: self.busy_seconds - earlier.busy_seconds,
            total_seconds: self.total_seconds - earlier.total_seconds,
        }
    }

    pub fn busy_share(&self) -> f64 {
        if self.total_seconds > 0.0 {
            self.busy_seconds / self.total_seconds
        } else {
            0.0
        }
    }
}

/// How the run used its browser slots: a browser scenario holds a slot for
/// its whole duration, so what the slots could have done (`slots` × wall)
/// less what they did is time spent idle.
#[derive(Debug, PartialEq)]
pub struct SlotUse {
    /// The longest scenario: a lower bound on any schedule's wall time.
    pub critical_path: Option<(String, std::time::Duration)>,
    pub busy: std::time::Duration,
    pub capacity: std::time::Duration,
}

impl SlotUse {
    pub fn of(
        durations: &[(String, bool, std::time::Duration)],
        slots: usize,
        wall: std::time::Duration,
    ) -> SlotUse {
        SlotUse {
            critical_path: durations
                .iter()
                .max_by_key(|(_, _, d)| *d)
                .map(|(id, _, d)| (id.clone(), *d)),
            busy: durations
                .iter()
                .filter(|(_, needs_browser, _)| *needs_browser)
                .map(|(_, _, d)| *d)
                .sum(),
            capacity: wall * slots as u32,
        }
    }

    pub fn idle(&self) -> std::time::Duration {
        self.capacity.saturating_sub(self.busy)
    }

    pub fn idle_share(&self) -> f64 {
        if self.capacity.is_zero() {
            0.0
        } else {
            self.idle().as_secs_f64() / self.capacity.as_secs_f64()
        }
    }
}

/// An earlier run's `report.json`, for a side-by-side wall time.
#[derive(Debug)]
pub struct Earlier {
    path: std::path::PathBuf,
    record: reports::record::RunRecord,
}

/// Why an earlier report could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EarlierError {
    #[error("cannot read it")]
    Read(#[source] std::io::Error),
    #[error("it is not a portalcheck report.json")]
    Parse(#[source] serde_json::Error),
    #[error("that run never finished, so it has no wall time")]
    Unfinished,
}

impl Earlier {
    pub fn read(path: &std::path::Path) -> Result<Earlier, EarlierError> {
        let text = std::fs::read_to_string(path).map_err(EarlierError::Read)?;
        let record: reports::record::RunRecord =
            serde_json::from_str(&text).map_err(EarlierError::Parse)?;
        if record.end.is_none() {
            return Err(EarlierError::Unfinished);
        }
        Ok(Earlier {
            path: path.to_path_buf(),
            record,
        })
    }

    /// One line: the earlier wall time, this one's, and the ratio, with a
    /// warning when the two runs did not run the same scenarios.
    pub fn beside(&self, now: &reports::record::RunRecord, wall: std::time::Duration) -> String {
        let before_ms = self.record.end.as_ref().map_or(0, |e| e.duration_ms);
        let now_ms = wall.as_millis() as u64;
        let ids = |r: &reports::record::RunRecord| {
            r.scenarios
                .iter()
                .map(|s| s.meta.id.clone())
                .collect::<std::collections::BTreeSet<_>>()
        };
        let same = ids(&self.record) == ids(now);
        format!(
            "against {}: {before_ms} ms then ({} scenarios), {now_ms} ms now ({} scenarios): {:.2}× {}{}",
            self.path.display(),
            self.record.scenarios.len(),
            now.scenarios.len(),
            before_ms as f64 / now_ms.max(1) as f64,
            if before_ms >= now_ms { "faster" } else { "slower" },
            if same {
                ""
            } else {
                " (WARNING: the two runs selected different scenarios)"
            }
        )
    }
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn machine_cpu_counts_busy_ticks_and_leaves_idle_and_iowait_out() {
        let before = MachineCpu::parse("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n").unwrap();
        let after = MachineCpu::parse("cpu  300 10 90 900 50 20 10 0 0 0\n").unwrap();
        let run = after.since(&before);
        assert!((run.busy_seconds - 2.8).abs() < 1e-9, "{run:?}");
        assert!((run.total_seconds - 3.8).abs() < 1e-9, "{run:?}");
        assert!((run.busy_share() - 2.8 / 3.8).abs() < 1e-9);
        assert_eq!(MachineCpu::parse("intr 1 2\n"), None);
    }

    #[test]
    fn declared_waits_sum_and_name_the_longest() {
        let waits = DeclaredWaits::of(&scenarios::scenarios());
        let longest = scenarios::scenarios()
            .into_iter()
            .map(|s| s.wait)
            .max()
            .unwrap();
        assert_eq!(waits.longest.as_ref().map(|(_, d)| *d), Some(longest));
        assert!(waits.count > 0 && waits.total >= longest);
        assert_eq!(DeclaredWaits::of(&[]).longest, None);
    }

    #[test]
    fn idle_slots_are_capacity_less_browser_time_and_the_critical_path_is_the_longest() {
        let durations = vec![
            ("api".to_string(), false, Duration::from_secs(9)),
            ("page-a".to_string(), true, Duration::from_secs(4)),
            ("page-b".to_string(), true, Duration::from_secs(2)),
        ];
        let slots = SlotUse::of(&durations, 2, Duration::from_secs(10));
        assert_eq!(
            slots.critical_path,
            Some(("api".into(), Duration::from_secs(9)))
        );
        assert_eq!(slots.busy, Duration::from_secs(6));
        assert_eq!(slots.idle(), Duration::from_secs(14));
        assert!((slots.idle_share() - 0.7).abs() < 1e-9);
        let none = SlotUse::of(&[], 2, Duration::ZERO);
        assert_eq!(none.idle_share(), 0.0);
    }
}
