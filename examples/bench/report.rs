//! report: the Markdown that goes into BENCHMARKS.md — the machine, then one
//! table per size with each target and whether it was met.

use std::fmt::Write as _;

use crate::peers::{self, Task};
use crate::suite::{SEARCH, SizeResult, TUI_TYPED};

/// What the numbers ran on.
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
    pub load: String,
}

impl Machine {
    pub fn describe() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split(':').nth(1))
            .unwrap_or("unknown")
            .trim()
            .to_string();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem_kb: f64 = meminfo
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0);
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_gib: mem_kb / (1024.0 * 1024.0),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .to_string(),
            load: std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

pub fn header(m: &Machine, quick: bool) -> String {
    let mut s = String::new();
    let profile = if cfg!(debug_assertions) {
        "dev (debug) — times mean nothing"
    } else {
        "release"
    };
    let _ = writeln!(s, "## Run\n");
    let _ = writeln!(
        s,
        "- machine: {} × {} cores, {:.1} GiB RAM, Linux {}",
        m.cpu, m.cores, m.memory_gib, m.kernel
    );
    let _ = writeln!(s, "- load average at start: {}", m.load);
    let _ = writeln!(
        s,
        "- build profile: {profile}{}",
        if quick { ", --quick" } else { "" }
    );
    let versions: Vec<String> = peers::versions()
        .into_iter()
        .map(|(tool, v)| format!("{tool}: {}", or_missing(&v)))
        .collect();
    let _ = writeln!(s, "- peers: {}", versions.join(" · "));
    let _ = writeln!(
        s,
        "- warm page cache: every tool reads files the generator just wrote (a kept corpus is read once first)\n"
    );
    s
}

pub fn footer(m: &Machine) -> String {
    format!("Load average at the end: {}\n", m.load)
}

fn or_missing(v: &str) -> &str {
    if v.is_empty() { "absent (skipped)" } else { v }
}

/// One row: what, errtriage, the peer, ratio, target, met.
struct Row {
    what: String,
    ours: String,
    peer: String,
    ratio: String,
    target: &'static str,
    met: Option<bool>,
}

fn row(what: impl Into<String>, ours: String, target: &'static str, met: Option<bool>) -> Row {
    Row {
        what: what.into(),
        ours,
        peer: String::new(),
        ratio: String::new(),
        target,
        met,
    }
}

/// A duration in milliseconds as the tables print it (seconds from 1 s).
pub fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.2} s", v / 1e3)
    } else if v >= 10.0 {
        format!("{v:.0} ms")
    } else {
        format!("{v:.1} ms")
    }
}

fn ratio(peer: f64, ours: f64) -> String {
    format!("{:.1}× faster", peer / ours.max(1e-9))
}

