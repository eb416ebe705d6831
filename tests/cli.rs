//! The one-shot commands as a user runs them: real files, the real binary,
//! `--json` decoded into the library's own types and asserted.

mod common;

use std::io::Write;

use common::{Env, stderr, stdout};
use errtriage::query::{FindResult, GroupsResult, SearchResult, Stats};
use serde_json::Value;

/// A realistic flat gateway line.
fn line(ts: &str, id: &str, status: u16, code: Option<&str>, key: Option<&str>) -> String {
    let mut v = serde_json::json!({
        "timestamp": ts, "service": "bookings", "method": "POST", "path": "/v1/bookings",
        "status": status, "request_id": id,
    });
    if let Some(c) = code {
        v["code"] = c.into();
        v["message"] = format!("{c} happened while taking the slot lock").into();
    }
    if let Some(k) = key {
        v["idempotency_key"] = k.into();
    }
    v.to_string()
}

fn gzip(text: &str) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap()
}

/// A tree with every input form; returns (env, expected events).
fn tree() -> Env {
    let env = Env::new();
    let a = [
        line("2026-05-14T10:00:00Z", "req_A0000001", 200, None, None),
        line(
            "2026-05-14T10:00:01Z",
            "req_A0000002",
            409,
            Some("slot_unavailable"),
            Some("key-1"),
        ),
        "this is not json".to_string(),
        String::new(),
        line(
            "2026-05-14T10:00:02Z",
            "req_A0000003",
            503,
            Some("upstream_down"),
            Some("key-1"),
        ),
    ];
    env.write("logs/a.log", a.join("\n") + "\n");
    let b = [
        line(
            "2026-05-13T09:00:00Z",
            "req_B0000001",
            429,
            Some("rate_limited"),
            None,
        ),
        line("2026-05-13T09:00:01Z", "req_B0000002", 201, None, None),
    ];
    env.write("logs/old/b.log.1.gz", gzip(&(b.join("\n") + "\n")));
    let c = [
        line(
            "2026-05-15T08:00:00Z",
            "req_C0000001",
            500,
            Some("internal_error"),
            None,
        ),
        line("2026-05-15T08:00:01Z", "req_CX000002", 200, None, None),
    ];
    env.write(
        "logs/old/c.log.zst",
        zstd::encode_all((c.join("\n") + "\n").as_bytes(), 3).unwrap(),
    );
    // A BOM, CRLF line ends, a line with an invalid UTF-8 byte inside a
    // string (repaired and kept), and a line of pure garbage bytes.
    let mut d = b"\xEF\xBB\xBF".to_vec();
    d.extend(
        line(
            "2026-05-14T11:00:00Z",
            "req_D0000001",
            404,
            Some("not_found"),
            None,
        )
        .as_bytes(),
    );
    d.extend(b"\r\n");
    let repaired = line("2026-05-14T11:00:01Z", "req_D0000002", 200, None, None);
    let (head, tail) = repaired.split_once("bookings").unwrap();
    d.extend(head.as_bytes());
    d.extend(b"book\xFFings");
    d.extend(tail.as_bytes());
    d.extend(b"\r\n\xFF\xFE\xFD garbage\r\n");
    env.write("logs/d.log", d);
    env
}

#[test]
fn ingest_counts_every_input_form_exactly() {
    let env = tree();
    let stdin = [line(
        "2026-05-14T12:00:00Z",
        "req_S0000001",
        401,
        Some("invalid_token"),
        None,
    )]
    .join("\n");
    let out = env.run_stdin(
        &["ingest", "--json", env.path("logs").to_str().unwrap(), "-"],
        stdin.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["files"], 5, "{s}");
    assert_eq!(s["events"], 3 + 2 + 2 + 2 + 1, "{s}");
    assert_eq!(s["bad_lines"], 2, "{s}");
    assert_eq!(
        s["bad_by_reason"],
        serde_json::json!({"not_json": 1, "invalid_utf8": 1}),
        "{s}"
    );
    assert_eq!(s["lines"], 12, "{s}");
    assert_eq!(s["repaired_utf8"], 1, "{s}");
    for key in [
        "files",
        "lines",
        "events",
        "bad_lines",
        "bad_by_reason",
        "bytes",
        "seconds",
    ] {
        assert!(s.get(key).is_some(), "summary lacks {key}: {s}");
    }
    let examples = s["bad_examples"].as_array().unwrap();
    assert!(
        examples
            .iter()
            .any(|b| b["file"].as_str().unwrap().ends_with("a.log") && b["line"] == 3),
        "{s}"
    );
    // The BOM did not hide the first line; CRLF did not leak into fields.
    let r: FindResult = env.json(&["find", "req_D0000001", "--json"]);
    assert_eq!(r.events[0].code.as_deref(), Some("not_found"));
    assert_eq!(r.events[0].source.line, 1);
    let stats: Stats = env.json(&["stats", "--json"]);
    assert_eq!(stats.events, 10);
    assert_eq!(stats.files, 4, "stdin is not a file");
}

