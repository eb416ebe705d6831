//! incident: human output of the questions around one event — `impact`
//! (verdict first, then clients, routes and the minutes), `timeline` (one
//! line per request, the selected one marked, flagged chains marked) and
//! `find --context` (like `grep -C` across files, the found line marked).
//! Every log string goes through `sanitize::display`.

use std::io::{self, Write};

use errtriage::model::{Event, ts_millis};
use errtriage::query::context::ContextLine;
use errtriage::query::impact::ImpactResult;
use errtriage::query::timeline::TimelineResult;
use errtriage::sanitize;

use super::short_path;

/// Untrusted text made safe for the terminal.
fn safe(s: &str, redact: bool) -> String {
    sanitize::display(s, !redact)
}

/// `2026-05-14T09:44:03.120Z  504  UPSTREAM_TIMEOUT  member-api  POST /v2/…  {route}  req_…`
fn request_line(e: &Event, redact: bool) -> String {
    let opt = |v: &Option<String>| safe(v.as_deref().unwrap_or("-"), redact);
    let status = e.status.map_or("-".to_string(), |s| s.to_string());
    let what = if e.status.is_none() && e.code.is_none() {
        // An application line: its message says what happened.
        opt(&e.message)
    } else {
        format!("{} {}  {}", opt(&e.method), opt(&e.path), opt(&e.route))
    };
    format!(
        "{}  {status:>3}  {:<24}  {:<14}  {what}  {}",
        ts_millis::format(&e.ts),
        opt(&e.code),
        opt(&e.service),
        safe(
            if e.request_id.is_empty() {
                "-"
            } else {
                &e.request_id
            },
            redact
        ),
    )
}

pub fn impact(out: &mut dyn Write, r: &ImpactResult, redact: bool) -> io::Result<()> {
    writeln!(out, "{}", safe(&r.verdict, redact))?;
    let scope = serde_json::to_value(r.scope).unwrap_or_default();
    writeln!(
        out,
        "  scope {}  code {}  onset {}  window {} → {}",
        scope.as_str().unwrap_or("-"),
        safe(r.code.as_deref().unwrap_or("-"), redact),
        r.onset.as_deref().unwrap_or("-"),
        ts_millis::format(&r.from),
        ts_millis::format(&r.to),
    )?;
    writeln!(
        out,
        "\n  {:<28}  {:>7}  {:>8}  {:>6}",
        "client", "errors", "requests", "rate"
    )?;
    for c in &r.clients {
        writeln!(
            out,
            "  {:<28}  {:>7}  {:>8}  {:>5.1}%",
            safe(&c.client, redact),
            c.errors,
            c.requests,
            c.error_rate * 100.0
        )?;
    }
    let list = |v: &[String]| {
        v.iter()
            .map(|s| safe(s, redact))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "\n  services  {}", list(&r.services))?;
    writeln!(out, "  routes    {}", list(&r.routes))?;
    let total: u64 = r.per_minute.iter().map(|m| m.count).sum();
    let before: u64 = r.baseline_per_minute.iter().map(|m| m.count).sum();
    writeln!(
        out,
        "  per minute {}  (same window a day earlier: {before} in all; now {total})",
        sparkline(r.per_minute.iter().map(|m| m.count))
    )?;
    out.flush()
}

pub fn timeline(out: &mut dyn Write, r: &TimelineResult, redact: bool) -> io::Result<()> {
    let flagged = |e: &Event| {
        let key = e.idempotency_key.as_deref()?;
        let chain = r.chains.iter().find(|c| c.idempotency_key == key)?;
        let rules: Vec<&str> = chain.flags.iter().map(|f| f.as_str()).collect();
        (!rules.is_empty()).then(|| format!("  ⚑ {}", rules.join(",")))
    };
    for e in &r.events {
        let selected = r.selected.as_deref() == Some(e.request_id.as_str());
        let key = e
            .idempotency_key
            .as_deref()
            .map_or(String::new(), |k| format!("  key {}", safe(k, redact)));
        writeln!(
            out,
            "{} {}{key}{}",
            if selected { "▶" } else { " " },
            request_line(e, redact),
            flagged(e).unwrap_or_default(),
        )?;
    }
    out.flush()?;
    let shown = if r.truncated {
        format!(" (the {} nearest the moment shown)", r.events.len())
    } else {
        String::new()
    };
    eprintln!(
        "{} event(s) of {} from {} to {}{shown}; error rate {:.1}% ({} of {} requests)",
        r.total,
        safe(&r.client, redact),
        ts_millis::format(&r.from),
        ts_millis::format(&r.to),
        r.error_rate * 100.0,
        r.errors,
        r.requests,
    );
    Ok(())
}

pub fn context(out: &mut dyn Write, lines: &[ContextLine], redact: bool) -> io::Result<()> {
    writeln!(out, "context ({} line(s))", lines.len())?;
    for l in lines {
        let place = format!(
            "{}:{}",
            short_path(&l.event.source.file),
            l.event.source.line
        );
        writeln!(
            out,
            "{} {}  {}",
            if l.marker { "▶" } else { " " },
            safe(&place, redact),
            request_line(&l.event, redact)
        )?;
    }
    out.flush()
}

/// Counts as block characters, one per minute.
fn sparkline(counts: impl Iterator<Item = u64>) -> String {
    let counts: Vec<u64> = counts.collect();
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    counts
        .iter()
        .map(|&n| match n {
            0 => '·',
            n => BARS[((n * 7) / max) as usize],
        })
        .collect()
}
