//! chreport: the ClickHouse column ([`crate::clickhouse`]) as Markdown — one
//! table per size, the local index beside one node and two shards — and as
//! the `clickhouse` entry of a size in the results JSON.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::clickhouse::{Column, Store};
use crate::measure::Run;
use crate::report::ms;
use crate::results::run_json;
use crate::suite::SizeResult;

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1 << 20) as f64)
}

/// `wall · MB/s · events/s` of an ingest.
fn ingest_cell(run: &Run, input_bytes: u64, events: u64) -> String {
    let s = run.wall.as_secs_f64();
    format!(
        "{} · {:.1} MB/s · {:.0}k events/s",
        ms(s * 1e3),
        input_bytes as f64 / 1e6 / s,
        events as f64 / s / 1e3
    )
}

/// `bytes · per event · share of the text`.
fn disk_cell(bytes: u64, events: u64, input_bytes: u64) -> String {
    format!(
        "{:.1} MB · {:.0} B/event · {:.2}× the text",
        bytes as f64 / 1e6,
        bytes as f64 / events.max(1) as f64,
        bytes as f64 / input_bytes.max(1) as f64
    )
}

/// The Markdown of the column at one size.
pub fn table(r: &SizeResult) -> String {
    let (version, asked, stores) = match &r.clickhouse {
        Column::Absent(why) => return format!("ClickHouse column: absent — {why}.\n\n"),
        Column::Measured {
            version,
            asked,
            stores,
        } => (version, asked, stores),
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "#### ClickHouse {version} beside the local index ({} events)\n",
        r.events
    );
    let head: Vec<String> = stores
        .iter()
        .map(|st| format!("ClickHouse, {}", st.label))
        .collect();
    let _ = writeln!(s, "| measure | local index | {} |", head.join(" | "));
    let _ = writeln!(s, "|---|---|{}", "---|".repeat(stores.len()));
    let mut line = |what: &str, local: String, each: &dyn Fn(&Store) -> String| {
        let cells: Vec<String> = stores.iter().map(each).collect();
        let _ = writeln!(s, "| {what} | {local} | {} |", cells.join(" | "));
    };
    line(
        "ingest (wall · MB/s · events/s)",
        ingest_cell(&r.ingest, r.input_bytes, r.events),
        &|st| ingest_cell(&st.ingest, r.input_bytes, st.events),
    );
    line(
        "errtriage during ingest: CPU · peak RSS",
        format!("{:.1} s · {}", r.ingest.cpu_s, mib(r.ingest.peak_rss)),
        &|st| format!("{:.1} s · {}", st.ingest.cpu_s, mib(st.ingest.peak_rss)),
    );
    line(
        "server(s) during ingest: CPU · peak RSS",
        "—".into(),
        &|st| format!("{:.1} s · {}", st.server_cpu_s, mib(st.server_rss)),
    );
    line(
        "on disk: index · `system.parts` (all tables)",
        disk_cell(r.index_bytes, r.events, r.input_bytes),
        &|st| disk_cell(st.disk.bytes, st.events, r.input_bytes),
    );
    line("on disk: the events table alone", String::new(), &|st| {
        disk_cell(st.disk.events_bytes, st.events, r.input_bytes)
    });
    line(
        "segments · parts (events per shard)",
        format!("{} segments", r.segments),
        &|st| {
            let rows: Vec<String> = st.disk.shard_rows.iter().map(u64::to_string).collect();
            format!("{} parts ({})", st.disk.parts, rows.join(" + "))
        },
    );
    for (i, a) in asked.iter().enumerate() {
        let local = a.local.ms();
        line(&a.name.replace('|', "\\|"), ms(local), &|st| {
            let t = st.runs[i].ms();
            format!("{} ({:.1}× local)", ms(t), t / local.max(1e-9))
        });
    }
    let _ = writeln!(
        s,
        "\nWhole-process medians of {} runs after a warm-up, every store on this machine \
         (the servers share its cores with errtriage). Every ClickHouse answer was checked \
         against the local store's: `find`, `chains`, `impact`, `timeline` whole \
         (`--json` equal), `search` its total and events, `groups` every group but its \
         sample's id and class, `stats` its events. Bytes on disk are the active parts right after \
         the ingest (merges may shrink them later).\n",
        r.repeats
    );
    s
}

/// The `clickhouse` entry of a size in the results JSON.
pub fn json(r: &SizeResult) -> Value {
    let (version, asked, stores) = match &r.clickhouse {
        Column::Absent(why) => return json!({ "absent": why }),
        Column::Measured {
            version,
            asked,
            stores,
        } => (version, asked, stores),
    };
    let local: Map<String, Value> = asked
        .iter()
        .map(|a| (a.name.clone(), json!(a.local.ms())))
        .collect();
    let stores: Vec<Value> = stores
        .iter()
        .map(|st| {
            let secs = st.ingest.wall.as_secs_f64();
            let ms: Map<String, Value> = asked
                .iter()
                .zip(&st.runs)
                .map(|(a, run)| (a.name.clone(), json!(run.ms())))
                .collect();
            json!({
                "label": st.label,
                "shards": st.shards,
                "events": st.events,
                "ingest": run_json(&st.ingest),
                "ingest_mb_s": r.input_bytes as f64 / 1e6 / secs,
                "events_per_s": st.events as f64 / secs,
                "server_cpu_s": st.server_cpu_s,
                "server_peak_rss": st.server_rss,
                "disk_bytes": st.disk.bytes,
                "events_bytes": st.disk.events_bytes,
                "parts": st.disk.parts,
                "shard_rows": st.disk.shard_rows,
                "ms": ms,
            })
        })
        .collect();
    json!({ "version": version, "local_ms": local, "stores": stores })
}
