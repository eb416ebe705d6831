//! The index itself: private to its user; an index from another version, a
//! corrupt or partial index, a full disk and an unwritable location each give
//! a clear error that says what to do — never a panic or a silently empty
//! result.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::{Env, cannot_run, repo, stderr};
use errtriage::query::Stats;

fn ingested() -> Env {
    let env = Env::new();
    env.ingest(&[&repo().join("tests/data/envelopes.jsonl")]);
    env
}

fn fails_with(env: &Env, args: &[&str], words: &[&str]) {
    let out = env.run(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    for w in words {
        assert!(err.contains(w), "{args:?}: expected {w:?} in: {err}");
    }
}

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_new_index_directory_is_created_private_with_its_parents() {
    let env = Env::new();
    let index = env.path("a/b/index");
    let out = env
        .cmd_at(&index)
        .arg("ingest")
        .arg(repo().join("tests/data/envelopes.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for dir in ["a", "a/b", "a/b/index"] {
        assert_eq!(mode(&env.path(dir)), 0o700, "{dir}");
    }
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn an_existing_directory_keeps_its_mode_with_a_warning() {
    let env = Env::new();
    std::fs::create_dir_all(&env.index).unwrap();
    std::fs::set_permissions(&env.index, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = env.run(&[
        "ingest",
        repo().join("tests/data/envelopes.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        mode(&env.index),
        0o755,
        "never chmod what errtriage did not create"
    );
    assert!(
        stderr(&out).contains("can be read by other users"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn what_is_not_an_index_is_refused_and_left_exactly_as_it_was() {
    let env = Env::new();
    let data = repo().join("tests/data/envelopes.jsonl");
    // A shared directory like /tmp (sticky, world-writable) with files in it.
    let shared = env.path("shared");
    std::fs::create_dir_all(shared.join("sub")).unwrap();
    std::fs::write(shared.join("notes.txt"), "mine").unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    // A regular file.
    let file = env.write("a-file.txt", "text");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    for (target, words) in [
        (&shared, "not an errtriage index"),
        (&file, "not a directory"),
    ] {
        let data = data.to_str().unwrap();
        for args in [
            &["ingest", data][..],
            &["ingest", "--rebuild", data],
            &["stats"],
        ] {
            let out = env.cmd_at(target).args(args).output().unwrap();
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{target:?} {args:?}: {err}");
            assert!(err.contains(words), "{target:?} {args:?}: {err}");
            assert!(
                !err.contains("--rebuild"),
                "never recommend deleting: {err}"
            );
        }
    }
    assert_eq!(mode(&shared), 0o1777);
    assert_eq!(
        mode(&file),
        0o644,
        "a regular file must not become executable"
    );
    let mut names: Vec<String> = std::fs::read_dir(&shared)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["notes.txt", "sub"]);
}

#[test]
fn rebuild_refuses_a_directory_with_someone_elses_meta_json() {
    let env = Env::new();
    let other = env.path("other");
    std::fs::create_dir_all(other.join("photos")).unwrap();
    std::fs::write(other.join("meta.json"), r#"{"album":"holidays"}"#).unwrap();
    std::fs::write(other.join("photos/1.jpg"), "jpeg").unwrap();
    let data = repo().join("tests/data/envelopes.jsonl");
    for rebuild in [false, true] {
        let mut cmd = env.cmd_at(&other);
        cmd.arg("ingest");
        if rebuild {
            cmd.arg("--rebuild");
        }
        let out = cmd.arg(&data).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("not an errtriage index"), "{err}");
        assert!(!err.contains("--rebuild"), "{err}");
    }
    assert_eq!(
        std::fs::read_to_string(other.join("meta.json")).unwrap(),
        r#"{"album":"holidays"}"#
    );
    assert!(other.join("photos/1.jpg").exists());
}

#[test]
fn rebuild_deletes_only_the_index_own_files() {
    let env = ingested();
    // Unreadable, so --rebuild clears the directory rather than the documents.
    std::fs::write(env.index.join("meta.json"), "garbage\n").unwrap();
    std::fs::write(env.index.join("README-mine.txt"), "keep me").unwrap();
    std::fs::create_dir_all(env.index.join("backup")).unwrap();
    std::fs::write(env.index.join("backup/old.log"), "keep me too").unwrap();
    let data = repo().join("tests/data/envelopes.jsonl");
    let out = env.run(&["ingest", "--rebuild", data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(env.index.join("README-mine.txt")).unwrap(),
        "keep me"
    );
    assert!(env.index.join("backup/old.log").exists());
    assert_eq!(env.json::<Stats>(&["stats", "--json"]).events, 13);
    // And again on a healthy index.
    let out = env.run(&["ingest", "--rebuild", data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(env.index.join("README-mine.txt").exists());
    assert_eq!(env.json::<Stats>(&["stats", "--json"]).events, 13);
}

/// (name, mode, length, modification time) of every file in `dir`.
fn snapshot(dir: &std::path::Path) -> Vec<(String, u32, u64, std::time::SystemTime)> {
    let mut all: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, m.permissions().mode(), m.len(), m.modified().unwrap())
        })
        .collect();
    all.sort();
    all
}

#[test]
fn queries_never_write_to_the_index() {
    let env = ingested();
    let before = (mode(&env.index), snapshot(&env.index));
    for args in [
        &["stats", "--json"][..],
        &["search", "status:5xx"],
        &["find", "req_2N7s8x9KqR"],
        &["groups"],
        &["chains"],
    ] {
        let out = env.run(args);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!((mode(&env.index), snapshot(&env.index)), before);
}

#[test]
fn a_missing_meta_json_is_a_damaged_index_whose_segments_are_kept() {
    let env = ingested();
    std::fs::remove_file(env.index.join("meta.json")).unwrap();
    let segments = |env: &Env| {
        std::fs::read_dir(&env.index)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "store")
            })
            .count()
    };
    let kept = segments(&env);
    assert!(kept > 0);
    let data = repo().join("tests/data/envelopes.jsonl");
    for args in [
        &["stats"][..],
        &["search", "status:5xx"],
        &["find", "req_2N7s8x9KqR"],
        &["ingest", data.to_str().unwrap()],
    ] {
        fails_with(
            &env,
            args,
            &["damaged", "meta.json is missing", "--rebuild"],
        );
    }
    assert_eq!(
        segments(&env),
        kept,
        "ingest must not delete the old segments"
    );
    let rebuilt = env.run(&["ingest", "--rebuild", data.to_str().unwrap()]);
    assert_eq!(rebuilt.status.code(), Some(0), "{}", stderr(&rebuilt));
    assert_eq!(env.json::<Stats>(&["stats", "--json"]).events, 13);
}

#[test]
fn ingest_into_an_index_missing_a_segment_file_fails_clearly() {
    let env = ingested();
    let store = std::fs::read_dir(&env.index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "store"))
        .unwrap();
    std::fs::remove_file(store).unwrap();
    let other = env.write(
        "more.jsonl",
        std::fs::read(repo().join("tests/data/envelopes.jsonl")).unwrap(),
    );
    fails_with(
        &env,
        &["ingest", other.to_str().unwrap()],
        &["damaged or incomplete", "--rebuild"],
    );
}

#[test]
fn an_index_of_another_version_asks_for_a_rebuild() {
    let env = ingested();
    let meta = env.index.join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let current = format!(
        r#"\"version\":{},"#,
        errtriage::index::schema::SCHEMA_VERSION
    );
    assert!(text.contains(&current), "{text}");
    std::fs::write(&meta, text.replace(&current, r#"\"version\":999,"#)).unwrap();
    for args in [
        &["find", "req_2N7s8x9KqR"][..],
        &["stats"],
        &["search", "status:5xx"],
    ] {
        fails_with(&env, args, &["index format 999", "--rebuild"]);
    }
    let data = repo().join("tests/data/envelopes.jsonl");
    fails_with(&env, &["ingest", data.to_str().unwrap()], &["--rebuild"]);
    let rebuilt = env.run(&["ingest", "--rebuild", "--json", data.to_str().unwrap()]);
    assert_eq!(rebuilt.status.code(), Some(0), "{}", stderr(&rebuilt));
    assert_eq!(env.json::<Stats>(&["stats", "--json"]).events, 13);
}

#[test]
fn a_corrupt_or_partial_index_is_a_clear_error() {
    let env = ingested();
    let store = std::fs::read_dir(&env.index)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "store"))
        .unwrap();
    std::fs::remove_file(store).unwrap();
    fails_with(
        &env,
        &["find", "req_2N7s8x9KqR"],
        &["damaged or incomplete", "--rebuild"],
    );
    std::fs::write(env.index.join("meta.json"), "garbage\n").unwrap();
    fails_with(&env, &["stats"], &["damaged or incomplete", "--rebuild"]);
    let data = repo().join("tests/data/envelopes.jsonl");
    let rebuilt = env.run(&["ingest", "--rebuild", data.to_str().unwrap()]);
    assert_eq!(rebuilt.status.code(), Some(0), "{}", stderr(&rebuilt));
    assert_eq!(env.json::<Stats>(&["stats", "--json"]).events, 13);
}

#[test]
fn an_unwritable_location_says_to_choose_another() {
    let env = Env::new();
    env.write("a-file", "not a directory");
    let out = env
        .cmd_at(&env.path("a-file/index"))
        .arg("ingest")
        .arg(repo().join("tests/data/envelopes.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("choose a writable location with --index"),
        "{err}"
    );
    assert_eq!(
        err.matches("Not a directory").count(),
        1,
        "said once: {err}"
    );
}

/// Mounts a small tmpfs; unmounts on drop.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(at: std::path::PathBuf, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(&at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .status();
        ok.is_ok_and(|s| s.success()).then_some(Tmpfs(at))
    }

    fn grow(&self, size: &str) {
        self.remount(&format!("remount,size={size}"));
    }

    fn remount(&self, options: &str) {
        let ok = Command::new("mount")
            .args(["-o", options])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success(), "mount -o {options}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Every file in the index belongs to a committed segment (or is tantivy's
/// own bookkeeping): nothing half-written keeps the disk full.
fn assert_only_committed_files(index: &std::path::Path) {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(index.join("meta.json")).unwrap()).unwrap();
    let segments: Vec<String> = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect();
    // The checkpoint's marks file that commit names is part of it too.
    let payload: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap_or("{}")).unwrap();
    let marks = payload["marks"]["file"].as_str().unwrap_or("");
    for entry in std::fs::read_dir(index).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let stem = name.split('.').next().unwrap_or("");
        let bookkeeping = ["meta.json", ".managed.json", marks].contains(&name.as_str())
            || name.starts_with(".tantivy-")
            || name == ".errtriage-index";
        assert!(
            bookkeeping || segments.iter().any(|s| s == stem),
            "{name} is not part of the last commit ({segments:?})"
        );
    }
}

#[test]
fn a_full_disk_stops_cleanly_and_resumes_once_there_is_space() {
    let env = Env::new();
    let Some(disk) = Tmpfs::mount(env.path("small-disk"), "1m") else {
        return cannot_run(
            "a_full_disk_stops_cleanly_and_resumes_once_there_is_space",
            "cannot mount a tmpfs here (needs root)",
        );
    };
    // Incompressible messages, so the index cannot squeeze into 1 MB.
    let noise = |i: u64| -> String {
        (0..4)
            .map(|k| {
                format!(
                    "{:016x}",
                    (i * 4 + k)
                        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                        .rotate_left(17)
                )
            })
            .collect()
    };
    let lines: String = (0..40_000u64)
        .map(|i| {
            format!(r#"{{"timestamp":"2026-05-14T10:00:00Z","request_id":"req_FULL{i:06}","status":500,"message":"{}"}}"#, noise(i))
                + "\n"
        })
        .collect();
    let data = env.write("corpus.log", lines);
    let index = disk.0.join("index");
    let run = |extra: &[&str]| {
        env.cmd_at(&index)
            .arg("ingest")
            .args(extra)
            .arg(&data)
            .output()
            .unwrap()
    };
    let out = run(&["--commit-bytes", "200000"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the disk is full") && !err.contains("panicked"),
        "{err}"
    );
    assert!(
        err.contains("removed") && err.contains("unfinished index files"),
        "says what it cleaned up: {err}"
    );
    assert_only_committed_files(&index);
    let stats = |env: &Env| -> Stats {
        let out = env
            .cmd_at(&index)
            .args(["stats", "--json"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let committed = stats(&env).events;
    assert!(
        committed > 0 && committed < 40_000,
        "what was committed stays readable: {committed}"
    );
    disk.grow("64m");
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stats(&env).events,
        40_000,
        "resumed exactly where it stopped"
    );
}

#[test]
fn an_index_that_is_a_regular_file_is_a_clear_error() {
    let env = Env::new();
    let file = env.write("not-an-index", "hello\n");
    for args in [
        &["stats"][..],
        &["search", "status:5xx"],
        &["find", "req_x"],
    ] {
        let out = env.cmd_at(&file).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("not a directory"), "{args:?}: {err}");
    }
}

#[test]
fn an_empty_id_is_a_usage_error() {
    let env = ingested();
    for id in ["", "   "] {
        fails_with(&env, &["find", id], &["find needs an id"]);
    }
}

#[test]
fn a_truncated_meta_json_is_named_in_one_short_sentence() {
    let env = ingested();
    let meta = env.index.join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    std::fs::write(&meta, &text[..text.len() / 2]).unwrap();
    for args in [&["stats"][..], &["find", "req_2N7s8x9KqR"]] {
        fails_with(&env, args, &["meta.json", "not valid JSON", "--rebuild"]);
        let err = stderr(&env.run(args));
        assert!(err.len() < 300, "short, not the file's content: {err}");
        assert!(!err.contains("segments"), "no JSON from the file: {err}");
    }
    let data = repo().join("tests/data/envelopes.jsonl");
    fails_with(
        &env,
        &["ingest", data.to_str().unwrap()],
        &["meta.json", "not valid JSON"],
    );
}

#[test]
fn a_read_only_index_can_be_queried() {
    let env = Env::new();
    let Some(disk) = Tmpfs::mount(env.path("ro-disk"), "64m") else {
        return cannot_run(
            "a_read_only_index_can_be_queried",
            "cannot mount a tmpfs here (needs root)",
        );
    };
    let index = disk.0.join("index");
    let data = repo().join("tests/data/envelopes.jsonl");
    let out = env
        .cmd_at(&index)
        .arg("ingest")
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    disk.remount("remount,ro");
    let run = |args: &[&str]| env.cmd_at(&index).args(args).output().unwrap();
    let out = run(&["stats", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stats: Stats = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats.events, 13);
    let out = run(&["find", "req_2N7s8x9KqR", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&["search", "status:4xx", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Writing is refused in one clear sentence, no Debug dump.
    let out = env
        .cmd_at(&index)
        .arg("ingest")
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(!err.contains("Os {") && !err.contains("IoError("), "{err}");
    assert!(err.contains("Read-only file system"), "{err}");
}
