//! suite: everything measured on one corpus size — generate (or reuse) the
//! corpus (plain, or zstd-compressed as it is written), then ingest, find,
//! groups, a typical search, impact and timeline, the TUI, index size, and
//! the peers ([`crate::peers`]) beside them — checking each answer on the
//! way. A new measurement is a function returning its runs, called from
//! [`measure`], with a field in [`SizeResult`] and a row in the report.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

use crate::chains::{self, ChainsRow};
use crate::clickhouse;
use crate::generator;
use crate::measure::{self, Run};
use crate::peers::{self, PeerRun, Task};

/// The typical support query: one code, a status range, a since.
pub const SEARCH: &str = "code:slot_unavailable status:[400 TO 499] since:2026-05-14";
/// What the TUI row types, key by key.
pub const TUI_TYPED: &str = "code:slot_unavailable status:4xx";
/// From this size up the corpus is written zstd-compressed unless told
/// otherwise: 100M lines are ~69 GB of text, ~11 GB compressed.
pub const COMPRESS_FROM: u64 = 50_000_000;

/// Where and how to measure one size.
pub struct Setup {
    pub bin: PathBuf,
    pub work: PathBuf,
    pub lines: u64,
    pub repeats: usize,
    pub quick: bool,
    /// Write the corpus zstd-compressed (`.zst`), as errtriage reads it.
    pub zstd: bool,
    /// The `clickhouse-server` binary for the ClickHouse column
    /// ([`crate::clickhouse`]); `None`: the column is marked absent.
    pub clickhouse: Option<PathBuf>,
}

impl Setup {
    pub fn corpus(&self) -> PathBuf {
        self.work
            .join(format!("corpus-{}{}", self.lines, self.suffix()))
    }

    fn manifest(&self) -> PathBuf {
        self.work.join(format!(
            "corpus-{}{}.manifest.json",
            self.lines,
            self.suffix()
        ))
    }

    fn suffix(&self) -> &'static str {
        if self.zstd { "-zst" } else { "" }
    }

    pub fn index(&self) -> PathBuf {
        self.work.join(format!("index-{}", self.lines))
    }

    pub fn errtriage(&self) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("--index")
            .arg(self.index())
            .arg("--color=never")
            .env_remove("ERRTRIAGE_INDEX");
        c
    }

    /// Remove this size's corpus and index.
    pub fn clean(&self) -> Result<()> {
        for dir in [self.corpus(), self.index()] {
            if dir.exists() {
                std::fs::remove_dir_all(&dir)?;
            }
        }
        let _ = std::fs::remove_file(self.manifest());
        chains::clean(self)
    }

    /// Fewer repeats of the slow peers at the big sizes.
    fn peer_repeats(&self) -> usize {
        if self.lines >= 5_000_000 {
            1
        } else {
            3.min(self.repeats)
        }
    }
}

/// One find measurement.
pub struct Find {
    pub label: String,
    pub id: String,
    pub run: Run,
}

/// Everything measured at one size.
pub struct SizeResult {
    pub lines: u64,
    pub files: usize,
    /// Bytes of text (uncompressed), what MB/s are of.
    pub input_bytes: u64,
    /// Bytes on disk: less than `input_bytes` when compressed.
    pub stored_bytes: u64,
    pub compression: &'static str,
    pub generate_s: f64,
    pub events: u64,
    pub ingest: Run,
    pub index_bytes: u64,
    pub finds: Vec<Find>,
    pub groups: Run,
    pub groups_count: usize,
    pub search: Run,
    pub search_total: u64,
    /// `impact` and `timeline` of the story request.
    pub impact: Run,
    pub timeline: Run,
    /// `chains` on the many-keys corpus.
    pub chains: ChainsRow,
    pub tui: Option<Value>,
    /// `errtriage --version`: starting the process at all.
    pub floor: Run,
    /// `errtriage stats --json`: starting it and opening the index.
    pub open: Run,
    pub segments: usize,
    pub repeats: usize,
    pub peer_repeats: usize,
    /// Every peer's run (or why it did not run), task by task.
    pub peers: Vec<PeerRun>,
    /// The story request (`impact`, `timeline`).
    pub story_id: String,
    /// The same commands against ClickHouse, one node and two shards.
    pub clickhouse: clickhouse::Column,
}

