//! chains: the `chains` row, on its own many-keys corpus (one distinct
//! idempotency key per ten lines, a fifth of them retried: 1M keys at 10M
//! lines), generated and ingested beside the main one. The default order
//! (flagged first, then newest) and `--limit 100` are timed whole process;
//! every answer is checked for its order, and on the CI's small corpus every
//! sort's top chains are checked against the full list. At the compressed
//! sizes (100M lines) a second corpus and index would not fit beside the
//! first on one disk, nor in the time of one run: the row then runs on the
//! main corpus's index and says so.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, Result, ensure};
use serde_json::Value;

use crate::generator;
use crate::measure::{self, Run};
use crate::suite::Setup;

/// Distinct keys per line of the many-keys corpus.
const KEYS_PER_LINE: u64 = 10;
/// Share of keyed requests retried, in percent.
const RETRIED_PCT: u32 = 20;
/// Chains asked for, as the CLI's default.
pub const LIMIT: usize = 100;
const SORTS: [&str; 4] = ["flagged", "findings", "newest", "oldest"];

/// The `chains` row.
pub struct ChainsRow {
    pub run: Run,
    /// Which corpus: "many-keys corpus: N keys" or "main corpus".
    pub corpus: String,
    /// Chains returned, and how many of them flagged.
    pub chains: usize,
    pub flagged: usize,
}

fn corpus(s: &Setup) -> PathBuf {
    s.work.join(format!("corpus-{}-keys", s.lines))
}

fn index(s: &Setup) -> PathBuf {
    s.work.join(format!("index-{}-keys", s.lines))
}

/// Remove the many-keys corpus and index.
pub fn clean(s: &Setup) -> Result<()> {
    for dir in [corpus(s), index(s)] {
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
    }
    Ok(())
}

fn errtriage(s: &Setup) -> Command {
    let mut c = Command::new(&s.bin);
    let index = if s.zstd { s.index() } else { index(s) };
    c.arg("--index")
        .arg(index)
        .arg("--color=never")
        .env_remove("ERRTRIAGE_INDEX");
    c
}

/// Generate and ingest the many-keys corpus, then time and check `chains`.
pub fn measure(s: &Setup) -> Result<ChainsRow> {
    let keys = s.lines / KEYS_PER_LINE;
    let corpus = if s.zstd {
        "main corpus".to_string()
    } else {
        prepare(s, keys)?;
        format!("many-keys corpus: {keys} keys")
    };
    let run = measure::median_sampled(s.repeats, || {
        let mut c = errtriage(s);
        c.args(["chains", "--json", "--limit", &LIMIT.to_string()]);
        c
    })?;
    let chains = chains_of(&run.stdout)?;
    ensure!(
        !chains.is_empty(),
        "chains found no chain in the many-keys corpus"
    );
    ensure!(
        chains.len() <= LIMIT,
        "chains returned {} > {LIMIT}",
        chains.len()
    );
    check_order("flagged", &chains)?;
    let flagged = chains.iter().filter(|c| is_flagged(c)).count();
    let only = ask(s, &["--flagged", "--limit", &LIMIT.to_string()])?;
    ensure!(
        only.iter().all(is_flagged),
        "chains --flagged returned an unflagged chain"
    );
    if s.quick {
        against_the_full_list(s, keys)?;
    }
    Ok(ChainsRow {
        run,
        corpus,
        chains: chains.len(),
        flagged,
    })
}

/// The row of a `chains` run that gave no answer, saying why.
pub fn failed(e: &anyhow::Error) -> ChainsRow {
    eprintln!("bench: chains failed: {e:#}");
    ChainsRow {
        run: Run::default(),
        corpus: format!("main corpus; FAILED: {e:#}"),
        chains: 0,
        flagged: 0,
    }
}

/// The corpus and its index, unless a kept one is there.
fn prepare(s: &Setup, keys: u64) -> Result<()> {
    let done = index(s).join("meta.json");
    if corpus(s).exists() && done.exists() {
        return Ok(());
    }
    clean(s)?;
    std::fs::create_dir_all(corpus(s))?;
    let cfg = generator::Config {
        lines: s.lines,
        seed: generator::DEFAULT_SEED,
        files: Some((s.lines / 1_000_000).clamp(2, 16) as usize),
    };
    let mix = generator::KeyMix {
        keys,
        retried_pct: RETRIED_PCT,
    };
    generator::generate_with(&cfg, mix, &corpus(s), "none")
        .context("generating the many-keys corpus")?;
    let mut cmd = errtriage(s);
    cmd.args(["ingest", "--json"]).arg(corpus(s));
    let run = measure::run(&mut cmd)?;
    ensure!(run.status == 0, "ingesting the many-keys corpus failed");
    Ok(())
}

fn ask(s: &Setup, args: &[&str]) -> Result<Vec<Value>> {
    let mut c = errtriage(s);
    c.args(["chains", "--json"]).args(args);
    let out = c.output()?;
    chains_of(&out.stdout)
}

fn chains_of(stdout: &[u8]) -> Result<Vec<Value>> {
    let v: Value = serde_json::from_slice(stdout).context("chains --json")?;
    Ok(v["chains"].as_array().context("chains")?.clone())
}

fn is_flagged(c: &Value) -> bool {
    c["flags"].as_array().is_some_and(|f| !f.is_empty())
}

/// The first attempt's time (RFC 3339 in UTC, ms: text order is time order).
fn first(c: &Value) -> &str {
    c["attempts"][0]["ts"].as_str().unwrap_or("")
}

/// Each chain is in `sort` order against the one before it.
fn check_order(sort: &str, chains: &[Value]) -> Result<()> {
    for (i, w) in chains.windows(2).enumerate() {
        let (a, b) = (&w[0], &w[1]);
        let n = |c: &Value| c["flags"].as_array().map_or(0, Vec::len);
        let ok = match sort {
            "flagged" => {
                (!is_flagged(a), std::cmp::Reverse(first(a)))
                    <= (!is_flagged(b), std::cmp::Reverse(first(b)))
            }
            "findings" => {
                (std::cmp::Reverse(n(a)), std::cmp::Reverse(first(a)))
                    <= (std::cmp::Reverse(n(b)), std::cmp::Reverse(first(b)))
            }
            "newest" => first(a) >= first(b),
            _ => first(a) <= first(b),
        };
        ensure!(ok, "chains --sort {sort}: chain {} is out of order", i + 1);
    }
    Ok(())
}

/// Every sort, with and without `--flagged`: the top chains are the full
/// list's first ones, and the full list covers the keys made.
fn against_the_full_list(s: &Setup, keys: u64) -> Result<()> {
    for sort in SORTS {
        for flagged in [false, true] {
            let mut args: Vec<&str> = Vec::new();
            if sort != "flagged" {
                args.extend(["--sort", sort]);
            }
            if flagged {
                args.push("--flagged");
            }
            let full = ask(s, &[&args[..], &["--limit", "1000000"]].concat())?;
            check_order(sort, &full)?;
            if !flagged {
                ensure!(
                    full.len() as u64 >= keys * 9 / 10,
                    "{} chains for {keys} keys",
                    full.len()
                );
            }
            let top = ask(s, &[&args[..], &["--limit", "7"]].concat())?;
            ensure!(
                top[..] == full[..7.min(full.len())],
                "chains --sort {sort} --limit 7 (flagged: {flagged}) is not the full list's start"
            );
        }
    }
    Ok(())
}
