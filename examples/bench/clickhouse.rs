//! clickhouse: the benchmark's ClickHouse column — after the local index is
//! measured ([`crate::suite`]), the same corpus goes into a single-node
//! ClickHouse server and into a two-shard cluster (127.0.0.2/127.0.0.3,
//! started by the store tests' own launcher, `tests/common/clickhouse_server.rs`)
//! through the real CLI (`store init`, `--store URL ingest`), and the same
//! commands the local rows ran are timed against each, whole process, and
//! their answers checked against the local store's: a disagreement stops
//! the run, as a peer's does. Also recorded: ingest MB/s and events/s, the
//! peak RSS of errtriage and of the servers, the servers' CPU during the
//! ingest, and their bytes on disk (`system.parts`) beside the index's.
//! The Markdown and JSON of the column are in [`crate::chreport`].

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

use crate::clickhouse_server::{Cluster, Server};
use crate::measure::{self, Run};
use crate::suite::{SEARCH, Setup, SizeResult};

/// The database the bench writes into.
const DB: &str = "bench";

/// How a ClickHouse answer is checked against the local store's.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// The whole `--json` answer is equal.
    Whole,
    /// `total` and the number of events returned are equal (ties in the
    /// order may differ).
    Total,
    /// Every group equal but what comes from its sample (any event of the
    /// group): `sample_request_id`, and `class` — a code that several
    /// classes share (`NOT_FOUND`: `not_found` and `other`) shows the
    /// sample's, which differs between stores.
    Groups,
    /// `events` of `stats --json`.
    Events,
}

/// One command asked of every store, with the local store's run.
pub struct Asked {
    pub name: String,
    pub args: Vec<String>,
    pub check: Check,
    pub local: Run,
}

impl Asked {
    pub fn new(name: impl Into<String>, args: &[&str], check: Check, local: &Run) -> Asked {
        Asked {
            name: name.into(),
            args: args.iter().map(|a| a.to_string()).collect(),
            check,
            local: local.clone(),
        }
    }
}

/// What the servers hold on disk (active parts).
#[derive(Debug, Clone, Default)]
pub struct Disk {
    /// Every table of the database (events, lookup tables, checkpoints).
    pub bytes: u64,
    /// The events table alone.
    pub events_bytes: u64,
    pub parts: u64,
    /// Events on each shard.
    pub shard_rows: Vec<u64>,
}

/// One ClickHouse setup measured.
pub struct Store {
    pub label: &'static str,
    pub shards: usize,
    pub ingest: Run,
    pub events: u64,
    /// CPU seconds the servers spent during the ingest (all shards).
    pub server_cpu_s: f64,
    /// Peak RSS of the servers (summed over shards), bytes.
    pub server_rss: u64,
    pub disk: Disk,
    /// One run per [`Asked`], in order.
    pub runs: Vec<Run>,
}

/// The column: measured, or absent and why.
pub enum Column {
    Absent(String),
    Measured {
        version: String,
        asked: Vec<Asked>,
        stores: Vec<Store>,
    },
}

/// The servers of one setup, kept alive while it is measured.
enum Servers {
    One(Server),
    Two(Cluster),
}

impl Servers {
    fn nodes(&self) -> Vec<&Server> {
        match self {
            Servers::One(s) => vec![s],
            Servers::Two(c) => c.shards.iter().collect(),
        }
    }

    fn url(&self) -> String {
        match self {
            Servers::One(s) => s.url(DB),
            Servers::Two(c) => c.url(DB),
        }
    }
}

/// Measure both setups after the local rows `r`, or say why there is no
/// column.
pub fn measure(s: &Setup, r: &SizeResult) -> Result<Column> {
    let Some(bin) = &s.clickhouse else {
        return Ok(Column::Absent(
            "no server (--clickhouse BIN or ERRTRIAGE_CLICKHOUSE_SERVER)".into(),
        ));
    };
    let asked = asked(s, r)?;
    let events = r.events;
    let mut stores = Vec::new();
    let mut version = String::new();
    for (label, shards) in [("1 node", 1), ("2 shards", 2)] {
        let servers = start(bin, shards)?;
        version = servers.nodes()[0]
            .query("SELECT version()")
            .map_err(anyhow::Error::msg)?
            .trim()
            .to_string();
        eprintln!("bench: ClickHouse {version}, {label}");
        stores.push(one(s, &servers, label, events, &asked)?);
    }
    Ok(Column::Measured {
        version,
        asked,
        stores,
    })
}

/// The commands the local rows ran (their runs, answers included), and
/// `chains` of this corpus, timed here on the local index too.
fn asked(s: &Setup, r: &SizeResult) -> Result<Vec<Asked>> {
    let mut asked: Vec<Asked> = r
        .finds
        .iter()
        .map(|f| Asked::new(&f.label, &["find", "--json", &f.id], Check::Whole, &f.run))
        .collect();
    let search = ["search", "--limit", "50", "--json", SEARCH];
    asked.push(Asked::new(
        "search (typical)",
        &search,
        Check::Total,
        &r.search,
    ));
    let groups = ["groups", "--by", "code", "--limit", "100000", "--json"];
    asked.push(Asked::new(
        "groups --by code",
        &groups,
        Check::Groups,
        &r.groups,
    ));
    let chains = ["chains", "--json", "--limit", "100"];
    let local = measure::median(s.repeats, || {
        let mut c = s.errtriage();
        c.args(chains);
        c
    })?;
    asked.push(Asked::new(
        "chains --limit 100",
        &chains,
        Check::Whole,
        &local,
    ));
    let story = r.story_id.as_str();
    for (name, run) in [("impact", &r.impact), ("timeline", &r.timeline)] {
        let what = format!("{name} of the story request");
        asked.push(Asked::new(
            what,
            &[name, "--json", story],
            Check::Whole,
            run,
        ));
    }
    asked.push(Asked::new(
        "stats",
        &["stats", "--json"],
        Check::Events,
        &r.open,
    ));
    Ok(asked)
}