pub fn table(r: &SizeResult) -> String {
    let mut rows = Vec::new();
    let mb = r.input_bytes as f64 / 1e6;
    let ingest_s = r.ingest.wall.as_secs_f64();
    let mbps = mb / ingest_s;
    let big = r.lines >= 10_000_000;
    let mut ing = row(
        "ingest (wall, MB/s)",
        format!("{} · {mbps:.1} MB/s", ms(ingest_s * 1e3)),
        "≥ 40 MB/s, ≥ 2× jq",
        Some(mbps >= 40.0),
    );
    match r.peer("jq", Task::Parse) {
        Some(jq) => {
            let jq_s = jq.wall.as_secs_f64();
            ing.peer = format!(
                "jq -cR 'fromjson?': {} · {:.1} MB/s",
                ms(jq_s * 1e3),
                mb / jq_s
            );
            ing.ratio = ratio(jq_s, ingest_s);
            ing.met = Some(mbps >= 40.0 && jq_s / ingest_s >= 2.0);
        }
        None => ing.peer = "jq absent or skipped".into(),
    }
    rows.push(ing);
    rows.push(row(
        "ingest CPU (cores busy)",
        format!("{:.2} of {}", r.ingest.cpu_s / ingest_s, cores()),
        "both cores busy",
        Some(r.ingest.cpu_s / ingest_s >= 1.6),
    ));
    let rss = r.ingest.peak_rss as f64 / (1 << 20) as f64;
    rows.push(row(
        "ingest peak RSS",
        format!("{rss:.0} MiB"),
        "≤ 1 GiB",
        Some(rss <= 1024.0),
    ));
    let idx = r.index_bytes as f64 / r.input_bytes as f64;
    if r.compression != "none" {
        rows.push(row(
            format!("corpus on disk ({})", r.compression),
            format!(
                "{:.1} MB ({:.1}× smaller than the text)",
                r.stored_bytes as f64 / 1e6,
                r.input_bytes as f64 / r.stored_bytes.max(1) as f64
            ),
            "",
            None,
        ));
    }
    rows.push(row(
        "index bytes / input bytes",
        format!(
            "{:.1} MB / {mb:.1} MB = {idx:.2}",
            r.index_bytes as f64 / 1e6
        ),
        "≤ 0.5",
        Some(idx <= 0.5),
    ));
    for f in &r.finds {
        let mut fr = row(
            format!("{} `{}`", f.label, f.id),
            ms(f.run.ms()),
            "≤ 10 ms at 10M, ≥ 100× rg",
            big.then_some(f.run.ms() <= 10.0),
        );
        if let Some(rg) = r.peer("rg", Task::Find) {
            fr.peer = format!("rg -F: {}", ms(rg.ms()));
            fr.ratio = ratio(rg.ms(), f.run.ms());
            if big {
                fr.met = Some(f.run.ms() <= 10.0 && rg.ms() / f.run.ms() >= 100.0);
            }
        }
        rows.push(fr);
    }
    let mut g = row(
        format!("groups --by code ({} groups)", r.groups_count),
        ms(r.groups.ms()),
        "≤ 50 ms at 10M",
        big.then_some(r.groups.ms() <= 50.0),
    );
    if let Some(rg) = r.peer("rg", Task::Groups) {
        g.peer = format!("rg -o | sort | uniq -c: {}", ms(rg.ms()));
        g.ratio = ratio(rg.ms(), r.groups.ms());
    }
    rows.push(g);
    rows.push(row(
        format!("search (typical, {} hits)", r.search_total),
        ms(r.search.ms()),
        "≤ 20 ms",
        Some(r.search.ms() <= 20.0),
    ));
    for (name, run) in [("impact", &r.impact), ("timeline", &r.timeline)] {
        rows.push(row(
            format!("{name} of the story request (±30 m / ±1 h)"),
            ms(run.ms()),
            "≤ 100 ms at 10M",
            big.then_some(run.ms() <= 100.0),
        ));
    }
    let c = &r.chains;
    let rss = c.run.peak_rss as f64 / (1 << 20) as f64;
    rows.push(row(
        format!(
            "chains ({}; {} shown, {} flagged)",
            c.corpus, c.chains, c.flagged
        ),
        format!("{} · {rss:.0} MiB", ms(c.run.ms())),
        "≤ 200 ms, ≤ 256 MiB at 10M",
        big.then_some(c.run.ms() <= 200.0 && rss <= 256.0),
    ));
    tui_rows(r, &mut rows);
    rows.push(row(
        "floor: `errtriage --version` · `stats` (open the index)",
        format!(
            "{} · {} ({} segments)",
            ms(r.floor.ms()),
            ms(r.open.ms()),
            r.segments
        ),
        "",
        None,
    ));
    render(r, &rows)
}

