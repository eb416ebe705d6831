//! Every key of issue #4, through the keymap and the pure `update`, with a
//! fake worker answering from the fixture corpus — no terminal, no index.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use errtriage::model::Event;
use errtriage::query::GroupBy;

use super::action::{Action, Effect, JobKind, Loaded, Slot};
use super::event::Input;
use super::fixtures::{answer_job, events, session, step};
use super::keymap::{self, Mode};
use super::state::{ChainTarget, Page, State, View};
use super::update::update;

pub(super) fn input(name: &str) -> Input {
    let none = KeyModifiers::NONE;
    let (code, mods) = match name {
        "Down" => (KeyCode::Down, none),
        "Up" => (KeyCode::Up, none),
        "PgDn" => (KeyCode::PageDown, none),
        "PgUp" => (KeyCode::PageUp, none),
        "Home" => (KeyCode::Home, none),
        "End" => (KeyCode::End, none),
        "Tab" => (KeyCode::Tab, none),
        "Shift-Tab" => (KeyCode::BackTab, KeyModifiers::SHIFT),
        "Enter" => (KeyCode::Enter, none),
        "Esc" => (KeyCode::Esc, none),
        "Backspace" => (KeyCode::Backspace, none),
        "WheelDown" | "WheelUp" => {
            let kind = if name == "WheelDown" {
                MouseEventKind::ScrollDown
            } else {
                MouseEventKind::ScrollUp
            };
            return Input::Mouse(MouseEvent {
                kind,
                column: 0,
                row: 0,
                modifiers: none,
            });
        }
        ctrl if ctrl.starts_with("Ctrl-") => (
            KeyCode::Char(ctrl[5..].chars().next().unwrap()),
            KeyModifiers::CONTROL,
        ),
        c => {
            let c = c.chars().next().unwrap();
            // Terminals report shifted characters with SHIFT set.
            (
                KeyCode::Char(c),
                if c.is_ascii_uppercase() || c == '?' {
                    KeyModifiers::SHIFT
                } else {
                    none
                },
            )
        }
    };
    Input::Key(KeyEvent::new(code, mods))
}

/// Press a key as the terminal would send it; the fake worker answers.
pub(super) fn press(s: &mut State, corpus: &[Event], name: &str) -> Option<Effect> {
    let action =
        keymap::action_for(s.mode(), &input(name)).unwrap_or_else(|| panic!("{name} is not bound"));
    step(s, corpus, action)
}

pub(super) fn type_text(s: &mut State, corpus: &[Event], text: &str) {
    for c in text.chars() {
        assert_eq!(
            press(s, corpus, &c.to_string()),
            Some(Effect::Debounce(Action::RunPreview)),
            "typing {c}"
        );
    }
}

fn selected_id(s: &State) -> &str {
    &s.selected_event().expect("an event is selected").request_id
}

pub(super) fn fresh() -> (State, Vec<Event>) {
    let corpus = events();
    (session(&corpus, 80, 24), corpus)
}

#[test]
fn start_loads_events_newest_first_with_detail() {
    let (s, _) = fresh();
    assert_eq!(s.events.total, 10);
    assert_eq!(selected_id(&s), "req_2N7s8x9KqR");
    assert!(
        s.selected_detail().is_some(),
        "the selected event's reading and chain are asked for"
    );
    assert!(s.histogram.is_some() && s.stats.is_some());
    assert!(Slot::ALL.iter().all(|slot| !s.is_pending(*slot)));
}

#[test]
fn j_k_and_arrows_move_the_selection() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "j");
    assert_eq!(selected_id(&s), "req_e1");
    press(&mut s, &c, "Down");
    assert_eq!(selected_id(&s), "req_d1");
    press(&mut s, &c, "k");
    assert_eq!(selected_id(&s), "req_e1");
    press(&mut s, &c, "Up");
    press(&mut s, &c, "Up");
    assert_eq!(s.events.list.selected, 0, "stops at the top");
    assert_eq!(
        s.detail.for_event.as_ref(),
        Some(&s.selected_event().unwrap().source)
    );
}

