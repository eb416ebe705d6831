//! measure: running a command and timing it — wall time, peak RSS and CPU
//! time (read from `/proc/<pid>` while it runs), medians of repeats.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// One run of a process.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub wall: Duration,
    /// Peak resident set (VmHWM), bytes; 0 when it could not be read.
    pub peak_rss: u64,
    /// User + system CPU seconds of the process (all its threads).
    pub cpu_s: f64,
    pub status: i32,
    pub stdout: Vec<u8>,
}

impl Run {
    pub fn ms(&self) -> f64 {
        self.wall.as_secs_f64() * 1e3
    }
}

/// Run `cmd` to completion. A second thread samples its peak RSS and CPU
/// time from `/proc` meanwhile; the wall time is taken when `wait` returns.
pub fn run(cmd: &mut Command) -> Result<Run> {
    run_with(cmd, true)
}

/// Run `cmd`, sampling `/proc` only if `sampled`: on two cores the sampler
/// itself adds a millisecond or more to a 10 ms process.
fn run_with(cmd: &mut Command, sampled: bool) -> Result<Run> {
    let started = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {cmd:?}"))?;
    let pid = child.id();
    let done = Arc::new(AtomicBool::new(false));
    let sampler = sampled.then(|| {
        let done = done.clone();
        std::thread::spawn(move || sample(pid, &done))
    });
    let output = child.wait_with_output()?;
    let wall = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let (peak_rss, cpu_s) = sampler.map_or((0, 0.0), |s| s.join().expect("sampler thread"));
    let code = output.status.code().unwrap_or(-1);
    if code != 0 && code != 1 {
        bail!(
            "{cmd:?} exited {code}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(Run {
        wall,
        peak_rss,
        cpu_s,
        status: code,
        stdout: output.stdout,
    })
}

/// Peak RSS and CPU seconds of `pid`, sampled until `done` (or it is gone).
fn sample(pid: u32, done: &AtomicBool) -> (u64, f64) {
    let (mut peak_rss, mut cpu_s) = (0, 0.0);
    let mut pause = Duration::from_millis(1);
    while !done.load(Ordering::Relaxed) {
        match (vm_hwm(pid), cpu_seconds(pid)) {
            (Some(rss), Some(cpu)) => {
                peak_rss = peak_rss.max(rss);
                cpu_s = cpu;
            }
            _ => break,
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
    (peak_rss, cpu_s)
}

/// Run `make()` `n` times after one warm-up (unsampled); the median run
/// by wall time.
pub fn median(n: usize, make: impl FnMut() -> Command) -> Result<Run> {
    median_of(n, false, make)
}

/// [`median`], with peak RSS and CPU sampled on every run: for commands
/// long enough that the sampler's wake-ups do not move their time.
pub fn median_sampled(n: usize, make: impl FnMut() -> Command) -> Result<Run> {
    median_of(n, true, make)
}

fn median_of(n: usize, sample: bool, mut make: impl FnMut() -> Command) -> Result<Run> {
    run_with(&mut make(), sample)?;
    let mut runs = (0..n.max(1))
        .map(|_| run_with(&mut make(), sample))
        .collect::<Result<Vec<_>>>()?;
    runs.sort_by_key(|r| r.wall);
    Ok(runs.swap_remove(runs.len() / 2))
}

/// Run a shell pipeline (`sh -c`), the median of `n` after one warm-up.
pub fn shell_median(n: usize, script: &str) -> Result<Run> {
    median(n, || {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    })
}

pub fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// utime + stime of `pid`, in seconds (assumes the usual 100 ticks/s).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// Bytes of the files under `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    walk(dir).iter().map(|(_, len)| len).sum()
}

/// Every file under `dir` with its length, sorted by path.
pub fn walk(dir: &Path) -> Vec<(std::path::PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                out.push((e.path(), meta.len()));
            }
        }
    }
    out.sort();
    out
}

/// Whether `program` runs (`program --version`).
pub fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The first line `program --version` prints.
pub fn version(program: &str) -> String {
    let out: Option<Output> = Command::new(program).arg("--version").output().ok();
    out.map(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    })
    .unwrap_or_default()
}
