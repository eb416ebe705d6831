//! Pivots (`=`, `-`, `u`) and the query bar's `Tab` completion, through the
//! keymap and the pure `update`, with the fake worker answering from the
//! fixture corpus; and what they put on screen (`TestBackend`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use errtriage::model::Event;

use super::action::Effect;
use super::event::Input;
use super::fixtures::{draw, events, screen_text, session, step};
use super::keymap::{self, Mode};
use super::pivot::{PivotField, narrow};
use super::state::{State, View};

/// The fixture corpus with clients: the member-api requests are
/// partner_fitlink's, the rest partner_fitbit's.
fn corpus() -> Vec<Event> {
    let mut corpus = events();
    for e in &mut corpus {
        let client = if e.service.as_deref() == Some("member-api") {
            "partner_fitlink"
        } else {
            "partner_fitbit"
        };
        e.client = Some(client.into());
    }
    corpus
}

fn key(code: KeyCode) -> Input {
    Input::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Press keys (`Enter`, `Esc`, `Tab`, `Backspace`, or one character each).
fn press(s: &mut State, corpus: &[Event], keys: &[&str]) -> Option<Effect> {
    let mut last = None;
    for name in keys {
        let code = match *name {
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Tab" => KeyCode::Tab,
            "Backspace" => KeyCode::Backspace,
            c => KeyCode::Char(c.chars().next().unwrap()),
        };
        let action = keymap::action_for(s.mode(), &key(code))
            .unwrap_or_else(|| panic!("{name} is not bound in {:?}", s.mode()));
        last = step(s, corpus, action);
    }
    last
}

fn ids(s: &State) -> Vec<&str> {
    s.events
        .list
        .items
        .iter()
        .map(|e| e.request_id.as_str())
        .collect()
}

#[test]
fn narrow_composes_with_the_query() {
    use PivotField::*;
    assert_eq!(narrow("", Client, "acme", false), "client:\"acme\"");
    assert_eq!(narrow("  ", Status, "409", true), "NOT status:409");
    assert_eq!(
        narrow("status:5xx", Path, "/v1/a b", false),
        "status:5xx AND path:\"/v1/a b\""
    );
    assert_eq!(
        narrow("code:a OR code:b", Client, "urn:x:\"q\"", true),
        "(code:a OR code:b) AND NOT client:\"urn:x:\\\"q\\\"\""
    );
}

#[test]
fn equals_narrows_to_a_field_of_the_event_and_u_undoes_it() {
    let corpus = corpus();
    let mut s = session(&corpus, 120, 40);
    assert_eq!(s.selected_event().unwrap().request_id, "req_2N7s8x9KqR");
    press(&mut s, &corpus, &["="]);
    assert_eq!(s.mode(), Mode::Pivot);
    let fields: Vec<PivotField> = s
        .pivot
        .as_ref()
        .unwrap()
        .options
        .iter()
        .map(|o| o.0)
        .collect();
    use PivotField::*;
    assert_eq!(
        fields,
        [Client, Service, Route, Code, Status, IdempotencyKey],
        "only fields with a value (no api, no trace)"
    );
    press(&mut s, &corpus, &["s"]);
    assert_eq!(s.mode(), Mode::Normal);
    assert_eq!(s.applied, "service:\"42min-api\"");
    assert_eq!(s.input.value(), s.applied, "the query bar shows the query");
    assert_eq!(
        ids(&s),
        ["req_2N7s8x9KqR", "req_d1", "req_a3", "req_a2", "req_a1"]
    );
    // A second pivot composes with the first: j j j Enter picks the code.
    press(&mut s, &corpus, &["=", "j", "j", "j", "Enter"]);
    assert_eq!(s.applied, "service:\"42min-api\" AND code:\"SESSION_FULL\"");
    assert_eq!(ids(&s), ["req_2N7s8x9KqR"]);
    press(&mut s, &corpus, &["u"]);
    assert_eq!(s.applied, "service:\"42min-api\"");
    assert_eq!(ids(&s).len(), 5);
    press(&mut s, &corpus, &["u"]);
    assert_eq!((s.applied.as_str(), s.events.total), ("", 10));
    press(&mut s, &corpus, &["u"]);
    assert!(s.flash.as_deref().unwrap().contains("no pivot to undo"));
}

#[test]
fn minus_excludes_and_backspace_on_an_empty_bar_undoes() {
    let corpus = corpus();
    let mut s = session(&corpus, 120, 40);
    press(&mut s, &corpus, &["-", "c"]);
    assert_eq!(s.applied, "NOT client:\"partner_fitbit\"");
    assert_eq!(ids(&s), ["req_c2", "req_c1"]);
    press(&mut s, &corpus, &["/"]);
    assert_eq!(s.input.value(), s.applied);
    // Clear the bar, then Backspace on it empty: the pivot is undone.
    step(&mut s, &corpus, super::action::Action::ClearQuery);
    assert_eq!(s.input.value(), "");
    press(&mut s, &corpus, &["Backspace"]);
    assert_eq!((s.applied.as_str(), s.input.value()), ("", ""));
    assert_eq!(s.events.total, 10);
    assert!(s.pivots.is_empty());
}

#[test]
fn the_menu_closes_on_esc_and_says_when_a_field_is_missing() {
    let corpus = corpus();
    let mut s = session(&corpus, 120, 40);
    press(&mut s, &corpus, &["=", "t"]);
    assert_eq!(s.mode(), Mode::Pivot, "a missing field keeps the menu open");
    assert!(s.flash.as_deref().unwrap().contains("no trace"));
    press(&mut s, &corpus, &["Esc"]);
    assert_eq!((s.mode(), s.applied.as_str()), (Mode::Normal, ""));
    assert!(s.pivots.is_empty());
}

#[test]
fn groups_and_chains_pivot_on_their_own_values() {
    let corpus = corpus();
    let mut s = session(&corpus, 120, 40);
    press(&mut s, &corpus, &["Tab"]);
    assert_eq!(s.view, View::Groups);
    let top = s.groups.list.items[0].key.clone();
    press(&mut s, &corpus, &["-"]);
    let menu = s.pivot.clone().unwrap();
    assert_eq!(menu.options, [(PivotField::Code, top.clone())]);
    press(&mut s, &corpus, &["o"]);
    assert_eq!(s.view, View::Groups, "a pivot stays in its view");
    assert_eq!(s.applied, format!("NOT code:\"{top}\""));
    assert!(s.groups.list.items.iter().all(|g| g.key != top));
    press(&mut s, &corpus, &["u", "Tab"]);
    assert_eq!(s.view, View::Chains);
    let chain = s.chains.list.selected_item().unwrap().clone();
    press(&mut s, &corpus, &["=", "i"]);
    assert_eq!(
        s.applied,
        format!("idempotency_key:\"{}\"", chain.idempotency_key)
    );
    assert_eq!(s.chains.list.items.len(), 1);
}

#[test]
fn the_menu_is_drawn_with_keys_values_and_the_resulting_query() {
    let corpus = corpus();
    let mut s = session(&corpus, 120, 40);
    press(&mut s, &corpus, &["=", "j"]);
    let screen = screen_text(&draw(&mut s));
    for want in [
        " = narrow the query to: ",
        " c client          partner_fitbit",
        " s service         42min-api",
        " r route           /v1/bookings",
        " o code            SESSION_FULL",
        " h http status     409",
        " i idempotency key idem_3",
        " → service:\"42min-api\"",
    ] {
        assert!(screen.contains(want), "{want:?} not on screen:\n{screen}");
    }
    assert!(!screen.contains(" t trace"), "no trace: not offered");
}

#[test]
fn tab_completes_field_names_then_values_from_the_index() {
    let corpus = corpus();
    let mut s = session(&corpus, 120, 40);
    press(&mut s, &corpus, &["/", "c", "l", "i", "Tab"]);
    assert_eq!(s.input.value(), "client:");
    press(&mut s, &corpus, &["p", "a", "r", "Tab"]);
    assert_eq!(
        s.input.value(),
        "client:partner_fit",
        "two values: extended to what they share"
    );
    let c = s.completion.clone().expect("candidates listed");
    assert_eq!(c.candidates, ["partner_fitbit", "partner_fitlink"]);
    let screen = screen_text(&draw(&mut s));
    assert!(
        screen.contains("Tab ▸ partner_fitbit  partner_fitlink"),
        "{screen}"
    );
    press(&mut s, &corpus, &["Tab"]);
    assert_eq!(s.input.value(), "client:partner_fitbit");
    press(&mut s, &corpus, &["Tab"]);
    assert_eq!(s.input.value(), "client:partner_fitlink");
    step(&mut s, &corpus, super::action::Action::RunPreview);
    assert_eq!(ids(&s), ["req_c2", "req_c1"], "results follow the bar");
    press(&mut s, &corpus, &["Backspace", "Backspace", "Tab"]);
    assert_eq!(
        s.input.value(),
        "client:partner_fitlink",
        "one value: written in"
    );
    assert!(s.completion.is_none());
    press(
        &mut s,
        &corpus,
        &[" ", "c", "o", "d", "e", ":", "x", "y", "z", "Tab"],
    );
    assert!(s.flash.as_deref().unwrap().contains("no code value"));
    press(&mut s, &corpus, &["Enter"]);
    assert_eq!(s.applied, "client:partner_fitlink code:xyz");
}
