//! json: the `--json` shapes of DESIGN.md, one document per run, ending in
//! a newline; pretty on a terminal, compact in a pipe. Secrets redacted
//! unless `--no-redact`; control characters are escaped by the encoder.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use errtriage::catalog::Catalogs;
use errtriage::ingest::Summary;
use errtriage::model::{Chain, Event};
use errtriage::query::context::ContextLine;
use errtriage::query::impact::ImpactResult;
use errtriage::query::timeline::TimelineResult;
use errtriage::query::{ChainsResult, FindResult, GroupsResult, SearchResult, Stats};
use errtriage::sanitize::redact_event;
use serde::Serialize;

use super::Printer;

pub struct JsonPrinter {
    out: Box<dyn Write>,
    pretty: bool,
    redact: bool,
}

impl JsonPrinter {
    pub fn new(out: Box<dyn Write>, redact: bool) -> Self {
        JsonPrinter {
            out,
            pretty: io::stdout().is_terminal(),
            redact,
        }
    }

    fn emit<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        let text = if self.pretty {
            serde_json::to_string_pretty(value)?
        } else {
            serde_json::to_string(value)?
        };
        writeln!(self.out, "{}", escape_beyond_c0(&text))?;
        self.out.flush()
    }

    fn events(&self, events: &[Event]) -> Vec<Event> {
        events.iter().map(|e| self.event(e)).collect()
    }

    fn event(&self, e: &Event) -> Event {
        if self.redact {
            redact_event(e)
        } else {
            e.clone()
        }
    }

    fn chains_of(&self, chains: &[Chain]) -> Vec<Chain> {
        chains
            .iter()
            .map(|c| Chain {
                attempts: self.events(&c.attempts),
                ..c.clone()
            })
            .collect()
    }
}

/// serde_json escapes only C0 controls; DEL, C1 controls (U+009B is an
/// 8-bit CSI) and bidi overrides would reach a terminal that `cat`s the
/// output. They can only occur inside strings, where `\uXXXX` is the same
/// character to any JSON decoder.
fn escape_beyond_c0(json: &str) -> std::borrow::Cow<'_, str> {
    let risky = |c: char| matches!(c, '\u{7f}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !json.chars().any(risky) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if risky(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

impl Printer for JsonPrinter {
    fn find(&mut self, r: &FindResult, catalogs: &Catalogs) -> io::Result<()> {
        let readings: Vec<_> = r
            .events
            .iter()
            .filter_map(|e| catalogs.reading(e))
            .collect();
        let mut value = serde_json::json!({
            "query": r.query,
            "matched_as": r.matched_as,
            "events": self.events(&r.events),
            "chains": self.chains_of(&r.chains),
            "readings": readings,
            "candidates": r.candidates,
            "omitted": r.omitted,
        });
        if !r.context.is_empty() {
            let context: Vec<ContextLine> = r
                .context
                .iter()
                .map(|l| ContextLine {
                    event: self.event(&l.event),
                    marker: l.marker,
                })
                .collect();
            value["context"] = serde_json::to_value(context)?;
        }
        self.emit(&value)
    }

    fn search(&mut self, r: &SearchResult) -> io::Result<()> {
        let value = SearchResult {
            events: self.events(&r.events),
            ..r.clone()
        };
        self.emit(&value)
    }

    fn groups(&mut self, r: &GroupsResult) -> io::Result<()> {
        self.emit(r)
    }

    fn chains(&mut self, r: &ChainsResult) -> io::Result<()> {
        let value = ChainsResult {
            chains: self.chains_of(&r.chains),
        };
        self.emit(&value)
    }

    fn stats(&mut self, s: &Stats, _index_dir: &Path) -> io::Result<()> {
        self.emit(s)
    }

    fn ingest(&mut self, s: &Summary, _into: &str) -> io::Result<()> {
        self.emit(s)
    }

    fn impact(&mut self, r: &ImpactResult) -> io::Result<()> {
        self.emit(r)
    }

    fn timeline(&mut self, r: &TimelineResult) -> io::Result<()> {
        let value = TimelineResult {
            events: self.events(&r.events),
            ..r.clone()
        };
        self.emit(&value)
    }
}
