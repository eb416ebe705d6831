//! bench: errtriage against the tools support engineers use today (`jq`,
//! `rg`, `lnav`, `agrind`), on corpora made by the project's own generator —
//! every wrapper style mixed — at several sizes, all measured in one run.
//! Prints one Markdown table per size (paste into BENCHMARKS.md) and the
//! machine; with `--json` merges the figures into a results file, and with
//! `--svg` draws the scaling curves from it.
//!
//! ```text
//! cargo run --release --example bench                       # 100k, 1M, 10M lines
//! cargo run --release --example bench -- --sizes 100k,1m    # fewer sizes
//! cargo run --release --example bench -- --sizes 100m \     # 100M, zstd corpus
//!     --json docs/bench/results.json --svg docs/bench/curves.svg
//! cargo run --release --example bench -- --plot-only \      # redraw, measure nothing
//!     --json docs/bench/results.json --svg docs/bench/curves.svg
//! cargo run --example bench -- --quick                      # CI: a few thousand lines, checks only
//! ```
//!
//! With `--clickhouse SERVER_BIN` (or `ERRTRIAGE_CLICKHOUSE_SERVER`) each
//! size also goes into a ClickHouse server and a two-shard cluster started
//! on this machine, and the same commands are timed there beside the local
//! index, answers checked equal ([`clickhouse`]); without it that column
//! says absent.
//!
//! From [`suite::COMPRESS_FROM`] lines up (or with `--compress zstd`) the
//! corpus is written zstd-compressed as it is generated — errtriage reads
//! `.zst` directly — so 100M lines (~69 GB of text) take ~11 GB of disk.
//!
//! The errtriage binary of the same profile is built first (`cargo build
//! --bin errtriage`) and run as a separate process, so every time is a
//! whole-process time, as a user sees it. A peer that is not installed is
//! skipped and the table says so. `--quick` checks answers (events counted,
//! needles found, groups adding up) and exits non-zero on a wrong one; it
//! never judges a time.

mod chains;
mod chreport;
mod clickhouse;
#[path = "../../tests/common/clickhouse_server.rs"]
mod clickhouse_server;
#[allow(dead_code)]
#[path = "../genlogs/gen.rs"]
mod generator;
mod measure;
mod peers;
mod plot;
mod report;
mod results;
mod suite;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use clap::Parser;

