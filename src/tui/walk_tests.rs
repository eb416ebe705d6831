//! Issue 12, item 2, over a real index and the real worker: the Chains view
//! sorted worst first (findings, then failed before recovered, then
//! newest), `s` re-orders it, and the chain page walked attempt by attempt
//! to its final 201 — snapshots at 80×24.

use crossterm::event::KeyCode;

use super::headless_tests::Headless;
use super::state::{ChainOrder, Page, View};

/// One request of `client` in chain `key`.
fn attempt(t: &str, rid: &str, status: u16, code: &str, key: &str, client: &str) -> String {
    let mut v = serde_json::json!({
        "timestamp": format!("2026-05-14T{t}Z"), "service": "42min-api", "method": "POST",
        "path": "/v1/bookings", "status": status, "latency_ms": 40, "request_id": rid,
        "idempotency_key": key, "client_id": client,
    });
    if status >= 400 {
        v["response"] = serde_json::json!({"error": {"code": code, "message": code}});
    }
    v.to_string()
}

/// Four chains whose index order (flagged, then newest) differs from
/// worst first.
pub(super) fn chains_corpus() -> String {
    let lines = [
        // worse: 4 × 400 in a tight even rhythm, then 201 — the most findings.
        attempt(
            "09:00:00.000",
            "req_W1",
            400,
            "invalid_slot",
            "idem-worse",
            "acme",
        ),
        attempt(
            "09:00:01.000",
            "req_W2",
            400,
            "invalid_slot",
            "idem-worse",
            "acme",
        ),
        attempt(
            "09:00:02.000",
            "req_W3",
            400,
            "invalid_slot",
            "idem-worse",
            "acme",
        ),
        attempt(
            "09:00:03.000",
            "req_W4",
            400,
            "invalid_slot",
            "idem-worse",
            "acme",
        ),
        attempt("09:00:04.000", "req_W5", 201, "", "idem-worse", "acme"),
        // failed: two 503s well apart, no finding.
        attempt(
            "09:10:00.000",
            "req_F1",
            503,
            "upstream_unavailable",
            "idem-fail",
            "globex",
        ),
        attempt(
            "09:10:20.000",
            "req_F2",
            503,
            "upstream_unavailable",
            "idem-fail",
            "globex",
        ),
        // bad: 409 retried once — one finding, failed, and the newest flagged.
        attempt(
            "09:20:00.000",
            "req_B1",
            409,
            "slot_unavailable",
            "idem-bad",
            "initech",
        ),
        attempt(
            "09:20:05.000",
            "req_B2",
            409,
            "slot_unavailable",
            "idem-bad",
            "initech",
        ),
        // recovered: 503 then 201, the newest chain, no finding.
        attempt(
            "09:30:00.000",
            "req_R1",
            503,
            "upstream_unavailable",
            "idem-rec",
            "umbrella",
        ),
        attempt("09:30:10.000", "req_R2", 201, "", "idem-rec", "umbrella"),
    ];
    lines.join("\n") + "\n"
}

/// The screen with the test's temporary directory written as `TMP`.
fn masked(screen: &str) -> String {
    let tmp = regex::Regex::new(r"/tmp/\.tmp[A-Za-z0-9]+").unwrap();
    tmp.replace_all(screen, "TMP").into_owned()
}

fn keys_of(h: &Headless) -> Vec<String> {
    let list = &h.app.state.chains.list.items;
    list.iter().map(|c| c.idempotency_key.clone()).collect()
}

#[test]
fn the_chains_view_is_sorted_worst_first_and_s_reorders_it() {
    let mut h = Headless::with(&chains_corpus(), 80, 24);
    h.keys(&[KeyCode::BackTab]);
    assert_eq!(h.app.state.view, View::Chains);
    let findings: Vec<usize> = h
        .app
        .state
        .chains
        .list
        .items
        .iter()
        .map(|c| c.flags.len())
        .collect();
    assert!(findings[0] > findings[1] && findings[1] > 0, "{findings:?}");
    assert_eq!(
        keys_of(&h),
        ["idem-worse", "idem-bad", "idem-fail", "idem-rec"]
    );
    let screen = h.screen();
    for col in [
        "client",
        "service",
        "first attempt",
        "outcome",
        "acme",
        "05-14 09:00:00",
    ] {
        assert!(screen.contains(col), "{col} missing:\n{screen}");
    }
    insta::assert_snapshot!("chains_worst_first_80x24", masked(&screen));
    h.keys(&[KeyCode::Char('s')]);
    assert_eq!(h.app.state.chain_order, ChainOrder::Newest);
    assert_eq!(
        keys_of(&h),
        ["idem-rec", "idem-bad", "idem-fail", "idem-worse"]
    );
    assert_eq!(
        h.app
            .state
            .chains
            .list
            .selected_item()
            .unwrap()
            .idempotency_key,
        "idem-worse",
        "the selected chain stays selected"
    );
}

