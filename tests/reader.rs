//! Ingest reads a file's lines with one `normalize::Reader` each, which
//! carries format detection from a line to the next (issue 10 item 8: a
//! line with the previous line's keys skips the scan for a format). It must
//! read every line exactly as `normalize` reads it alone: same format, same
//! fields, whatever the previous line was.

mod common;

use std::path::Path;

use common::{Env, repo};
use errtriage::model::Source;
use errtriage::normalize::{Formats, Reader, normalize_records_with};
use errtriage::query::SearchResult;

/// Every line of every plain sample log, then all of them interleaved (the
/// layout changes at nearly every line), read by a Reader and alone.
#[test]
fn a_reader_reads_every_sample_line_as_normalize_does() {
    let formats = Formats::builtin();
    let mut files = Vec::new();
    collect(&repo().join("sample-logs"), &mut files);
    assert!(files.len() >= 15, "{files:?}");
    let mut all: Vec<Vec<String>> = Vec::new();
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        all.push(text.lines().map(String::from).collect());
    }
    let mut checked = 0;
    for lines in &all {
        checked += same_readings(&formats, lines.iter());
    }
    let longest = all.iter().map(Vec::len).max().unwrap();
    let mixed = (0..longest).flat_map(|i| all.iter().filter_map(move |l| l.get(i)));
    checked += same_readings(&formats, mixed);
    assert!(checked > 10_000, "{checked} lines");
}

/// Lines with the same keys, claimed by pino, slog or nothing by their
/// values (pino wants a numeric `level` and an epoch-ms `time`, slog takes
/// the rest; a null detect key claims nothing): each read as it would be
/// alone.
#[test]
fn the_same_keys_with_other_values_are_detected_again() {
    let formats = Formats::builtin();
    let lines = [
        PINO,
        &PINO.replace(r#""level":50"#, r#""level":"warn""#),
        PINO,
        &PINO.replace(r#""msg":"upstream timeout""#, r#""msg":null"#),
        &PINO.replace(
            r#""time":1778752800100"#,
            r#""time":"2026-05-14T10:00:00Z""#,
        ),
        PINO,
    ];
    assert_eq!(same_readings(&formats, lines.iter()), lines.len());
    let mut reader = Reader::new(&formats);
    let read: Vec<Option<String>> = lines
        .iter()
        .map(|l| reader.normalize(l, Source::default()).unwrap().event.format)
        .collect();
    let (pino, slog) = (Some("pino".to_string()), Some("slog".to_string()));
    assert_eq!(
        read,
        [pino.clone(), slog.clone(), pino.clone(), None, slog, pino]
    );
}

/// End to end: a file whose lines share their keys, some of them pino's
/// and some not, is ingested with each line's own format.
#[test]
fn ingest_detects_each_line_of_one_layout_by_its_values() {
    let env = Env::new();
    let lines: Vec<String> = (0..6)
        .map(|i| {
            // (`request_id`: the probe reads it whichever format claims.)
            let id = format!(r#""request_id":"req_layout_{i}""#);
            let line = PINO.replace(r#""reqId":"req_cw_1""#, &id);
            match i % 3 {
                1 => line.replace(r#""level":50"#, r#""level":"error""#),
                _ => line,
            }
        })
        .collect();
    let f = env.write("app.log", lines.join("\n") + "\n");
    let summary = env.ingest(&[&f]);
    assert_eq!(summary["events"], 6, "{summary}");
    for i in 0..6 {
        let r: SearchResult = env.json(&["search", &format!("req_layout_{i}"), "--json"]);
        assert_eq!(r.events.len(), 1, "{i}");
        let e = &r.events[0];
        let want = if i % 3 == 1 { "slog" } else { "pino" };
        assert_eq!(e.format.as_deref(), Some(want), "line {i}");
        assert_eq!(e.status, Some(503), "line {i}");
        // pino's `time` (epoch ms) and the probe's read the same instant.
        assert_eq!(
            e.ts.to_rfc3339(),
            "2026-05-14T10:00:00.100+00:00",
            "line {i}"
        );
    }
}

const PINO: &str = r#"{"level":50,"time":1778752800100,"pid":7,"hostname":"api-1","reqId":"req_cw_1","res":{"statusCode":503},"responseTime":46,"msg":"upstream timeout"}"#;

/// Read `lines` with one Reader and each alone; assert the same events.
fn same_readings(formats: &Formats, lines: impl Iterator<Item = impl AsRef<str>>) -> usize {
    let mut reader = Reader::new(formats);
    let mut n = 0;
    for (i, line) in lines.enumerate() {
        let line = line.as_ref();
        let source = Source {
            file: "f".into(),
            line: i as u64 + 1,
            offset: 0,
        };
        let alone = normalize_records_with(formats, line, source.clone());
        assert_eq!(
            reader.records(line, source),
            alone,
            "line {}: {line}",
            i + 1
        );
        n += 1;
    }
    n
}

/// The plain (uncompressed) files under `dir`, sorted.
fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if !matches!(p.extension().and_then(|e| e.to_str()), Some("gz" | "zst")) {
            out.push(p);
        }
    }
}
