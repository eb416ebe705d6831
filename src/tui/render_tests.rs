//! Render tests (STYLE habit 4): whole screens on `TestBackend` as insta
//! snapshots (in `src/tui/snapshots/`) at 80×24 and 200×60, a list checked
//! cell by cell against `Buffer::with_lines`, and the escape guarantee:
//! a log line full of ANSI/OSC sequences shows as visible text everywhere.

use errtriage::model::Event;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::action::Action;
use super::fixtures::{draw, events, evil_event, screen_text, session, step};
use super::state::State;

fn at(w: u16, h: u16) -> (State, Vec<Event>) {
    let corpus = events();
    (session(&corpus, w, h), corpus)
}

fn keys(s: &mut State, corpus: &[Event], actions: &[Action]) {
    for a in actions {
        step(s, corpus, a.clone());
    }
}

fn snapshot(name: &str, s: &mut State) {
    let terminal = draw(s);
    insta::assert_snapshot!(name, terminal.backend());
}

#[test]
fn events_view() {
    let (mut s, _) = at(80, 24);
    snapshot("events_80x24", &mut s);
    let (mut s, _) = at(200, 60);
    snapshot("events_200x60", &mut s);
}

#[test]
fn groups_view() {
    let (mut s, c) = at(80, 24);
    keys(&mut s, &c, &[Action::NextView]);
    snapshot("groups_80x24", &mut s);
    let (mut s, c) = at(200, 60);
    keys(&mut s, &c, &[Action::NextView]);
    snapshot("groups_200x60", &mut s);
}

#[test]
fn chains_view() {
    let (mut s, c) = at(80, 24);
    keys(&mut s, &c, &[Action::PrevView]);
    snapshot("chains_80x24", &mut s);
    let (mut s, c) = at(200, 60);
    keys(&mut s, &c, &[Action::PrevView]);
    snapshot("chains_200x60", &mut s);
}

#[test]
fn event_page() {
    let (mut s, c) = at(80, 24);
    keys(&mut s, &c, &[Action::Open]);
    snapshot("event_page_80x24", &mut s);
}

#[test]
fn chain_page_of_an_event() {
    let (mut s, c) = at(80, 24);
    keys(&mut s, &c, &[Action::Bottom, Action::Up(1), Action::Chain]);
    snapshot("chain_page_80x24", &mut s);
}

#[test]
fn help_overlay() {
    let (mut s, c) = at(80, 24);
    keys(&mut s, &c, &[Action::Help]);
    snapshot("help_80x24", &mut s);
    let (mut s, c) = at(200, 60);
    keys(&mut s, &c, &[Action::Help]);
    snapshot("help_200x60", &mut s);
}

#[test]
fn query_bar_editing_and_its_error() {
    let (mut s, c) = at(80, 24);
    keys(
        &mut s,
        &c,
        &[
            Action::EditQuery,
            Action::Paste("bad:field".into()),
            Action::RunPreview,
        ],
    );
    snapshot("query_error_80x24", &mut s);
}

#[test]
fn empty_index_says_how_to_ingest() {
    let mut s = session(&[], 80, 24);
    snapshot("empty_index_80x24", &mut s);
}

/// The first rows of the Events list, cell by cell (styles aside).
#[test]
fn events_list_rows_match_line_by_line() {
    let (mut s, _) = at(80, 24);
    let terminal = draw(&mut s);
    let buf = terminal.backend().buffer();
    let rows = Rect {
        x: 0,
        y: 4,
        width: 80,
        height: 4,
    };
    let expected = Buffer::with_lines([
        " Events │ Groups │ Chains  10 matching ─────────────────────────────────────────",
        "  time           st  code               request                   request id    ",
        "▸ 05-14 10:06:00 409 SESSION_FULL       POST /v1/bookings         req_2N7s8x9KqR",
        "  05-14 10:05:00 400 http_400           POST /calendar/events     req_e1        ",
    ]);
    for y in 0..rows.height {
        let got: String = (0..rows.width)
            .map(|x| buf[(x, rows.y + y)].symbol())
            .collect();
        let want: String = (0..rows.width).map(|x| expected[(x, y)].symbol()).collect();
        assert_eq!(got, want, "row {y}");
    }
}