#[test]
fn page_keys_move_by_a_page() {
    let (mut s, c) = fresh();
    s.list_height = 4;
    press(&mut s, &c, "PgDn");
    assert_eq!(s.events.list.selected, 4);
    press(&mut s, &c, "Ctrl-f");
    assert_eq!(s.events.list.selected, 8);
    press(&mut s, &c, "PgUp");
    assert_eq!(s.events.list.selected, 4);
    press(&mut s, &c, "Ctrl-b");
    assert_eq!(s.events.list.selected, 0);
}

#[test]
fn g_and_shift_g_go_to_first_and_last() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "G");
    assert_eq!(selected_id(&s), "req_a1");
    press(&mut s, &c, "g");
    assert_eq!(s.events.list.selected, 0);
    press(&mut s, &c, "End");
    assert_eq!(s.events.list.selected, 9);
    press(&mut s, &c, "Home");
    assert_eq!(s.events.list.selected, 0);
}

#[test]
fn mouse_wheel_scrolls_the_list() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "WheelDown");
    assert_eq!(s.events.list.selected, 3);
    press(&mut s, &c, "WheelUp");
    assert_eq!(s.events.list.selected, 0);
}

#[test]
fn tab_and_shift_tab_cycle_the_views_in_order() {
    let (mut s, c) = fresh();
    let effect = press(&mut s, &c, "Tab");
    assert_eq!(s.view, View::Groups);
    let Some(Effect::Fetch(jobs)) = effect else {
        panic!("groups are fetched on first visit")
    };
    assert!(matches!(
        jobs[0].kind,
        JobKind::Groups {
            by: GroupBy::Code,
            then: None
        }
    ));
    assert_eq!(s.groups.list.items[0].key, "slot_unavailable");
    assert_eq!(s.groups.list.items[0].count, 3);
    press(&mut s, &c, "Tab");
    assert_eq!(s.view, View::Chains);
    assert_eq!(
        s.chains.list.items[0].idempotency_key, "idem_1",
        "flagged first"
    );
    press(&mut s, &c, "Tab");
    assert_eq!(s.view, View::Events);
    press(&mut s, &c, "Shift-Tab");
    assert_eq!(s.view, View::Chains);
    assert_eq!(
        press(&mut s, &c, "Shift-Tab"),
        None,
        "groups are still current: no refetch"
    );
    assert_eq!(s.view, View::Groups);
}

#[test]
fn enter_opens_the_event_and_esc_closes_it() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "Enter");
    assert_eq!(s.page, Some(Page::Event));
    press(&mut s, &c, "j");
    assert_eq!(
        (s.page_scroll, s.events.list.selected),
        (1, 0),
        "j scrolls the open page"
    );
    press(&mut s, &c, "Esc");
    assert_eq!(s.page, None);
}

#[test]
fn enter_on_a_group_drills_into_its_events_and_esc_comes_back() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "Tab");
    press(&mut s, &c, "Enter");
    assert_eq!(s.view, View::Events);
    assert_eq!(s.applied, "code:\"slot_unavailable\"");
    assert_eq!(s.events.total, 3);
    assert_eq!(selected_id(&s), "req_a3");
    press(&mut s, &c, "Esc");
    assert_eq!(
        (s.view, s.applied.as_str(), s.events.total),
        (View::Groups, "", 10)
    );
}

#[test]
fn a_drill_in_keeps_the_query_and_restores_the_selection() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "/");
    type_text(&mut s, &c, "service:42min-api");
    press(&mut s, &c, "Enter");
    press(&mut s, &c, "Tab");
    press(&mut s, &c, "j");
    let key = s.groups.list.selected_item().unwrap().key.clone();
    press(&mut s, &c, "Enter");
    assert_eq!(s.applied, format!("(service:42min-api) AND code:\"{key}\""));
    press(&mut s, &c, "Esc");
    assert_eq!(s.groups.list.selected, 1);
    assert_eq!(s.applied, "service:42min-api");
}

