//! Ctrl-C during the ingest behind `errtriage tui PATH…`: the ingest stops
//! gracefully — what was read is committed, the TUI is not opened, the exit
//! is 130 with a word on stderr — and running the same ingest again reads
//! the rest exactly once. The ingest is held mid-way on a FIFO (streams are
//! read before files), so the signal lands while it runs, without timing.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Env, stderr};
use errtriage::query::Stats;

/// Lines written into the FIFO before the signal (8 MB).
const PIPED: usize = 110_000;

/// One line of 80 bytes.
fn line(i: usize) -> String {
    format!(r#"{{"timestamp":"2026-05-14T10:00:00Z","request_id":"req_INT{i:07}","status":500}}"#)
}

fn committed(env: &Env) -> u64 {
    let out = env.run(&["stats", "--json"]);
    serde_json::from_slice::<Stats>(&out.stdout)
        .map(|s| s.events)
        .unwrap_or(0)
}

#[test]
fn ctrl_c_during_the_tui_ingest_commits_what_was_read_and_quits() {
    let env = Env::new();
    let fifo = env.path("live.pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    let files: String = (0..500).map(|i| line(i) + "\n").collect();
    let file = env.write("logs/api.log", files);
    let mut child = env
        .cmd()
        .arg("tui")
        .arg(&fifo)
        .arg(&file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Opening the FIFO waits for the ingest to open it: it is running.
    // 8 MB through a 64 KB pipe and at most 5 MB of read-ahead (1 MB
    // batches, 4 queued) means at least 2 batches were taken in by the time
    // the writes return: read, so committed once the ingest stops.
    let mut pipe = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let before: Vec<String> = (0..PIPED).map(|n| line(100_000 + n)).collect();
    let before = before.join("\n") + "\n";
    assert!(before.len() >= 8 << 20, "{} bytes", before.len());
    pipe.write_all(before.as_bytes()).unwrap();
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    // Keep the stream moving (a batch is 1 MB) so the ingest reaches its
    // next check of the flag; it stops there, not at the end of the stream.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut i = PIPED;
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the ingest did not stop");
        let batch: String = (i..i + 4_000).map(|n| line(100_000 + n) + "\n").collect();
        if pipe.write_all(batch.as_bytes()).is_err() {
            break;
        }
        i += 4_000;
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted; everything read so far is committed"),
        "{err}"
    );
    assert!(
        !err.contains("needs a terminal"),
        "Ctrl-C quits; it does not go on to open the TUI: {err}"
    );
    let from_pipe = committed(&env);
    assert!(
        (20_000..=i as u64).contains(&from_pipe),
        "the lines read from the stream are committed, the file not yet: {from_pipe}"
    );
    // The same ingest again: the file is read once, and only once.
    let again: serde_json::Value = env.json(&["ingest", "--json", file.to_str().unwrap()]);
    assert_eq!(again["events"], 500, "{again}");
    let twice: serde_json::Value = env.json(&["ingest", "--json", file.to_str().unwrap()]);
    assert_eq!(twice["events"], 0, "{twice}");
    assert_eq!(committed(&env), from_pipe + 500);
}
