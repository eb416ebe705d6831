//! The checkpoint's marks live in a marks file beside the index, not in
//! tantivy's `meta.json` (issue 15 item 3): an index whose `meta.json` still
//! holds them (written before) is read, resumed exactly once and moved to a
//! marks file by its next commit; `--rebuild` deletes errtriage's marks
//! files and nothing that only looks like one. Real files, the real binary.

mod common;

use std::path::Path;

use common::Env;
use errtriage::query::Stats;
use serde_json::{Value, json};

fn lines(from: usize, to: usize) -> String {
    (from..to)
        .map(|i| {
            json!({"timestamp": "2026-05-14T10:00:00Z", "service": "svc", "method": "GET",
                "path": "/v1/x", "status": 500, "code": "internal_error",
                "request_id": format!("req_{i:05}")})
            .to_string()
                + "\n"
        })
        .collect()
}

fn meta(index: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(index.join("meta.json")).unwrap()).unwrap()
}

fn payload(index: &Path) -> Value {
    serde_json::from_str(meta(index)["payload"].as_str().unwrap()).unwrap()
}

fn marks_files(index: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(index)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("checkpoint."))
        .collect();
    names.sort();
    names
}

/// Put the marks back inline in `meta.json`, as indexes before the marks
/// file kept them, and delete the marks file.
fn to_old_format(index: &Path) {
    let mut p = payload(index);
    let file = p["marks"]["file"].as_str().unwrap().to_string();
    let len = p["marks"]["len"].as_u64().unwrap() as usize;
    let text = std::fs::read(index.join(&file)).unwrap();
    let mut files: Vec<Value> = Vec::new();
    for line in text[..len].split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let record: Value = serde_json::from_slice(line).unwrap();
        let i = record["i"].as_u64().unwrap() as usize;
        if i == files.len() {
            files.push(record["mark"].clone());
        } else {
            files[i] = record["mark"].clone();
        }
    }
    p["files"] = Value::Array(files);
    p.as_object_mut().unwrap().remove("marks");
    let mut m = meta(index);
    m["payload"] = Value::String(p.to_string());
    std::fs::write(index.join("meta.json"), m.to_string()).unwrap();
    std::fs::remove_file(index.join(file)).unwrap();
}

fn stats(env: &Env) -> Stats {
    env.json(&["stats", "--json"])
}

#[test]
fn marks_inline_in_meta_json_resume_exactly_once_and_move_to_a_marks_file() {
    let env = Env::new();
    let log = env.write("app.log", lines(0, 300));
    env.ingest(&[&log]);
    let p = payload(&env.index);
    assert!(p.get("files").is_none(), "{p}");
    assert_eq!(p["marks"]["count"], 1);
    to_old_format(&env.index);
    assert!(marks_files(&env.index).is_empty());
    assert_eq!((stats(&env).events, stats(&env).files), (300, 1));
    // Unchanged: nothing read again.
    let again = env.ingest(&[&log]);
    assert_eq!(again["events"], 0, "{again}");
    // Grown: only the new lines, and the marks are in a file now.
    std::fs::write(&log, lines(0, 450)).unwrap();
    let grown = env.ingest(&[&log]);
    assert_eq!(grown["events"], 150, "{grown}");
    assert_eq!(stats(&env).events, 450);
    let p = payload(&env.index);
    assert!(p.get("files").is_none(), "{p}");
    let file = p["marks"]["file"].as_str().unwrap().to_string();
    assert_eq!(marks_files(&env.index), vec![file]);
    let ids: Value = env.json(&["search", "req_00299", "--json"]);
    assert_eq!(ids["total"], 1, "{ids}");
}

#[test]
fn rebuild_deletes_errtriage_marks_files_and_keeps_look_alikes() {
    let env = Env::new();
    let log = env.write("app.log", lines(0, 50));
    env.ingest(&[&log]);
    let before = marks_files(&env.index);
    assert_eq!(before.len(), 1);
    let look_alike = [
        "checkpoint.x.marks",
        "checkpoint.1.marks.bak",
        "checkpoint.marks",
    ];
    for name in look_alike {
        std::fs::write(env.index.join(name), "mine").unwrap();
    }
    let out = env.run(&["ingest", "--rebuild", "--json", log.to_str().unwrap()]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(stats(&env).events, 50);
    let after = marks_files(&env.index);
    let ours: Vec<&String> = after
        .iter()
        .filter(|n| !look_alike.contains(&n.as_str()))
        .collect();
    assert_eq!(ours.len(), 1, "{after:?}");
    assert_ne!(
        ours[0], &before[0],
        "the rebuilt index writes a new generation"
    );
    for name in look_alike {
        assert_eq!(
            std::fs::read_to_string(env.index.join(name)).unwrap(),
            "mine"
        );
    }
}
