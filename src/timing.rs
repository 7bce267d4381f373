//! Where a build's time goes, for the benchmark: with `GONGKAI_TIMINGS=1` in the environment,
//! each phase prints its wall time and the peak memory so far to standard error when it ends
//! (`耗时 单位页面 1.234 s（内存峰值 50 MiB）`). A value
//! layer: no module below `commands` needs it, nothing depends on its output. Unset, a phase
//! costs one read of an environment variable.

use std::time::Instant;

/// A phase of a command, timed until it is dropped.
pub struct Phase {
    name: &'static str,
    start: Option<Instant>,
}

/// Start timing a phase (a no-op unless `GONGKAI_TIMINGS` is set).
pub fn phase(name: &'static str) -> Phase {
    let on = std::env::var_os("GONGKAI_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0");
    Phase { name, start: on.then(Instant::now) }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            eprintln!("耗时 {} {:.3} s{}", self.name, start.elapsed().as_secs_f64(), peak());
        }
    }
}

/// The process's peak resident memory so far, where the system tells it (Linux).
fn peak() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| format!("（内存峰值 {} MiB）", kb / 1024))
        .unwrap_or_default()
}
