//! Pivots and completion headless over a real index (real ingest, store and
//! worker threads): the query a pivot writes finds exactly the values it
//! came from — colons, slashes, spaces and quotes included — and `Tab`
//! completes from the index's own terms.

use crossterm::event::KeyCode;

use super::headless_tests::Headless;

/// A request of `client` at 10:00:`sec`.
fn line(sec: u32, rid: &str, client: &str, status: u16) -> String {
    serde_json::json!({
        "timestamp": format!("2026-05-14T10:00:{sec:02}Z"), "service": "42min-api",
        "method": "POST", "path": "/v1/bookings", "status": status,
        "client_id": client, "request_id": rid,
    })
    .to_string()
}

const HOSTILE: &str = r#"urn:acme "eu"/1 a"#;

fn corpus() -> String {
    let lines = [
        line(1, "req_1", "partner_fitbit", 201),
        line(2, "req_2", "partner_fitlink", 429),
        line(3, "req_3", "partner_fitlink", 429),
        line(4, "req_4", HOSTILE, 409),
        line(5, "req_5", HOSTILE, 409),
    ];
    lines.join("\n") + "\n"
}

fn ids(h: &Headless) -> Vec<String> {
    let items = &h.app.state.events.list.items;
    items.iter().map(|e| e.request_id.clone()).collect()
}

#[test]
fn a_pivot_on_a_hostile_value_finds_exactly_its_events() {
    let mut h = Headless::with(&corpus(), 120, 40);
    assert_eq!(
        h.app.state.selected_event().unwrap().client.as_deref(),
        Some(HOSTILE)
    );
    h.keys(&[KeyCode::Char('='), KeyCode::Char('c')]);
    assert_eq!(h.app.state.applied, r#"client:"urn:acme \"eu\"/1 a""#);
    assert_eq!(ids(&h), ["req_5", "req_4"]);
    assert!(h.screen().contains(r#"/ client:"urn:acme \"eu\"/1 a""#));
    // Compose: exclude the status too, then undo one step at a time.
    h.keys(&[KeyCode::Char('u'), KeyCode::Char('-'), KeyCode::Char('c')]);
    assert_eq!(ids(&h), ["req_3", "req_2", "req_1"]);
    h.keys(&[KeyCode::Char('-'), KeyCode::Char('h')]);
    assert_eq!(
        h.app.state.applied,
        r#"NOT client:"urn:acme \"eu\"/1 a" AND NOT status:429"#
    );
    assert_eq!(ids(&h), ["req_1"]);
    h.keys(&[KeyCode::Char('u'), KeyCode::Char('u')]);
    assert_eq!(
        (h.app.state.applied.as_str(), h.app.state.events.total),
        ("", 5)
    );
}

#[test]
fn tab_completes_a_client_from_the_index() {
    let mut h = Headless::with(&corpus(), 120, 40);
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("cli");
    h.keys(&[KeyCode::Tab]);
    assert_eq!(h.app.state.input.value(), "client:");
    h.type_text("partner_fit");
    h.keys(&[KeyCode::Tab]);
    assert!(
        h.screen().contains("Tab ▸ partner_fitbit  partner_fitlink"),
        "{}",
        h.screen()
    );
    h.type_text("l");
    h.keys(&[KeyCode::Tab]);
    h.keys(&[KeyCode::Enter]);
    assert_eq!(h.app.state.applied, "client:partner_fitlink");
    assert_eq!(ids(&h), ["req_3", "req_2"]);
    // A value that needs quotes is written in quoted, and finds its events.
    h.keys(&[KeyCode::Char('/')]);
    h.app.dispatch(super::action::Action::ClearQuery);
    h.type_text("client:urn");
    h.keys(&[KeyCode::Tab]);
    h.keys(&[KeyCode::Enter]);
    assert_eq!(h.app.state.applied, r#"client:"urn:acme \"eu\"/1 a""#);
    assert_eq!(ids(&h), ["req_5", "req_4"]);
}