fn start(bin: &Path, shards: usize) -> Result<Servers> {
    let started = if shards == 1 {
        Server::single_of(bin).map(Servers::One)
    } else {
        Cluster::two_of(bin).map(Servers::Two)
    };
    started
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("starting {}", bin.display()))
}

/// errtriage against the store at `url`.
fn errtriage(s: &Setup, url: &str) -> Command {
    let mut c = Command::new(&s.bin);
    c.arg("--store")
        .arg(url)
        .arg("--color=never")
        .env_remove("ERRTRIAGE_INDEX")
        .env_remove("ERRTRIAGE_STORE");
    c
}

fn one(
    s: &Setup,
    servers: &Servers,
    label: &'static str,
    events: u64,
    asked: &[Asked],
) -> Result<Store> {
    let url = servers.url();
    let init = errtriage(s, &url).args(["store", "init"]).output()?;
    ensure!(
        init.status.success(),
        "store init on {label}: {}",
        String::from_utf8_lossy(&init.stderr).trim()
    );
    let cpu_before = server_cpu(servers);
    let mut cmd = errtriage(s, &url);
    cmd.args(["ingest", "--json"]).arg(s.corpus());
    let ingest = measure::run(&mut cmd)?;
    let server_cpu_s = server_cpu(servers) - cpu_before;
    let summary: Value = serde_json::from_slice(&ingest.stdout).context("ingest --json")?;
    let got = summary["events"].as_u64().unwrap_or(0);
    ensure!(
        got == events,
        "ClickHouse {label}: ingest stored {got} events, the local index {events}"
    );
    let mut runs = Vec::new();
    for a in asked {
        let run = measure::median(s.repeats, || {
            let mut c = errtriage(s, &url);
            c.args(&a.args);
            c
        })?;
        check(s, label, a, &run)?;
        runs.push(run);
    }
    let disk = disk(servers)?;
    let server_rss = servers
        .nodes()
        .iter()
        .filter_map(|n| n.pid().and_then(measure::vm_hwm))
        .sum();
    Ok(Store {
        label,
        shards: servers.nodes().len(),
        ingest,
        events,
        server_cpu_s,
        server_rss,
        disk,
        runs,
    })
}

fn server_cpu(servers: &Servers) -> f64 {
    servers
        .nodes()
        .iter()
        .filter_map(|n| n.pid().and_then(measure::cpu_seconds))
        .sum()
}

/// The ClickHouse answer against the local one; on a disagreement both
/// are written beside the corpus and the run stops.
fn check(s: &Setup, label: &str, a: &Asked, run: &Run) -> Result<()> {
    let parse = |bytes: &[u8], whose: &str| -> Result<Value> {
        serde_json::from_slice(bytes).with_context(|| format!("{} ({whose}): not JSON", a.name))
    };
    let local = parse(&a.local.stdout, "local")?;
    let remote = parse(&run.stdout, label)?;
    let same = match a.check {
        Check::Whole => local == remote,
        Check::Total => {
            local["total"] == remote["total"]
                && local["events"].as_array().map(Vec::len)
                    == remote["events"].as_array().map(Vec::len)
        }
        Check::Groups => without_samples(&local) == without_samples(&remote),
        Check::Events => local["events"] == remote["events"],
    };
    if same {
        return Ok(());
    }
    let stem = s
        .work
        .join(format!("clickhouse-mismatch-{}", slug(&a.name)));
    std::fs::write(stem.with_extension("local.json"), &a.local.stdout)?;
    std::fs::write(stem.with_extension("clickhouse.json"), &run.stdout)?;
    bail!(
        "{} on ClickHouse {label} differs from the local store (both in {}.*.json)",
        a.name,
        stem.display()
    )
}

fn without_samples(groups: &Value) -> Value {
    let mut v = groups.clone();
    if let Some(gs) = v["groups"].as_array_mut() {
        for g in gs {
            if let Some(o) = g.as_object_mut() {
                o.remove("sample_request_id");
                o.remove("class");
            }
        }
    }
    v
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Active parts of the bench database on every node.
fn disk(servers: &Servers) -> Result<Disk> {
    let mut d = Disk::default();
    for node in servers.nodes() {
        let sql = format!(
            "SELECT sum(bytes_on_disk), \
                    sumIf(bytes_on_disk, table IN ('events', 'events_local')), \
                    count(), \
                    sumIf(rows, table IN ('events', 'events_local')) \
             FROM system.parts WHERE active AND database = '{DB}' FORMAT TSV"
        );
        let row = node.query(&sql).map_err(anyhow::Error::msg)?;
        let n: Vec<u64> = row
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .with_context(|| format!("system.parts: {row}"))?;
        ensure!(n.len() == 4, "system.parts: {row}");
        d.bytes += n[0];
        d.events_bytes += n[1];
        d.parts += n[2];
        d.shard_rows.push(n[3]);
    }
    Ok(d)
}
