//! human: output for a person at a terminal. Every string from a log goes
//! through `sanitize::display` (escaped, and redacted unless --no-redact);
//! colour only when asked for (or on a terminal without NO_COLOR). Lists are
//! one line per item so they pipe into grep, sort and less.

use std::io::{self, Write};
use std::path::Path;

use anstyle::{AnsiColor, Style};
use errtriage::catalog::{Catalogs, Reading, Retryable};
use errtriage::ingest::Summary;
use errtriage::model::{Chain, Event, ts_millis};
use errtriage::query::impact::ImpactResult;
use errtriage::query::timeline::TimelineResult;
use errtriage::query::{
    ChainsResult, FindResult, GroupBy, GroupsResult, SearchResult, Stats, chains,
};
use errtriage::sanitize;

use super::{Printer, short_path};

pub struct HumanPrinter {
    out: Box<dyn Write>,
    color: bool,
    redact: bool,
}

const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

impl HumanPrinter {
    pub fn new(out: Box<dyn Write>, color: bool, redact: bool) -> Self {
        HumanPrinter { out, color, redact }
    }

    /// Untrusted text made safe for the terminal.
    fn safe(&self, s: &str) -> String {
        sanitize::display(s, !self.redact)
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn status(&self, status: Option<u16>) -> String {
        let text = status.map_or("-".to_string(), |s| s.to_string());
        let color = match status {
            Some(500..=599) => AnsiColor::Red,
            Some(400..=499) => AnsiColor::Yellow,
            Some(200..=299) => AnsiColor::Green,
            _ => return format!("{text:>3}"),
        };
        self.paint(
            Style::new().fg_color(Some(color.into())).bold(),
            &format!("{text:>3}"),
        )
    }

    /// One event on one line: time, status, code, service, method path, request id.
    fn event_line(&self, e: &Event) -> String {
        let code = self.safe(e.code.as_deref().unwrap_or("-"));
        let target = format!(
            "{} {}",
            e.method.as_deref().unwrap_or("-"),
            e.path.as_deref().unwrap_or("-")
        );
        format!(
            "{}  {}  {:<28}  {:<14}  {:<40}  {}",
            self.paint(DIM, &time(&e.ts, e.ts_inferred)),
            self.status(e.status),
            code,
            self.safe(e.service.as_deref().unwrap_or("-")),
            self.safe(&target),
            self.safe(if e.request_id.is_empty() {
                "-"
            } else {
                &e.request_id
            }),
        )
    }

    fn event_detail(&mut self, e: &Event, reading: Option<&Reading>) -> io::Result<()> {
        let mut rows: Vec<(&str, String)> = Vec::new();
        let opt = |v: &Option<String>| v.as_deref().map(|s| self.safe(s));
        if let Some(m) = opt(&e.message) {
            rows.push(("message", m));
        }
        if let Some(route) = e.route.as_deref().filter(|r| Some(*r) != e.path.as_deref()) {
            rows.push(("route", self.safe(route)));
        }
        if let Some(r) = reading {
            let api = r.api.as_deref().unwrap_or("generic HTTP");
            rows.push((
                "meaning",
                format!("{} ({api}, {})", self.safe(&r.meaning), r.class),
            ));
            rows.push(("retry", retry_words(r.retryable, e.retry_after_s)));
            if !r.hint.is_empty() {
                rows.push(("hint", self.safe(&r.hint)));
            }
        }
        if let Some(s) = e.retry_after_s {
            rows.push(("retry-after", format!("{s} s")));
        }
        if e.ts_inferred {
            rows.push(("time", INFERRED_LEGEND.into()));
        }
        for (name, value) in [
            ("key", &e.idempotency_key),
            ("client", &e.client),
            ("trace", &e.trace_id),
            ("format", &e.format),
        ] {
            if let Some(v) = opt(value) {
                rows.push((name, v));
            }
        }
        if let Some(ms) = e.latency_ms {
            rows.push(("latency", format!("{ms} ms")));
        }
        if let Some(d) = &e.details {
            let d = if self.redact {
                sanitize::redact_value(d.clone())
            } else {
                d.clone()
            };
            rows.push(("details", self.safe(&d.to_string())));
        }
        rows.push((
            "source",
            format!(
                "{}:{}",
                self.safe(short_path(&e.source.file)),
                e.source.line
            ),
        ));
        writeln!(self.out, "{}", self.event_line(e))?;
        for (name, value) in rows {
            writeln!(self.out, "  {name:<12}{value}")?;
        }
        Ok(())
    }

    /// The original line, pretty-printed, under its `file:line`.
    fn original(&mut self, e: &Event) -> io::Result<()> {
        let place = format!(
            "── {}:{}",
            self.safe(short_path(&e.source.file)),
            e.source.line
        );
        writeln!(self.out, "{}", self.paint(DIM, &place))?;
        // Redact the whole line first: a secret map (Cloudflare's
        // `Cookies`) spans several lines once pretty-printed.
        let raw = if self.redact {
            sanitize::redact(&e.raw)
        } else {
            std::borrow::Cow::Borrowed(e.raw.as_str())
        };
        for line in pretty_raw(&raw).lines() {
            writeln!(self.out, "  {}", self.safe(line))?;
        }
        Ok(())
    }

    fn chain(&mut self, c: &Chain) -> io::Result<()> {
        writeln!(
            self.out,
            "{} {}  {}  {}",
            self.paint(BOLD, "chain"),
            self.safe(&c.idempotency_key),
            self.safe(c.service.as_deref().unwrap_or("-")),
            self.paint(BOLD, c.outcome.as_str()),
        )?;
        writeln!(self.out, "  {}", self.safe(&chains::verdict(c)))?;
        writeln!(
            self.out,
            "  {:>3}  {:>9}  {:>9}  {:>3}  {:<28}  {:>11}  request id",
            "#", "offset", "gap", "st", "code", "retry-after"
        )?;
        for step in chains::timeline(c) {
            let gap = step.gap_s.map_or(String::new(), |g| format!("{g:.1}s"));
            let marks = if step.rules.is_empty() {
                String::new()
            } else {
                format!("  ⚑ {}", step.rules.len())
            };
            writeln!(
                self.out,
                "  {:>3}  {:>9}  {:>9}  {}  {:<28}  {:>11}  {}{}",
                step.attempt,
                format!("+{:.1}s", step.offset_s),
                gap,
                self.status(step.status),
                self.safe(step.code.as_deref().unwrap_or("")),
                step.retry_after_s
                    .map_or(String::new(), |s| format!("{s}s")),
                self.safe(&step.request_id),
                self.paint(Style::new().fg_color(Some(AnsiColor::Red.into())), &marks),
            )?;
        }
        for f in &c.flags {
            let rule = self.paint(
                Style::new().fg_color(Some(AnsiColor::Red.into())),
                f.rule.as_str(),
            );
            writeln!(
                self.out,
                "  ⚑ {rule} (attempt {}): {}",
                f.attempt,
                self.safe(&f.detail)
            )?;
        }
        Ok(())
    }
}

/// The key columns of a groups table: one wide column, or two.
fn key_cells(keys: Vec<String>) -> String {
    match keys.as_slice() {
        [one] => format!("{one:<32} "),
        many => many.iter().map(|k| format!("{k:<24} ")).collect(),
    }
}

/// What a `~` before a time means.
const INFERRED_LEGEND: &str =
    "time inferred: the line had no readable time (the previous line's, else the file's mtime)";

/// A time as printed: `~` in front when it was inferred, not read.
pub fn time(ts: &chrono::DateTime<chrono::Utc>, inferred: bool) -> String {
    let t = ts_millis::format(ts);
    if inferred { format!("~{t}") } else { t }
}

/// `ingested 10 file(s): 7,000 lines → 6,997 events, 3 bad lines (…); 4.9 MB in 0.26 s (19.0 MB/s)`
fn ingest_headline(s: &Summary) -> String {
    let unchanged = if s.unchanged_files > 0 {
        format!(" ({} unchanged, skipped)", s.unchanged_files)
    } else {
        String::new()
    };
    let reasons: Vec<String> = s
        .bad_by_reason
        .iter()
        .map(|(r, n)| format!("{r} {n}"))
        .collect();
    let bad = if s.bad_lines > 0 {
        format!(
            ", {} bad lines ({})",
            thousands(s.bad_lines),
            reasons.join(", ")
        )
    } else {
        String::new()
    };
    let rate = if s.seconds > 0.0 {
        s.bytes as f64 / 1e6 / s.seconds
    } else {
        0.0
    };
    format!(
        "ingested {} file(s){unchanged}: {} lines → {} events{bad}; {} in {:.2} s ({rate:.1} MB/s)",
        s.files,
        thousands(s.lines),
        thousands(s.events),
        megabytes(s.bytes),
        s.seconds,
    )
}

/// The retry verdict in words.
pub fn retry_words(r: Retryable, retry_after: Option<f64>) -> String {
    match (r, retry_after) {
        (Retryable::No, _) => "not retryable: fix the request, do not retry".into(),
        (Retryable::Yes, _) => "retryable with backoff (same Idempotency-Key)".into(),
        (Retryable::AfterRetryAfter, Some(s)) => format!("retryable after Retry-After ({s} s)"),
        (Retryable::AfterRetryAfter, None) => "retryable after Retry-After".into(),
    }
}

/// The original line pretty-printed when it is JSON, as is otherwise.
pub fn pretty_raw(raw: &str) -> String {
    serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| raw.to_string())
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

impl Printer for HumanPrinter {
    fn find(&mut self, r: &FindResult, catalogs: &Catalogs) -> io::Result<()> {
        let how = r
            .matched_as
            .as_deref()
            .unwrap_or("nothing")
            .replace('_', " ");
        writeln!(
            self.out,
            "{} — found as {how}, {} event(s)\n",
            self.paint(BOLD, &self.safe(&r.query)),
            r.events.len()
        )?;
        for e in &r.events {
            let reading = catalogs.reading(e);
            self.event_detail(e, reading.as_ref())?;
            writeln!(self.out)?;
        }
        for c in &r.chains {
            self.chain(c)?;
            writeln!(self.out)?;
        }
        writeln!(self.out, "{}", self.paint(BOLD, "original lines"))?;
        for e in &r.events {
            self.original(e)?;
        }
        if !r.context.is_empty() {
            writeln!(self.out)?;
            super::incident::context(&mut self.out, &r.context, self.redact)?;
        }
        self.out.flush()
    }

