//! Bad input is normal input: truncated gzip/zstd, binary files, invalid
//! UTF-8, huge lines, deep nesting, huge numbers, duplicate keys, empty,
//! unreadable and dangling files. Each is reported and counted exactly; the
//! run continues and no good line is lost.

mod common;

use std::io::{Read, Write};

use common::{Env, stderr};
use errtriage::query::FindResult;
use serde_json::Value;

fn line(id: &str) -> String {
    format!(
        r#"{{"timestamp":"2026-05-14T10:00:00Z","service":"svc","status":503,"request_id":"{id}","message":"upstream down"}}"#
    )
}

fn lines(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| line(&format!("{prefix}{i:06}")) + "\n")
        .collect()
}

/// Decode as much of a stream as possible: (complete lines, partial tail?).
fn readable(mut r: impl Read) -> (usize, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    let complete = out.iter().filter(|&&b| b == b'\n').count();
    (complete, out.last().is_some_and(|&b| b != b'\n'))
}

#[test]
fn truncated_gzip_and_zstd_keep_their_readable_part() {
    let env = Env::new();
    let text = lines("req_GZ", 4000);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let gz = &gz[..gz.len() * 6 / 10];
    let zst = zstd::encode_all(lines("req_ZS", 4000).as_bytes(), 3).unwrap();
    let zst = &zst[..zst.len() / 2];
    env.write("logs/a.log.gz", gz);
    env.write("logs/b.log.zst", zst);
    let (gz_lines, gz_tail) = readable(flate2::read::MultiGzDecoder::new(gz));
    let (zs_lines, zs_tail) = readable(zstd::Decoder::new(zst).unwrap());
    assert!(gz_lines > 100 && gz_lines < 4000 && zs_lines > 100 && zs_lines < 4000);

    let s = env.ingest(&[&env.path("logs")]);
    assert_eq!(
        s["events"],
        (gz_lines + zs_lines) as u64,
        "every readable line: {s}"
    );
    // The cut line is not a bad line: the file may still be being written.
    assert_eq!(s["bad_lines"], 0, "{s}");
    assert_eq!(
        s["incomplete_tails"],
        u64::from(gz_tail) + u64::from(zs_tail),
        "the cut line waits: {s}"
    );
    let problems: Vec<String> = s["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].to_string())
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().all(|p| p.contains("kept")), "{problems:?}");
    // What was readable is found; a re-run adds nothing.
    let last = format!("req_GZ{:06}", gz_lines - 1);
    assert_eq!(
        env.json::<FindResult>(&["find", &last, "--json"])
            .events
            .len(),
        1
    );
    assert_eq!(env.ingest(&[&env.path("logs")])["events"], 0);
    // The .gz completed later: the rest is read, the cut line once, whole.
    let mut full = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    full.write_all(text.as_bytes()).unwrap();
    env.write("logs/a.log.gz", full.finish().unwrap());
    let s = env.ingest(&[&env.path("logs")]);
    assert_eq!(
        (s["events"].as_u64(), s["bad_lines"].as_u64()),
        (Some(4000 - gz_lines as u64), Some(0)),
        "{s}"
    );
    for i in [0, gz_lines - 1, gz_lines, 3999] {
        let id = format!("req_GZ{i:06}");
        let found = env
            .json::<FindResult>(&["find", &id, "--json"])
            .events
            .len();
        assert_eq!(found, 1, "{id}");
    }
}

