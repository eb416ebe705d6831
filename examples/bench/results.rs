//! results: one size's measurements as JSON, merged into a results file
//! that accumulates sizes across runs (a run at `--sizes 100m` replaces the
//! 100M entry and keeps the others), which `plot` draws from.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::measure::Run;
use crate::report::Machine;
use crate::suite::SizeResult;

pub fn run_json(r: &Run) -> Value {
    json!({
        "ms": r.ms(),
        "peak_rss": r.peak_rss,
        "cpu_s": r.cpu_s,
    })
}

/// Everything measured at one size, as the results file holds it.
pub fn size_json(r: &SizeResult, machine: &Machine) -> Value {
    let ingest_s = r.ingest.wall.as_secs_f64();
    let finds: Vec<Value> = r
        .finds
        .iter()
        .map(|f| json!({"label": f.label, "id": f.id, "ms": f.run.ms()}))
        .collect();
    let mut find_ms: Vec<f64> = r.finds.iter().map(|f| f.run.ms()).collect();
    find_ms.sort_by(f64::total_cmp);
    json!({
        "lines": r.lines,
        "events": r.events,
        "files": r.files,
        "input_bytes": r.input_bytes,
        "stored_bytes": r.stored_bytes,
        "compression": r.compression,
        "index_bytes": r.index_bytes,
        "segments": r.segments,
        "ingest": run_json(&r.ingest),
        "ingest_mb_s": r.input_bytes as f64 / 1e6 / ingest_s,
        "find_ms": find_ms.get(find_ms.len() / 2),
        "finds": finds,
        "groups": run_json(&r.groups),
        "groups_count": r.groups_count,
        "search": run_json(&r.search),
        "search_total": r.search_total,
        "impact": run_json(&r.impact),
        "timeline": run_json(&r.timeline),
        "floor_ms": r.floor.ms(),
        "open_ms": r.open.ms(),
        "tui": r.tui,
        "peers": r.peers.iter().map(|p| p.to_json()).collect::<Vec<_>>(),
        "clickhouse": crate::chreport::json(r),
        "repeats": r.repeats,
        "machine": {
            "cpu": machine.cpu,
            "cores": machine.cores,
            "load": machine.load,
        },
        "profile": if cfg!(debug_assertions) { "dev" } else { "release" },
    })
}

/// Merge `sizes` into the results file at `path` (created if missing):
/// an entry of the same line count is replaced. Returns every size held,
/// smallest first.
pub fn merge(path: &Path, sizes: Vec<Value>) -> Result<Vec<Value>> {
    let mut held: Vec<Value> = match std::fs::read(path) {
        Ok(bytes) => {
            let v: Value = serde_json::from_slice(&bytes)
                .with_context(|| format!("reading {}", path.display()))?;
            v["sizes"].as_array().cloned().unwrap_or_default()
        }
        Err(_) => Vec::new(),
    };
    for new in sizes {
        held.retain(|old| old["lines"] != new["lines"]);
        held.push(new);
    }
    held.sort_by_key(|v| v["lines"].as_u64().unwrap_or(0));
    let doc = json!({
        "about": "errtriage benchmark results (examples/bench); one entry per corpus size",
        "sizes": held,
    });
    std::fs::write(path, serde_json::to_vec_pretty(&doc)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(held)
}
