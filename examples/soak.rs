//! soak: `errtriage ingest --follow` against hostile-but-ordinary writers for
//! minutes, killed with SIGKILL at random moments and restarted, then a check
//! that every line written is indexed exactly once.
//!
//!     cargo run --example soak -- --minutes 10
//!
//! Writers (one directory each, all under one followed directory):
//! `rename` (logrotate's default: rename, a few lines still written to the
//! old file, new file), `copytruncate` (a slow chunked copy, then truncate),
//! `gzip` (rename, then gzip written progressively next to it, original
//! removed), `stall` (a line written in two halves with a pause of up to
//! 6 s) and `shrink` (the file rewritten without its last line, `sed -i
//! '$d'`, then appended to; a dropped line may be indexed once or not at
//! all, never twice). Each line carries a unique id; at the end the index
//! is read back with `errtriage search --json` and `stats --json`.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

struct Args {
    seconds: f64,
    work: PathBuf,
    seed: u64,
}

fn args() -> Result<Args> {
    let mut a = Args {
        seconds: 60.0,
        work: std::env::temp_dir().join("errtriage-soak"),
        seed: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().context("a value after the flag");
        match flag.as_str() {
            "--minutes" => a.seconds = value()?.parse::<f64>()? * 60.0,
            "--seconds" => a.seconds = value()?.parse()?,
            "--work" => a.work = value()?.into(),
            "--seed" => a.seed = value()?.parse()?,
            other => {
                bail!("unknown argument {other} (--minutes N, --seconds N, --work DIR, --seed N)")
            }
        }
    }
    Ok(a)
}

/// What the writers wrote: every id, and the ids a shrink dropped.
#[derive(Default)]
struct Ledger {
    written: Vec<String>,
    dropped: HashSet<String>,
}

type Shared = Arc<Mutex<Ledger>>;

struct Writer {
    name: &'static str,
    dir: PathBuf,
    next: u64,
    ledger: Shared,
    rng: ChaCha8Rng,
}

impl Writer {
    fn line(&mut self) -> (String, String) {
        let id = format!("soak_{}_{:08}", self.name, self.next);
        self.next += 1;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let text = format!(
            r#"{{"timestamp":"{now}","service":"{}","method":"POST","path":"/v1/soak","status":503,"request_id":"{id}","message":"soak line {}"}}"#,
            self.name, self.next
        );
        (id, text + "\n")
    }

    fn append(&mut self, file: &str, n: usize) -> Result<()> {
        let mut text = String::new();
        let mut ids = Vec::new();
        for _ in 0..n {
            let (id, line) = self.line();
            ids.push(id);
            text.push_str(&line);
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(file))?;
        f.write_all(text.as_bytes())?;
        self.ledger.lock().unwrap().written.extend(ids);
        Ok(())
    }

    fn pause(&mut self, max_ms: u64) {
        std::thread::sleep(Duration::from_millis(self.rng.random_range(1..max_ms)));
    }

    /// One step of this writer's behaviour.
    fn step(&mut self, round: u64) -> Result<()> {
        let n = self.rng.random_range(1..20);
        self.append("app.log", n)?;
        if round % 150 != 149 {
            return Ok(());
        }
        let (app, old) = (self.dir.join("app.log"), format!("app.log.{round}"));
        match self.name {
            "rename" => {
                std::fs::rename(&app, self.dir.join(&old))?;
                let late = self.rng.random_range(0..5);
                self.append(&old, late)?;
            }
            "copytruncate" => {
                let content = std::fs::read(&app)?;
                let mut copy = std::fs::File::create(self.dir.join(&old))?;
                for piece in content.chunks(16 * 1024) {
                    copy.write_all(piece)?;
                    self.pause(40);
                }
                std::fs::File::create(&app)?;
            }
            "gzip" => {
                std::fs::rename(&app, self.dir.join(&old))?;
                let plain = std::fs::read(self.dir.join(&old))?;
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                gz.write_all(&plain)?;
                let gz = gz.finish()?;
                let mut out = std::fs::File::create(self.dir.join(format!("{old}.gz")))?;
                for piece in gz.chunks(4 * 1024) {
                    out.write_all(piece)?;
                    self.pause(60);
                }
                drop(out);
                std::fs::remove_file(self.dir.join(&old))?;
            }
            "stall" => {
                let (id, line) = self.line();
                let mut f = std::fs::OpenOptions::new().append(true).open(&app)?;
                let half = line.len() / 2;
                f.write_all(&line.as_bytes()[..half])?;
                self.ledger.lock().unwrap().written.push(id);
                self.pause(6000);
                f.write_all(&line.as_bytes()[half..])?;
            }
            "shrink" => {
                let content = std::fs::read(&app)?;
                let body = &content[..content.len() - 1];
                let cut = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let last = String::from_utf8_lossy(&content[cut..]);
                if let Some(id) = last.split("\"request_id\":\"").nth(1) {
                    let id = id.split('"').next().unwrap_or_default().to_string();
                    self.ledger.lock().unwrap().dropped.insert(id);
                }
                std::fs::write(self.dir.join("app.tmp"), &content[..cut])?;
                std::fs::rename(self.dir.join("app.tmp"), &app)?;
            }
            _ => unreachable!(),
        }
        Ok(())
    }
}

