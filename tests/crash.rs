//! Nothing lost, nothing twice: real ingest processes killed with SIGKILL at
//! several points (with commits every ~100 kB so some kills land mid-commit),
//! then resumed; a second concurrent ingest waits for the lock; readers work
//! while a writer commits.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Env, stderr};
use errtriage::query::{FindResult, Stats};

const FILES: usize = 4;
const LINES: usize = 12_000;

/// Realistic gateway lines with unique request ids; returns (dir, bytes).
fn corpus(env: &Env) -> (std::path::PathBuf, u64) {
    let mut bytes = 0;
    for f in 0..FILES {
        let mut text = String::new();
        for i in 0..LINES {
            let status = [200, 201, 409, 429, 503][i % 5];
            text.push_str(&format!(
                r#"{{"timestamp":"2026-05-14T10:{:02}:{:02}.{:03}Z","service":"svc{f}","method":"POST","path":"/v1/bookings","status":{status},"latency_ms":{},"request_headers":{{"Idempotency-Key":"key-{f}-{}"}},"response_body":{{"error":{{"code":"code_{status}","message":"attempt {i} of file {f}","request_id":"req_{f}_{i:07}"}}}}}}"#,
                (i / 60) % 60,
                i % 60,
                i % 1000,
                i % 300,
                i / 3,
            ));
            text.push('\n');
        }
        bytes += text.len() as u64;
        env.write(&format!("corpus/part{f}.log"), text);
    }
    (env.path("corpus"), bytes)
}

fn spawn_ingest(env: &Env, dir: &std::path::Path) -> Child {
    env.cmd()
        .args(["ingest", "--commit-bytes", "100000", "--json"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ingest")
}

fn committed(env: &Env) -> u64 {
    let out = env.run(&["stats", "--json"]);
    serde_json::from_slice::<Stats>(&out.stdout)
        .map(|s| s.events)
        .unwrap_or(0)
}

/// Kill `child` with SIGKILL once at least `events` are committed.
fn kill_after(env: &Env, mut child: Child, events: u64) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(120);
    while committed(env) < events && Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    child.wait().unwrap();
    committed(env)
}

fn assert_exactly_once(env: &Env) {
    let total = (FILES * LINES) as u64;
    let stats: Stats = env.json(&["stats", "--json"]);
    assert_eq!(stats.events, total, "every line indexed exactly once");
    for f in 0..FILES {
        for i in [0, 1, LINES / 2, LINES - 2, LINES - 1] {
            let id = format!("req_{f}_{i:07}");
            let r: FindResult = env.json(&["find", &id, "--json"]);
            assert_eq!(r.events.len(), 1, "{id} indexed {} times", r.events.len());
        }
    }
    let again = env.ingest(&[&env.path("corpus")]);
    assert_eq!(again["events"], 0, "nothing left to read: {again}");
}

#[test]
fn sigkill_at_several_points_loses_nothing_committed_and_duplicates_nothing() {
    let env = Env::new();
    let (dir, bytes) = corpus(&env);
    let total = (FILES * LINES) as u64;
    // Early: before or during the first commits.
    let mut child = spawn_ingest(&env, &dir);
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap();
    child.wait().unwrap();
    let early = committed(&env);
    // Mid and late, each resuming where the last stopped.
    let mid = kill_after(&env, spawn_ingest(&env, &dir), total / 2);
    let late = kill_after(&env, spawn_ingest(&env, &dir), total * 9 / 10);
    assert!(
        early <= mid && mid <= late && late <= total,
        "{early} {mid} {late}"
    );
    assert!(
        late < total,
        "the late kill should have interrupted the run ({late} of {total})"
    );
    let finish = env.ingest(&[&dir]);
    assert_eq!(finish["bad_lines"], 0, "{finish}");
    assert_exactly_once(&env);
    let stats: Stats = env.json(&["stats", "--json"]);
    assert_eq!(stats.bytes, bytes, "the checkpoint counted every byte once");
}

#[test]
fn a_second_ingest_waits_for_the_lock_and_readers_see_commits() {
    let env = Env::new();
    let (dir, _) = corpus(&env);
    let first = spawn_ingest(&env, &dir);
    // Wait until the first holds the lock and has committed something.
    let deadline = Instant::now() + Duration::from_secs(60);
    while committed(&env) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // A reader works mid-ingest and sees committed events.
    let r: FindResult = env.json(&["find", "req_0_0000000", "--json"]);
    assert_eq!(r.events.len(), 1);
    let second = env
        .cmd()
        .args(["ingest", "--json"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = first;
    // The first holds the lock for its whole run: while it is still
    // running, the second cannot have started writing.
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first ingest finished too soon to test waiting; make the corpus bigger"
    );
    let first = first.wait_with_output().unwrap();
    let second = second.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let told = stderr(&second);
    assert!(
        told.contains("another ingest is writing") && told.contains("waiting"),
        "the second said it waited: {told}"
    );
    // It read the checkpoint the first left when it finished: nothing left.
    let summary: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(
        summary["events"], 0,
        "the second waited for the first: {summary}"
    );
    assert_exactly_once(&env);
}

#[test]
fn follow_mode_tails_rotation_and_stops_cleanly_on_sigint() {
    let env = Env::new();
    let line = |i: usize| {
        format!(
            r#"{{"timestamp":"2026-05-14T10:00:00Z","request_id":"req_FOLLOW{i:04}","status":200}}"#
        )
    };
    let logs = env.path("logs");
    env.write("logs/app.log", format!("{}\n{}\n", line(1), line(2)));
    let child = env
        .cmd()
        .args(["ingest", "--follow", "--json"])
        .arg(&logs)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let wait_for = |n: u64| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while committed(&env) < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        committed(&env)
    };
    assert_eq!(wait_for(2), 2);
    // Growth, then rotation by rename with a line written just before, then
    // a fresh file, then a half-written line that is completed later.
    let append = |rel: &str, text: &str| {
        use std::io::Write;
        std::fs::create_dir_all(env.path(rel).parent().unwrap()).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(env.path(rel))
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };
    append("logs/app.log", &format!("{}\n", line(3)));
    assert_eq!(wait_for(3), 3);
    std::fs::rename(env.path("logs/app.log"), env.path("logs/app.log.1")).unwrap();
    append("logs/app.log.1", &format!("{}\n", line(4)));
    append("logs/app.log", &format!("{}\n", line(5)));
    assert_eq!(wait_for(5), 5);
    append("logs/sub/new.log", &line(6)[..30]);
    std::thread::sleep(Duration::from_millis(1500));
    append("logs/sub/new.log", &format!("{}\n", &line(6)[30..]));
    assert_eq!(wait_for(6), 6);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["events"], 6, "{summary}");
    assert_eq!(
        summary["bad_lines"], 0,
        "the half-written line waited: {summary}"
    );
    assert_eq!(committed(&env), 6);
}