impl SizeResult {
    /// `tool`'s run of `task`, when it ran.
    pub fn peer(&self, tool: &str, task: Task) -> Option<&Run> {
        self.peers
            .iter()
            .find(|p| p.tool == tool && p.task == task)
            .and_then(|p| p.run.as_ref())
    }
}

/// Measure everything at `s.lines`.
pub fn measure(s: &Setup) -> Result<SizeResult> {
    let (manifest, generate_s) = corpus(s)?;
    let files = measure::walk(&s.corpus());
    let (input_bytes, stored_bytes) = bytes(&manifest, &files);
    eprintln!(
        "bench: {} lines, {:.1} MB ({:.1} MB on disk) in {} files",
        s.lines,
        input_bytes as f64 / 1e6,
        stored_bytes as f64 / 1e6,
        files.len()
    );
    let scratch = s.work.join("peers");
    let corpus = peers::Corpus {
        dir: &s.corpus(),
        files: &files,
        lines: s.lines,
        zstd: s.zstd,
        scratch: &scratch,
    };
    let (ingest, events) = ingest(s, &manifest)?;
    let mut peer_runs = peers::run_task(&corpus, Task::Parse, "", 1)?;
    let index_bytes = measure::dir_bytes(&s.index());
    let finds = finds(s, &manifest)?;
    let mid = middle_needle(&manifest)?;
    peer_runs.extend(peers::run_task(
        &corpus,
        Task::Find,
        &mid,
        s.peer_repeats(),
    )?);
    let (groups, groups_count) = groups(s, &manifest)?;
    peer_runs.extend(peers::run_task(
        &corpus,
        Task::Groups,
        "",
        s.peer_repeats(),
    )?);
    let (search, search_total) = search(s)?;
    let (impact, timeline) = incident(s, &manifest)?;
    let tui = tui(s, events)?;
    let chains = match chains::measure(s) {
        Ok(row) => row,
        // At 100M the row runs on the main index, unproven at that size:
        // its failure is a finding of the run, not the end of it.
        Err(e) if s.zstd => chains::failed(&e),
        Err(e) => return Err(e),
    };
    let floor = measure::median(s.repeats, || {
        let mut c = Command::new(&s.bin);
        c.arg("--version");
        c
    })?;
    let open = measure::median(s.repeats, || {
        let mut c = s.errtriage();
        c.args(["stats", "--json"]);
        c
    })?;
    let segments = segments(s)?;
    let mut result = SizeResult {
        lines: s.lines,
        files: files.len(),
        input_bytes,
        stored_bytes,
        compression: if s.zstd { "zstd" } else { "none" },
        generate_s,
        events,
        ingest,
        index_bytes,
        finds,
        groups,
        groups_count,
        search,
        search_total,
        impact,
        timeline,
        chains,
        tui,
        floor,
        open,
        segments,
        repeats: s.repeats,
        peer_repeats: s.peer_repeats(),
        peers: peer_runs,
        story_id: manifest["story"]["request_id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        clickhouse: clickhouse::Column::Absent(String::new()),
    };
    result.clickhouse = clickhouse::measure(s, &result)?;
    Ok(result)
}

/// Bytes of text the corpus holds (what MB/s are of) and bytes on disk.
fn bytes(manifest: &Value, files: &[(PathBuf, u64)]) -> (u64, u64) {
    let stored: u64 = files.iter().map(|(_, n)| n).sum();
    let text = manifest["files"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f["bytes_uncompressed"].as_u64())
                .sum()
        })
        .unwrap_or(stored);
    (text, stored)
}

/// Only generate (or reuse) the corpus and ingest it, answers checked:
/// events, bytes of text, bytes on disk. The compressed route's CI check.
#[allow(dead_code, reason = "tests/bench.rs: the compressed route's CI check")]
pub fn generate_and_ingest(s: &Setup) -> Result<(u64, u64, u64)> {
    let (manifest, _) = corpus(s)?;
    let (input, stored) = bytes(&manifest, &measure::walk(&s.corpus()));
    let (_, events) = ingest(s, &manifest)?;
    Ok((events, input, stored))
}

