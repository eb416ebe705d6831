//! The app headless over a real index (STYLE habit 7): real ingest, real
//! store, the real worker threads and index watcher; keys go in through the
//! keymap, the screen comes out of a `TestBackend`. No terminal needed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use errtriage::catalog::Catalogs;
use errtriage::index::{LocalStore, Writer, WriterOptions};
use errtriage::ingest::{IngestOptions, Ingestor, NoProgress};
use errtriage::store::{Store, StoreChoice};
use tokio::sync::mpsc::UnboundedReceiver;

use super::action::Action;
use super::app::App;
use super::event::Input;
use super::fixtures::screen_text;
use super::state::{State, View};
use super::worker::{self, StoreCell, Worker};

/// One line as a 42min-style gateway would log it.
pub(super) fn line(
    t: &str,
    rid: &str,
    status: u16,
    code: Option<&str>,
    key: Option<&str>,
) -> String {
    let mut v = serde_json::json!({
        "timestamp": format!("2026-05-14T{t}Z"), "service": "42min-api", "method": "POST",
        "path": "/v1/bookings", "status": status, "latency_ms": 40,
    });
    match code {
        Some(code) => {
            v["response"] = serde_json::json!({"error": {"code": code, "message": format!("{code} on booking"), "request_id": rid}})
        }
        None => v["request_id"] = rid.into(),
    }
    if let Some(k) = key {
        v["idempotency_key"] = k.into();
    }
    v.to_string()
}

fn corpus() -> String {
    let lines = [
        line(
            "10:00:00.000",
            "req_H1",
            409,
            Some("slot_unavailable"),
            Some("idem-h"),
        ),
        line(
            "10:00:00.100",
            "req_H2",
            409,
            Some("slot_unavailable"),
            Some("idem-h"),
        ),
        line(
            "10:00:00.200",
            "req_H3",
            409,
            Some("slot_unavailable"),
            Some("idem-h"),
        ),
        line(
            "10:01:00.000",
            "req_2N7s8x9KqR",
            503,
            Some("upstream_unavailable"),
            None,
        ),
        line("10:02:00.000", "req_OK1", 201, None, None),
    ];
    lines.join("\n") + "\n"
}

pub(super) fn ingest(index: &Path, log: &Path) {
    let catalogs = Catalogs::builtin();
    let opts = WriterOptions {
        threads: 1,
        memory_bytes: 32 << 20,
        rebuild: false,
    };
    let mut writer = Writer::open(index, &opts, || {}).expect("writer");
    let mut ingestor = Ingestor::new(
        &mut writer,
        &catalogs,
        IngestOptions::default(),
        &NoProgress,
    );
    ingestor.ingest_paths(&[log.to_path_buf()]).expect("ingest");
    ingestor.finish().expect("summary");
    writer.finish().expect("commit");
}

pub(super) struct Headless {
    pub app: App,
    answers: UnboundedReceiver<Action>,
    pub(super) log: PathBuf,
    pub(super) index: PathBuf,
    _dir: tempfile::TempDir,
}

impl Headless {
    fn new() -> Headless {
        Headless::with(&corpus(), 120, 40)
    }

    /// A session over an index built from `log_text`, at `w`×`h`.
    pub fn with(log_text: &str, w: u16, rows: u16) -> Headless {
        Headless::wrapped(log_text, w, rows, |store| store)
    }

    /// [`Headless::with`], the store wrapped by `wrap` (a slow one).
    pub fn wrapped(
        log_text: &str,
        w: u16,
        rows: u16,
        wrap: impl FnOnce(Arc<dyn Store>) -> Arc<dyn Store>,
    ) -> Headless {
        let dir = tempfile::tempdir().expect("tempdir");
        let (log, index) = (dir.path().join("api.log"), dir.path().join("index"));
        std::fs::write(&log, log_text).unwrap();
        ingest(&index, &log);
        let store = LocalStore::open(&index, Catalogs::builtin()).expect("store");
        let choice = StoreChoice::Local(index.clone());
        let label = index.display().to_string();
        Headless::over(wrap(Arc::new(store)), choice, &label, dir, (w, rows))
    }

    /// A session over `store` (opened from `choice`; `dir` holds its files
    /// and `api.log`), its location shown as `label`, at `w`×`h`.
    pub fn over(
        store: Arc<dyn Store>,
        choice: StoreChoice,
        label: &str,
        dir: tempfile::TempDir,
        (w, rows): (u16, u16),
    ) -> Headless {
        let (log, index) = (dir.path().join("api.log"), dir.path().join("index"));
        let store = StoreCell::new(store);
        let (sink, answers) = tokio::sync::mpsc::unbounded_channel();
        let worker = Worker::start(store.clone(), sink.clone()).expect("worker");
        worker::watch(store, choice, sink).expect("watcher");
        let state = State::new("", false, label);
        let mut h = Headless {
            app: App::new(state, worker),
            answers,
            log,
            index,
            _dir: dir,
        };
        h.app.dispatch(Action::Resize(w, rows));
        h.app.dispatch(Action::Start);
        h.settle();
        h
    }

