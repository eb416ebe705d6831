//! The real binary over ClickHouse: `store init`, `ingest` killed with
//! SIGKILL mid-run and resumed (every line exactly once, as the local
//! store holds them), and the CLI's `--json` answers (search, find,
//! groups, chains, impact, find --context) equal to the local store's on
//! the same files.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::clickhouse::{self as ch, Server};
use common::{Env, stderr};
use errtriage::query::{FindResult, GroupsResult, SearchResult, Stats};
use serde_json::Value;

const FILES: usize = 3;
const LINES: usize = 15_000;

fn corpus(env: &Env) -> std::path::PathBuf {
    for f in 0..FILES {
        let mut text = String::new();
        for i in 0..LINES {
            let status = [200, 201, 409, 429, 503][i % 5];
            text.push_str(&format!(
                r#"{{"timestamp":"2026-05-14T{:02}:{:02}:{:02}.{:03}Z","service":"svc{f}","method":"POST","path":"/v1/bookings","status":{status},"request_headers":{{"Idempotency-Key":"key-{f}-{}"}},"response_body":{{"error":{{"code":"code_{status}","message":"attempt {i} of file {f}","request_id":"req_{f}_{i:07}"}}}}}}"#,
                i / 3600 % 24,
                (i / 60) % 60,
                i % 60,
                (i * 7 + f) % 1000,
                i / 3,
            ));
            text.push('\n');
        }
        env.write(&format!("corpus/part{f}.log"), text);
    }
    env.path("corpus")
}

