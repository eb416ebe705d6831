//! markdown: `find --format markdown`, a case card ready to paste into a
//! support ticket: the request, what its error means, the retry chain, the
//! verdict and the source lines. Log text is escaped and redacted.

use std::io::{self, Write};

use errtriage::catalog::Catalogs;
use errtriage::model::{Chain, Event, ts_millis};
use errtriage::query::{FindResult, chains};
use errtriage::sanitize;

use super::human::{pretty_raw, retry_words};

/// Log text made safe for a markdown table cell or inline code.
struct Md {
    redact: bool,
}

impl Md {
    fn safe(&self, s: &str) -> String {
        sanitize::display(s, !self.redact)
            .replace('|', "\\|")
            .replace('`', "'")
    }

    fn opt(&self, s: Option<&str>) -> String {
        self.safe(s.unwrap_or("-"))
    }
}

/// Write the case card for a find result.
pub fn case_card(
    out: &mut dyn Write,
    r: &FindResult,
    catalogs: &Catalogs,
    redact: bool,
) -> io::Result<()> {
    let md = Md { redact };
    writeln!(out, "## errtriage case: `{}`\n", md.safe(&r.query))?;
    for e in &r.events {
        request(out, &md, e, catalogs)?;
    }
    for c in &r.chains {
        chain(out, &md, c)?;
    }
    sources(out, &md, &r.events)?;
    out.flush()
}

/// The request line and what its code means.
fn request(out: &mut dyn Write, md: &Md, e: &Event, catalogs: &Catalogs) -> io::Result<()> {
    let status = e.status.map_or("-".into(), |s| s.to_string());
    writeln!(
        out,
        "**Request** `{}` — {} {} {} → **{status}** `{}`\n",
        md.safe(&e.request_id),
        ts_millis::format(&e.ts),
        md.opt(e.method.as_deref()),
        md.opt(e.path.as_deref()),
        md.opt(e.code.as_deref())
    )?;
    if let Some(m) = &e.message {
        writeln!(out, "- **Message:** {}", md.safe(m))?;
    }
    if let Some(rd) = catalogs.reading(e) {
        let api = rd.api.as_deref().unwrap_or("generic HTTP");
        writeln!(
            out,
            "- **Meaning:** {} ({api}, class `{}`)",
            md.safe(&rd.meaning),
            rd.class
        )?;
        writeln!(
            out,
            "- **Retry:** {}",
            retry_words(rd.retryable, e.retry_after_s)
        )?;
        if !rd.hint.is_empty() {
            writeln!(out, "- **What to do:** {}", md.safe(&rd.hint))?;
        }
    }
    writeln!(out, "- **Service:** {}", md.opt(e.service.as_deref()))?;
    if let Some(client) = &e.client {
        writeln!(out, "- **Client:** {}", md.safe(client))?;
    }
    writeln!(
        out,
        "- **Source:** `{}:{}`\n",
        md.safe(super::short_path(&e.source.file)),
        e.source.line
    )
}

/// The chain as a table, its verdict and its findings.
fn chain(out: &mut dyn Write, md: &Md, c: &Chain) -> io::Result<()> {
    writeln!(
        out,
        "### Retry chain `{}` — {} after {} attempt(s)\n",
        md.safe(&c.idempotency_key),
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
            md.safe(step.code.as_deref().unwrap_or("")),
            step.retry_after_s
                .map_or(String::new(), |s| format!("{s} s")),
            md.safe(&step.request_id)
        )?;
    }
    writeln!(out, "\n**Verdict:** {}\n", md.safe(&chains::verdict(c)))?;
    for f in &c.flags {
        writeln!(
            out,
            "- `{}` (attempt {}): {}",
            f.rule.as_str(),
            f.attempt,
            md.safe(&f.detail)
        )?;
    }
    if !c.flags.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

/// The original lines, folded away.
fn sources(out: &mut dyn Write, md: &Md, events: &[Event]) -> io::Result<()> {
    writeln!(out, "<details><summary>Source lines</summary>\n")?;
    for e in events {
        let raw = if md.redact {
            sanitize::redact(&e.raw).into_owned()
        } else {
            e.raw.clone()
        };
        let pretty = sanitize::escape(&pretty_raw(&raw)).replace("\\n", "\n");
        writeln!(
            out,
            "`{}:{}`\n\n```json\n{pretty}\n```\n",
            md.safe(super::short_path(&e.source.file)),
            e.source.line
        )?;
    }
    writeln!(out, "</details>")
}