#[test]
fn binary_empty_unreadable_and_dangling_files_are_reported_and_skipped() {
    let env = Env::new();
    env.write("logs/good.log", lines("req_OK", 3));
    let noise: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    env.write("logs/core.bin", noise);
    env.write("logs/empty.log", "");
    std::os::unix::fs::symlink(env.path("logs/nowhere"), env.path("logs/dangling.log")).unwrap();
    // /proc/self/mem opens but fails to read at offset 0 even as root: a
    // genuinely unreadable file.
    std::os::unix::fs::symlink("/proc/self/mem", env.path("logs/unreadable.log")).unwrap();
    let out = env.run(&["ingest", "--json", env.path("logs").to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the run continues: {}",
        stderr(&out)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["events"], 3, "{s}");
    assert_eq!(s["bad_lines"], 0, "{s}");
    assert_eq!(s["empty_files"], 1, "{s}");
    let problems = s["problems"].as_array().unwrap();
    let about = |name: &str| -> String {
        problems
            .iter()
            .find(|p| p["path"].as_str().unwrap().contains(name))
            .map(|p| p["message"].to_string())
            .unwrap_or_default()
    };
    assert!(about("core.bin").contains("binary file"), "{s}");
    assert!(about("dangling.log").contains("dangling symlink"), "{s}");
    assert!(about("mem").contains("error"), "{s}");
    assert_eq!(problems.len(), 3, "{s}");
}

#[test]
fn nothing_readable_at_all_is_an_error() {
    let env = Env::new();
    let out = env.run(&["ingest", env.path("missing").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nothing could be read"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn huge_lines_deep_nesting_huge_numbers_and_duplicate_keys() {
    let env = Env::new();
    let five_mb = serde_json::json!({
        "timestamp": "2026-05-14T10:00:00Z", "request_id": "req_BIG5MB", "status": 500,
        "message": "x".repeat(5 << 20),
    });
    let twenty_mb = format!(
        r#"{{"request_id":"req_BIG20MB","message":"{}"}}"#,
        "y".repeat(20 << 20)
    );
    let text = [
        five_mb.to_string(),
        twenty_mb,
        "[".repeat(100_000),
        r#"{"a":"#.repeat(100_000),
        r#"{"timestamp":"2026-05-14T10:00:00Z","request_id":"req_HUGE1","status":99999999999999999999999,"latency_ms":1e400,"n":-1e999}"#.into(),
        r#"{"timestamp":"2026-05-14T10:00:00Z","request_id":"req_DUP1","request_id":"req_DUP2","status":409,"status":500}"#.into(),
        line("req_AFTER1"),
    ]
    .join("\n")
        + "\n";
    let p = env.write("hostile.log", text);
    let s = env.ingest(&[&p]);
    assert_eq!(s["events"], 4, "{s}");
    assert_eq!(
        s["bad_by_reason"],
        serde_json::json!({"too_long": 1, "too_deep": 2}),
        "{s}"
    );
    let big: FindResult = env.json(&["find", "req_BIG5MB", "--json"]);
    assert_eq!(
        big.events[0].message.as_ref().map(String::len),
        Some(5 << 20)
    );
    let huge: FindResult = env.json(&["find", "req_HUGE1", "--json"]);
    assert_eq!(
        huge.events[0].status, None,
        "a status out of range is no status"
    );
    let dup: FindResult = env.json(&["find", "req_DUP1", "--json"]);
    assert_eq!(
        dup.events[0].status,
        Some(409),
        "the first of duplicate keys wins"
    );
    let after: FindResult = env.json(&["find", "req_AFTER1", "--json"]);
    assert_eq!(
        after.events[0].source.line, 7,
        "line numbers stay right after huge lines"
    );
}

#[test]
fn an_unterminated_last_line_waits_for_its_newline_however_long_the_pause() {
    let env = Env::new();
    let p = env.write(
        "live.log",
        format!("{}\n{}", line("req_LIVE1"), &line("req_LIVE2")[..40]),
    );
    let s = env.ingest(&[&p]);
    assert_eq!(
        (
            s["events"].as_u64(),
            s["bad_lines"].as_u64(),
            s["incomplete_tails"].as_u64()
        ),
        (Some(1), Some(0), Some(1))
    );
    // The writer finishes the line: it is read whole, not as two halves.
    let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
    writeln!(f, "{}", &line("req_LIVE2")[40..]).unwrap();
    let s = env.ingest(&[&p]);
    assert_eq!(
        (s["events"].as_u64(), s["bad_lines"].as_u64()),
        (Some(1), Some(0)),
        "{s}"
    );
    // A writer pausing mid-line for longer than any timeout: the line still
    // waits for its newline (never cut in two bad halves), then is read.
    let old = env.write(
        "old.log",
        format!("{}\n{}", line("req_OLD1"), &line("req_OLD2")[..30]),
    );
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(past)
        .unwrap();
    let s = env.ingest(&[&old]);
    assert_eq!(
        (
            s["events"].as_u64(),
            s["bad_lines"].as_u64(),
            s["incomplete_tails"].as_u64()
        ),
        (Some(1), Some(0), Some(1)),
        "{s}"
    );
    let mut f = std::fs::OpenOptions::new().append(true).open(&old).unwrap();
    writeln!(f, "{}", &line("req_OLD2")[30..]).unwrap();
    let s = env.ingest(&[&old]);
    assert_eq!(
        (s["events"].as_u64(), s["bad_lines"].as_u64()),
        (Some(1), Some(0)),
        "{s}"
    );
    let found: FindResult = env.json(&["find", "req_OLD2", "--json"]);
    assert_eq!(found.events.len(), 1);
}

/// NUL runs are crash artefacts, not binary: one NUL in the first 8 KiB
/// and a NUL block glued to a line keep every line.
#[test]
fn nul_runs_are_stripped_and_their_lines_kept() {
    let env = Env::new();
    let mut text = lines("req_NULA", 100).into_bytes();
    text.push(0);
    text.extend(lines("req_NULB", 100).into_bytes());
    text.extend([0u8; 3000]);
    text.extend((line("req_NULGLUED") + "\n").into_bytes());
    let p = env.write("crashed.log", text);
    let s = env.ingest(&[&p]);
    assert_eq!(
        (s["events"].as_u64(), s["bad_lines"].as_u64()),
        (Some(201), Some(0)),
        "{s}"
    );
    let glued: FindResult = env.json(&["find", "req_NULGLUED", "--json"]);
    assert_eq!(glued.events.len(), 1);
}

/// A lone surrogate escape (a truncated emoji) is repaired to U+FFFD like
/// invalid bytes, not a `not_json` line.
#[test]
fn a_lone_surrogate_escape_is_repaired_not_lost() {
    let env = Env::new();
    let text = r#"{"timestamp":"2026-05-14T10:00:00Z","status":503,"request_id":"req_SURR1","message":"cut \ud83d"}"#;
    let p = env.write("emoji.log", format!("{text}\n"));
    let s = env.ingest(&[&p]);
    assert_eq!(
        (s["events"].as_u64(), s["bad_lines"].as_u64()),
        (Some(1), Some(0)),
        "{s}"
    );
    let found: FindResult = env.json(&["find", "req_SURR1", "--json"]);
    assert_eq!(found.events[0].message.as_deref(), Some("cut \u{fffd}"));
}

/// A FIFO (or `<(cat f)`) is read like stdin; a character device is a
/// clear, counted reason and, with nothing else read, an error.
#[test]
fn fifos_are_read_and_devices_are_refused_with_a_reason() {
    let env = Env::new();
    let fifo = env.path("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let feeder = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(&fifo, lines("req_FIFO", 5)).unwrap())
    };
    let s = env.ingest(&[&fifo]);
    feeder.join().unwrap();
    assert_eq!(s["events"], 5, "{s}");
    for dev in ["/dev/zero", "/dev/null"] {
        let out = env.run(&["ingest", "--json", dev]);
        assert_eq!(out.status.code(), Some(2), "{dev}: {}", stderr(&out));
        let said = common::stdout(&out) + &stderr(&out);
        assert!(
            said.contains("a character device, not a log file"),
            "{dev}: {said}"
        );
    }
}

/// `stats` counts files by content: four rotations of one name are four
/// (it counted distinct last-read names: one here).
#[test]
fn stats_counts_each_rotated_file() {
    let env = Env::new();
    for i in 0..4 {
        env.write("logs/app.log", lines(&format!("req_R{i}_"), 10));
        env.ingest(&[&env.path("logs")]);
        std::fs::rename(
            env.path("logs/app.log"),
            env.path(&format!("logs/app.log.{i}")),
        )
        .unwrap();
    }
    // The same content under another name (a copy) is the same file.
    std::fs::copy(env.path("logs/app.log.0"), env.path("logs/copy.log")).unwrap();
    env.ingest(&[&env.path("logs")]);
    let stats: errtriage::query::Stats = env.json(&["stats", "--json"]);
    assert_eq!((stats.files, stats.events), (4, 40));
}

/// 64 MiB of newlines after one good line, compressed ~1,000×: a bomb.
fn bomb(env: &Env, name: &str, zstd: bool) -> std::path::PathBuf {
    let mut plain = (line(name) + "\n").into_bytes();
    plain.resize(plain.len() + (64 << 20), b'\n');
    let packed = if zstd {
        zstd::encode_all(&plain[..], 3).unwrap()
    } else {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&plain).unwrap();
        enc.finish().unwrap()
    };
    env.write(name, packed)
}

#[test]
fn a_decompression_bomb_is_stopped_and_reported() {
    let env = Env::new();
    let (gz, zst) = (
        bomb(&env, "bomb.log.gz", false),
        bomb(&env, "bomb.log.zst", true),
    );
    let summary = env.ingest(&[&gz, &zst]);
    let problems = summary["problems"].as_array().unwrap();
    for file in ["bomb.log.gz", "bomb.log.zst"] {
        let p = problems
            .iter()
            .find(|p| p["path"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("{file} reported: {summary}"));
        let msg = p["message"].as_str().unwrap();
        assert!(msg.contains("decompression bomb guard"), "{msg}");
        assert!(msg.contains("the lines before it were kept"), "{msg}");
    }
    // The line before each bomb is kept, and the rest was not read.
    assert_eq!(summary["events"], 2, "{summary}");
    assert!(summary["bytes"].as_u64().unwrap() < 48 << 20, "{summary}");
}

#[test]
fn times_the_index_cannot_hold_are_replaced_and_counted_never_wrapped() {
    let env = Env::new();
    let log = env.write(
        "far.log",
        [
            line("req_BEFORE"),
            r#"{"timestamp":"9999-12-31T00:00:00Z","status":500,"request_id":"req_FARFUTURE"}"#
                .into(),
            r#"{"timestamp":"1000-01-01T00:00:00Z","status":500,"request_id":"req_FARPAST"}"#
                .into(),
        ]
        .join("\n")
            + "\n",
    );
    let summary = env.ingest(&[&log]);
    assert_eq!(summary["events"], 3, "{summary}");
    assert_eq!(summary["out_of_range_ts"], 2, "{summary}");
    for id in ["req_FARFUTURE", "req_FARPAST"] {
        let found: FindResult = env.json(&["find", id, "--json"]);
        let ts = found.events[0].ts.to_rfc3339();
        assert!(ts.starts_with("2026-05-14T10:00:00"), "{id}: {ts}");
    }
    let out = env.run(&["ingest", log.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let human = env.run(&["ingest", "--rebuild", log.to_str().unwrap()]);
    assert!(
        common::stdout(&human).contains("2 line(s) had a time outside 1677–2262"),
        "{}",
        common::stdout(&human)
    );
}

#[test]
fn huge_limits_and_far_times_and_deep_nesting_are_clear_never_a_crash() {
    let env = Env::new();
    env.ingest(&[&env.write("a.log", lines("req_L", 3))]);
    for limit in ["18446744073709551615", "1000000000000"] {
        let v: Value = env.json(&["search", "--limit", limit, "--json"]);
        assert_eq!(v["events"].as_array().unwrap().len(), 3, "{limit}: {v}");
        assert_eq!(v["total"], 3);
    }
    let deep = format!("{}status:503{}", "(".repeat(10_000), ")".repeat(10_000));
    for (query, words) in [
        ("since:99999999d", "too far back"),
        ("until:9223372036854775807s", "too far back"),
        (deep.as_str(), "nested 10000 deep"),
    ] {
        let out = env.run(&["search", query]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("bad query") && err.contains(words), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]

    /// The real binary on arbitrary argument vectors: a usage error, an
    /// answer or nothing found — never a panic, a crash or a hang.
    #[test]
    fn any_command_line_is_answered_never_a_panic(args in proptest::collection::vec(arg(), 0..6)) {
        let env = Env::new();
        let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_errtriage"))
            .arg("--index")
            .arg(&env.index)
            .args(&args)
            .env("NO_COLOR", "1")
            .env("XDG_CONFIG_HOME", env.path("config"))
            .env_remove("ERRTRIAGE_INDEX")
            .current_dir(env.dir.path())
            .timeout(std::time::Duration::from_secs(30))
            .write_stdin("")
            .output()
            .unwrap();
        let err = stderr(&out);
        proptest::prop_assert!(matches!(out.status.code(), Some(0..=2)), "{args:?}: {:?} {err}", out.status);
        proptest::prop_assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// Pieces of command lines: every subcommand and flag (but `--follow`,
/// which runs until stopped), odd numbers, queries and arbitrary text.
fn arg() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let words = [
        "ingest",
        "find",
        "search",
        "groups",
        "chains",
        "stats",
        "tui",
        "completions",
        "bash",
        "--json",
        "--limit",
        "-n",
        "--rebuild",
        "--by",
        "code",
        "--flagged",
        "--color",
        "always",
        "--no-redact",
        "--catalog",
        "--help",
        "--version",
        "-",
        "--",
        "-18446744073709551616",
        "18446744073709551615",
        "0",
        "status:5xx",
        "since:99999999d",
        "((((",
        "\u{1b}[31m",
    ];
    prop_oneof![
        3 => proptest::sample::select(words.to_vec()).prop_map(str::to_string),
        1 => "\\PC{0,12}",
    ]
}