#[test]
fn enter_on_a_chain_opens_its_timeline() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "Shift-Tab");
    assert_eq!(s.view, View::Chains);
    press(&mut s, &c, "Enter");
    assert_eq!(s.page, Some(Page::Chain(ChainTarget::Selected)));
    assert_eq!(s.page_chain().unwrap().attempts.len(), 3);
    press(&mut s, &c, "Esc");
    assert_eq!(s.page, None);
}

#[test]
fn c_opens_the_selected_events_chain() {
    let (mut s, c) = fresh();
    while selected_id(&s) != "req_a2" {
        press(&mut s, &c, "j");
    }
    press(&mut s, &c, "c");
    let src = s.selected_event().unwrap().source.clone();
    assert_eq!(s.page, Some(Page::Chain(ChainTarget::OfEvent(src))));
    assert_eq!(s.page_chain().unwrap().idempotency_key, "idem_1");
    press(&mut s, &c, "Esc");
    assert_eq!(s.page, None);
}

#[test]
fn esc_from_a_chain_opened_on_an_event_page_returns_to_that_page() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "Enter");
    press(&mut s, &c, "c");
    assert!(matches!(s.page, Some(Page::Chain(_))));
    press(&mut s, &c, "Esc");
    assert_eq!(s.page, Some(Page::Event));
    press(&mut s, &c, "Esc");
    assert_eq!(s.page, None);
}

#[test]
fn c_explains_when_there_is_no_chain() {
    let (mut s, c) = fresh();
    while selected_id(&s) != "req_b1" {
        press(&mut s, &c, "j");
    }
    press(&mut s, &c, "c");
    assert_eq!(s.page, None);
    assert!(s.flash.as_deref().unwrap().contains("no Idempotency-Key"));
    press(&mut s, &c, "j");
    assert_eq!(s.flash, None, "the next key clears the message");
}

#[test]
fn y_copies_the_request_id() {
    let (mut s, c) = fresh();
    assert_eq!(
        press(&mut s, &c, "y"),
        Some(Effect::Copy("req_2N7s8x9KqR".into()))
    );
    assert!(
        s.flash
            .as_deref()
            .unwrap()
            .contains("copied request id req_2N7s8x9KqR")
    );
    press(&mut s, &c, "Tab");
    assert_eq!(
        press(&mut s, &c, "y"),
        Some(Effect::Copy("req_a1".into())),
        "a group's sample"
    );
    press(&mut s, &c, "Tab");
    assert_eq!(
        press(&mut s, &c, "y"),
        Some(Effect::Copy("req_a3".into())),
        "a chain's last attempt"
    );
}

#[test]
fn question_mark_shows_help_and_closes_it() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "?");
    assert_eq!(s.mode(), Mode::Help);
    press(&mut s, &c, "j");
    assert_eq!((s.help_scroll, s.events.list.selected), (1, 0));
    press(&mut s, &c, "q");
    assert_eq!(s.mode(), Mode::Normal, "q closes the help, like less");
    press(&mut s, &c, "?");
    press(&mut s, &c, "Esc");
    assert!(!s.help);
    press(&mut s, &c, "?");
    press(&mut s, &c, "?");
    assert!(!s.help);
}

#[test]
fn q_and_ctrl_c_quit() {
    let (mut s, c) = fresh();
    assert_eq!(press(&mut s, &c, "q"), Some(Effect::Quit));
    press(&mut s, &c, "Enter");
    assert_eq!(
        press(&mut s, &c, "Ctrl-c"),
        Some(Effect::Quit),
        "Ctrl-C quits from a page"
    );
    assert_eq!(press(&mut s, &c, "Ctrl-c"), Some(Effect::Quit));
    press(&mut s, &c, "/");
    assert_eq!(
        press(&mut s, &c, "q"),
        Some(Effect::Debounce(Action::RunPreview)),
        "q is typed in the query"
    );
    assert_eq!(press(&mut s, &c, "Ctrl-c"), Some(Effect::Quit));
}