/// Benchmark errtriage against jq and rg on generated corpora.
#[derive(Parser, Debug)]
#[command(name = "bench")]
struct Args {
    /// Corpus sizes in lines (k and m suffixes allowed)
    #[arg(long, value_delimiter = ',', default_value = "100k,1m,10m", value_parser = parse_size)]
    sizes: Vec<u64>,
    /// CI mode: one small corpus, fewer repeats, answers checked
    #[arg(long)]
    quick: bool,
    /// Working directory for corpora and indexes [default: a temporary one]
    #[arg(long)]
    work: Option<PathBuf>,
    /// Keep corpora and indexes afterwards (they are reused when present)
    #[arg(long)]
    keep: bool,
    /// Repeats per latency measurement (the median is reported)
    #[arg(long, default_value_t = 9)]
    repeats: usize,
    /// Also write the Markdown report to this file
    #[arg(long)]
    out: Option<PathBuf>,
    /// Merge the figures into this JSON results file (one entry per size)
    #[arg(long)]
    json: Option<PathBuf>,
    /// Draw the scaling curves of the --json file into this SVG
    #[arg(long, requires = "json")]
    svg: Option<PathBuf>,
    /// Measure nothing: only redraw --svg from --json
    #[arg(long, requires = "svg")]
    plot_only: bool,
    /// How to write the corpus: `auto` compresses from 50M lines up
    #[arg(long, value_parser = ["auto", "none", "zstd"], default_value = "auto")]
    compress: String,
    /// A `clickhouse-server` binary: adds the ClickHouse column (one node
    /// and two shards on this machine); without it the column is absent
    #[arg(long, value_name = "SERVER_BIN", env = "ERRTRIAGE_CLICKHOUSE_SERVER")]
    clickhouse: Option<PathBuf>,
    /// Measure this errtriage binary instead of building one
    #[arg(long, value_name = "BIN")]
    errtriage: Option<PathBuf>,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim().to_ascii_lowercase();
    let (num, mult) = match s.strip_suffix('m') {
        Some(n) => (n, 1_000_000),
        None => match s.strip_suffix('k') {
            Some(n) => (n, 1_000),
            None => (s.as_str(), 1),
        },
    };
    num.parse::<u64>()
        .map(|n| n * mult)
        .map_err(|e| format!("{s}: {e}"))
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(mut args: Args) -> Result<()> {
    if args.plot_only {
        return plot(&args, Vec::new());
    }
    if args.quick {
        args.sizes = vec![5_000];
        args.repeats = args.repeats.min(3);
    }
    let bin = match &args.errtriage {
        Some(bin) => bin.clone(),
        None => build_errtriage()?,
    };
    let tmp;
    let work = match &args.work {
        Some(w) => w.clone(),
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    std::fs::create_dir_all(&work)?;
    let machine = report::Machine::describe();
    let mut out = report::header(&machine, args.quick);
    eprint!("{out}");
    for &lines in &args.sizes {
        let setup = suite::Setup {
            bin: bin.clone(),
            work: work.clone(),
            lines,
            repeats: args.repeats,
            quick: args.quick,
            zstd: match args.compress.as_str() {
                "zstd" => true,
                "none" => false,
                _ => lines >= suite::COMPRESS_FROM,
            },
            clickhouse: args.clickhouse.clone(),
        };
        let result = suite::measure(&setup)?;
        let table = report::table(&result) + &chreport::table(&result);
        eprint!("{table}");
        out.push_str(&table);
        let size = results::size_json(&result, &report::Machine::describe());
        // Kept as each size ends: a long run that fails at 100M keeps
        // the sizes before it.
        if let Some(json) = &args.json {
            results::merge(json, vec![size])?;
        }
        if let Some(path) = &args.out {
            std::fs::write(path, &out).with_context(|| format!("writing {}", path.display()))?;
        }
        if !args.keep {
            setup.clean()?;
        }
    }
    out.push_str(&report::footer(&report::Machine::describe()));
    print!("{out}");
    if let Some(path) = &args.out {
        std::fs::write(path, &out).with_context(|| format!("writing {}", path.display()))?;
    }
    plot(&args, Vec::new())
}

/// Merge `sizes` into `--json` and redraw `--svg` from everything it holds.
fn plot(args: &Args, sizes: Vec<serde_json::Value>) -> Result<()> {
    let Some(json) = &args.json else {
        return Ok(());
    };
    let held = results::merge(json, sizes)?;
    if let Some(svg) = &args.svg {
        plot::draw(&held, svg)?;
        eprintln!("bench: {} sizes drawn into {}", held.len(), svg.display());
    }
    Ok(())
}

/// Build the errtriage binary in this example's profile; its path.
fn build_errtriage() -> Result<PathBuf> {
    let release = !cfg!(debug_assertions);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    // The same targets as `cargo run --example bench`, so the same features:
    // nothing is rebuilt.
    cmd.args([
        "build",
        "--quiet",
        "--bin",
        "errtriage",
        "--example",
        "bench",
    ])
    .current_dir(env!("CARGO_MANIFEST_DIR"));
    if release {
        cmd.arg("--release");
    }
    let status = cmd
        .status()
        .context("running cargo build --bin errtriage")?;
    if !status.success() {
        bail!("cargo build --bin errtriage failed");
    }
    let exe = std::env::current_exe()?;
    // target/<profile>/examples/bench → target/<profile>/errtriage
    let bin = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("errtriage"))
        .context("locating the errtriage binary")?;
    if !bin.exists() {
        bail!("no errtriage binary at {}", bin.display());
    }
    Ok(bin)
}
