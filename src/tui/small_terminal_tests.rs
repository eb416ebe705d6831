//! Issue 12, item 4: every view at 80×24 over a real index and the real
//! worker — Events, Groups, Chains, an opened event, a chain page, impact
//! (`i`), the client's timeline (`T`), the lines around (`a`), the problems
//! (`!`) and the help (`?`) — snapshotted, with no request id or
//! idempotency key cut mid-token and a status-bar hint always whole; and
//! the detail pane scrolls on its own keys.

use crossterm::event::{KeyCode, KeyModifiers};

use super::headless_tests::Headless;
use super::walk_tests::press_effect;

const KEYS: [&str; 2] = [
    "5f1d3c2a-8e4b-4c7a-9a21-3b6f0e9d7c41",
    "9b7e0c11-2d3f-4a5b-8c6d-7e8f9a0b1c2d",
];
const IDS: [&str; 6] = [
    "req_2N7s8x9KqR",
    "req_8Lw3QzT5vB",
    "req_Y7cPq1Rm0d",
    "req_5xGat3WayT",
    "req_Kp2Vd8Nq4s",
    "req_Ap9LiNeZ0q",
];

/// A member-api request of partner_fitlink at 09:44:`secs`.
fn request(secs: u32, id: &str, status: u16, code: Option<&str>, key: Option<&str>) -> String {
    let mut v = serde_json::json!({
        "timestamp": format!("2026-05-14T09:44:{secs:02}.000Z"), "service": "member-api",
        "method": "POST", "path": "/v2/sessions/ses_Ab12Cd34Ef/bookings", "status": status,
        "latency_ms": 120, "request_id": id, "client_id": "partner_fitlink",
        "retry_after_s": 30,
    });
    if let Some(code) = code {
        v["response"] = serde_json::json!({"error": {"code": code,
            "message": format!("{code}: the session is being booked by another request; retry after the interval the Retry-After header gives"),
            "details": {"session": "ses_Ab12Cd34Ef", "retryAfter": 30, "hint": "wait, then retry with the same Idempotency-Key"}}});
    }
    if let Some(k) = key {
        v["idempotency_key"] = k.into();
    }
    v.to_string()
}

fn corpus() -> String {
    [
        request(0, IDS[0], 429, Some("RATE_LIMITED"), Some(KEYS[0])),
        request(5, IDS[1], 429, Some("RATE_LIMITED"), Some(KEYS[0])),
        request(42, IDS[2], 201, None, Some(KEYS[0])),
        request(10, IDS[3], 504, Some("UPSTREAM_TIMEOUT"), Some(KEYS[1])),
        request(20, IDS[4], 504, Some("UPSTREAM_TIMEOUT"), Some(KEYS[1])),
        r#"{"timestamp":"2026-05-14T09:44:09.000Z","service":"member-api","level":"warn","message":"pool 48/48 busy"}"#.into(),
        request(30, IDS[5], 200, None, None),
        "<html>502 Bad Gateway</html>".into(),
    ]
    .join("\n")
        + "\n"
}

/// No id or key on screen is cut: every `req_…` token and every UUID-like
/// token is one of the corpus's, whole; the status bar's last hint is whole.
fn assert_nothing_cut(name: &str, screen: &str) {
    let req = regex::Regex::new(r"req_[A-Za-z0-9]*").unwrap();
    for m in req.find_iter(screen) {
        assert!(
            IDS.contains(&m.as_str()),
            "{name}: request id cut to {:?}:\n{screen}",
            m.as_str()
        );
    }
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f-]*").unwrap();
    for m in uuid.find_iter(screen) {
        assert!(
            KEYS.contains(&m.as_str()),
            "{name}: key cut to {:?}:\n{screen}",
            m.as_str()
        );
    }
    let status = screen.lines().last().unwrap_or_default();
    assert!(
        !status.trim_end().ends_with('…') && status.chars().count() <= 80,
        "{name}: status bar {status:?}"
    );
}

fn snap(h: &mut Headless, name: &str) -> String {
    let tmp = regex::Regex::new(r"/tmp/\.tmp[A-Za-z0-9]+").unwrap();
    let screen = tmp.replace_all(&h.screen(), "TMP").into_owned();
    assert_nothing_cut(name, &screen);
    insta::assert_snapshot!(format!("small_{name}_80x24"), screen);
    screen
}

/// Back to the Events view with the first chain's middle attempt selected.
fn on_attempt(h: &mut Headless) {
    h.keys(&[KeyCode::Char('/')]);
    h.type_text(IDS[1]);
    h.keys(&[KeyCode::Enter]);
}

#[test]
fn every_view_fits_80x24_whole() {
    let mut h = Headless::with(&corpus(), 80, 24);
    snap(&mut h, "events");
    h.keys(&[KeyCode::Tab]);
    snap(&mut h, "groups");
    h.keys(&[KeyCode::Tab]);
    snap(&mut h, "chains");
    h.keys(&[KeyCode::Enter]);
    snap(&mut h, "chain_page");
    h.keys(&[KeyCode::Esc, KeyCode::Tab]);
    on_attempt(&mut h);
    h.keys(&[KeyCode::Enter]);
    snap(&mut h, "event_page");
    h.keys(&[KeyCode::Esc, KeyCode::Char('i')]);
    snap(&mut h, "impact");
    h.keys(&[KeyCode::Esc, KeyCode::Char('T')]);
    snap(&mut h, "timeline");
    h.keys(&[KeyCode::Esc, KeyCode::Char('a')]);
    let around = snap(&mut h, "around");
    assert!(around.contains("pool 48/48 busy"), "{around}");
    // The problems `tui PATH…` would have found reading the same text.
    let dir = tempfile::tempdir().unwrap();
    let found = super::walk_tests::problems_of(dir.path(), &corpus());
    h.app.dispatch(super::action::Action::Problems(found));
    h.keys(&[KeyCode::Esc, KeyCode::Char('!')]);
    let problems = snap(&mut h, "problems").replace(&dir.path().display().to_string(), "TMP");
    assert!(problems.contains("not_json"), "{problems}");
    h.keys(&[KeyCode::Esc, KeyCode::Char('?')]);
    snap(&mut h, "help");
}

#[test]
fn at_80x24_the_detail_pane_scrolls_to_its_end() {
    let mut h = Headless::with(&corpus(), 80, 24);
    on_attempt(&mut h);
    let top = h.screen();
    let pane = |screen: &str| -> Vec<String> {
        let lines: Vec<&str> = screen.lines().collect();
        let start = lines.iter().position(|l| l.contains(" Event ")).unwrap();
        lines[start + 1..lines.len() - 1]
            .iter()
            .map(|l| l.to_string())
            .collect()
    };
    let first = pane(&top);
    for _ in 0..6 {
        press_effect(&mut h, KeyCode::Char('e'), KeyModifiers::CONTROL);
    }
    let scrolled = h.screen();
    let later = pane(&scrolled);
    assert_ne!(first, later, "Ctrl-E scrolled nothing:\n{scrolled}");
    assert_eq!(
        later[0], first[6],
        "six rows down, the seventh row is on top:\n{top}\n{scrolled}"
    );
    for _ in 0..200 {
        press_effect(&mut h, KeyCode::Char('e'), KeyModifiers::CONTROL);
    }
    let bottom = h.screen();
    assert!(
        bottom.contains("retry with the same Idempotency-Key")
            || bottom.contains("\"raw\"")
            || !pane(&bottom).iter().all(|l| l.trim().is_empty()),
        "the end of the event is reachable:\n{bottom}"
    );
    assert_eq!(h.app.state.events.list.selected, 0, "the list stayed");
}
