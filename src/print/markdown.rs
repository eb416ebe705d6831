//! markdown: `find --format markdown`, a case card ready to paste into a
//! support ticket: the request, what its error means, the retry chain, the
//! verdict and the source lines. Log text is escaped and redacted.

use std::io::{self, Write};

use errtriage::catalog::Catalogs;
use errtriage::model::{Chain, Event, ts_millis};
use errtriage::query::{FindResult, chains};
use errtriage::sanitize;

use super::human::{pretty_raw, retry_words};

/// Log text made safe for markdown: escaped for the terminal, redacted
/// unless `--no-redact`, and unable to become a link, an image or raw HTML
/// in the ticket (CommonMark backslash escapes in prose; code spans and
/// fences take a backtick run longer than any inside).
struct Md {
    redact: bool,
}

impl Md {
    fn clean(&self, s: &str) -> String {
        sanitize::display(s, !self.redact)
    }

    /// Prose: no `[link](…)`, `![image](…)`, `<html>`, autolink or
    /// emphasis survives ([`escape_markdown`]).
    fn text(&self, s: &str) -> String {
        escape_markdown(&self.clean(s))
    }

    fn opt_text(&self, s: Option<&str>) -> String {
        self.text(s.unwrap_or("-"))
    }

    /// An inline code span (ids, codes, paths): literal whatever it holds.
    fn code(&self, s: &str) -> String {
        code_span(&self.clean(s), false)
    }

    fn opt_code(&self, s: Option<&str>) -> String {
        self.code(s.unwrap_or("-"))
    }

    /// A code span in a table cell (`|` escaped, as GFM tables require).
    fn cell_code(&self, s: &str) -> String {
        if s.is_empty() {
            return String::new();
        }
        code_span(&self.clean(s), true)
    }
}

/// Backslash-escape (CommonMark 2.4) what could make log text markup on
/// one line that does not start a block: code, emphasis, links and
/// images (`[`), HTML and autolinks (`<`), entities, table pipes, and
/// GFM's bare autolinks (`https\://`, `www\.`, `ann\@host`). Plain prose
/// (`Retry in 42 seconds.`, `slot_unavailable`) stays as it is.
fn escape_markdown(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '&' | '|' | '~' | '@' => true,
            // An underscore inside a word cannot open or close emphasis.
            '_' => !(word(prev) && word(next)),
            ':' => chars[i + 1..].starts_with(&['/', '/']),
            '.' => i >= 3 && chars[i - 3..i].iter().all(|c| c.eq_ignore_ascii_case(&'w')),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The longest run of `c` in `s`.
fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// `s` as a CommonMark code span: delimited by a backtick run longer than
/// any inside, padded with a space when it starts or ends with a backtick.
fn code_span(s: &str, in_table: bool) -> String {
    let fence = "`".repeat(longest_run(s, '`') + 1);
    let body = if in_table {
        s.replace('|', "\\|")
    } else {
        s.to_string()
    };
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A fenced code block around `body`: a backtick fence longer than any
/// backtick run inside (at least three), so no log line can close it.
fn code_block(info: &str, body: &str) -> String {
    let fence = "`".repeat((longest_run(body, '`') + 1).max(3));
    format!("{fence}{info}\n{body}\n{fence}")
}

/// Write the case card for a find result.
pub fn case_card(
    out: &mut dyn Write,
    r: &FindResult,
    catalogs: &Catalogs,
    redact: bool,
    impact: Option<&str>,
) -> io::Result<()> {
    let md = Md { redact };
    writeln!(out, "## errtriage case: {}\n", md.code(&r.query))?;
    for e in &r.events {
        request(out, &md, e, catalogs)?;
    }
    if let Some(verdict) = impact {
        writeln!(out, "**Impact** {}\n", md.text(verdict))?;
    }
    for c in &r.chains {
        chain(out, &md, c)?;
    }
    sources(out, &md, &r.events)?;
    out.flush()
}

/// The impact verdict of `id` for its case card ("only this client", "5
/// clients since 09:44 on …"), when the store can tell: nothing for a
/// request that did not fail, or a store that cannot answer impact.
pub fn impact_verdict(store: &dyn errtriage::store::Store, id: &str) -> Option<String> {
    let window = chrono::Duration::minutes(30);
    let found = store.impact(id, window, chrono::Utc::now()).ok()??;
    Some(found.verdict)
}

/// The request line and what its code means.
fn request(out: &mut dyn Write, md: &Md, e: &Event, catalogs: &Catalogs) -> io::Result<()> {
    let status = e.status.map_or("-".into(), |s| s.to_string());
    writeln!(
        out,
        "**Request** {} — {} {} {} → **{status}** {}\n",
        md.code(&e.request_id),
        ts_millis::format(&e.ts),
        md.opt_text(e.method.as_deref()),
        md.opt_code(e.path.as_deref()),
        md.opt_code(e.code.as_deref())
    )?;
    if let Some(m) = &e.message {
        writeln!(out, "- **Message:** {}", md.text(m))?;
    }
    if let Some(rd) = catalogs.reading(e) {
        let api = rd.api.as_deref().unwrap_or("generic HTTP");
        writeln!(
            out,
            "- **Meaning:** {} ({}, class `{}`)",
            md.text(&rd.meaning),
            md.text(api),
            rd.class
        )?;
        writeln!(
            out,
            "- **Retry:** {}",
            retry_words(rd.retryable, e.retry_after_s)
        )?;
        if !rd.hint.is_empty() {
            writeln!(out, "- **What to do:** {}", md.text(&rd.hint))?;
        }
    }
    writeln!(out, "- **Service:** {}", md.opt_text(e.service.as_deref()))?;
    if let Some(client) = &e.client {
        writeln!(out, "- **Client:** {}", md.text(client))?;
    }
    if let Some(route) = &e.route {
        writeln!(out, "- **Route:** {}", md.text(route))?;
    }
    let source = format!("{}:{}", super::short_path(&e.source.file), e.source.line);
    writeln!(out, "- **Source:** {}\n", md.code(&source))
}

/// The chain as a table, its verdict and its findings.
fn chain(out: &mut dyn Write, md: &Md, c: &Chain) -> io::Result<()> {
    writeln!(
        out,
        "### Retry chain {} — {} after {} attempt(s)\n",
        md.code(&c.idempotency_key),
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
            "| {} | {} | +{:.1} s | {} | {} | {} | {} | {} |",
            step.attempt,
            ts_millis::format(&step.ts),
            step.offset_s,
            step.gap_s.map_or(String::new(), |g| format!("{g:.1} s")),
            step.status.map_or("-".into(), |s| s.to_string()),
            md.cell_code(step.code.as_deref().unwrap_or("")),
            step.retry_after_s
                .map_or(String::new(), |s| format!("{s} s")),
            md.cell_code(&step.request_id)
        )?;
    }
    writeln!(out, "\n**Verdict:** {}\n", md.text(&chains::verdict(c)))?;
    for f in &c.flags {
        writeln!(
            out,
            "- `{}` (attempt {}): {}",
            f.rule.as_str(),
            f.attempt,
            md.text(&f.detail)
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
        let source = format!("{}:{}", super::short_path(&e.source.file), e.source.line);
        writeln!(
            out,
            "{}\n\n{}\n",
            md.code(&source),
            code_block("json", &pretty)
        )?;
    }
    writeln!(out, "</details>")
}