#[test]
fn the_chain_page_walks_to_its_201_and_opens_it() {
    let mut h = Headless::with(&chains_corpus(), 80, 24);
    h.keys(&[KeyCode::BackTab]);
    h.keys(&[KeyCode::Enter]);
    assert!(matches!(h.app.state.page, Some(Page::Chain(_))));
    h.keys(&[KeyCode::Char('j'); 6]);
    assert_eq!(
        h.app.state.chain_cursor, 4,
        "the marker stops at the last attempt"
    );
    h.keys(&[KeyCode::Char('k'), KeyCode::Char('j')]);
    let screen = h.screen();
    let marked = screen.lines().find(|l| l.contains('▸')).unwrap_or_default();
    assert!(
        marked.contains("201") && marked.contains("req_W5"),
        "{screen}"
    );
    insta::assert_snapshot!("chain_walked_80x24", masked(&screen));
    h.keys(&[KeyCode::Enter]);
    let Some(Page::Attempt(e)) = &h.app.state.page else {
        panic!("Enter opens the attempt: {:?}", h.app.state.page);
    };
    assert_eq!((e.request_id.as_str(), e.status), ("req_W5", Some(201)));
    let screen = h.screen();
    assert!(
        screen.contains("req_W5") && screen.contains("201"),
        "{screen}"
    );
    h.keys(&[KeyCode::Esc]);
    assert!(matches!(h.app.state.page, Some(Page::Chain(_))));
    assert_eq!(
        h.app.state.chain_cursor, 4,
        "back on the chain, marker kept"
    );
    h.keys(&[KeyCode::Char('c')]);
    assert_eq!(h.app.state.page, None, "c goes back too");
}

#[test]
fn c_on_an_event_opens_its_chain_with_the_marker_on_it() {
    let mut h = Headless::with(&chains_corpus(), 80, 24);
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("req_W3");
    h.keys(&[KeyCode::Enter]);
    h.keys(&[KeyCode::Char('c')]);
    assert_eq!(super::update::chain_cursor(&h.app.state), 2);
    h.keys(&[KeyCode::Char('j')]);
    h.keys(&[KeyCode::Enter]);
    let Some(Page::Attempt(e)) = &h.app.state.page else {
        panic!("{:?}", h.app.state.page);
    };
    assert_eq!(e.request_id, "req_W4");
    h.keys(&[KeyCode::Esc, KeyCode::Esc]);
    assert_eq!(h.app.state.page, None);
}

/// Press one key with modifiers, then let the worker answer.
pub(super) fn press_effect(h: &mut Headless, code: KeyCode, mods: crossterm::event::KeyModifiers) {
    h.app
        .input(&super::event::Input::Key(crossterm::event::KeyEvent::new(
            code, mods,
        )));
    h.settle();
}

#[test]
fn shift_y_copies_the_case_card_find_prints_and_shift_k_the_key() {
    use crossterm::event::KeyModifiers;
    let mut h = Headless::with(&chains_corpus(), 80, 24);
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("req_B2");
    h.keys(&[KeyCode::Enter]);
    press_effect(&mut h, KeyCode::Char('Y'), KeyModifiers::SHIFT);
    let card = h.app.clipboard.pop().expect("a card was copied");
    assert!(card.starts_with("## errtriage case: `req_B2`"), "{card}");
    assert!(card.contains("- **Client:** initech"), "{card}");
    assert!(card.contains("- **Route:** /v1/bookings"), "{card}");
    assert!(card.contains("Retry chain `idem-bad`"), "{card}");
    let flash = h.app.state.flash.clone().unwrap();
    let n = super::view::text::thousands(card.chars().count() as u64);
    assert!(
        flash.contains("case card of req_B2") && flash.contains(&n),
        "{flash}"
    );
    press_effect(&mut h, KeyCode::Char('K'), KeyModifiers::SHIFT);
    assert_eq!(h.app.clipboard.pop().as_deref(), Some("idem-bad"));
    // The Groups view copies its table.
    h.keys(&[KeyCode::Tab]);
    press_effect(&mut h, KeyCode::Char('Y'), KeyModifiers::SHIFT);
    let table = h.app.clipboard.pop().expect("the table");
    assert!(
        table.starts_with("| code | count |") && table.contains("| slot_unavailable | 1 | 409×1 |"),
        "{table}"
    );
}

