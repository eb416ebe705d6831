//! Issue 12, item 5, over the real ingest: the problems of `tui PATH…`
//! (bad lines, unreadable files, inferred times) and, with `--follow`, the
//! ones a tick finds after the TUI opened, arrive as a count in the status
//! bar and a list on `!` — drawn at 80×24.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use errtriage::catalog::Catalogs;
use errtriage::index::{Writer, WriterOptions};

use super::action::Action;
use super::feed::{Feed, Ingested, first_ingest};
use super::fixtures::{draw, screen_text};
use super::state::State;
use super::update::update;
use super::update_tests::input;

fn good(t: &str, rid: &str) -> String {
    format!(
        r#"{{"timestamp":"2026-05-14T{t}Z","request_id":"{rid}","status":500,"service":"api"}}"#
    )
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn press(s: &mut State, key: &str) {
    let action = super::keymap::action_for(s.mode(), &input(key)).expect("bound");
    update(s, action);
}

fn status_line(s: &mut State) -> String {
    let screen = screen_text(&draw(s));
    screen.lines().last().unwrap_or_default().to_string()
}

#[test]
fn follow_ticks_bring_new_problems_into_the_status_bar_and_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("api.log");
    let first = [
        good("10:00:00", "req_A1"),
        "<html>502 Bad Gateway</html>".to_string(),
        r#"{"request_id":"req_NOTIME","status":503}"#.to_string(),
    ];
    std::fs::write(&log, first.join("\n") + "\n").unwrap();
    let paths = vec![log.clone(), dir.path().join("missing.log")];
    let catalogs = Catalogs::builtin();
    let writer = Box::new(
        Writer::open(&dir.path().join("index"), &WriterOptions::default(), || {}).expect("writer"),
    );
    let stop = AtomicBool::new(false);
    let Ingested::Read(problems, writer) =
        first_ingest(writer, &catalogs, &paths, &stop).expect("ingest")
    else {
        panic!("not interrupted");
    };
    let text = problems.lines.join("\n");
    assert_eq!(
        problems.count, 3,
        "a bad line, a missing file, an inferred time:\n{text}"
    );
    assert!(text.contains("missing.log"), "{text}");
    assert!(text.contains("inferred    1 line(s)"), "{text}");

    let (sink, mut answers) = tokio::sync::mpsc::unbounded_channel();
    let feed = Feed::start(writer, catalogs, paths, problems.clone(), sink).expect("feed");
    let mut s = State::new("", false, "-");
    s.size = (80, 24);
    s.problems = problems;
    assert!(status_line(&mut s).contains("⚠ 3 problems (!)"));

    // A tick after the TUI opened reads a new bad line (the nginx timeout).
    append(
        &log,
        &format!(
            "{}\nupstream timed out (110) while reading\n",
            good("10:05:00", "req_A2")
        ),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while s.problems.count < 4 {
        assert!(
            Instant::now() < deadline,
            "the follow tick's problem never arrived"
        );
        match answers.try_recv() {
            Ok(action @ Action::Problems(_)) => {
                update(&mut s, action);
            }
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    drop(feed);
    let status = status_line(&mut s);
    assert!(status.contains("⚠ 4 problems (!)"), "{status}");
    press(&mut s, "!");
    let screen = screen_text(&draw(&mut s));
    assert!(screen.contains("Ingest problems"), "{screen}");
    assert!(
        screen.contains("api.log:5"),
        "the new bad line by file:line:\n{screen}"
    );
    let dir_name = dir.path().display().to_string();
    insta::assert_snapshot!("problems_live_80x24", screen.replace(&dir_name, "DIR"));
}

#[test]
fn a_stop_during_the_first_ingest_commits_what_was_read_and_says_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let logs: Vec<_> = (0..3)
        .map(|i| {
            let p = dir.path().join(format!("{i}.log"));
            std::fs::write(&p, good("10:00:00", &format!("req_{i}")) + "\n").unwrap();
            p
        })
        .collect();
    let index = dir.path().join("index");
    let writer = Box::new(Writer::open(&index, &WriterOptions::default(), || {}).unwrap());
    let stop = AtomicBool::new(true);
    let got = first_ingest(writer, &Catalogs::builtin(), &logs, &stop).unwrap();
    assert!(matches!(got, Ingested::Interrupted));
    // The lock is released and the index usable: a later ingest reads all.
    let writer = Box::new(Writer::open(&index, &WriterOptions::default(), || {}).unwrap());
    let again = first_ingest(writer, &Catalogs::builtin(), &logs, &AtomicBool::new(false));
    let Ok(Ingested::Read(_, writer)) = again else {
        panic!("the second ingest reads");
    };
    writer.finish().unwrap();
    let store = errtriage::index::LocalStore::open(&index, Catalogs::builtin()).unwrap();
    assert_eq!(store.stats().unwrap().events, 3);
}
