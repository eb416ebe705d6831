//! genlogs: write a seeded corpus of realistic API logs (and its manifest).
//!
//! The bundled `sample-logs/` and its manifest are exactly what this makes;
//! never edit them by hand, regenerate them from the repository root with:
//!
//! ```text
//! cargo run --example genlogs -- --lines 7000 --seed 20260514 --out sample-logs --manifest tests/data/sample-logs.manifest.json
//! ```
//!
//! (docs/sample-logs.md says what is in it.)
//!
//! A benchmark corpus: `cargo run --release --example genlogs -- --lines 10000000 --files 14 --out /tmp/big`.
//! The many-keys corpus for `chains` (1M distinct idempotency keys, 20% of them retried):
//! `… --lines 10000000 --files 14 --keys 1000000 --retried 20 --out /tmp/keys`.
//! Other software's log formats only: `cargo run --example genlogs -- --formats-only 100 --out /tmp/formats`.

#[path = "gen.rs"]
mod generator;
#[path = "incidents.rs"]
mod incidents;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;

/// Generate realistic, seeded API logs for errtriage's tests and benchmarks.
#[derive(Parser)]
#[command(name = "genlogs")]
struct Args {
    /// Total lines to write, broken ones included.
    #[arg(long, default_value_t = generator::SAMPLE_LINES)]
    lines: u64,
    /// Output directory (created if missing; files in it are overwritten).
    #[arg(long)]
    out: PathBuf,
    /// Seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = generator::DEFAULT_SEED)]
    seed: u64,
    /// Split into K numbered plain files (benchmarks) instead of the bundled
    /// layout; about a tenth of their random requests are then written in
    /// other software's log formats (Envoy, Traefik, GCP, pino, Docker,
    /// Serilog, Fluent Bit, OTLP), counted in the manifest's `formats_mixed`.
    #[arg(long, value_name = "K")]
    files: Option<usize>,
    /// Compress the --files K parts as they are written (`.zst`, `.gz`), so a
    /// corpus bigger than the free disk fits
    #[arg(long, value_parser = ["none", "zstd", "gzip"], default_value = "none", requires = "files")]
    compress: String,
    /// Write the JSON manifest (ground truth) here; must be outside --out.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// Write the small planned-incidents corpus instead (impact, timeline, --context)
    #[arg(long)]
    incidents: bool,
    /// Write only `formats/`: N requests in each log format the generator
    /// knows (Envoy, Traefik, GCP, Cloudflare, API Gateway, pino, Serilog,
    /// Docker, Kubernetes, OTLP)
    #[arg(long, value_name = "N", conflicts_with = "incidents")]
    formats_only: Option<usize>,
    /// The many-keys corpus (`chains` at scale): spread N distinct
    /// idempotency keys over the random traffic
    #[arg(long, value_name = "N", default_value_t = 0)]
    keys: u64,
    /// With --keys: the share of keyed requests retried, in percent
    #[arg(long, value_name = "PCT", default_value_t = 20, requires = "keys")]
    retried: u32,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("genlogs: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    if let Some(m) = &args.manifest {
        if inside(m, &args.out)? {
            bail!(
                "the manifest {} would be ingested as a log: put it outside {}",
                m.display(),
                args.out.display()
            );
        }
    }
    let cfg = generator::Config {
        lines: args.lines,
        seed: args.seed,
        files: args.files,
    };
    let started = Instant::now();
    let manifest = if args.incidents {
        incidents::generate(&args.out)
    } else if let Some(n) = args.formats_only {
        generator::generate_formats(&args.out, args.seed, n).map(|mut m| {
            m["lines"] = serde_json::json!({"total": m["total"], "broken": 0});
            m
        })
    } else {
        let compression = match args.compress.as_str() {
            "zstd" => "zstd",
            "gzip" => "gzip",
            _ => "none",
        };
        if args.keys == 0 && compression == "none" {
            generator::generate(&cfg, &args.out)
        } else {
            let mix = generator::KeyMix {
                keys: args.keys,
                retried_pct: args.retried,
            };
            let mix = if args.keys > 0 {
                mix
            } else {
                generator::KeyMix::default()
            };
            generator::generate_with(&cfg, mix, &args.out, compression)
        }
    }
    .with_context(|| format!("generating into {}", args.out.display()))?;
    let secs = started.elapsed().as_secs_f64();
    if let Some(m) = &args.manifest {
        let mut text = serde_json::to_string_pretty(&manifest)?;
        text.push('\n');
        std::fs::write(m, text).with_context(|| format!("writing {}", m.display()))?;
    }
    let bytes: u64 = manifest["files"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f["bytes_uncompressed"].as_u64())
                .sum()
        })
        .unwrap_or(0);
    eprintln!(
        "genlogs: {} lines ({} broken), {:.1} MB in {:.2} s ({:.0} MB/s) into {}",
        manifest["lines"]["total"],
        manifest["lines"]["broken"],
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs.max(1e-9),
        args.out.display()
    );
    Ok(())
}

/// Whether `file` would sit inside `dir` (neither needs to exist yet but `dir`).
fn inside(file: &Path, dir: &Path) -> anyhow::Result<bool> {
    let dir = dir.canonicalize()?;
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    Ok(parent.canonicalize()?.starts_with(dir))
}
