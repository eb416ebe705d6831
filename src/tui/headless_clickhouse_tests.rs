//! The TUI over ClickHouse, headless (STYLE habit 7): the incident corpus
//! ingested once into a local index and once into a real ClickHouse server
//! (Debian's, started as in tests/common/clickhouse.rs) through the real
//! ingest path, then the same keys pressed in two sessions — the real
//! worker threads and watcher over each store — and the screens compared:
//! a request found and its chain, impact, the client's timeline, the lines
//! around, groups, chains, and a histogram zoom.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use errtriage::catalog::Catalogs;
use errtriage::index::{LocalStore, WriterOptions};
use errtriage::ingest::{IngestOptions, Ingestor, NoProgress};
use errtriage::store::{StoreChoice, open_sink, open_store};

use super::event::Input;
use super::headless_incident_tests::corpus;
use super::headless_tests::{Headless, ingest};
use super::state::{Page, View};

#[path = "../../tests/common/clickhouse.rs"]
mod server;

/// As the integration tests' `cannot_run`: a failure under CI, a loud
/// skip elsewhere.
fn cannot_run(test: &str, why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{test} could not run under CI: {why}");
    }
    eprintln!("SKIPPED {test}: {why}");
}

/// Both stores show their location as this, so screens compare whole.
const LABEL: &str = "STORE";
const SIZE: (u16, u16) = (120, 40);

fn local_session(log_text: &str) -> Headless {
    let dir = tempfile::tempdir().unwrap();
    let (log, index) = (dir.path().join("api.log"), dir.path().join("index"));
    std::fs::write(&log, log_text).unwrap();
    ingest(&index, &log);
    let store = LocalStore::open(&index, Catalogs::builtin()).unwrap();
    Headless::over(Arc::new(store), StoreChoice::Local(index), LABEL, dir, SIZE)
}

/// `log_text` ingested into ClickHouse at `url` as `errtriage ingest`
/// does it (`store init`, the sink, the ingestor), and a session over it.
fn clickhouse_session(url: &str, log_text: &str) -> Headless {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("api.log");
    std::fs::write(&log, log_text).unwrap();
    let choice = StoreChoice::parse(url, dir.path()).unwrap();
    errtriage::store::open::init(&choice).unwrap();
    let catalogs = Catalogs::builtin();
    let mut sink = open_sink(&choice, &WriterOptions::default(), || {}).unwrap();
    let mut ingestor = Ingestor::new(
        sink.as_mut(),
        &catalogs,
        IngestOptions::default(),
        &NoProgress,
    );
    ingestor.ingest_paths(&[log]).unwrap();
    ingestor.finish().unwrap();
    sink.finish().unwrap();
    let store = open_store(&choice, catalogs).unwrap();
    Headless::over(store, choice, LABEL, dir, SIZE)
}

fn press(h: &mut Headless, keys: &[&str]) {
    for k in keys {
        let code = match *k {
            "Tab" => KeyCode::Tab,
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Backspace" => KeyCode::Backspace,
            c => KeyCode::Char(c.chars().next().unwrap()),
        };
        h.app
            .input(&Input::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        h.settle();
    }
}

/// The same keys in both sessions, then the same screen.
fn both(local: &mut Headless, remote: &mut Headless, keys: &[&str], step: &str) -> String {
    press(local, keys);
    press(remote, keys);
    // Each session read its own copy of the log.
    let screen = |h: &mut Headless| {
        let log = h.log.display().to_string();
        h.screen().replace(&log, "LOG")
    };
    let (want, got) = (screen(local), screen(remote));
    assert_eq!(got, want, "{step}: the ClickHouse screen differs");
    assert!(!got.contains("not available"), "{step}:\n{got}");
    got
}

#[test]
fn the_tui_over_clickhouse_shows_what_it_shows_over_the_local_index() {
    let Some(server) = server::single_or_skip("tui_over_clickhouse") else {
        return;
    };
    let c = corpus();
    let text = c.lines.join("\n") + "\n";
    let mut local = local_session(&text);
    let mut remote = clickhouse_session(&server.url("tui"), &text);
    assert_eq!(remote.app.state.events.total, local.app.state.events.total);
    assert!(local.app.state.events.total > 30);
    both(&mut local, &mut remote, &[], "the first screen");

    // A request found, its reading and its retry chain.
    let mut find = vec!["/"];
    let id: Vec<String> = "req_pf2".chars().map(String::from).collect();
    find.extend(id.iter().map(String::as_str));
    find.push("Enter");
    let screen = both(&mut local, &mut remote, &find, "find a request");
    assert!(
        screen.contains("req_pf2") && screen.contains("rate_limited"),
        "{screen}"
    );
    let detail = remote.app.state.selected_detail().expect("detail");
    assert_eq!(detail.chains.len(), 1);
    assert_eq!(detail.chains[0].attempts.len(), 3);

    // Impact, the client's timeline, the lines around.
    let screen = both(&mut local, &mut remote, &["i"], "impact");
    assert_eq!(remote.app.state.page, Some(Page::Incident));
    assert!(screen.contains("only this client"), "{screen}");
    let screen = both(&mut local, &mut remote, &["Esc", "T"], "timeline");
    assert!(
        screen.contains("partner_fitlink") && screen.contains("req_pf3"),
        "{screen}"
    );
    both(&mut local, &mut remote, &["Esc", "a"], "around");
    both(&mut local, &mut remote, &["Esc"], "back");

    // Every event again; groups, another dimension, chains.
    let clear: Vec<&str> = std::iter::once("/")
        .chain(std::iter::repeat_n("Backspace", 10))
        .chain(["Enter"])
        .collect();
    both(&mut local, &mut remote, &clear, "every event");
    assert_eq!(remote.app.state.applied, "");
    both(&mut local, &mut remote, &["Tab"], "groups");
    assert_eq!(remote.app.state.view, View::Groups);
    both(&mut local, &mut remote, &["b"], "groups by another field");
    let screen = both(&mut local, &mut remote, &["Tab"], "chains");
    assert_eq!(remote.app.state.view, View::Chains);
    assert!(screen.contains("idem-pf"), "{screen}");
    both(&mut local, &mut remote, &["Tab"], "events again");

    // The histogram: mark the last buckets (the incident) and zoom in.
    let mut zoom = vec!["]"; 130];
    zoom.push("v");
    zoom.extend(["["; 3]);
    zoom.push("Enter");
    both(&mut local, &mut remote, &zoom, "histogram zoom");
    let (l, r) = (&local.app.state, &remote.app.state);
    assert!(r.applied.starts_with("since:"), "{}", r.applied);
    assert_eq!((&r.applied, r.events.total), (&l.applied, l.events.total));
    assert!(r.events.total > 0);
    drop(server);
}
