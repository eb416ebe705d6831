//! `errtriage explain PATH…`: how each file is read — format, field
//! coverage and keys, unused id/status/time/duration keys, a suggested
//! format. Reads files, directories (recursively, .gz/.zst too) and stdin.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;
use errtriage::ingest::walk;
use errtriage::normalize::Formats;
use errtriage::normalize::explain::{Explain, Explainer, FIELDS, FileReport};
use errtriage::sanitize;

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Files or directories to explain (`-` for stdin)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, a: ExplainArgs) -> Result<Status> {
    let formats = errtriage::normalize::formats::installed();
    let mut files = Vec::new();
    let named: Vec<PathBuf> = a
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    if named.len() < a.paths.len() {
        files.push(explain_reader(formats, "-", Box::new(std::io::stdin()))?);
    }
    let (paths, problems) = walk::expand(&named, None);
    for p in problems {
        eprintln!("errtriage: {}: {}", sanitize::escape(&p.path), p.message);
    }
    for path in paths {
        let (reader, _) = walk::open(&path, walk::Counter::default())
            .with_context(|| format!("cannot read {}", path.display()))?;
        files.push(explain_reader(
            formats,
            &path.display().to_string(),
            reader,
        )?);
    }
    let report = Explain { files };
    let mut out = std::io::stdout().lock();
    if a.json {
        let mut v = serde_json::to_value(&report)?;
        if ctx.redact {
            v = sanitize::redact_value(v);
        }
        serde_json::to_writer(&mut out, &v)?;
        writeln!(out)?;
    } else {
        for f in &report.files {
            human(&mut out, f, ctx.redact)?;
        }
    }
    Ok(Status::Done)
}

fn explain_reader(
    formats: &Formats,
    name: &str,
    r: Box<dyn std::io::Read + Send>,
) -> Result<FileReport> {
    let mut e = Explainer::new(formats, name);
    let mut reader = BufReader::new(r);
    let mut buf = Vec::new();
    while reader.read_until(b'\n', &mut buf)? > 0 {
        let line = String::from_utf8_lossy(&buf);
        e.line(line.trim_end_matches(['\n', '\r']));
        buf.clear();
    }
    Ok(e.finish())
}

/// The coverage table of one file.
fn human(out: &mut impl Write, f: &FileReport, redact: bool) -> Result<()> {
    let show = |s: &str| sanitize::display(s, !redact);
    writeln!(
        out,
        "{}: format {}, {} lines, {} not claimed by a format",
        show(&f.file),
        f.format
            .as_deref()
            .map_or("none (generic probe)".into(), show),
        f.lines,
        f.unclaimed_lines
    )?;
    writeln!(out, "  {:<16} {:>6}  from", "field", "found")?;
    for &field in FIELDS {
        let Some(c) = f.fields.get(field) else {
            continue;
        };
        let keys = if c.keys.is_empty() {
            "-".to_string()
        } else {
            c.keys
                .iter()
                .map(|k| show(k))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(out, "  {field:<16} {:>5.0}%  {keys}", c.share * 100.0)?;
    }
    if !f.unused_keys.is_empty() {
        writeln!(
            out,
            "  keys that look like ids, statuses, times or durations but were not used:"
        )?;
        for u in &f.unused_keys {
            writeln!(
                out,
                "    {} ({}), e.g. {}",
                show(&u.key),
                u.looks_like,
                show(&u.example)
            )?;
        }
    }
    if let Some(t) = &f.suggested_format {
        writeln!(out, "  suggested format:")?;
        for l in t.lines() {
            writeln!(out, "    {}", show(l))?;
        }
    }
    writeln!(out)?;
    Ok(())
}
