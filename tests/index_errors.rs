//! The index itself: private to its user; an index from another version, a
//! corrupt or partial index, a full disk and an unwritable location each give
//! a clear error that says what to do — never a panic or a silently empty
//! result.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::{Env, repo, stderr};
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

#[test]
fn the_index_directory_is_private() {
    let env = Env::new();
    std::fs::create_dir_all(&env.index).unwrap();
    std::fs::set_permissions(&env.index, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.ingest(&[&repo().join("tests/data/envelopes.jsonl")]);
    let mode = std::fs::metadata(&env.index).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
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
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_stops_cleanly_and_resumes_once_there_is_space() {
    let env = Env::new();
    let Some(disk) = Tmpfs::mount(env.path("small-disk"), "1m") else {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
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