fn tui_rows(r: &SizeResult, rows: &mut Vec<Row>) {
    let Some(t) = &r.tui else {
        rows.push(row("TUI", "not measured".into(), "", None));
        return;
    };
    let f = |k: &str| t[k].as_f64().unwrap_or(f64::NAN);
    let at_1m = (1_000_000..10_000_000).contains(&r.lines);
    rows.push(row(
        "TUI keystroke → frame p50 / p95 / max",
        format!(
            "{} / {} / {}",
            ms(f("key_to_frame_p50_ms")),
            ms(f("key_to_frame_p95_ms")),
            ms(f("key_to_frame_max_ms"))
        ),
        "p95 ≤ 16 ms at 1M",
        at_1m.then_some(f("key_to_frame_p95_ms") <= 16.0),
    ));
    rows.push(row(
        "TUI typing pause → results frame p50 / p95",
        format!(
            "{} / {}",
            ms(f("pause_to_results_p50_ms")),
            ms(f("pause_to_results_p95_ms"))
        ),
        "",
        None,
    ));
    rows.push(row(
        "TUI first frame · first results",
        format!(
            "{} · {}",
            ms(f("first_frame_ms")),
            ms(f("first_results_ms"))
        ),
        "first frame ≤ 150 ms at 10M",
        (r.lines >= 10_000_000).then_some(f("first_frame_ms") <= 150.0),
    ));
    rows.push(row(
        "TUI go to time (the middle) → frame",
        ms(f("goto_to_results_ms")),
        "",
        None,
    ));
    let big_first = f("big_event_first_frame_ms").max(f("big_event_detail_frame_ms"));
    rows.push(row(
        "TUI 5 MB event: first frame · scroll p50 / p95 · worker prepares",
        format!(
            "{} · {} / {} · {}",
            ms(big_first),
            ms(f("big_event_frame_p50_ms")),
            ms(f("big_event_frame_p95_ms")),
            ms(f("big_event_prepare_ms"))
        ),
        "≤ 16 ms p95",
        Some(f("big_event_frame_p95_ms") <= 16.0 && big_first <= 16.0),
    ));
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn render(r: &SizeResult, rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "### {} lines — {:.1} MB in {} files, {} events{}\n",
        thousands(r.lines),
        r.input_bytes as f64 / 1e6,
        r.files,
        thousands(r.events),
        if r.generate_s > 0.0 {
            format!(" (generated in {:.1} s)", r.generate_s)
        } else {
            String::new()
        }
    );
    let _ = writeln!(s, "| measure | errtriage | peer | ratio | target | met |");
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for row in rows {
        let met = match row.met {
            Some(true) => "✅",
            Some(false) => "❌",
            None => "",
        };
        let cell = |t: &str| t.replace('|', "\\|");
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {met} |",
            cell(&row.what),
            cell(&row.ours),
            cell(&row.peer),
            row.ratio,
            row.target
        );
    }
    let _ = writeln!(
        s,
        "\nLatencies are whole-process medians of {} runs after a warm-up (peers: {}); \
         search is `{SEARCH}`; the TUI types `{TUI_TYPED}`.\n",
        r.repeats, r.peer_repeats
    );
    s.push_str(&peer_table(r));
    s
}

/// Every peer side by side with errtriage, task by task.
fn peer_table(r: &SizeResult) -> String {
    let ours = |task: Task| match task {
        Task::Parse => r.ingest.ms(),
        Task::Find => r.finds.get(1).map_or(f64::NAN, |f| f.run.ms()),
        Task::Groups => r.groups.ms(),
    };
    let mut s = String::from(
        "| task | peer | command | time | errtriage is | answer | note |\n|---|---|---|---|---|---|---|\n",
    );
    for p in &r.peers {
        let (time, vs) = match p.ms() {
            Some(ms_) => (ms(ms_), ratio(ms_, ours(p.task))),
            None => ("—".into(), String::new()),
        };
        let cell = |t: &str| t.replace('|', "\\|");
        let _ = writeln!(
            s,
            "| {} | {} | `{}` | {time} | {vs} | {} | {} |",
            p.task.name(),
            p.tool,
            cell(&p.command),
            p.answer.map_or(String::new(), |a| a.to_string()),
            cell(&p.note)
        );
    }
    s.push_str(
        "\nfind: every line holding the 50% needle (errtriage: `find` of it); \
         groups: the `\"code\":\"…\"` pairs in the text (rg, agrind) or the codes lnav's \
         format reads; errtriage groups every envelope's code, so it finds more. \
         Answers of the same question are checked equal.\n\n",
    );
    s
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
