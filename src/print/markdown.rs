//! markdown: `find --format markdown`, a case card ready to paste into a
//! support ticket: the request, what its error means, the retry chain, the
//! verdict and the source lines. Log text is escaped and redacted.

use std::io::{self, Write};

use errtriage::catalog::Catalogs;
use errtriage::model::ts_millis;
use errtriage::query::{FindResult, chains};
use errtriage::sanitize;

use super::human::{pretty_raw, retry_words};

/// Write the case card for a find result.
pub fn case_card(
    out: &mut dyn Write,
    r: &FindResult,
    catalogs: &Catalogs,
    redact: bool,
) -> io::Result<()> {
    let safe = |s: &str| {
        sanitize::display(s, !redact)
            .replace('|', "\\|")
            .replace('`', "'")
    };
    writeln!(out, "## errtriage case: `{}`\n", safe(&r.query))?;
    for e in &r.events {
        let status = e.status.map_or("-".into(), |s| s.to_string());
        writeln!(
            out,
            "**Request** `{}` — {} {} {} → **{}** `{}`",
            safe(&e.request_id),
            ts_millis::format(&e.ts),
            safe(e.method.as_deref().unwrap_or("-")),
            safe(e.path.as_deref().unwrap_or("-")),
            status,
            safe(e.code.as_deref().unwrap_or("-"))
        )?;
        writeln!(out)?;
        if let Some(m) = &e.message {
            writeln!(out, "- **Message:** {}", safe(m))?;
        }
        if let Some(rd) = catalogs.reading(e) {
            writeln!(
                out,
                "- **Meaning:** {} ({}, class `{}`)",
                safe(&rd.meaning),
                rd.api.as_deref().unwrap_or("generic HTTP"),
                rd.class
            )?;
            writeln!(
                out,
                "- **Retry:** {}",
                retry_words(rd.retryable, e.retry_after_s)
            )?;
            if !rd.hint.is_empty() {
                writeln!(out, "- **What to do:** {}", safe(&rd.hint))?;
            }
        }
        writeln!(
            out,
            "- **Service:** {}",
            safe(e.service.as_deref().unwrap_or("-"))
        )?;
        writeln!(
            out,
            "- **Source:** `{}:{}`\n",
            safe(super::short_path(&e.source.file)),
            e.source.line
        )?;
    }
    for c in &r.chains {
        writeln!(
            out,
            "### Retry chain `{}` — {} after {} attempt(s)\n",
            safe(&c.idempotency_key),
            c.outcome.as_str(),
            c.attempts.len()
        )?;
        writeln!(
            out,
            "| # | time | +offset | gap | status | code | Retry-After | request id |"
        )?;
        writeln!(
            out,
            "|---|------|---------|-----|--------|------|-------------|------------|"
        )?;
        for step in chains::timeline(c) {
            writeln!(
                out,
                "| {} | {} | +{:.1} s | {} | {} | {} | {} | `{}` |",
                step.attempt,
                ts_millis::format(&step.ts),
                step.offset_s,
                step.gap_s.map_or(String::new(), |g| format!("{g:.1} s")),
                step.status.map_or("-".into(), |s| s.to_string()),
                safe(step.code.as_deref().unwrap_or("")),
                step.retry_after_s
                    .map_or(String::new(), |s| format!("{s} s")),
                safe(&step.request_id)
            )?;
        }
        writeln!(out)?;
        writeln!(out, "**Verdict:** {}\n", safe(&chains::verdict(c)))?;
        if !c.flags.is_empty() {
            for f in &c.flags {
                writeln!(
                    out,
                    "- `{}` (attempt {}): {}",
                    f.rule.as_str(),
                    f.attempt,
                    safe(&f.detail)
                )?;
            }
            writeln!(out)?;
        }
    }
    writeln!(out, "<details><summary>Source lines</summary>\n")?;
    for e in &r.events {
        let raw = if redact {
            sanitize::redact(&e.raw).into_owned()
        } else {
            e.raw.clone()
        };
        writeln!(
            out,
            "`{}:{}`\n\n```json\n{}\n```\n",
            safe(super::short_path(&e.source.file)),
            e.source.line,
            sanitize::escape(&pretty_raw(&raw)).replace("\\n", "\n")
        )?;
    }
    writeln!(out, "</details>")?;
    out.flush()
}
