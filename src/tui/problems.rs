//! problems: what the ingest behind `errtriage tui PATH…` (and, with
//! `--follow`, each tick after the TUI opened — see [`super::feed`]) found
//! wrong — bad lines by reason (with the first few by `file:line`), files
//! that could not be read, lines whose time was inferred, repaired or
//! unfinished lines. The TUI shows them as a count in the status bar and a
//! list on `!`, instead of printing a report the TUI's screen would hide.

use errtriage::ingest::Summary;

/// The ingest's problems, as the TUI lists them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problems {
    /// How many: bad lines, unreadable files, inferred times (out-of-range
    /// ones among them) and repaired lines.
    pub count: u64,
    /// One line each, raw (the view escapes them).
    pub lines: Vec<String>,
}

impl Problems {
    pub fn from_summary(s: &Summary) -> Problems {
        let mut lines = Vec::new();
        for p in &s.problems {
            lines.push(format!("unreadable  {}: {}", p.path, p.message));
        }
        for (reason, n) in &s.bad_by_reason {
            lines.push(format!("bad lines   {n} × {reason}"));
        }
        for b in &s.bad_examples {
            let reason = b.reason.as_str();
            lines.push(format!("  {}:{}  {reason}  {}", b.file, b.line, b.excerpt));
        }
        if s.inferred_ts > 0 {
            let n = s.inferred_ts;
            lines.push(format!(
                "inferred    {n} line(s) without a readable time (shown as inferred)"
            ));
        }
        if s.out_of_range_ts > 0 {
            let n = s.out_of_range_ts;
            lines.push(format!(
                "  of them   {n} with a time out of range (1677–2262)"
            ));
        }
        if s.repaired_utf8 > 0 {
            let n = s.repaired_utf8;
            lines.push(format!(
                "repaired    {n} line(s) of invalid UTF-8 (indexed)"
            ));
        }
        if s.incomplete_tails > 0 {
            let n = s.incomplete_tails;
            lines.push(format!(
                "unfinished  {n} last line(s) without a newline yet"
            ));
        }
        Problems {
            count: s.bad_lines + s.problems.len() as u64 + s.inferred_ts + s.repaired_utf8,
            lines,
        }
    }

    /// These problems, then `more` (a later ingest's) under them.
    pub fn plus(&self, more: &Problems) -> Problems {
        Problems {
            count: self.count + more.count,
            lines: self.lines.iter().chain(&more.lines).cloned().collect(),
        }
    }
}