/// Ingest `text` as `log` the way `tui PATH…` does, returning its problems.
pub(super) fn problems_of(dir: &std::path::Path, text: &str) -> super::problems::Problems {
    use errtriage::catalog::Catalogs;
    use errtriage::index::{Writer, WriterOptions};
    use errtriage::ingest::{IngestOptions, Ingestor, NoProgress};
    let log = dir.join("bad.log");
    std::fs::write(&log, text).unwrap();
    let catalogs = Catalogs::builtin();
    let mut writer = Writer::open(&dir.join("index"), &WriterOptions::default(), || {}).unwrap();
    let mut ingestor = Ingestor::new(
        &mut writer,
        &catalogs,
        IngestOptions::default(),
        &NoProgress,
    );
    ingestor
        .ingest_paths(&[log, dir.join("missing.log")])
        .unwrap();
    let summary = ingestor.finish().unwrap();
    writer.finish().unwrap();
    super::problems::Problems::from_summary(&summary)
}

#[test]
fn the_ingests_problems_show_as_a_count_and_a_list_on_bang() {
    let dir = tempfile::tempdir().unwrap();
    let text = chains_corpus()
        + "2026/05/14 09:00:02 [error] upstream timed out (110: Connection timed out)\n"
        + "{\"status\": 500, \"msg\": \"cut\n";
    let problems = problems_of(dir.path(), &text);
    assert_eq!(problems.count, 3, "{problems:?}");
    let mut h = Headless::with(&chains_corpus(), 80, 24);
    h.app.state.problems = problems;
    let screen = h.screen();
    let status = screen.lines().last().unwrap();
    assert!(status.contains("⚠ 3 problems (!)"), "{status}");
    h.keys(&[KeyCode::Char('!')]);
    assert_eq!(h.app.state.page, Some(Page::Problems));
    let screen = h.screen();
    assert!(
        screen.contains("[error] upstream") && screen.contains("missing.log"),
        "{screen}"
    );
    insta::assert_snapshot!(
        "problems_80x24",
        screen.replace(&dir.path().display().to_string(), "TMP")
    );
    h.keys(&[KeyCode::Char('q')]);
    assert_eq!(h.app.state.page, None, "q closes the list");
}

#[test]
fn the_histogram_has_a_time_axis_and_zooms_to_a_marked_span() {
    let mut h = Headless::with(&chains_corpus(), 80, 24);
    let screen = h.screen();
    assert!(
        screen.contains("╵09:05") && screen.contains("╵09:25"),
        "{screen}"
    );
    insta::assert_snapshot!("histogram_axis_80x24", masked(&screen));
    h.keys(&[KeyCode::Char('['); 80]);
    assert_eq!(h.app.state.hist_cursor, Some(0));
    h.keys(&[KeyCode::Char('v')]);
    h.keys(&[KeyCode::Char(']'); 3]);
    h.keys(&[KeyCode::Enter]);
    let s = &h.app.state;
    assert_eq!(
        s.applied, "since:2026-05-14T09:00:00Z until:2026-05-14T09:01:31Z",
        "the span is written into the query"
    );
    assert_eq!(s.events.total, 5, "the five attempts of idem-worse");
    assert_eq!(s.page, None, "Enter zoomed instead of opening the event");
    let screen = h.screen();
    assert!(
        screen.contains("/ since:2026-05-14T09:00:00Z until:2026-05-14T09:01:31Z"),
        "{screen}"
    );
    assert!(
        screen.contains("╵09:00:30") && screen.contains("╵09:01:00"),
        "{screen}"
    );
    insta::assert_snapshot!("histogram_zoomed_80x24", masked(&screen));
    h.keys(&[KeyCode::Backspace]);
    assert_eq!(
        (h.app.state.applied.as_str(), h.app.state.events.total),
        ("", 11)
    );
}