/// Every screen that shows log text, with a hostile event selected.
fn evil_screens() -> Vec<(&'static str, String)> {
    let mut corpus = events();
    corpus.push(evil_event());
    let mut screens = Vec::new();
    let mut shot = |name, actions: &[Action]| {
        let mut s = session(&corpus, 120, 40);
        keys(&mut s, &corpus, actions);
        screens.push((name, screen_text(&draw(&mut s))));
    };
    shot("events", &[]);
    shot("event page", &[Action::Open]);
    shot("groups by code", &[Action::NextView]);
    shot(
        "groups by service",
        &[
            Action::NextView,
            Action::CycleGroupBy,
            Action::CycleGroupBy,
            Action::CycleGroupBy,
        ],
    );
    shot(
        "groups by path",
        &[
            Action::NextView,
            Action::CycleGroupBy,
            Action::CycleGroupBy,
            Action::CycleGroupBy,
            Action::CycleGroupBy,
            Action::CycleGroupBy,
        ],
    );
    shot("chains", &[Action::PrevView]);
    shot("chain page", &[Action::Chain]);
    shot(
        "query bar",
        &[Action::EditQuery, Action::Paste("\x1b[31m".into())],
    );
    screens
}

#[test]
fn escapes_in_log_fields_render_as_visible_text_in_every_view() {
    for (name, text) in evil_screens() {
        let bad: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(
            bad.is_empty(),
            "{name}: control characters reach the terminal: {bad:?}\n{text}"
        );
        assert!(
            !text.contains('\u{202e}'),
            "{name}: a bidi override reaches the terminal"
        );
        assert!(
            text.contains("\\x1b") || text.contains("\\x07"),
            "{name}: escapes are not shown\n{text}"
        );
    }
}

#[test]
fn the_event_page_shows_each_hostile_field_escaped() {
    let (_, text) = evil_screens()
        .into_iter()
        .find(|(n, _)| *n == "event page")
        .unwrap();
    for shown in [
        "req_\\x1b[31mred",
        "\\x1b[31mEVIL\\x1b[0m",
        "\\x1b]52;c;ZXZpbA==\\x07pwned",
        "/v1/\\x1b[2Jclear",
        "svc\\x07\\u{202e}",
    ] {
        assert!(text.contains(shown), "{shown} not shown escaped:\n{text}");
    }
}

#[test]
fn secrets_are_redacted_unless_asked() {
    let mut corpus = events();
    corpus[9].message = Some("Authorization: Bearer abcdefghijk".into());
    corpus[9].raw =
        r#"{"headers":{"Authorization":"Bearer abcdefghijk"},"key":"sk_live_51HxYzABCdef"}"#.into();
    let mut s = session(&corpus, 120, 60);
    step(&mut s, &corpus, Action::Open);
    let text = screen_text(&draw(&mut s));
    assert!(
        !text.contains("abcdefghijk") && !text.contains("51HxYzABCdef"),
        "{text}"
    );
    assert!(text.contains("[REDACTED]"));
    s.show_secrets = true;
    assert!(screen_text(&draw(&mut s)).contains("Bearer abcdefghijk"));
}

mod shapes {
    #![allow(dead_code)]
    include!("../../tests/data/secret_shapes.rs");
}

/// Issue 13: every credential shape, wherever a log puts it, is hidden on
/// every screen (list and detail page) and from `y`'s clipboard text.
#[test]
fn every_secret_shape_is_hidden_on_screen_and_from_the_clipboard() {
    let mut corpus = Vec::new();
    for (i, shape) in shapes::SHAPES.iter().enumerate() {
        for (n, line) in shapes::lines(i, shape).iter().enumerate() {
            let source = errtriage::model::Source {
                file: "keys.log".into(),
                line: (i * 10 + n + 1) as u64,
                offset: 0,
            };
            let e = errtriage::normalize::normalize(line, source).expect("a JSON line");
            corpus.push(e.event);
        }
    }
    let hidden = |what: &str, text: &str| {
        for shape in shapes::SHAPES {
            let start = &shape.secret[..8];
            assert!(
                !text.contains(shape.secret) && !text.contains(start),
                "{what} shows the {} secret:\n{text}",
                shape.name
            );
        }
    };
    let mut s = session(&corpus, 200, 60);
    hidden("events list", &screen_text(&draw(&mut s)));
    for i in 0..corpus.len() {
        step(&mut s, &corpus, Action::Open);
        hidden(&format!("event {i}"), &screen_text(&draw(&mut s)));
        match step(&mut s, &corpus, Action::Copy) {
            Some(super::action::Effect::Copy(text)) => hidden("y", &text),
            other => panic!("event {i}: y gave {other:?}"),
        }
        step(&mut s, &corpus, Action::Back);
        step(&mut s, &corpus, Action::Down(1));
    }
}

/// `y` puts no raw ESC/BEL (or any control character) from an id into the
/// OSC 52 payload.
#[test]
fn y_copies_no_control_characters() {
    let corpus = vec![evil_event()];
    let mut s = session(&corpus, 120, 40);
    let copied = match step(&mut s, &corpus, Action::Copy) {
        Some(super::action::Effect::Copy(text)) => text,
        other => panic!("y gave {other:?}"),
    };
    assert!(
        !copied.chars().any(char::is_control),
        "raw control characters copied: {copied:?}"
    );
    assert!(copied.contains("\\x1b"), "shown escaped: {copied}");
}