#[test]
fn slash_searches_as_you_type_and_enter_applies() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "/");
    assert_eq!(s.mode(), Mode::Query);
    type_text(&mut s, &c, "req_c1");
    assert_eq!(s.events.total, 10, "nothing runs until the typing pauses");
    step(&mut s, &c, Action::RunPreview);
    assert_eq!(
        (s.running.as_str(), s.applied.as_str(), s.events.total),
        ("req_c1", "", 1)
    );
    assert_eq!(
        press(&mut s, &c, "Enter"),
        None,
        "already showing these results"
    );
    assert_eq!((s.applied.as_str(), s.mode()), ("req_c1", Mode::Normal));
    assert_eq!(
        s.selected_detail().unwrap().event.code.as_deref(),
        Some("RATE_LIMITED")
    );
}

#[test]
fn ctrl_j_applies_the_query_like_enter() {
    // An Enter typed before raw mode (keys buffered while the binary was
    // still building) arrives as a newline, which crossterm reads as Ctrl-J.
    let (mut s, c) = fresh();
    press(&mut s, &c, "/");
    type_text(&mut s, &c, "req_c1");
    press(&mut s, &c, "Ctrl-j");
    assert_eq!((s.applied.as_str(), s.mode()), ("req_c1", Mode::Normal));
    assert_eq!(s.events.total, 1);
}

#[test]
fn esc_in_the_query_bar_cancels() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "/");
    type_text(&mut s, &c, "req_b1");
    step(&mut s, &c, Action::RunPreview);
    assert_eq!(s.events.total, 1);
    press(&mut s, &c, "Esc");
    assert_eq!(
        (s.mode(), s.applied.as_str(), s.running.as_str()),
        (Mode::Normal, "", "")
    );
    assert_eq!((s.events.total, s.input.value()), (10, ""));
}

#[test]
fn ctrl_u_clears_and_an_empty_query_is_every_event() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "/");
    type_text(&mut s, &c, "req_b1");
    press(&mut s, &c, "Enter");
    assert_eq!(s.events.total, 1);
    press(&mut s, &c, "/");
    assert_eq!(
        s.input.value(),
        "req_b1",
        "editing starts from the applied query"
    );
    press(&mut s, &c, "Ctrl-u");
    assert_eq!(s.input.value(), "");
    press(&mut s, &c, "Enter");
    assert_eq!((s.applied.as_str(), s.events.total), ("", 10));
}

#[test]
fn a_bad_query_shows_its_error_and_keeps_the_results() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "/");
    type_text(&mut s, &c, "bad:x");
    step(&mut s, &c, Action::RunPreview);
    assert_eq!(s.query_error.as_deref(), Some("unknown field `bad`"));
    assert_eq!(s.events.total, 10, "the last good results stay");
    press(&mut s, &c, "Ctrl-u");
    type_text(&mut s, &c, "req_a1");
    step(&mut s, &c, Action::RunPreview);
    assert_eq!((s.query_error.as_deref(), s.events.total), (None, 1));
}

#[test]
fn backspace_and_cursor_keys_edit_the_query() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "/");
    type_text(&mut s, &c, "code:a req_a12");
    press(&mut s, &c, "Backspace");
    assert_eq!(s.input.value(), "code:a req_a1");
    press(&mut s, &c, "Ctrl-w");
    assert_eq!(s.input.value(), "code:a ");
    press(&mut s, &c, "Ctrl-a");
    type_text(&mut s, &c, "x");
    assert_eq!(s.input.value(), "xcode:a ");
}