#[test]
fn human_ingest_summary_names_bad_lines_by_file_and_line() {
    let env = tree();
    let out = env.run(&["ingest", env.path("logs").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("4 file(s)"), "{text}");
    assert!(text.contains("a.log:3  not_json"), "{text}");
    assert!(text.contains("d.log:3  invalid_utf8"), "{text}");
}

#[test]
fn reingest_adds_nothing_and_growth_adds_only_new_lines() {
    let env = tree();
    let logs = env.path("logs");
    let first = env.ingest(&[&logs]);
    assert_eq!(first["events"], 9);
    let again = env.ingest(&[&logs]);
    assert_eq!(again["events"], 0, "{again}");
    assert_eq!(again["bad_lines"], 0, "{again}");
    assert_eq!(again["unchanged_files"], 4, "{again}");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(logs.join("a.log"))
        .unwrap();
    writeln!(
        f,
        "{}",
        line("2026-05-14T10:00:03Z", "req_A0000004", 200, None, None)
    )
    .unwrap();
    let grown = env.ingest(&[&logs]);
    assert_eq!(grown["events"], 1, "{grown}");
    let r: FindResult = env.json(&["find", "req_A0000004", "--json"]);
    assert_eq!(
        r.events[0].source.line, 6,
        "line numbers continue across runs"
    );
    let stats: Stats = env.json(&["stats", "--json"]);
    assert_eq!(stats.events, 10);
}

#[test]
fn a_truncated_or_replaced_file_is_read_again() {
    let env = Env::new();
    let p = env.write(
        "app.log",
        [1, 2, 3]
            .map(|i| {
                line(
                    "2026-05-14T10:00:00Z",
                    &format!("req_OLD0000{i}"),
                    200,
                    None,
                    None,
                )
            })
            .join("\n")
            + "\n",
    );
    assert_eq!(env.ingest(&[&p])["events"], 3);
    std::fs::write(
        &p,
        line(
            "2026-05-14T11:00:00Z",
            "req_NEW00001",
            500,
            Some("internal_error"),
            None,
        ) + "\n",
    )
    .unwrap();
    assert_eq!(env.ingest(&[&p])["events"], 1);
    let r: FindResult = env.json(&["find", "req_NEW00001", "--json"]);
    assert_eq!(r.events[0].source.line, 1);
    assert_eq!(env.json::<Stats>(&["stats", "--json"]).events, 4);
}

#[test]
fn renamed_and_gzipped_rotations_are_not_ingested_twice() {
    let env = Env::new();
    let dir = env.path("rot");
    let lines: Vec<String> = (1..=3)
        .map(|i| {
            line(
                "2026-05-14T10:00:00Z",
                &format!("req_ROT0000{i}"),
                200,
                None,
                None,
            )
        })
        .collect();
    env.write("rot/app.log", lines[..2].join("\n") + "\n");
    assert_eq!(env.ingest(&[&dir])["events"], 2);
    // Another line arrives, then the file is rotated and compressed before
    // the next ingest, and a fresh app.log starts.
    std::fs::remove_file(dir.join("app.log")).unwrap();
    env.write("rot/app.log.1.gz", gzip(&(lines.join("\n") + "\n")));
    env.write(
        "rot/app.log",
        line("2026-05-14T12:00:00Z", "req_ROT00004", 200, None, None) + "\n",
    );
    let s = env.ingest(&[&dir]);
    assert_eq!(s["events"], 2, "only the third line and the new file: {s}");
    assert_eq!(env.json::<Stats>(&["stats", "--json"]).events, 4);
    assert_eq!(env.ingest(&[&dir])["events"], 0);
}

#[test]
fn find_by_full_id_prefix_idempotency_key_with_exit_codes() {
    let env = tree();
    env.ingest(&[&env.path("logs")]);
    let r: FindResult = env.json(&["find", "req_A0000002", "--json"]);
    assert_eq!(
        (r.matched_as.as_deref(), r.events.len()),
        (Some("request_id"), 1)
    );
    let r: FindResult = env.json(&["find", "req_C000000", "--json"]);
    assert_eq!(r.matched_as.as_deref(), Some("request_id_prefix"));
    assert_eq!(r.events[0].request_id, "req_C0000001");
    let r: FindResult = env.json(&["find", "req_B0000001", "--json"]);
    assert_eq!(r.events[0].code.as_deref(), Some("rate_limited"));
    let r: FindResult = env.json(&["find", "key-1", "--json"]);
    assert_eq!(r.matched_as.as_deref(), Some("idempotency_key"));
    let ids: Vec<&str> = r.events.iter().map(|e| e.request_id.as_str()).collect();
    assert_eq!(ids, ["req_A0000002", "req_A0000003"], "oldest first");

    let missing = env.run(&["find", "req_Z9999999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("closest ids"),
        "{}",
        stderr(&missing)
    );
    let short = env.run(&["find", "req_A000"]);
    assert_eq!(short.status.code(), Some(1), "too short for a prefix");
    let ambiguous = env.run(&["find", "req_A000000"]);
    assert_eq!(ambiguous.status.code(), Some(1));
    assert!(
        stderr(&ambiguous).contains("ambiguous"),
        "{}",
        stderr(&ambiguous)
    );
    let usage = env.run(&["find"]);
    assert_eq!(usage.status.code(), Some(2));
    let bad_query = env.run(&["search", "status:[500 TO"]);
    assert_eq!(bad_query.status.code(), Some(2));
    assert!(
        stderr(&bad_query).contains("bad query"),
        "{}",
        stderr(&bad_query)
    );

    let empty = Env::new();
    let out = empty.run(&["find", "req_A0000002"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("index is empty"), "{}", stderr(&out));
}

fn ids(r: &SearchResult) -> Vec<&str> {
    r.events.iter().map(|e| e.request_id.as_str()).collect()
}

#[test]
fn search_understands_every_query_form() {
    let env = tree();
    env.ingest(&[&env.path("logs")]);
    let search = |q: &str| -> SearchResult { env.json_any(&["search", q, "--json"]) };
    assert_eq!(
        ids(&search("req_B0000002")),
        ["req_B0000002"],
        "bare request id"
    );
    assert_eq!(
        ids(&search("key-1")),
        ["req_A0000003", "req_A0000002"],
        "bare idempotency key, newest first"
    );
    assert_eq!(ids(&search("code:slot_unavailable")), ["req_A0000002"]);
    assert_eq!(ids(&search("status:5xx")), ["req_C0000001", "req_A0000003"]);
    assert_eq!(
        ids(&search("status:[400 TO 499]")),
        ["req_D0000001", "req_A0000002", "req_B0000001"]
    );
    assert_eq!(search("status:>=500").total, 2);
    assert_eq!(
        ids(&search("since:2026-05-15")),
        ["req_CX000002", "req_C0000001"]
    );
    assert_eq!(
        ids(&search("until:2026-05-14")),
        ["req_B0000002", "req_B0000001"]
    );
    assert_eq!(search("since:100000d").total, 9, "relative since");
    // A time bound beside other terms is checked on each match's time
    // (src/query/newest.rs): bounds inclusive as written, page newest first,
    // the total counting every match within the bounds.
    assert_eq!(
        ids(&search("status:4xx since:2026-05-14")),
        ["req_D0000001", "req_A0000002"]
    );
    assert_eq!(
        ids(&search("status:4xx until:2026-05-14")),
        ["req_B0000001"]
    );
    let page: SearchResult = env.json_any(&[
        "search",
        "status:[400 TO 599] since:2026-05-14T10:00:01Z",
        "--limit",
        "2",
        "--json",
    ]);
    assert_eq!(ids(&page), ["req_C0000001", "req_D0000001"]);
    assert_eq!(page.total, 4, "10:00:01 itself is within since:");
    assert_eq!(search("since:1h").total, 0, "nothing in the last hour");
    assert_eq!(
        ids(&search(
            "status:4xx AND NOT code:rate_limited AND NOT code:not_found"
        )),
        ["req_A0000002"]
    );
    assert_eq!(search("\"slot lock\"").total, 5, "a phrase of the message");
    assert_eq!(
        search("\"lock slot\"").total,
        0,
        "a phrase's words must be adjacent, in order"
    );
    assert_eq!(search("lock").total, 5, "a word of the message");
    assert_eq!(search("").total, 9, "empty query is every event");
    let limited: SearchResult = env.json(&["search", "--limit", "2", "--json"]);
    assert_eq!((limited.total, limited.events.len()), (9, 2));
    let none = env.run(&["search", "code:nothing_like_this"]);
    assert_eq!(none.status.code(), Some(1));
}

#[test]
fn groups_count_by_code_and_status() {
    let env = tree();
    env.ingest(&[&env.path("logs")]);
    let g: GroupsResult = env.json(&["groups", "--by", "code", "--json"]);
    let counts: Vec<(&str, u64)> = g.groups.iter().map(|g| (g.key.as_str(), g.count)).collect();
    assert_eq!(
        counts,
        [
            ("internal_error", 1),
            ("not_found", 1),
            ("rate_limited", 1),
            ("slot_unavailable", 1),
            ("upstream_down", 1)
        ]
    );
    let slot = g
        .groups
        .iter()
        .find(|g| g.key == "slot_unavailable")
        .unwrap();
    assert_eq!(slot.statuses.get("409"), Some(&1));
    assert_eq!(slot.sample_request_id, "req_A0000002");
    // The code's class comes from the catalog (a 409 is `conflict`).
    assert_eq!(slot.class.as_deref(), Some("conflict"));
    let g: GroupsResult = env.json(&["groups", "--by", "status", "status:2xx", "--json"]);
    assert_eq!(
        g.groups
            .iter()
            .map(|g| (g.key.as_str(), g.count))
            .collect::<Vec<_>>(),
        [("200", 3), ("201", 1)]
    );
    let g: GroupsResult = env.json(&["groups", "--by", "status", "status:5xx", "--json"]);
    let classes: Vec<(&str, Option<&str>)> = g
        .groups
        .iter()
        .map(|g| (g.key.as_str(), g.class.as_deref()))
        .collect();
    assert!(!classes.is_empty());
    for (status, class) in classes {
        let want = if matches!(status, "502" | "503" | "504") {
            "upstream"
        } else {
            "server"
        };
        assert_eq!(class, Some(want), "status {status}");
    }
    // A path holds many classes: no class is claimed for it.
    let raw: Value = env.json(&["groups", "--by", "path", "--json"]);
    assert!(raw["groups"][0].get("class").is_none());
    let raw: Value = env.json(&["groups", "--json"]);
    assert_eq!(raw["by"], "code");
    for key in [
        "key",
        "count",
        "first_seen",
        "last_seen",
        "statuses",
        "sample_request_id",
    ] {
        assert!(raw["groups"][0].get(key).is_some(), "group lacks {key}");
    }
}

#[test]
fn stats_says_what_the_index_holds() {
    let env = tree();
    let empty: Stats = env.json(&["stats", "--json"]);
    assert_eq!(
        (empty.events, empty.files, empty.first_ts.clone()),
        (0, 0, None)
    );
    env.ingest(&[&env.path("logs")]);
    let s: Stats = env.json(&["stats", "--json"]);
    assert_eq!(s.events, 9);
    assert_eq!(s.files, 4);
    assert_eq!(s.first_ts.as_deref(), Some("2026-05-13T09:00:00.000Z"));
    assert_eq!(s.last_ts.as_deref(), Some("2026-05-15T08:00:01.000Z"));
    assert!(s.bytes > 1000 && s.index_bytes > 0, "{s:?}");
    let human = stdout(&env.run(&["stats"]));
    assert!(human.contains("events      9"), "{human}");
}

/// Run with stdout a pipe whose reading end is already closed, so the first
/// write fails with EPIPE — deterministically, unlike `| head`.
fn run_into_closed_pipe(env: &Env, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    env.cmd()
        .args(args)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let env = tree();
    env.ingest(&[&env.path("logs")]);
    for args in [
        &["search", "--limit", "100"][..],
        &["search", "--json"],
        &["find", "req_A0000002"],
        &["groups"],
        &["stats"],
        &["completions", "bash"],
        &["chains", "--json"],
    ] {
        let out = run_into_closed_pipe(&env, args);
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn version_and_completions() {
    let env = Env::new();
    let v = env.run(&["--version"]);
    let expected = format!("errtriage {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(stdout(&v), expected);
    assert_eq!(v.status.code(), Some(0));
    // `--version` alone is answered before clap; with another flag, clap
    // answers: the same line either way.
    for args in [&["-V"][..], &["--color", "never", "--version"]] {
        let out = env.run(args);
        assert_eq!(stdout(&out), expected, "{args:?}");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
    let c = env.run(&["completions", "bash"]);
    assert_eq!(c.status.code(), Some(0));
    assert!(
        stdout(&c).contains("_errtriage"),
        "bash completion function"
    );
}

#[test]
fn a_user_catalog_changes_a_reading_without_rebuilding() {
    let env = Env::new();
    env.ingest(&[&common::repo().join("tests/data/envelopes.jsonl")]);
    let reading = |args: &[&str]| -> Value {
        let v: Value = env.json(args);
        v["readings"][0].clone()
    };
    let builtin = reading(&["find", "req_42MIN00001", "--json"]);
    assert_eq!(builtin["api"], "42min");
    assert_eq!(builtin["retryable"], "no");
    let custom = env.write(
        "ours.toml",
        "[api]\nname = \"42min\"\n\n[codes.slot_unavailable]\nretryable = \"yes\"\nhint = \"Our gateway retries this for you; tell the customer to wait a minute.\"\n",
    );
    let catalog = custom.to_str().unwrap();
    let ours = reading(&["--catalog", catalog, "find", "req_42MIN00001", "--json"]);
    assert_eq!(ours["retryable"], "yes");
    assert_eq!(
        ours["hint"],
        "Our gateway retries this for you; tell the customer to wait a minute."
    );
    assert_eq!(
        ours["meaning"], builtin["meaning"],
        "the rest of the built-in reading stays"
    );
    // The catalogs folder in the user's config dir applies too.
    env.write(
        "config/errtriage/catalogs/ours.toml",
        std::fs::read(&custom).unwrap(),
    );
    assert_eq!(
        reading(&["find", "req_42MIN00001", "--json"])["retryable"],
        "yes"
    );
}

#[test]
fn a_malformed_catalog_names_file_line_and_field() {
    let env = Env::new();
    let bad = env.write(
        "bad.toml",
        "[api]\nname = \"42min\"\n\n[codes.slot_unavailable]\nretryable = \"sometimes\"\n",
    );
    let out = env.run(&["--catalog", bad.to_str().unwrap(), "find", "req_x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad.toml") && err.contains("line 5") && err.contains("retryable"),
        "{err}"
    );
}

#[test]
fn copytruncate_rotation_reads_only_the_new_lines() {
    let env = Env::new();
    let dir = env.path("ct");
    let l = |i: usize| {
        line(
            "2026-05-14T10:00:00Z",
            &format!("req_CT00000{i}"),
            200,
            None,
            None,
        )
    };
    env.write("ct/app.log", format!("{}\n{}\n", l(1), l(2)));
    assert_eq!(env.ingest(&[&dir])["events"], 2);
    // logrotate copytruncate: one more line lands, the file is copied aside,
    // truncated in place, and the writer carries on in the same file.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("app.log"))
        .unwrap();
    writeln!(f, "{}", l(3)).unwrap();
    std::fs::copy(dir.join("app.log"), dir.join("app.log.1")).unwrap();
    std::fs::File::create(dir.join("app.log")).unwrap();
    env.write("ct/app.log", format!("{}\n", l(4)));
    let s = env.ingest(&[&dir]);
    assert_eq!(
        s["events"], 2,
        "line 3 from the copy, line 4 from the truncated file: {s}"
    );
    assert_eq!(env.json::<Stats>(&["stats", "--json"]).events, 4);
    for i in 1..=4 {
        let r: FindResult = env.json(&["find", &format!("req_CT00000{i}"), "--json"]);
        assert_eq!(r.events.len(), 1, "req_CT00000{i}");
    }
}