fn spawn_follow(bin: &Path, index: &Path, logs: &Path, err: &Path) -> Result<Child> {
    let stderr = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(err)?;
    Command::new(bin)
        .arg("--index")
        .arg(index)
        .args(["ingest", "--follow"])
        .arg(logs)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .context("spawning errtriage ingest --follow")
}

fn main() -> Result<()> {
    let a = args()?;
    let bin = build_errtriage()?;
    let _ = std::fs::remove_dir_all(&a.work);
    let (logs, index) = (a.work.join("logs"), a.work.join("index"));
    let ledger: Shared = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let names = ["rename", "copytruncate", "gzip", "stall", "shrink"];
    let mut threads = Vec::new();
    for (k, name) in names.into_iter().enumerate() {
        let dir = logs.join(name);
        std::fs::create_dir_all(&dir)?;
        let mut w = Writer {
            name,
            dir,
            next: 0,
            ledger: ledger.clone(),
            rng: ChaCha8Rng::seed_from_u64(a.seed * 100 + k as u64),
        };
        let stop = stop.clone();
        threads.push(std::thread::spawn(move || -> Result<()> {
            let mut round = 0;
            while !stop.load(Ordering::Relaxed) {
                w.step(round)?;
                round += 1;
                w.pause(400);
            }
            Ok(())
        }));
    }
    let err_log = a.work.join("ingest.stderr");
    let mut rng = ChaCha8Rng::seed_from_u64(a.seed);
    let started = Instant::now();
    let mut kills = 0;
    let mut child = spawn_follow(&bin, &index, &logs, &err_log)?;
    while started.elapsed().as_secs_f64() < a.seconds {
        std::thread::sleep(Duration::from_millis(rng.random_range(500..15_000)));
        child.kill()?;
        child.wait()?;
        kills += 1;
        std::thread::sleep(Duration::from_millis(rng.random_range(0..1500)));
        child = spawn_follow(&bin, &index, &logs, &err_log)?;
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().expect("writer thread")?;
    }
    std::thread::sleep(Duration::from_secs(3));
    child.kill()?;
    child.wait()?;
    // One last plain ingest reads whatever the last follower had not.
    let last = Command::new(&bin)
        .arg("--index")
        .arg(&index)
        .args(["ingest", "--json"])
        .arg(&logs)
        .output()?;
    if !last.status.success() {
        bail!(
            "final ingest failed: {}",
            String::from_utf8_lossy(&last.stderr)
        );
    }
    report(
        &bin,
        &index,
        &ledger.lock().unwrap(),
        kills,
        started.elapsed(),
    )
}

fn report(bin: &Path, index: &Path, ledger: &Ledger, kills: u64, took: Duration) -> Result<()> {
    let limit = (ledger.written.len() * 2 + 1000).to_string();
    let out = Command::new(bin)
        .arg("--index")
        .arg(index)
        .args(["search", "", "--json", "--limit", &limit])
        .output()?;
    let found: serde_json::Value =
        serde_json::from_slice(&out.stdout).context("search --json output")?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for e in found["events"].as_array().context("events")? {
        let id = e["request_id"].as_str().unwrap_or_default().to_string();
        *counts.entry(id).or_default() += 1;
    }
    let stats = Command::new(bin)
        .arg("--index")
        .arg(index)
        .args(["stats", "--json"])
        .output()?;
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout)?;
    let written: HashSet<&String> = ledger.written.iter().collect();
    let dup: Vec<&String> = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(id, _)| id)
        .collect();
    let lost: Vec<&&String> = written
        .iter()
        .filter(|id| !counts.contains_key(**id) && !ledger.dropped.contains(**id))
        .collect();
    let stray = counts.keys().filter(|id| !written.contains(id)).count();
    let dropped_kept = ledger
        .dropped
        .iter()
        .filter(|id| counts.contains_key(*id))
        .count();
    println!(
        "| {:.1} min | {} | {} | {} | {} | {} | {} ({} of them indexed) | {} | {} |",
        took.as_secs_f64() / 60.0,
        ledger.written.len(),
        stats["events"],
        counts.len(),
        dup.len(),
        lost.len(),
        ledger.dropped.len(),
        dropped_kept,
        stray,
        kills
    );
    println!(
        "(minutes | lines written | events indexed | distinct ids | indexed twice | lost | dropped by shrink | not written | kill -9s)"
    );
    let writer = |id: &str| id.split('_').nth(1).unwrap_or_default().to_string();
    let mut per: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    dup.iter()
        .for_each(|id| per.entry(writer(id)).or_default().0 += 1);
    lost.iter()
        .for_each(|id| per.entry(writer(id)).or_default().1 += 1);
    for (w, (d, l)) in &per {
        println!("  {w}: {d} indexed twice, {l} lost");
    }
    if !dup.is_empty() || !lost.is_empty() || stray > 0 {
        let first: Vec<_> = dup.iter().take(5).collect();
        let gone: Vec<_> = lost.iter().take(5).collect();
        bail!("not exactly once: twice {first:?}, lost {gone:?}");
    }
    Ok(())
}

/// Build the errtriage binary in this example's profile; its path.
fn build_errtriage() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--quiet",
        "--bin",
        "errtriage",
        "--example",
        "soak",
    ])
    .current_dir(env!("CARGO_MANIFEST_DIR"));
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    if !cmd.status().context("running cargo build")?.success() {
        bail!("cargo build --bin errtriage failed");
    }
    let exe = std::env::current_exe()?;
    let bin = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("errtriage"))
        .context("locating the errtriage binary")?;
    Ok(bin)
}