#[test]
fn b_cycles_the_field_grouped_by() {
    let (mut s, c) = fresh();
    assert!(press(&mut s, &c, "b").is_none());
    assert!(s.flash.as_deref().unwrap().contains("Groups view"));
    press(&mut s, &c, "Tab");
    let mut seen = vec![s.groups.by];
    for _ in 0..GroupBy::ALL.len() {
        press(&mut s, &c, "b");
        assert_eq!(
            s.groups.list.items.first().map(|r| r.count).is_some(),
            s.groups.by != GroupBy::Client
        );
        seen.push(s.groups.by);
    }
    use GroupBy::*;
    assert_eq!(
        seen,
        [Code, Class, Status, Service, Route, Path, Client, Code]
    );
}

#[test]
fn f_shows_flagged_chains_only() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "Shift-Tab");
    assert_eq!(s.chains.list.items.len(), 3);
    press(&mut s, &c, "f");
    assert_eq!(s.chains.list.items.len(), 1);
    press(&mut s, &c, "f");
    assert_eq!(s.chains.list.items.len(), 3);
}

#[test]
fn pasting_a_request_id_searches_for_it() {
    let (mut s, c) = fresh();
    let paste = keymap::action_for(Mode::Normal, &Input::Paste("req_d1\n".into())).unwrap();
    assert_eq!(
        step(&mut s, &c, paste),
        Some(Effect::Debounce(Action::RunPreview))
    );
    step(&mut s, &c, Action::RunPreview);
    assert_eq!(
        (s.mode(), s.events.total, selected_id(&s)),
        (Mode::Query, 1, "req_d1")
    );
}

#[test]
fn stale_answers_are_dropped() {
    let (mut s, c) = fresh();
    press(&mut s, &c, "/");
    type_text(&mut s, &c, "req_a1");
    let Some(Effect::Fetch(old)) = update(&mut s, Action::RunPreview) else {
        panic!()
    };
    s.input = tui_input::Input::new("req_b1".into());
    let Some(Effect::Fetch(new)) = update(&mut s, Action::RunPreview) else {
        panic!()
    };
    let answer = |jobs: &[super::action::Job]| -> Loaded { answer_job(&c, &jobs[0]) };
    update(&mut s, Action::Loaded(Box::new(answer(&new))));
    update(&mut s, Action::Loaded(Box::new(answer(&old))));
    assert_eq!(
        selected_id(&s),
        "req_b1",
        "the older answer arrived last and was dropped"
    );
}

#[test]
fn more_events_are_fetched_near_the_end_of_the_list() {
    let mut corpus = Vec::new();
    for i in 0..300 {
        let mut e = events()[i % 10].clone();
        e.source.line = i as u64;
        e.ts += chrono::Duration::seconds(i as i64 * 10);
        corpus.push(e);
    }
    let mut s = session(&corpus, 80, 24);
    assert_eq!((s.events.list.items.len(), s.events.total), (200, 300));
    let effect = press(&mut s, &corpus, "G");
    let Some(Effect::Fetch(jobs)) = effect else {
        panic!("G near the end fetches more")
    };
    assert!(jobs.iter().any(|j| j.kind
        == JobKind::Events {
            offset: 200,
            limit: 200
        }));
    assert_eq!(s.events.list.items.len(), 300);
    press(&mut s, &corpus, "G");
    assert_eq!(s.events.list.selected, 299);
}

#[test]
fn a_commit_elsewhere_refreshes_and_keeps_the_selected_event() {
    let mut corpus = events();
    let mut s = session(&corpus, 80, 24);
    while selected_id(&s) != "req_c1" {
        press(&mut s, &corpus, "j");
    }
    let mut newer = corpus[0].clone();
    newer.request_id = "req_new".into();
    newer.source.line = 99;
    newer.ts += chrono::Duration::hours(1);
    corpus.push(newer);
    step(&mut s, &corpus, Action::IndexChanged);
    assert_eq!((s.events.total, selected_id(&s)), (11, "req_c1"));
    assert_eq!(s.stats.as_ref().unwrap().events, 11);
}

#[test]
fn a_resize_rebuckets_the_histogram() {
    let (mut s, c) = fresh();
    step(&mut s, &c, Action::Resize(120, 40));
    assert_eq!(s.histogram.as_ref().unwrap().counts.len(), 120);
}