    fn search(&mut self, r: &SearchResult) -> io::Result<()> {
        for e in &r.events {
            writeln!(self.out, "{}", self.event_line(e))?;
        }
        self.out.flush()?;
        let more = if r.total > r.events.len() as u64 {
            " (raise --limit to see more)"
        } else {
            ""
        };
        eprintln!(
            "{} of {} matching events, newest first{more}",
            r.events.len(),
            thousands(r.total)
        );
        if r.events.iter().any(|e| e.ts_inferred) {
            eprintln!("~ {INFERRED_LEGEND}");
        }
        Ok(())
    }

    fn groups(&mut self, r: &GroupsResult) -> io::Result<()> {
        // A code or a status has one class; a path or a service has many.
        let with_class = matches!(r.by.first(), Some(GroupBy::Code | GroupBy::Status));
        let rates = r.groups.iter().any(|g| g.error_rate.is_some());
        let mut head = key_cells(r.by.iter().map(|b| b.as_str().to_string()).collect());
        if with_class {
            head.push_str(&format!("{:<13}", "class"));
        }
        head.push_str(&format!("{:>9}", "count"));
        if rates {
            head.push_str(&format!(
                "  {:>9}  {:>9}  {:>6}",
                "requests", "errors", "rate"
            ));
        }
        let tail = ("statuses", "first seen", "last seen", "sample request id");
        writeln!(
            self.out,
            "{head}  {:<24}  {:<25}  {:<25}  {}",
            tail.0, tail.1, tail.2, tail.3
        )?;
        for g in &r.groups {
            let keys = if g.keys.is_empty() {
                vec![g.key.clone()]
            } else {
                g.keys.clone()
            };
            let mut row = key_cells(keys.iter().map(|k| self.safe(k)).collect());
            if with_class {
                row.push_str(&format!("{:<13}", g.class.as_deref().unwrap_or("-")));
            }
            row.push_str(&format!("{:>9}", thousands(g.count)));
            if rates {
                let n = |v: Option<u64>| v.map_or("-".into(), thousands);
                let rate = g
                    .error_rate
                    .map_or("-".into(), |r| format!("{:.1}%", r * 100.0));
                row.push_str(&format!(
                    "  {:>9}  {:>9}  {rate:>6}",
                    n(g.requests),
                    n(g.errors)
                ));
            }
            let statuses: Vec<String> =
                g.statuses.iter().map(|(s, n)| format!("{s}×{n}")).collect();
            let all_inferred = g.inferred_ts == g.count;
            writeln!(
                self.out,
                "{row}  {:<24}  {:<25}  {:<25}  {}",
                statuses.join(" "),
                time(&g.first_seen, all_inferred),
                time(&g.last_seen, all_inferred),
                self.safe(&g.sample_request_id),
            )?;
        }
        if !r.exact {
            writeln!(
                self.out,
                "approximate: more groups than are kept per index segment; a group may be missing and a count may be up to {} low (narrow the query for an exact answer)",
                thousands(r.count_error_bound)
            )?;
        }
        self.out.flush()
    }