/// How many segments the index has (each costs a query ~0.2 ms to open).
fn segments(s: &Setup) -> Result<usize> {
    let meta: Value = serde_json::from_slice(&std::fs::read(s.index().join("meta.json"))?)?;
    Ok(meta["segments"].as_array().map_or(0, Vec::len))
}

/// The corpus at this size, generated unless a matching one is kept.
fn corpus(s: &Setup) -> Result<(Value, f64)> {
    if let Ok(text) = std::fs::read_to_string(s.manifest()) {
        let m: Value = serde_json::from_str(&text)?;
        if m["lines"]["total"].as_u64() == Some(s.lines) && s.corpus().exists() {
            // A kept corpus may have left the page cache since it was
            // written; read it once so every tool starts as warm as after
            // generating.
            warm(&measure::walk(&s.corpus()))?;
            return Ok((m, 0.0));
        }
    }
    let _ = std::fs::remove_dir_all(s.corpus());
    std::fs::create_dir_all(s.corpus())?;
    let cfg = generator::Config {
        lines: s.lines,
        seed: generator::DEFAULT_SEED,
        files: Some((s.lines / 1_000_000).clamp(2, 16) as usize),
    };
    let t = std::time::Instant::now();
    let compression = if s.zstd { "zstd" } else { "none" };
    let m = generator::generate_with(&cfg, generator::KeyMix::default(), &s.corpus(), compression)
        .context("generating the corpus")?;
    let secs = t.elapsed().as_secs_f64();
    std::fs::write(s.manifest(), serde_json::to_vec(&m)?)?;
    Ok((m, secs))
}

/// Read `files` once, into the page cache.
fn warm(files: &[(PathBuf, u64)]) -> Result<()> {
    for (path, _) in files {
        let mut f = std::fs::File::open(path).with_context(|| path.display().to_string())?;
        std::io::copy(&mut f, &mut std::io::sink())?;
    }
    Ok(())
}

fn ingest(s: &Setup, manifest: &Value) -> Result<(Run, u64)> {
    let _ = std::fs::remove_dir_all(s.index());
    let mut cmd = s.errtriage();
    cmd.args(["ingest", "--json"]).arg(s.corpus());
    let run = measure::run(&mut cmd)?;
    let summary: Value = serde_json::from_slice(&run.stdout).context("ingest --json")?;
    let events = summary["events"].as_u64().unwrap_or(0);
    // A repairable broken line (invalid UTF-8) is indexed too.
    let want = manifest["lines"]["good"].as_u64().unwrap_or(0) + repaired(manifest).len() as u64;
    ensure!(
        events == want,
        "ingest indexed {events} events, the manifest says {want}"
    );
    Ok((run, events))
}

/// The request ids planted at 10%, 50% and 90% of the corpus.
fn needles(manifest: &Value) -> Result<Vec<String>> {
    let needles: Vec<String> = manifest["needles"]
        .as_array()
        .context("manifest needles")?
        .iter()
        .filter_map(|n| n["request_id"].as_str().map(String::from))
        .collect();
    ensure!(!needles.is_empty(), "the manifest has no needles");
    Ok(needles)
}

/// The needle the peers look for (and the prefix `find` is given).
fn middle_needle(manifest: &Value) -> Result<String> {
    let needles = needles(manifest)?;
    Ok(needles[needles.len() / 2].clone())
}

fn finds(s: &Setup, manifest: &Value) -> Result<Vec<Find>> {
    let needles = needles(manifest)?;
    let mut out = Vec::new();
    let labels = ["10%", "50%", "90%"];
    for (id, label) in needles.iter().zip(labels) {
        out.push(find_one(
            s,
            &format!("find (needle at {label})"),
            id,
            "request_id",
        )?);
    }
    let mid = &needles[needles.len() / 2];
    let prefix = &mid[..mid.len() - 4];
    out.push(find_one(
        s,
        "find (unique prefix)",
        prefix,
        "request_id_prefix",
    )?);
    Ok(out)
}

