//! From one request to the whole incident, headless over a real index (real
//! ingest, store and worker threads): `i` impact, `T` the client's
//! timeline, `a` the lines around an event, and the issue's three questions
//! each answered on screen in at most ten keys from the event.
//!
//! The corpus is an incident whose truth the test knows, in the last two
//! hours: one client (partner_fitlink) rate-limited for retrying too soon;
//! every client's bookings on member-api timing out (504) from a known
//! minute, right after the app logged "pool 48/48 busy"; a quiet baseline;
//! and, three days ago, a bigger outage that "since yesterday" must leave out.

use chrono::{DateTime, Duration, DurationRound, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::event::Input;
use super::headless_tests::Headless;
use super::state::{Page, View};

pub(super) struct Corpus {
    pub(super) t0: DateTime<Utc>,
    pub(super) lines: Vec<String>,
}

impl Corpus {
    /// One request `secs` after t0.
    #[expect(clippy::too_many_arguments, reason = "one row of the corpus")]
    fn req(
        &mut self,
        secs: i64,
        rid: &str,
        client: &str,
        service: &str,
        path: &str,
        status: u16,
        code: Option<&str>,
        key: Option<&str>,
    ) {
        let ts = self.t0 + Duration::seconds(secs);
        let mut v = serde_json::json!({
            "timestamp": ts.to_rfc3339(), "service": service, "method": "POST", "path": path,
            "status": status, "client_id": client, "request_id": rid, "latency_ms": 40,
        });
        if let Some(code) = code {
            v["response"] = serde_json::json!({"error": {"code": code, "message": format!("{code} on booking")}});
        }
        if let Some(key) = key {
            v["idempotency_key"] = key.into();
        }
        if status == 429 {
            v["response_headers"] = serde_json::json!({"Retry-After": "42"});
        }
        self.lines.push(v.to_string());
    }
}

const CLIENTS: [&str; 3] = ["acme", "globex", "partner_fitlink"];

pub(super) fn corpus() -> Corpus {
    let t0 = (Utc::now() - Duration::hours(2))
        .duration_trunc(Duration::minutes(1))
        .unwrap();
    let mut c = Corpus {
        t0,
        lines: Vec::new(),
    };
    let bookings = "/v1/bookings";
    let session = |i: usize| format!("/v2/sessions/ses_9f3KQ2xLp{i}/bookings");
    for (i, m) in [0, 10, 30].into_iter().enumerate() {
        c.req(
            m * 60,
            &format!("req_acme{i}"),
            "acme",
            "42min-api",
            bookings,
            201,
            None,
            None,
        );
    }
    c.req(
        5 * 60,
        "req_glx0",
        "globex",
        "42min-api",
        bookings,
        201,
        None,
        None,
    );
    c.req(
        2 * 60,
        "req_pf0",
        "partner_fitlink",
        "42min-api",
        bookings,
        201,
        None,
        None,
    );
    let pf = Some("idem-pf");
    let rl = Some("rate_limited");
    c.req(
        20 * 60,
        "req_2N7s8x9KqR",
        "partner_fitlink",
        "42min-api",
        bookings,
        429,
        rl,
        pf,
    );
    c.req(
        20 * 60 + 5,
        "req_pf2",
        "partner_fitlink",
        "42min-api",
        bookings,
        429,
        rl,
        pf,
    );
    c.req(
        21 * 60,
        "req_pf3",
        "partner_fitlink",
        "42min-api",
        bookings,
        201,
        None,
        pf,
    );
    // member-api: quiet, then the pool runs dry and every client's bookings time out.
    for (i, m) in [1, 6, 11].into_iter().enumerate() {
        let client = CLIENTS[i];
        c.req(
            m * 60,
            &format!("req_ok{i}"),
            client,
            "member-api",
            &session(i),
            200,
            None,
            None,
        );
    }
    let pool = serde_json::json!({
        "timestamp": (t0 + Duration::seconds(13 * 60 + 58)).to_rfc3339(),
        "service": "member-api", "level": "error", "message": "pool 48/48 busy",
    });
    c.lines.push(pool.to_string());
    for (i, s) in [840, 860, 900, 960, 1020, 1080, 1140, 1320]
        .into_iter()
        .enumerate()
    {
        let client = CLIENTS[i % 3];
        let to = Some("upstream_timeout");
        c.req(
            s,
            &format!("req_504_{i}"),
            client,
            "member-api",
            &session(i),
            504,
            to,
            None,
        );
    }
    c.req(
        8 * 60,
        "req_tok0",
        "acme",
        "42min-api",
        bookings,
        401,
        Some("invalid_token"),
        None,
    );
    c.req(
        9 * 60,
        "req_tok1",
        "globex",
        "member-api",
        &session(9),
        401,
        Some("invalid_token"),
        None,
    );
    // Three days ago: a bigger outage, outside "since yesterday".
    for i in 0..12 {
        let secs = -3 * 86_400 + i * 60;
        let code = Some("old_outage");
        c.req(
            secs,
            &format!("req_old{i}"),
            "acme",
            "42min-api",
            bookings,
            503,
            code,
            None,
        );
    }
    c
}

/// A session over the corpus with `req_2N7s8x9KqR` found (`/`, the id,
/// `Enter`: how a support engineer arrives at the event; not counted).
fn at_the_event() -> (Headless, DateTime<Utc>) {
    let c = corpus();
    let mut h = Headless::with(&(c.lines.join("\n") + "\n"), 120, 40);
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("req_2N7s8x9KqR");
    h.keys(&[KeyCode::Enter]);
    assert_eq!(
        h.app.state.selected_event().unwrap().request_id,
        "req_2N7s8x9KqR"
    );
    (h, c.t0)
}

/// Press `keys` one by one (`Ctrl-U`, `Tab`, `Enter`, `Esc` or a character),
/// settling after each; returns how many were pressed.
fn press(h: &mut Headless, keys: &[&str]) -> usize {
    for k in keys {
        let (code, mods) = match *k {
            "Ctrl-U" => (KeyCode::Char('u'), KeyModifiers::CONTROL),
            "Tab" => (KeyCode::Tab, KeyModifiers::NONE),
            "Enter" => (KeyCode::Enter, KeyModifiers::NONE),
            "Esc" => (KeyCode::Esc, KeyModifiers::NONE),
            c => (KeyCode::Char(c.chars().next().unwrap()), KeyModifiers::NONE),
        };
        h.app.input(&Input::Key(KeyEvent::new(code, mods)));
        h.settle();
    }
    keys.len()
}

fn assert_on_screen(h: &mut Headless, wants: &[&str]) {
    let screen = h.screen();
    for want in wants {
        assert!(screen.contains(want), "{want:?} not on screen:\n{screen}");
    }
}

#[test]
fn just_this_customer_or_everyone_in_one_key() {
    let (mut h, _) = at_the_event();
    let keys = press(&mut h, &["i"]);
    assert!(keys <= 10);
    assert_eq!(h.app.state.page, Some(Page::Incident));
    assert_on_screen(
        &mut h,
        &[
            "only this client",
            "partner_fitlink",
            "rate_limited",
            "42min-api",
        ],
    );
    let screen = h.screen();
    assert!(
        !screen.contains("\nacme "),
        "acme was not rate-limited:\n{screen}"
    );
}

#[test]
fn what_is_failing_most_since_yesterday_and_where_in_ten_keys() {
    let (mut h, _) = at_the_event();
    let keys = press(
        &mut h,
        &[
            "/", "Ctrl-U", "s", "i", "Tab", "1", "d", "Enter", "Tab", "i",
        ],
    );
    assert!(keys <= 10, "{keys} keys");
    assert_eq!(h.app.state.applied, "since:1d");
    assert_eq!(h.app.state.view, View::Groups);
    let top = &h.app.state.groups.list.items[0];
    assert_eq!(
        (top.key.as_str(), top.count),
        ("upstream_timeout", 8),
        "not the old outage"
    );
    assert_on_screen(
        &mut h,
        &[
            "3 clients",
            "upstream_timeout",
            "member-api",
            "POST /v2/sessions/{id}/bookings",
        ],
    );
}

#[test]
fn when_did_the_5xx_spike_start_and_on_which_endpoint_in_ten_keys() {
    let (mut h, t0) = at_the_event();
    let keys = press(
        &mut h,
        &[
            "/", "Ctrl-U", "s", "i", "Tab", "1", "d", "Enter", "Tab", "i",
        ],
    );
    assert!(keys <= 10, "{keys} keys");
    let onset = (t0 + Duration::minutes(14)).format("%H:%M").to_string();
    let verdict = format!("since {onset} on POST /v2/sessions/{{id}}/bookings");
    assert_on_screen(&mut h, &[&verdict, "504"]);
}

#[test]
fn t_shows_the_clients_timeline_and_enter_opens_a_request() {
    let (mut h, _) = at_the_event();
    press(&mut h, &["T"]);
    assert_on_screen(
        &mut h,
        &[
            "client partner_fitlink",
            "req_pf0",
            "req_pf3",
            "req_504_2",
            "⚑",
        ],
    );
    let screen = h.screen();
    let marked = screen
        .lines()
        .find(|l| l.contains("▸●"))
        .unwrap_or_default();
    assert!(marked.contains("req_2N7s8x9KqR"), "{screen}");
    assert!(!screen.contains("req_acme0"), "only this client's requests");
    press(&mut h, &["j", "Enter"]);
    let s = &h.app.state;
    assert_eq!(s.applied, "request_id:\"req_pf2\"");
    assert_eq!(
        (
            s.page.clone(),
            s.selected_event().unwrap().request_id.as_str()
        ),
        (Some(Page::Event), "req_pf2")
    );
    press(&mut h, &["Esc", "Esc"]);
    assert_eq!(h.app.state.applied, "req_2N7s8x9KqR", "Esc comes back");
}

#[test]
fn a_shows_the_lines_around_the_first_504_app_lines_included() {
    let (mut h, _) = at_the_event();
    press(&mut h, &["/", "Ctrl-U"]);
    h.type_text("req_504_0");
    press(&mut h, &["Enter", "a"]);
    assert_on_screen(&mut h, &["pool 48/48 busy", "req_504_1", "req_504_3"]);
    let screen = h.screen();
    assert!(
        !screen.contains("req_ok2"),
        "11:00 is more than 2 min before 14:00"
    );
    let marked = screen
        .lines()
        .find(|l| l.contains("▸●"))
        .unwrap_or_default();
    assert!(marked.contains("req_504_0"), "{screen}");
    assert!(
        !screen.contains("req_2N7s8x9KqR"),
        "another service, no shared trace"
    );
    // A pivot from the page narrows by the marked line's values.
    press(&mut h, &["=", "r"]);
    assert_eq!(
        h.app.state.applied,
        "req_504_0 AND route:\"/v2/sessions/{id}/bookings\""
    );
}

/// `i` on a request that logs no client: the impact page does not say
/// "only this client"; it says no client is logged, and where they hit.
#[test]
fn impact_of_an_event_without_a_client_never_says_only_this_client() {
    use super::headless_tests::line;
    let lines = [
        line(
            "10:00:00.000",
            "req_N1",
            504,
            Some("upstream_timeout"),
            None,
        ),
        line(
            "10:00:30.000",
            "req_N2",
            504,
            Some("upstream_timeout"),
            None,
        ),
        line(
            "10:01:00.000",
            "req_N3",
            504,
            Some("upstream_timeout"),
            None,
        ),
    ];
    let mut h = Headless::with(&(lines.join("\n") + "\n"), 80, 24);
    press(&mut h, &["i"]);
    assert_eq!(h.app.state.page, Some(Page::Incident));
    let screen = h.screen();
    assert!(!screen.contains("only this client"), "{screen}");
    assert!(
        screen.contains("no client is logged"),
        "the verdict says so:\n{screen}"
    );
}

/// `a` on one line of a request that logged two (its 504, then its app
/// line 5 s later) shows what `find req_R --context 2m` prints
/// (tests/incident.rs): from 2 min before the first line to 2 min after
/// the last, both edges included — not a window around the selected line
/// alone, which lost the line 2 min 3 s after the 504.
#[test]
fn a_shows_the_same_lines_as_find_context_both_edges_included() {
    use super::incident::Answer;
    let rows = [
        ("09:57:59.999", "req_early_out", "svc", false),
        ("09:58:00.000", "req_early_in", "svc", true),
        ("10:00:00.000", "req_R", "svc", true),
        ("10:00:05.000", "req_R", "svc", true),
        ("10:00:10.000", "req_other_service", "elsewhere", false),
        ("10:02:00.000", "req_late_in", "svc", true),
        ("10:02:03.000", "req_after_app_line", "svc", true),
        ("10:02:05.000", "req_last_in", "svc", true),
        ("10:02:05.001", "req_last_out", "svc", false),
    ];
    let text: String = rows
        .iter()
        .map(|(time, rid, service, _)| {
            let ts = format!("2026-05-14T{time}Z");
            let v = match (*rid, *time) {
                ("req_R", "10:00:05.000") => serde_json::json!({"timestamp": ts,
                    "service": service, "request_id": rid, "message": "pool 48/48 busy"}),
                _ => serde_json::json!({"timestamp": ts, "service": service, "method": "GET",
                    "path": "/v1/things", "status": if *rid == "req_R" { 504 } else { 200 },
                    "request_id": rid}),
            };
            v.to_string() + "\n"
        })
        .collect();
    let mut h = Headless::with(&text, 120, 40);
    press(&mut h, &["/"]);
    h.type_text("req_R");
    press(&mut h, &["Enter"]);
    for _ in 0..2 {
        if h.app.state.selected_event().unwrap().status == Some(504) {
            break;
        }
        press(&mut h, &["j"]);
    }
    assert_eq!(h.app.state.selected_event().unwrap().status, Some(504));
    press(&mut h, &["a"]);
    let page = h.app.state.incident.as_ref().expect("the around page");
    let Some(Answer::Around(lines)) = &page.answer else {
        panic!("no answer: {:?}", page.answer);
    };
    let seen: Vec<(String, bool)> = lines
        .iter()
        .map(|l| {
            let ts = l.event.ts.format("%H:%M:%S%.3f");
            (format!("{ts} {}", l.event.request_id), l.marker)
        })
        .collect();
    let want: Vec<(String, bool)> = rows
        .iter()
        .filter(|r| r.3)
        .map(|(t, rid, _, _)| (format!("{t} {rid}"), *rid == "req_R"))
        .collect();
    assert_eq!(seen, want);
}