    fn chains(&mut self, r: &ChainsResult) -> io::Result<()> {
        for c in &r.chains {
            self.chain(c)?;
            writeln!(self.out)?;
        }
        self.out.flush()?;
        let flagged = r.chains.iter().filter(|c| !c.flags.is_empty()).count();
        let mut by_rule = std::collections::BTreeMap::new();
        for f in r.chains.iter().flat_map(|c| &c.flags) {
            *by_rule.entry(f.rule.as_str()).or_insert(0) += 1;
        }
        let rules: Vec<String> = by_rule.iter().map(|(r, n)| format!("{r} {n}")).collect();
        eprintln!(
            "{} chains, {flagged} flagged{}{}",
            r.chains.len(),
            if rules.is_empty() { "" } else { ": " },
            rules.join(", ")
        );
        Ok(())
    }

    fn stats(&mut self, s: &Stats, index_dir: &Path) -> io::Result<()> {
        let dash = || "-".to_string();
        let local = s.store.as_ref().is_none_or(|st| st.kind == "local");
        if let Some(store) = &s.store {
            let place = self.safe(&store.location);
            writeln!(self.out, "store       {} {place}", store.kind)?;
        }
        if local {
            writeln!(self.out, "index       {}", index_dir.display())?;
        }
        writeln!(self.out, "events      {}", thousands(s.events))?;
        writeln!(self.out, "files       {}", thousands(s.files))?;
        writeln!(self.out, "input       {}", megabytes(s.bytes))?;
        writeln!(
            self.out,
            "first       {}",
            s.first_ts.clone().unwrap_or_else(dash)
        )?;
        writeln!(
            self.out,
            "last        {}",
            s.last_ts.clone().unwrap_or_else(dash)
        )?;
        let size = if local { "index size" } else { "on disk   " };
        writeln!(self.out, "{size}  {}", megabytes(s.index_bytes))?;
        self.out.flush()
    }