fn find_one(s: &Setup, label: &str, id: &str, matched_as: &str) -> Result<Find> {
    let run = measure::median(s.repeats, || {
        let mut c = s.errtriage();
        c.args(["find", "--json", id]);
        c
    })?;
    let v: Value = serde_json::from_slice(&run.stdout).context("find --json")?;
    ensure!(
        v["matched_as"].as_str() == Some(matched_as) && !v["events"].as_array().unwrap().is_empty(),
        "find {id}: expected a {matched_as} match, got {}",
        v["matched_as"]
    );
    Ok(Find {
        label: label.to_string(),
        id: id.to_string(),
        run,
    })
}

/// The records of the broken lines errtriage repairs and indexes.
fn repaired(manifest: &Value) -> Vec<&Value> {
    manifest["broken"]["lines"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .filter(|b| b["repairable"] == true)
                .map(|b| &b["record"])
                .collect()
        })
        .unwrap_or_default()
}

fn groups(s: &Setup, manifest: &Value) -> Result<(Run, usize)> {
    let run = measure::median(s.repeats, || {
        let mut c = s.errtriage();
        c.args(["groups", "--by", "code", "--limit", "100000", "--json"]);
        c
    })?;
    let v: Value = serde_json::from_slice(&run.stdout).context("groups --json")?;
    let groups = v["groups"].as_array().context("groups")?;
    let got: u64 = groups.iter().filter_map(|g| g["count"].as_u64()).sum();
    let want: u64 = manifest["codes"]
        .as_object()
        .context("manifest codes")?
        .values()
        .filter_map(Value::as_object)
        .flat_map(|codes| codes.values().filter_map(Value::as_u64))
        .sum::<u64>()
        + repaired(manifest)
            .iter()
            .filter(|r| r["code"].is_string())
            .count() as u64;
    if got != want {
        bail!("groups --by code counted {got} coded events, the manifest says {want}");
    }
    Ok((run, groups.len()))
}

fn search(s: &Setup) -> Result<(Run, u64)> {
    let run = measure::median(s.repeats, || {
        let mut c = s.errtriage();
        c.args(["search", "--limit", "50", "--json", SEARCH]);
        c
    })?;
    let v: Value = serde_json::from_slice(&run.stdout).context("search --json")?;
    let total = v["total"].as_u64().unwrap_or(0);
    ensure!(total > 0, "the typical search found nothing");
    Ok((run, total))
}

/// `impact` and `timeline` of the story request (whole process, JSON out).
fn incident(s: &Setup, manifest: &Value) -> Result<(Run, Run)> {
    let story = &manifest["story"];
    let id = story["request_id"].as_str().context("manifest story")?;
    let impact = measure::median(s.repeats, || {
        let mut c = s.errtriage();
        c.args(["impact", "--json", id]);
        c
    })?;
    let v: Value = serde_json::from_slice(&impact.stdout).context("impact --json")?;
    let clients = v["clients"].as_array().context("impact clients")?;
    ensure!(
        clients.iter().any(|c| c["client"] == story["client"]),
        "impact {id} does not name the story's client"
    );
    let timeline = measure::median(s.repeats, || {
        let mut c = s.errtriage();
        c.args(["timeline", "--json", id]);
        c
    })?;
    let v: Value = serde_json::from_slice(&timeline.stdout).context("timeline --json")?;
    ensure!(
        v["selected"].as_str() == Some(id),
        "timeline {id} did not select it"
    );
    Ok((impact, timeline))
}

/// The TUI headless (`errtriage bench-tui`), the median run of three.
fn tui(s: &Setup, events: u64) -> Result<Option<Value>> {
    let mut runs = Vec::new();
    for _ in 0..if s.quick { 1 } else { 3 } {
        let mut c = s.errtriage();
        c.args(["bench-tui", TUI_TYPED]);
        let run = measure::run(&mut c)?;
        let v: Value = serde_json::from_slice(&run.stdout).context("bench-tui output")?;
        ensure!(
            v["events"].as_u64() == Some(events),
            "bench-tui saw another index"
        );
        ensure!(
            v["final_total"].as_u64().unwrap_or(0) > 0,
            "the typed TUI query found nothing"
        );
        runs.push(v);
    }
    runs.sort_by(|a, b| {
        a["key_to_frame_p95_ms"]
            .as_f64()
            .partial_cmp(&b["key_to_frame_p95_ms"].as_f64())
            .unwrap()
    });
    Ok(Some(runs.swap_remove(runs.len() / 2)))
}