    /// Feed the worker's answers in until `done` holds (whatever else is
    /// still running).
    pub fn pump_until(&mut self, what: &str, done: impl Fn(&Headless) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            self.app.fire_debounce();
            while let Ok(a) = self.answers.try_recv() {
                self.app.dispatch(a);
            }
            if done(self) {
                return;
            }
            assert!(Instant::now() < deadline, "waited in vain for {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Let the typing pause pass and the worker answer everything asked.
    pub fn settle(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            self.app.fire_debounce();
            while let Ok(a) = self.answers.try_recv() {
                self.app.dispatch(a);
            }
            if self.app.worker.is_idle() && self.answers.is_empty() {
                return;
            }
            assert!(Instant::now() < deadline, "the worker did not finish");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub fn keys(&mut self, keys: &[KeyCode]) {
        for k in keys {
            self.app
                .input(&Input::Key(KeyEvent::new(*k, KeyModifiers::NONE)));
        }
        self.settle();
    }

    /// Keys in, without waiting for the worker.
    pub fn keys_now(&mut self, keys: &[KeyCode]) {
        for k in keys {
            self.app
                .input(&Input::Key(KeyEvent::new(*k, KeyModifiers::NONE)));
        }
    }

    pub fn type_now(&mut self, text: &str) {
        self.keys_now(&text.chars().map(KeyCode::Char).collect::<Vec<_>>());
    }

    pub fn type_text(&mut self, text: &str) {
        self.keys(&text.chars().map(KeyCode::Char).collect::<Vec<_>>());
    }

    pub fn screen(&mut self) -> String {
        screen_text(&super::fixtures::draw(&mut self.app.state))
    }
}

#[test]
fn a_request_id_query_shows_its_event_reading_and_chain() {
    let mut h = Headless::new();
    assert_eq!(h.app.state.events.total, 5);
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("req_H2");
    h.keys(&[KeyCode::Enter]);
    let s = &h.app.state;
    assert_eq!((s.applied.as_str(), s.events.total), ("req_H2", 1));
    let detail = s.selected_detail().expect("detail loaded");
    assert_eq!(
        detail.reading.as_ref().map(|r| r.code.as_str()),
        Some("slot_unavailable")
    );
    assert_eq!(detail.chains.len(), 1);
    assert_eq!(detail.chains[0].attempts.len(), 3);
    let screen = h.screen();
    assert!(
        screen.contains("slot_unavailable") && screen.contains("req_H2"),
        "{screen}"
    );
}

#[test]
fn groups_and_chains_come_from_the_index() {
    let mut h = Headless::new();
    h.keys(&[KeyCode::Tab]);
    let s = &h.app.state;
    assert_eq!(s.view, View::Groups);
    let top = &s.groups.list.items[0];
    assert_eq!((top.key.as_str(), top.count), ("slot_unavailable", 3));
    assert_eq!(top.class.as_deref(), Some("conflict"));
    h.keys(&[KeyCode::Tab]);
    let chain = &h.app.state.chains.list.items[0];
    assert_eq!(
        (chain.idempotency_key.as_str(), chain.attempts.len()),
        ("idem-h", 3)
    );
    assert!(
        !chain.flags.is_empty(),
        "retrying a 409 three times is flagged"
    );
}

#[test]
fn a_bad_query_is_an_inline_error() {
    let mut h = Headless::new();
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("nosuch:field");
    let err = h.app.state.query_error.clone().expect("an error");
    assert!(err.contains("unknown field"), "{err}");
    assert!(h.screen().contains("✗ unknown field `nosuch`"));
    assert_eq!(h.app.state.events.total, 5, "the results stay");
}

#[test]
fn far_times_and_pasted_deep_nesting_are_inline_errors_not_a_crash() {
    let mut h = Headless::new();
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("since:99999999d");
    let err = h.app.state.query_error.clone().expect("an error");
    assert!(err.contains("too far back"), "{err}");
    h.keys(&[KeyCode::Esc]);
    let deep = format!("{}code:x{}", "(".repeat(10_000), ")".repeat(10_000));
    h.app.dispatch(Action::Paste(deep));
    h.keys(&[KeyCode::Enter]);
    let err = h.app.state.query_error.clone().expect("an error");
    assert!(err.contains("nested 10000 deep"), "{err}");
    assert_eq!(h.app.state.events.total, 5, "the results stay");
}

#[test]
fn events_committed_by_another_ingest_appear_live() {
    let mut h = Headless::new();
    let more = line(
        "10:03:00.000",
        "req_LIVE",
        500,
        Some("internal_error"),
        None,
    ) + "\n";
    let mut text = std::fs::read_to_string(&h.log).unwrap();
    text.push_str(&more);
    std::fs::write(&h.log, text).unwrap();
    ingest(&h.index, &h.log);
    let deadline = Instant::now() + Duration::from_secs(20);
    while h.app.state.events.total < 6 {
        assert!(Instant::now() < deadline, "the new event never appeared");
        std::thread::sleep(Duration::from_millis(50));
        h.settle();
    }
    assert!(h.screen().contains("req_LIVE"));
}

#[test]
fn an_id_with_a_colon_is_found_from_the_query_bar() {
    let mut h = Headless::new();
    let more = line("10:04:00.000", "0HLVPJD8N8PG5:00000001", 500, None, None) + "\n";
    let mut text = std::fs::read_to_string(&h.log).unwrap();
    text.push_str(&more);
    std::fs::write(&h.log, text).unwrap();
    ingest(&h.index, &h.log);
    let deadline = Instant::now() + Duration::from_secs(20);
    while h.app.state.events.total < 6 {
        assert!(Instant::now() < deadline, "the new event never appeared");
        std::thread::sleep(Duration::from_millis(50));
        h.settle();
    }
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("0HLVPJD8N8PG5:00000001");
    h.keys(&[KeyCode::Enter]);
    let s = &h.app.state;
    assert_eq!(s.query_error, None);
    assert_eq!(s.events.total, 1);
    assert!(h.screen().contains("0HLVPJD8N8PG5:00000001"));
}

#[test]
fn an_eight_character_request_id_prefix_finds_its_event_as_find_does() {
    let mut h = Headless::new();
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("req_2N7s");
    h.keys(&[KeyCode::Enter]);
    let s = &h.app.state;
    assert_eq!(
        (s.applied.as_str(), s.events.total),
        ("req_2N7s8x9KqR", 1),
        "the bar shows the whole id the list found"
    );
    assert_eq!(s.selected_event().unwrap().request_id, "req_2N7s8x9KqR");
    h.keys(&[KeyCode::Char('/')]);
    h.keys(&[KeyCode::Backspace; 7]);
    h.keys(&[KeyCode::Enter]);
    let s = &h.app.state;
    assert_eq!(
        (s.applied.as_str(), s.events.total),
        ("req_2N7", 0),
        "shorter than find's 8 characters: no guessing"
    );
}

#[test]
fn every_clipboard_payload_is_sanitized() {
    let mut h = Headless::new();
    let hostile = "req_\u{1b}]52;c;ZXZpbA==\u{7}sk_live_51HxYzABCdefGH";
    let selected = h.app.state.events.list.selected_item().cloned().unwrap();
    for e in &mut h.app.state.events.list.items {
        if e.source == selected.source {
            e.request_id = hostile.into();
        }
    }
    h.keys(&[KeyCode::Char('y')]);
    assert_eq!(h.app.clipboard.len(), 1);
    let payload = &h.app.clipboard[0];
    assert!(
        !payload.chars().any(char::is_control) && !payload.contains("51HxYzABCdefGH"),
        "OSC 52 payload: {payload:?}"
    );
    assert!(payload.contains("\\x1b]52") && payload.contains("sk_live_[REDACTED]"));
}

/// Issue 10: a trace id pasted as the header or the Cloud Logging field
/// carries it (W3C traceparent, `projects/…/traces/…`) is found from the
/// query bar, as `find` finds it.
#[test]
fn a_pasted_traceparent_or_gcp_trace_finds_its_event_from_the_query_bar() {
    let trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let gcp = "06796866738c859f2f19b7cfb3214824";
    let mut tp: serde_json::Value =
        serde_json::from_str(&line("10:05:00.000", "req_TRACEPARENT", 502, None, None)).unwrap();
    tp["headers"] = serde_json::json!({"traceparent": format!("00-{trace}-00f067aa0ba902b7-01")});
    let mut g: serde_json::Value =
        serde_json::from_str(&line("10:06:00.000", "req_GCPTRACE", 503, None, None)).unwrap();
    g["trace_id"] = format!("projects/my-proj/traces/{gcp}").into();
    let text = format!("{}{tp}\n{g}\n", corpus());
    for (pasted, rid) in [
        (format!("00-{trace}-b7ad6b7169203331-01"), "req_TRACEPARENT"),
        (format!("projects/other-proj/traces/{gcp}"), "req_GCPTRACE"),
    ] {
        let mut h = Headless::with(&text, 120, 40);
        h.keys(&[KeyCode::Char('/')]);
        h.type_text(&pasted);
        h.keys(&[KeyCode::Enter]);
        let s = &h.app.state;
        assert_eq!(s.query_error, None, "{pasted}");
        assert_eq!(s.events.total, 1, "{pasted}");
        assert!(h.screen().contains(rid), "{pasted}: {}", h.screen());
    }
}
