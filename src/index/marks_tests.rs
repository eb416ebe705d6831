//! The marks file under the crashes it must survive, driven step by step
//! (no process timing): a run killed between appending its marks and the
//! tantivy commit, a torn tail, compaction (and a kill between compacting
//! and committing), and a payload that still holds the marks inline.

use std::path::Path;

use super::marks::MarksFile;
use crate::ingest::checkpoint::{Checkpoint, FileMark};

fn mark(path: &str, offset: u64) -> FileMark {
    FileMark {
        path: path.into(),
        head: path.len() as u64,
        tail: offset,
        tail_len: 0,
        offset,
        lines: offset / 10,
        blocks: vec![offset; 64],
        block_start: 0,
        block_lines: 0,
        partial: Some(offset),
        probes: Vec::new(),
        stat: None,
        window: None,
    }
}

/// What a reader (or the next writer) gets from `payload`.
fn load(dir: &Path, payload: &str) -> Checkpoint {
    let mut cp = Checkpoint::from_payload(Some(payload)).unwrap();
    MarksFile::open(dir, &mut cp, false).unwrap();
    cp
}

/// Write and "commit": the payload a tantivy commit would record.
fn commit(dir: &Path, marks: &mut MarksFile, cp: &mut Checkpoint) -> String {
    let r = marks.write(cp).unwrap();
    let payload = cp.to_payload_with(r);
    marks.committed();
    let _ = dir;
    payload
}

fn marks_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| super::marks::is_marks_file(n))
        .collect();
    names.sort();
    names
}

#[test]
fn a_run_killed_between_appending_and_committing_resumes_from_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut cp = Checkpoint::default();
    let mut marks = MarksFile::open(dir.path(), &mut cp, true).unwrap();
    cp.record(None, mark("a.log", 100));
    cp.record(None, mark("b.log", 50));
    let committed = commit(dir.path(), &mut marks, &mut cp);
    // Only the changed mark is appended; then the process dies.
    cp.record(Some(0), mark("a.log", 900));
    let r = marks.write(&mut cp).unwrap();
    let file = dir.path().join(&r.file);
    assert!(std::fs::metadata(&file).unwrap().len() == r.len);
    drop(marks);
    // The next writer reads the last commit: a.log at 100, not 900.
    let back = load(dir.path(), &committed);
    assert_eq!(back.files, vec![mark("a.log", 100), mark("b.log", 50)]);
    assert_eq!(back.file_count(), 2);
    // And what the killed run appended is gone from the file.
    let at_commit = Checkpoint::from_payload(Some(&committed))
        .unwrap()
        .marks
        .unwrap();
    assert_eq!(std::fs::metadata(&file).unwrap().len(), at_commit.len);
}

#[test]
fn a_torn_tail_past_the_commit_is_ignored_and_one_inside_it_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut cp = Checkpoint::default();
    let mut marks = MarksFile::open(dir.path(), &mut cp, true).unwrap();
    cp.record(None, mark("a.log", 100));
    let committed = commit(dir.path(), &mut marks, &mut cp);
    let r = Checkpoint::from_payload(Some(&committed))
        .unwrap()
        .marks
        .unwrap();
    let file = dir.path().join(&r.file);
    // Half a record after the committed bytes (a write cut by a crash).
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.extend_from_slice(br#"{"i":0,"mark":{"path":"a.lo"#);
    std::fs::write(&file, &bytes).unwrap();
    assert_eq!(load(dir.path(), &committed).files, vec![mark("a.log", 100)]);
    // A file cut inside what a commit made durable is a damaged index.
    std::fs::write(&file, &bytes[..r.len as usize - 5]).unwrap();
    let mut cp = Checkpoint::from_payload(Some(&committed)).unwrap();
    let err = MarksFile::open(dir.path(), &mut cp, true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("rebuild"), "{err}");
}

#[test]
fn a_file_grown_past_twice_its_live_size_is_compacted_after_its_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut cp = Checkpoint::default();
    let mut marks = MarksFile::open(dir.path(), &mut cp, true).unwrap();
    cp.record(None, mark("a.log", 1));
    cp.record(None, mark("b.log", 1));
    let mut committed = commit(dir.path(), &mut marks, &mut cp);
    assert_eq!(marks_files(dir.path()), vec!["checkpoint.0.marks"]);
    let mut offset = 1;
    while marks_files(dir.path()) == ["checkpoint.0.marks"] {
        offset += 1;
        cp.record(Some(0), mark("a.log", offset));
        let r = marks.write(&mut cp).unwrap();
        if r.file == "checkpoint.1.marks" {
            // Compacted but not yet committed (a kill here): both files
            // exist, and the last commit still loads from the old one.
            let names = marks_files(dir.path());
            assert_eq!(names, vec!["checkpoint.0.marks", "checkpoint.1.marks"]);
            let back = load(dir.path(), &committed);
            assert_eq!(back.files[0], mark("a.log", offset - 1));
            // The commit goes through: the old file is deleted.
            committed = cp.to_payload_with(r);
            marks.committed();
        } else {
            committed = cp.to_payload_with(r);
            marks.committed();
        }
    }
    assert_eq!(marks_files(dir.path()), vec!["checkpoint.1.marks"]);
    // Compacted: one record a mark, well under twice the live size.
    let size = std::fs::metadata(dir.path().join("checkpoint.1.marks"))
        .unwrap()
        .len();
    let back = load(dir.path(), &committed);
    assert_eq!(back.files, vec![mark("a.log", offset), mark("b.log", 1)]);
    let one = serde_json::to_string(&mark("a.log", offset)).unwrap().len() as u64;
    assert!(size < 3 * one, "{size} bytes for two marks of ~{one}");
}

#[test]
fn marks_inline_in_an_old_payload_load_and_move_to_a_file_on_the_next_commit() {
    let dir = tempfile::tempdir().unwrap();
    let mut old = Checkpoint::default();
    old.record(None, mark("a.log", 100));
    old.record(None, mark("b.log", 7));
    let payload = old.to_payload();
    assert!(payload.contains("\"files\":[{"));
    let mut cp = Checkpoint::from_payload(Some(&payload)).unwrap();
    let mut marks = MarksFile::open(dir.path(), &mut cp, true).unwrap();
    assert_eq!(cp.files, vec![mark("a.log", 100), mark("b.log", 7)]);
    // The next commit writes every mark to the file, none inline.
    let next = commit(dir.path(), &mut marks, &mut cp);
    assert!(
        next.contains("\"files\":[]") || !next.contains("\"files\""),
        "{next}"
    );
    assert!(next.contains("checkpoint.0.marks"), "{next}");
    let back = load(dir.path(), &next);
    assert_eq!(back.files, vec![mark("a.log", 100), mark("b.log", 7)]);
}