/// The binary against the ClickHouse store at `url`.
fn on(env: &Env, url: &str, args: &[&str]) -> std::process::Output {
    env.cmd()
        .arg("--store")
        .arg(url)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn json<T: serde::de::DeserializeOwned>(env: &Env, url: Option<&str>, args: &[&str]) -> T {
    let out = match url {
        Some(u) => on(env, u, args),
        None => env.run(args),
    };
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn spawn_ingest(env: &Env, url: &str, dir: &Path) -> Child {
    env.cmd()
        .args(["--store", url, "ingest", "--commit-bytes", "200000"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn commits(server: &Server, db: &str) -> u64 {
    server
        .query(&format!("SELECT count() FROM {db}.checkpoints"))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn kill_9_during_an_ingest_then_resume_gives_every_line_exactly_once() {
    let Some(server) = ch::single_or_skip("clickhouse_cli_kill9") else {
        return;
    };
    let env = Env::new();
    let dir = corpus(&env);
    let url = server.url("crash");
    let init = on(&env, &url, &["store", "init"]);
    assert!(init.status.success(), "{}", stderr(&init));
    let mut child = spawn_ingest(&env, &url, &dir);
    let deadline = Instant::now() + Duration::from_secs(300);
    while commits(&server, "crash") < 3 && Instant::now() < deadline {
        assert!(
            child.try_wait().unwrap().is_none(),
            "ingest ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let partial: Stats = json(&env, Some(&url), &["stats", "--json"]);
    assert!(
        partial.events < (FILES * LINES) as u64,
        "killed mid-run: {}",
        partial.events
    );
    let resumed = on(&env, &url, &["ingest", dir.to_str().unwrap()]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    let unique = server
        .query("SELECT uniqExact(source_file, source_line) FROM crash.events")
        .unwrap();
    let stats: Stats = json(&env, Some(&url), &["stats", "--json"]);
    assert_eq!(stats.events, (FILES * LINES) as u64, "every line once");
    assert_eq!(unique.trim(), stats.events.to_string(), "no line twice");
    assert_eq!(stats.store.unwrap().kind, "clickhouse");
    let parts = server
        .query("SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = 'crash'")
        .unwrap();
    // Background merges may rewrite parts between the two reads: the same
    // order of size, not the same byte.
    let parts: f64 = parts.trim().parse().unwrap();
    let ratio = stats.index_bytes as f64 / parts;
    assert!(
        (0.5..2.0).contains(&ratio),
        "{} vs {parts} on disk",
        stats.index_bytes
    );

    // Old checkpoints are pruned (only the newest is read): after an ingest
    // of many commits the table holds the last few, not one per commit (the
    // deletion is asynchronous).
    let pruned = server.url("pruned");
    assert!(on(&env, &pruned, &["store", "init"]).status.success());
    let dir_arg = dir.to_str().unwrap();
    let many = on(
        &env,
        &pruned,
        &["ingest", "--commit-bytes", "100000", dir_arg],
    );
    assert!(many.status.success(), "{}", stderr(&many));
    let last: u64 = server
        .query("SELECT max(seq) FROM pruned.checkpoints")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // A commit per 1 MiB batch: ~13. Pruned every 8 commits down to the
    // last 4, so at most 4 + 8 remain.
    assert!(last > 12, "{last} commits: too few to prune");
    let deadline = Instant::now() + Duration::from_secs(30);
    while commits(&server, "pruned") > 12 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(commits(&server, "pruned") <= 12, "of {last} checkpoints");
    let kept: Stats = json(&env, Some(&pruned), &["stats", "--json"]);
    assert_eq!(
        kept.events,
        (FILES * LINES) as u64,
        "the newest checkpoint kept"
    );

    // The same files in the local store answer the same.
    env.ingest(&[&dir]);
    for q in [
        "status:5xx",
        "code:code_409 AND service:svc1",
        "service:svc2 AND NOT status:2xx",
    ] {
        let local: SearchResult = json(&env, None, &["search", q, "--limit", "20", "--json"]);
        let remote: SearchResult =
            json(&env, Some(&url), &["search", q, "--limit", "20", "--json"]);
        assert_eq!(remote.total, local.total, "{q}");
        assert!(local.total > 0, "{q}");
    }
    for id in ["req_1_0000042", "key-2-77", "req_0_00001"] {
        let local: FindResult = json(&env, None, &["find", id, "--json"]);
        let remote: FindResult = json(&env, Some(&url), &["find", id, "--json"]);
        assert_eq!(
            serde_json::to_value(&remote).unwrap(),
            serde_json::to_value(&local).unwrap(),
            "find {id}"
        );
    }
    let local: GroupsResult = json(&env, None, &["groups", "--by", "code", "--json"]);
    let remote: GroupsResult = json(&env, Some(&url), &["groups", "--by", "code", "--json"]);
    let strip = |g: GroupsResult| -> Vec<Value> {
        g.groups
            .into_iter()
            .map(|mut g| {
                g.sample_request_id.clear();
                serde_json::to_value(g).unwrap()
            })
            .collect()
    };
    assert_eq!(strip(remote), strip(local));
    for args in [
        vec!["chains", "--json"],
        vec!["chains", "status:503", "--flagged", "--json"],
        vec![
            "chains",
            "service:svc1",
            "--sort",
            "oldest",
            "-n",
            "5",
            "--json",
        ],
    ] {
        let local: Value = json(&env, None, &args);
        let remote: Value = json(&env, Some(&url), &args);
        assert!(
            local["chains"].as_array().is_some_and(|c| !c.is_empty()),
            "{args:?}: {local}"
        );
        assert_eq!(remote, local, "{args:?}");
    }
    // Around one request: who else is hit, the lines around it.
    for args in [
        vec!["impact", "req_1_0000042", "--json"],
        vec![
            "impact",
            "status:503 AND service:svc2",
            "--window",
            "5m",
            "--json",
        ],
        vec!["find", "req_2_0000100", "--context", "30s", "--json"],
    ] {
        let local: Value = json(&env, None, &args);
        let remote: Value = json(&env, Some(&url), &args);
        assert!(local.is_object() && local != Value::Null, "{args:?}");
        assert_eq!(remote, local, "{args:?}");
    }
}

#[test]
fn the_cli_fails_in_one_line_with_exit_2() {
    let Some(mut server) = ch::single_or_skip("clickhouse_cli_failures") else {
        return;
    };
    let env = Env::new();
    let check = |out: std::process::Output, want: &str| {
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(want) && !err.contains("panicked"), "{err}");
        assert!(
            !err.contains(ch::PASSWORD) && !err.contains("nope"),
            "{err}"
        );
    };
    check(
        on(&env, &server.url("none"), &["search", "x"]),
        "store init",
    );
    let wrong = server.url_as(ch::USER, "nope", "none");
    check(on(&env, &wrong, &["stats"]), "wrong user or password");
    assert!(
        on(&env, &server.url("ok"), &["store", "init"])
            .status
            .success()
    );
    let rejected = on(&env, &server.url("ok"), &["search", "message:\"a b\"~2"]);
    check(rejected, "not supported on a ClickHouse store");
    server.stop();
    check(
        on(&env, &server.url("ok"), &["find", "req_1"]),
        "cannot reach the server",
    );
}