    fn ingest(&mut self, s: &Summary, into: &str) -> io::Result<()> {
        writeln!(self.out, "{}", ingest_headline(s))?;
        if s.repaired_utf8 > 0 {
            writeln!(
                self.out,
                "{} line(s) had invalid UTF-8, repaired (U+FFFD) and indexed",
                s.repaired_utf8
            )?;
        }
        if s.inferred_ts > 0 {
            writeln!(
                self.out,
                "{} line(s) had no usable time: their time was inferred (the previous line's, else the file's mtime) and is shown with ~",
                thousands(s.inferred_ts)
            )?;
        }
        if s.out_of_range_ts > 0 {
            writeln!(
                self.out,
                "{} line(s) had a time outside 1677–2262, which an index cannot hold; indexed at the previous line's time",
                s.out_of_range_ts
            )?;
        }
        if s.incomplete_tails > 0 {
            writeln!(
                self.out,
                "{} file(s) end in an incomplete line, left for the next ingest",
                s.incomplete_tails
            )?;
        }
        for b in &s.bad_examples {
            writeln!(
                self.out,
                "  bad line {}:{}  {}  {}",
                self.safe(short_path(&b.file)),
                b.line,
                b.reason,
                self.safe(&b.excerpt)
            )?;
        }
        if s.bad_lines > s.bad_examples.len() as u64 {
            writeln!(
                self.out,
                "  … and {} more bad lines",
                s.bad_lines - s.bad_examples.len() as u64
            )?;
        }
        for p in &s.problems {
            writeln!(
                self.out,
                "  problem {}: {}",
                self.safe(short_path(&p.path)),
                self.safe(&p.message)
            )?;
        }
        writeln!(self.out, "{}", self.safe(into))?;
        self.out.flush()
    }

    fn impact(&mut self, r: &ImpactResult) -> io::Result<()> {
        super::incident::impact(&mut self.out, r, self.redact)
    }

    fn timeline(&mut self, r: &TimelineResult) -> io::Result<()> {
        super::incident::timeline(&mut self.out, r, self.redact)
    }
}
