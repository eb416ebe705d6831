//! What a query says when the index's fast fields (columns and their term
//! dictionaries) cannot be read under it: an index error, on one line, that
//! names the index and says to rebuild it; never an answer with what could
//! not be read quietly missing (the span of `groups`' timeline once was),
//! never a panic. Each read of the fast-field files is made to fail in
//! turn, one per run. (tantivy reads a column's dictionary whole when the
//! column is opened, so a failed read surfaces there; a dictionary whose
//! bytes are corrupt fails later, in `ord_to_str`, which `chains`, `groups`
//! and `impact` now report the same way.)

use std::path::Path;

use super::{GroupBy, Query};
use crate::catalog::Catalogs;
use crate::index::directory::failing::FailingDirectory;
use crate::index::{LocalStore, Writer, WriterOptions};
use crate::ingest::{IngestOptions, Ingestor, NoProgress};
use crate::store::Store as _;

/// An index of retried and lone requests, one of them a key reused with
/// another request (a chain of one that is still flagged).
fn index(dir: &Path) {
    let mut lines = String::new();
    for i in 0..40 {
        let (status, code) = match i % 4 {
            0 => (409, "idempotency_key_in_use"),
            1 => (500, "internal_error"),
            2 => (429, "rate_limited"),
            _ => (200, ""),
        };
        for attempt in 0..(1 + i % 3) {
            lines += &serde_json::json!({
                "timestamp": format!("2026-05-14T10:{:02}:{:02}Z", i, attempt * 5),
                "service": "svc", "request_id": format!("req_{i}_{attempt}"),
                "idempotency_key": format!("key_{i}"), "method": "POST",
                "path": "/v1/charges", "status": status, "code": code,
            })
            .to_string();
            lines.push('\n');
        }
    }
    lines += &serde_json::json!({
        "timestamp": "2026-05-14T11:00:00Z", "service": "svc", "request_id": "req_lone",
        "idempotency_key": "key_lone", "method": "POST", "path": "/v1/charges",
        "status": 422, "code": "idempotency_key_conflict",
    })
    .to_string();
    lines.push('\n');
    let log = dir.join("app.log");
    std::fs::write(&log, lines).unwrap();
    let opts = WriterOptions {
        threads: 1,
        memory_bytes: 20 << 20,
        rebuild: false,
    };
    let catalogs = Catalogs::builtin();
    let mut writer = Writer::open(&dir.join("index"), &opts, || {}).unwrap();
    let mut ing = Ingestor::new(
        &mut writer,
        &catalogs,
        IngestOptions::default(),
        &NoProgress,
    );
    ing.ingest_paths(&[log]).unwrap();
    ing.finish().unwrap();
    writer.finish().unwrap();
}

/// Run `ask` with read 0, then 1, 2, … failing, until a run does not get
/// that far: each answer is the true one or a clear error.
fn each_failing_read<T: PartialEq + std::fmt::Debug>(
    dir: &Path,
    ask: impl Fn(&LocalStore) -> crate::error::Result<T>,
) {
    let truth = ask(&LocalStore::open(dir, Catalogs::builtin()).unwrap()).unwrap();
    let mut errors = 0;
    for n in 0.. {
        let disk = FailingDirectory::open(dir, n);
        let answer =
            LocalStore::open_in(dir, disk.clone(), Catalogs::builtin()).and_then(|s| ask(&s));
        match answer {
            Ok(answer) => assert_eq!(answer, truth, "a wrong answer when read {n} failed"),
            Err(e) => {
                errors += 1;
                let text = format!("{:#}", anyhow::Error::from(e));
                assert!(!text.contains('\n'), "{text}");
                assert!(text.contains(&dir.display().to_string()), "{text}");
                assert!(text.contains("errtriage ingest --rebuild"), "{text}");
            }
        }
        if !disk.failed() {
            break;
        }
    }
    assert!(errors > 0, "no read failed");
}

#[test]
fn chains_on_a_failing_disk_answer_truly_or_say_rebuild() {
    let tmp = tempfile::tempdir().unwrap();
    index(tmp.path());
    let dir = tmp.path().join("index");
    let flagged = |s: &LocalStore| s.chains(&Query::all(), true, 100).map(|r| r.chains);
    let truth = flagged(&LocalStore::open(&dir, Catalogs::builtin()).unwrap()).unwrap();
    assert!(
        truth
            .iter()
            .any(|c| c.attempts.len() == 1 && c.attempts[0].request_id == "req_lone"),
        "the lone reused key is a flagged chain"
    );
    each_failing_read(&dir, flagged);
    each_failing_read(&dir, |s| {
        s.chains(&Query::all(), false, 100).map(|r| r.chains)
    });
}

#[test]
fn groups_on_a_failing_disk_answer_truly_or_say_rebuild() {
    let tmp = tempfile::tempdir().unwrap();
    index(tmp.path());
    let dir = tmp.path().join("index");
    for by in [GroupBy::Code, GroupBy::Path, GroupBy::Service] {
        each_failing_read(&dir, |s| s.groups(&Query::all(), by, 100).map(|r| r.groups));
    }
}
