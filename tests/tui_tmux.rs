//! The TUI end to end, as a person uses it: the real binary in a real
//! terminal (tmux, on a private socket), over a corpus this test writes and
//! ingests. Keys go in with `send-keys`; the screen is read with
//! `capture-pane` until the expected text shows (never fixed sleeps).
//! Skipped, saying so, when tmux is not installed (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);

fn line(t: &str, rid: &str, status: u16, code: Option<&str>, key: Option<&str>) -> String {
    let mut v = serde_json::json!({
        "timestamp": format!("2026-05-14T{t}Z"), "service": "42min-api", "method": "POST",
        "path": "/v1/bookings", "status": status, "latency_ms": 35,
    });
    match code {
        Some(code) => {
            v["response"] = serde_json::json!({"error": {
                "code": code, "message": format!("{code} while booking"), "request_id": rid,
            }});
        }
        None => v["request_id"] = rid.into(),
    }
    if let Some(k) = key {
        v["idempotency_key"] = k.into();
    }
    v.to_string()
}

/// 9 events: slot_unavailable ×3 then a 201 (one retry chain, the spike at
/// 10:00), upstream_unavailable ×2, rate_limited ×1, two more successes.
fn corpus() -> String {
    let lines = [
        line(
            "10:00:00.000",
            "req_TMUX0001",
            409,
            Some("slot_unavailable"),
            Some("idem-t1"),
        ),
        line(
            "10:00:00.200",
            "req_TMUX0002",
            409,
            Some("slot_unavailable"),
            Some("idem-t1"),
        ),
        line(
            "10:00:00.400",
            "req_TMUX0003",
            409,
            Some("slot_unavailable"),
            Some("idem-t1"),
        ),
        line(
            "10:01:00.000",
            "req_TMUX0004",
            503,
            Some("upstream_unavailable"),
            None,
        ),
        line(
            "10:02:00.000",
            "req_TMUX0005",
            503,
            Some("upstream_unavailable"),
            None,
        ),
        line(
            "10:03:00.000",
            "req_TMUX0006",
            429,
            Some("rate_limited"),
            None,
        ),
        line("10:00:01.000", "req_TMUX0009", 201, None, Some("idem-t1")),
        line("10:04:00.000", "req_TMUX0007", 201, None, None),
        line("10:05:00.000", "req_TMUX0008", 200, None, None),
    ];
    lines.join("\n") + "\n"
}

struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// A detached 120×40 session named `tui` running `script` in `sh`, on
    /// this server's own socket and no user configuration.
    fn start(&self, script: &str) {
        self.start_sized(script, (120, 40));
    }

    fn start_sized(&self, script: &str, (columns, rows): (u16, u16)) {
        let (x, y) = (columns.to_string(), rows.to_string());
        let mut args = vec!["-f", "/dev/null", "new-session", "-d"];
        args.extend(["-x", &x, "-y", &y, "-s", "tui", "sh", "-c", script]);
        self.run(&args);
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "tui"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Type text literally (no key-name lookup).
    fn text(&self, text: &str) {
        self.run(&["send-keys", "-t", "tui", "-l", text]);
    }

    /// Poll tmux's paste buffer (where OSC 52 copies land with
    /// `set-clipboard on`) until `ok` holds.
    fn wait_buffer(&self, ok: impl Fn(&str) -> bool, screen: &str) -> String {
        let start = Instant::now();
        loop {
            let out = Command::new("tmux")
                .arg("-S")
                .arg(&self.socket)
                .args(["show-buffer"])
                .output()
                .expect("tmux show-buffer");
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            if ok(&text) {
                return text;
            }
            assert!(
                start.elapsed() < WAIT,
                "no such OSC 52 copy reached tmux (buffer {text:?})\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "tui"]).stdout).into_owned()
    }

    /// Poll the screen until `ok` holds; panic with the last screen otherwise.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < WAIT,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// Wait until the file exists and has content.
fn wait_file(path: &Path) -> String {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if !text.is_empty() {
                return text;
            }
        }
        assert!(start.elapsed() < WAIT, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn tui_in_tmux_finds_a_request_groups_the_codes_and_quits_cleanly() {
    if !tmux_available() {
        eprintln!("SKIPPED tui_in_tmux: tmux is not installed (apt-get install tmux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (log, index, exit) = (
        dir.path().join("api.log"),
        dir.path().join("index"),
        dir.path().join("exit"),
    );
    std::fs::write(&log, corpus()).unwrap();
    let bin = env!("CARGO_BIN_EXE_errtriage");
    let ingest = Command::new(bin)
        .arg("--index")
        .arg(&index)
        .arg("ingest")
        .arg(&log)
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .output()
        .unwrap();
    assert!(
        ingest.status.success(),
        "ingest: {}",
        String::from_utf8_lossy(&ingest.stderr)
    );

    let tmux = Tmux {
        socket: dir.path().join("tmux.sock"),
    };
    let script = format!(
        "cd {} && XDG_CONFIG_HOME={} {} --index {} tui; echo EXIT=$? > {}",
        shell_quote(dir.path()),
        shell_quote(&dir.path().join("config")),
        shell_quote(Path::new(bin)),
        shell_quote(&index),
        shell_quote(&exit),
    );
    tmux.start(&script);
    tmux.run(&["set-option", "-g", "set-clipboard", "on"]);
    tmux.wait_for("the Events view", |s| {
        s.contains("Events │ Groups │ Chains") && s.contains("9 matching")
    });

    // `/` + a request id + Enter shows that event and its code.
    tmux.keys(&["/"]);
    tmux.text("req_TMUX0002");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the request", |s| {
        s.contains("1 matching") && s.contains("req_TMUX0002")
    });
    let row = screen
        .lines()
        .find(|l| l.contains("req_TMUX0002") && l.contains("409"))
        .unwrap_or_default();
    assert!(
        row.contains("slot_unavailable"),
        "the event's row shows its code:\n{screen}"
    );

    // `/`, Ctrl-U, Enter: every event again; Tab: the Groups view with counts.
    tmux.keys(&["/", "C-u", "Enter"]);
    tmux.wait_for("every event", |s| s.contains("9 matching"));
    tmux.keys(&["Tab"]);
    let screen = tmux.wait_for("the Groups view", |s| {
        s.contains("by code (b, d)") && s.contains("rate_limited")
    });
    let count = |code: &str| -> Option<u64> {
        let row = screen
            .lines()
            .find(|l| l.contains(code) && l.contains('×'))?;
        let after = row.split(code).nth(1)?;
        after.split_whitespace().find_map(|w| w.parse().ok())
    };
    assert_eq!(count("slot_unavailable"), Some(3), "{screen}");
    assert_eq!(count("upstream_unavailable"), Some(2), "{screen}");
    assert_eq!(count("rate_limited"), Some(1), "{screen}");

    // Chains: open the chain, walk its marker to the 201 and open that attempt.
    tmux.keys(&["Tab"]);
    tmux.wait_for("the Chains view", |s| {
        s.contains("idem-t1") && s.contains("worst first")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the chain page", |s| s.contains("Retry chain ·"));
    tmux.keys(&["j", "j", "j"]);
    let screen = tmux.wait_for("the marker on the 201", |s| {
        s.lines()
            .any(|l| l.contains('▸') && l.contains("201") && l.contains("req_TMUX0009"))
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the attempt's event", |s| {
        s.contains("Attempt · Esc back") && s.contains("req_TMUX0009")
    });

    // `Y` copies its case card by OSC 52: tmux (set-clipboard on) keeps it
    // as a paste buffer.
    tmux.keys(&["Y"]);
    tmux.wait_for("the copy in the status bar", |s| {
        s.contains("copied the case card")
    });
    let card = tmux.wait_buffer(|b| b.contains("errtriage case"), &screen);
    assert!(
        card.contains("req_TMUX0009") && card.contains("idem-t1"),
        "{card}"
    );
    assert!(!card.contains('\x1b'), "{card:?}");

    // `K` copies the idempotency key alone.
    tmux.keys(&["K"]);
    tmux.wait_for("the key copied", |s| {
        s.contains("copied idempotency key idem-t1")
    });
    assert_eq!(tmux.wait_buffer(|b| b == "idem-t1", &screen), "idem-t1");

    // `w` + Enter writes the card to the default path in the current
    // directory and says where.
    tmux.keys(&["w"]);
    tmux.wait_for("the path prompt", |s| {
        s.contains("write case card to: ./case-req_TMUX0009.md")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the card written", |s| {
        s.contains("case card written to /") && s.contains("case-req_TMUX0009.md")
    });
    let written = wait_file(&dir.path().join("case-req_TMUX0009.md"));
    assert!(
        written.starts_with("## errtriage case: `req_TMUX0009`"),
        "{written}"
    );

    // Back to the list; zoom the histogram to the spike at 10:00 with the
    // keyboard: cursor to the first column, mark, widen, Enter.
    // (one Esc at a time: two in a row read as Alt-Esc)
    tmux.keys(&["Escape"]);
    tmux.wait_for("the chain page again", |s| s.contains("Retry chain ·"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("the chains list", |s| s.contains("worst first"));
    let left = vec!["["; 120];
    tmux.keys(&left);
    tmux.keys(&["v", "]", "]", "Enter"]);
    let screen = tmux.wait_for("the zoomed span", |s| {
        s.contains("/ since:2026-05-14T10:00:00Z") && s.contains("1 chains")
    });
    assert!(!screen.contains("rate_limited"), "{screen}");
    tmux.keys(&["BSpace"]);
    tmux.wait_for("zoomed back out", |s| s.contains("every event"));

    // Back to Groups over every event for the pivots.
    tmux.keys(&["Tab", "Tab"]);
    tmux.wait_for("the Groups view again", |s| {
        s.contains("by code (b, d) · 3 groups")
    });

    // `-` then `o` excludes the selected group's code; `u` undoes it.
    tmux.keys(&["-"]);
    tmux.wait_for("the pivot menu", |s| s.contains("exclude from the query"));
    tmux.keys(&["o"]);
    let screen = tmux.wait_for("the pivot", |s| {
        s.contains("/ NOT code:\"slot_unavailable\"") && s.contains("by code (b, d) · 2 groups")
    });
    assert_eq!(count("slot_unavailable"), Some(3), "before: {screen}");
    assert!(
        !screen
            .lines()
            .any(|l| l.contains("slot_unavailable") && l.contains('×')),
        "the excluded code has no group:\n{screen}"
    );
    tmux.keys(&["u"]);
    tmux.wait_for("the undo", |s| {
        s.contains("by code (b, d) · 3 groups")
            && s.lines()
                .any(|l| l.contains("slot_unavailable") && l.contains("409×3"))
    });

    // Tab in the query bar completes a code from the index.
    tmux.keys(&["/", "C-u"]);
    tmux.text("code:rate");
    tmux.keys(&["Tab"]);
    tmux.wait_for("the completed code", |s| s.contains("/ code:rate_limited"));
    tmux.keys(&["Enter"]);

    // On the event: `i` its impact, `a` the lines around it, `T` its client.
    tmux.keys(&["BTab"]);
    tmux.wait_for("the rate-limited event", |s| {
        s.contains("1 matching") && s.contains("req_TMUX")
    });
    tmux.keys(&["i"]);
    tmux.wait_for("the impact page", |s| {
        s.contains("Impact · req_") && s.contains("matching  rate_limited on /v1/bookings")
    });
    // Escape alone: followed at once by a key, the terminal reads Alt-key.
    tmux.keys(&["Escape"]);
    tmux.wait_for("the list", |s| s.contains("Event · Enter opens"));
    tmux.keys(&["a"]);
    tmux.wait_for("the lines around", |s| {
        s.contains("Around this event") && s.contains("lines within ±2 min") && s.contains("▸●")
    });
    // Escape alone: followed at once by a key, the terminal reads Alt-key.
    tmux.keys(&["Escape"]);
    tmux.wait_for("the list", |s| s.contains("Event · Enter opens"));
    tmux.keys(&["T"]);
    tmux.wait_for("the timeline page", |s| {
        s.contains("Client timeline") && s.contains("names no client")
    });
    // Escape alone: followed at once by `q`, the terminal would read Alt-q
    // (and nothing would quit): wait for the list first.
    tmux.keys(&["Escape"]);
    tmux.wait_for("the list", |s| s.contains("Event · Enter opens"));

    // `q` quits, restores the terminal and exits 0.
    tmux.keys(&["q"]);
    assert_eq!(wait_file(&exit).trim(), "EXIT=0");
}

/// A panic inside the TUI (forced through the documented test hook
/// `ERRTRIAGE_TEST_PANIC=1` + the query `!panic`) gives the terminal back:
/// cooked mode, the main screen, the cursor shown, no mouse capture, and
/// the panic message readable on it.
#[test]
fn a_panic_in_the_tui_restores_the_terminal() {
    if !tmux_available() {
        eprintln!("SKIPPED tui_in_tmux panic: tmux is not installed (apt-get install tmux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (index, after) = (dir.path().join("index"), dir.path().join("after"));
    let bin = env!("CARGO_BIN_EXE_errtriage");
    let tmux = Tmux {
        socket: dir.path().join("tmux.sock"),
    };
    let script = format!(
        "RUST_BACKTRACE=0 ERRTRIAGE_TEST_PANIC=1 XDG_CONFIG_HOME={} {} --index {} tui; echo EXIT=$?; stty -a > {}; sleep 60",
        shell_quote(&dir.path().join("config")),
        shell_quote(Path::new(bin)),
        shell_quote(&index),
        shell_quote(&after),
    );
    tmux.start(&script);
    tmux.wait_for("the TUI", |s| s.contains("q quit"));
    let flags = || {
        let out = tmux.run(&[
            "display-message",
            "-p",
            "-t",
            "tui",
            "#{alternate_on} #{cursor_flag} #{mouse_any_flag}",
        ]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(flags(), "1 0 1", "the TUI holds the terminal");
    tmux.keys(&["/"]);
    tmux.text("!panic");
    tmux.keys(&["Enter"]);
    let stty = wait_file(&after);
    let screen = tmux.wait_for("the panic message", |s| s.contains("EXIT=101"));
    assert!(screen.contains("a test panic"), "{screen}");
    let modes: Vec<&str> = stty.split_whitespace().collect();
    assert!(
        modes.contains(&"icanon") && modes.contains(&"echo"),
        "raw mode left: {stty}"
    );
    assert_eq!(flags(), "0 1 0", "main screen, cursor shown, mouse off");
}

/// `errtriage tui ARGS api.log` started at 80×24 in tmux, with `text`
/// written to `api.log` first; the log, the index and the file the exit
/// status goes to all lie in `dir`.
struct TuiOnLog {
    tmux: Tmux,
    log: PathBuf,
    index: PathBuf,
    exit: PathBuf,
}

fn tui_on_log(dir: &Path, text: &str, args: &str) -> TuiOnLog {
    let (log, index, exit) = (dir.join("api.log"), dir.join("index"), dir.join("exit"));
    std::fs::write(&log, text).unwrap();
    let tmux = Tmux {
        socket: dir.join("tmux.sock"),
    };
    let script = format!(
        "XDG_CONFIG_HOME={} {} --index {} tui {args} {}; echo EXIT=$? > {}",
        shell_quote(&dir.join("config")),
        shell_quote(Path::new(env!("CARGO_BIN_EXE_errtriage"))),
        shell_quote(&index),
        shell_quote(&log),
        shell_quote(&exit),
    );
    tmux.start_sized(&script, (80, 24));
    TuiOnLog {
        tmux,
        log,
        index,
        exit,
    }
}

/// `tui --follow PATH…` at 80×24 in a real terminal: the first ingest's
/// bad line shows as a count; a line appended while the TUI is open adds
/// an event and a problem live; `q` stops the tail and exits 0.
#[test]
fn tui_follow_shows_new_events_and_problems_live_and_quits_cleanly() {
    if !tmux_available() {
        eprintln!("SKIPPED tui_follow: tmux is not installed (apt-get install tmux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let first = line("10:00:00.000", "req_FOLLOW01", 500, Some("internal"), None);
    let run = tui_on_log(
        dir.path(),
        &format!("{first}\nnot json at all\n"),
        "--follow",
    );
    let (tmux, log, exit) = (&run.tmux, &run.log, &run.exit);
    tmux.wait_for("the TUI with one problem", |s| {
        s.contains("1 matching") && s.contains("⚠ 1 problem (!)")
    });
    let more = line("10:05:00.000", "req_FOLLOW02", 503, Some("upstream"), None);
    let mut f = std::fs::OpenOptions::new().append(true).open(log).unwrap();
    std::io::Write::write_all(&mut f, format!("{more}\n<html>504</html>\n").as_bytes()).unwrap();
    drop(f);
    tmux.wait_for("the new event and problem, live", |s| {
        s.contains("2 matching") && s.contains("⚠ 2 problems (!)") && s.contains("req_FOLLOW02")
    });
    tmux.keys(&["!"]);
    tmux.wait_for("the problems list", |s| {
        s.contains("found while following:") && s.contains("api.log:4")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("the list", |s| s.contains("Events │"));
    tmux.keys(&["q"]);
    assert_eq!(wait_file(exit).trim(), "EXIT=0");
}

/// `tui PATH…` without `--follow` leaves the index `errtriage ingest`
/// leaves: the TUI opens on the events, and afterwards every segment has
/// its group tables, so `groups` merges them as after a CLI ingest.
#[test]
fn tui_path_leaves_the_index_as_ingest_does_with_group_tables() {
    if !tmux_available() {
        eprintln!("SKIPPED tui_path: tmux is not installed (apt-get install tmux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        line("10:00:00.000", "req_SETTLE01", 500, Some("internal"), None),
        line(
            "10:01:00.000",
            "req_SETTLE02",
            409,
            Some("slot_unavailable"),
            None,
        ),
    ];
    let run = tui_on_log(dir.path(), &(lines.join("\n") + "\n"), "");
    let (tmux, index, exit) = (&run.tmux, &run.index, &run.exit);
    tmux.wait_for("the TUI on both events", |s| s.contains("2 matching"));
    tmux.keys(&["q"]);
    assert_eq!(wait_file(exit).trim(), "EXIT=0");
    let tables = std::fs::read_dir(index)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "groups"))
        .count();
    assert!(tables >= 1, "no group tables in {}", index.display());
}
