//! Issue 11, item 6, in the TUI over a real index: groups that say
//! "where" (service, route, client) show requests, errors and the error
//! rate beside the count when the query does not restrict the status —
//! the numbers `errtriage groups --by service` prints — and the Markdown
//! table `Y` copies carries them too.

use crossterm::event::{KeyCode, KeyModifiers};

use super::headless_tests::{Headless, line};
use super::walk_tests::press_effect;
use errtriage::query::GroupBy;

fn corpus() -> String {
    let lines = [
        line(
            "10:00:00.000",
            "req_G1",
            409,
            Some("slot_unavailable"),
            None,
        ),
        line(
            "10:00:01.000",
            "req_G2",
            409,
            Some("slot_unavailable"),
            None,
        ),
        line(
            "10:00:02.000",
            "req_G3",
            503,
            Some("upstream_unavailable"),
            None,
        ),
        line("10:00:03.000", "req_G4", 201, None, None),
        line("10:00:04.000", "req_G5", 200, None, None),
    ];
    lines.join("\n") + "\n"
}

#[test]
fn groups_by_service_show_requests_errors_and_the_error_rate() {
    let mut h = Headless::with(&corpus(), 80, 24);
    h.keys(&[KeyCode::Tab]);
    while h.app.state.groups.by != GroupBy::Service {
        h.keys(&[KeyCode::Char('b')]);
    }
    let g = h.app.state.groups.list.items[0].clone();
    assert_eq!(
        (g.key.as_str(), g.requests, g.errors),
        ("42min-api", Some(5), Some(3))
    );
    let screen = h.screen();
    let header = screen
        .lines()
        .find(|l| l.contains("service") && l.contains("count"))
        .unwrap_or_else(|| panic!("no header:\n{screen}"));
    for col in ["requests", "errors", "rate"] {
        assert!(header.contains(col), "{col} missing: {header}");
    }
    let row = screen
        .lines()
        .find(|l| l.contains("▸ 42min-api"))
        .unwrap_or_else(|| panic!("no row:\n{screen}"));
    assert!(row.contains("60.0%"), "3 of 5 failed: {row}");
    insta::assert_snapshot!("groups_by_service_rates_80x24", screen);

    press_effect(&mut h, KeyCode::Char('Y'), KeyModifiers::SHIFT);
    let table = h.app.clipboard.pop().expect("the table");
    assert!(
        table.starts_with("| service | count | requests | errors | rate |")
            && table.contains("| 42min-api | 5 | 5 | 3 | 60.0% |"),
        "{table}"
    );
}

#[test]
fn groups_by_code_or_under_a_status_query_have_no_rate_columns() {
    let mut h = Headless::with(&corpus(), 80, 24);
    h.keys(&[KeyCode::Tab]);
    let screen = h.screen();
    assert!(!screen.contains("requests"), "by code: no rates\n{screen}");
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("status:5xx");
    h.keys(&[KeyCode::Enter]);
    while h.app.state.groups.by != GroupBy::Service {
        h.keys(&[KeyCode::Char('b')]);
    }
    assert_eq!(h.app.state.groups.list.items[0].requests, None);
    let screen = h.screen();
    assert!(!screen.contains("requests"), "status restricted:\n{screen}");
}

#[test]
fn d_adds_a_second_dimension_and_enter_drills_into_the_pair() {
    let mut h = Headless::with(&corpus(), 80, 24);
    h.keys(&[KeyCode::Tab, KeyCode::Char('d')]);
    assert_eq!(h.app.state.groups.then, Some(GroupBy::Service));
    let top = h.app.state.groups.list.items[0].clone();
    assert_eq!(top.key, "slot_unavailable · 42min-api");
    assert_eq!(top.count, 2);
    let screen = h.screen();
    assert!(
        screen.contains("by code · service (b, d)")
            && screen.contains("slot_unavailable · 42min-api"),
        "{screen}"
    );
    h.keys(&[KeyCode::Enter]);
    let s = &h.app.state;
    assert_eq!(
        s.applied,
        "code:\"slot_unavailable\" AND service:\"42min-api\""
    );
    assert_eq!(s.events.total, 2);
    // Esc back, then `d` through every other field returns to one dimension.
    h.keys(&[KeyCode::Esc]);
    for _ in 0..6 {
        h.keys(&[KeyCode::Char('d')]);
    }
    assert_eq!(h.app.state.groups.then, None);
    assert_eq!(h.app.state.groups.list.items[0].key, "slot_unavailable");
}

/// More distinct paths than a segment keeps groups for: the answer is
/// approximate, and the Groups view says so in its title, as the CLI's
/// `approximate:` line does.
#[test]
fn approximate_groups_say_so_in_the_title() {
    let lines: Vec<String> = (0..6_000)
        .map(|i| {
            let t = format!("10:{:02}:{:02}.{:03}", i / 600 % 60, i / 10 % 60, i % 1000);
            let mut v: serde_json::Value =
                serde_json::from_str(&line(&t, &format!("req_P{i}"), 404, None, None)).unwrap();
            v["path"] = format!("/v1/things/x{i}/y").into();
            v.to_string()
        })
        .collect();
    let mut h = Headless::with(&(lines.join("\n") + "\n"), 120, 24);
    h.keys(&[KeyCode::Tab]);
    while h.app.state.groups.by != GroupBy::Path {
        h.keys(&[KeyCode::Char('b')]);
    }
    assert!(
        h.app.state.groups.low_by.is_some(),
        "6,000 paths: approximate"
    );
    let screen = h.screen();
    assert!(
        screen.contains("approximate, counts up to"),
        "no approximate mark:\n{screen}"
    );
    // Grouped by a field with few values, the answer is exact again.
    while h.app.state.groups.by != GroupBy::Service {
        h.keys(&[KeyCode::Char('b')]);
    }
    assert_eq!(h.app.state.groups.low_by, None);
    assert!(!h.screen().contains("approximate"));
}
