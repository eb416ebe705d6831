//! keymap::defaults: the default bindings table itself, one row per key
//! and mode. [`super::bindings`] builds it once; lookup, labels and the `?`
//! help in [`super`] all read from it.

use crossterm::event::{KeyCode, KeyModifiers};
use tui_input::InputRequest;

use super::{Binding, Key, Mode, ch, ctrl, plain};
use crate::tui::action::Action;
use crate::tui::incident::Kind;
use crate::tui::pivot::PivotField;

pub(super) fn default_bindings() -> Vec<Binding> {
    use KeyCode::*;
    use Mode::*;
    let b = |mode, keys: &[Key], action, help| Binding {
        mode,
        keys: keys.to_vec(),
        action,
        help,
    };
    let edit = |keys: &[Key], req, help| b(Query, keys, Action::Input(req), help);
    vec![
        b(
            Normal,
            &[ch('j'), plain(Down)],
            Action::Down(1),
            "down one row (scrolls a page; moves a chain's marker)",
        ),
        b(Normal, &[ch('k'), plain(Up)], Action::Up(1), "up one row"),
        b(
            Normal,
            &[plain(PageDown), ctrl('f')],
            Action::PageDown,
            "down one page",
        ),
        b(
            Normal,
            &[plain(PageUp), ctrl('b')],
            Action::PageUp,
            "up one page",
        ),
        b(Normal, &[ch('g'), plain(Home)], Action::Top, "first row"),
        b(
            Normal,
            &[ch('G'), plain(End)],
            Action::Bottom,
            "last row (Events: loads older ones)",
        ),
        b(
            Normal,
            &[Key::WheelDown],
            Action::Wheel(3, 0, 0),
            "scroll the list, or the detail pane under the pointer",
        ),
        b(
            Normal,
            &[Key::WheelUp],
            Action::Wheel(-3, 0, 0),
            "scroll the list, or the detail pane under the pointer",
        ),
        b(
            Normal,
            &[Key::Click],
            Action::Click(0, 0),
            "select the row or the view tab clicked",
        ),
        b(
            Normal,
            &[ctrl('e')],
            Action::ScrollDetail(1),
            "scroll the detail pane down (as in vim)",
        ),
        b(
            Normal,
            &[ctrl('y')],
            Action::ScrollDetail(-1),
            "scroll the detail pane up (as in vim)",
        ),
        b(
            Normal,
            &[plain(Tab)],
            Action::NextView,
            "next view: Events → Groups → Chains",
        ),
        b(Normal, &[plain(BackTab)], Action::PrevView, "previous view"),
        b(
            Normal,
            &[plain(Enter)],
            Action::Open,
            "open the event, chain or attempt; drill into a group's events",
        ),
        b(
            Normal,
            &[plain(Esc)],
            Action::Back,
            "close the page, or back from a drill-in",
        ),
        b(
            Normal,
            &[ch('c')],
            Action::Chain,
            "the selected event's retry chain (on a chain: back)",
        ),
        b(
            Normal,
            &[ch('y')],
            Action::Copy,
            "copy the selected request id (OSC 52)",
        ),
        b(
            Normal,
            &[ch('Y')],
            Action::CopyCard,
            "copy the case card (Markdown); in Groups, the table",
        ),
        b(
            Normal,
            &[ch('K')],
            Action::CopyKey,
            "copy the idempotency key",
        ),
        b(
            Normal,
            &[ch('w')],
            Action::SaveCard,
            "write the case card to a file (asks for the path)",
        ),
        b(
            Normal,
            &[ch('b')],
            Action::CycleGroupBy,
            "Groups: group by code → class → status → service → route → path → client",
        ),
        b(
            Normal,
            &[ch('B')],
            Action::CycleGroupByBack,
            "Groups: group by the previous field",
        ),
        b(
            Normal,
            &[ch('d')],
            Action::CycleSecondBy,
            "Groups: a second field, one row per pair (service → route → client → … → none)",
        ),
        b(
            Normal,
            &[ch('f')],
            Action::ToggleFlagged,
            "Chains: flagged chains only / every chain",
        ),
        b(
            Normal,
            &[ch('s')],
            Action::SortChains,
            "Chains: order worst first → newest → most attempts",
        ),
        b(
            Normal,
            &[ch('/')],
            Action::EditQuery,
            "edit the query (pasting a request id does too)",
        ),
        b(
            Normal,
            &[ch('=')],
            Action::Pivot { exclude: false },
            "narrow the query to a value of the selection (client, service, code…)",
        ),
        b(
            Normal,
            &[ch('-')],
            Action::Pivot { exclude: true },
            "exclude a value of the selection from the query",
        ),
        b(
            Normal,
            &[ch('u')],
            Action::UndoPivot,
            "undo the last pivot (= or -)",
        ),
        b(
            Normal,
            &[ch('i')],
            Action::Incident(Kind::Impact),
            "impact of the event: just this client, or everyone? (clients, rates, onset)",
        ),
        b(
            Normal,
            &[ch('T')],
            Action::Incident(Kind::Timeline),
            "the event's client: every request around it, successes included",
        ),
        b(
            Normal,
            &[ch('a')],
            Action::Incident(Kind::Around),
            "the lines ±2 min around the event on its service or trace",
        ),
        b(
            Normal,
            &[ch('[')],
            Action::HistMove(-1),
            "focus the histogram: cursor back in time",
        ),
        b(
            Normal,
            &[ch(']')],
            Action::HistMove(1),
            "focus the histogram: cursor forward in time",
        ),
        b(
            Normal,
            &[ch('v')],
            Action::HistMark,
            "focus the histogram and mark a span at its cursor",
        ),
        b(
            Normal,
            &[ch(':'), ch('t')],
            Action::GoTo,
            "go to a time: 09:44, 2026-05-14 09:44, RFC 3339, or -2h / +30m from the selected event",
        ),
        b(
            Normal,
            &[plain(Backspace)],
            Action::ZoomOut,
            "zoom back out (the query before the zoom)",
        ),
        b(
            Normal,
            &[ch('!')],
            Action::ShowProblems,
            "the ingest's problems: bad lines, unreadable files",
        ),
        b(Normal, &[ch('?')], Action::Help, "this help"),
        b(
            Normal,
            &[ch('q')],
            Action::Close,
            "close the page (like Esc); quit from the views",
        ),
        b(Normal, &[ctrl('c')], Action::Quit, "quit"),
        // Ctrl-J is newline: readline accepts the line on it, and an Enter
        // typed before the terminal went raw (while cargo was still building,
        // say) arrives as one.
        b(
            Query,
            &[plain(Enter), ctrl('j')],
            Action::ApplyQuery,
            "apply the query (results follow as you type)",
        ),
        b(
            Query,
            &[plain(Esc)],
            Action::CancelQuery,
            "cancel: back to the applied query",
        ),
        b(
            Query,
            &[ctrl('u')],
            Action::ClearQuery,
            "clear (an empty query is every event)",
        ),
        b(
            Query,
            &[plain(Tab)],
            Action::Complete,
            "complete a field name or a value from the index (again: the next one)",
        ),
        edit(
            &[plain(Backspace), ctrl('h')],
            InputRequest::DeletePrevChar,
            "delete (on an empty bar: undo the last pivot)",
        ),
        edit(&[plain(Delete)], InputRequest::DeleteNextChar, "delete"),
        edit(
            &[ctrl('w'), Key::Press(Backspace, KeyModifiers::ALT)],
            InputRequest::DeletePrevWord,
            "delete a word",
        ),
        edit(
            &[plain(Left)],
            InputRequest::GoToPrevChar,
            "move the cursor",
        ),
        edit(
            &[plain(Right)],
            InputRequest::GoToNextChar,
            "move the cursor",
        ),
        edit(
            &[plain(Home), ctrl('a')],
            InputRequest::GoToStart,
            "start / end of the query",
        ),
        edit(
            &[plain(End), ctrl('e')],
            InputRequest::GoToEnd,
            "start / end of the query",
        ),
        b(Query, &[ctrl('c')], Action::Quit, "quit"),
        b(
            Pivot,
            &[ch('j'), plain(Down)],
            Action::Down(1),
            "choose a field",
        ),
        b(
            Pivot,
            &[ch('k'), plain(Up)],
            Action::Up(1),
            "choose a field",
        ),
        b(
            Pivot,
            &[plain(Enter)],
            Action::Open,
            "narrow (or exclude) by the chosen field",
        ),
    ]
    .into_iter()
    .chain(PivotField::ALL.map(|f| b(Pivot, &[ch(f.key())], Action::PickPivot(f), f.label())))
    .chain([
        b(
            Pivot,
            &[plain(Esc), ch('q')],
            Action::Back,
            "close the menu",
        ),
        b(Pivot, &[ctrl('c')], Action::Quit, "quit"),
    ])
    .chain(crate::tui::zoom::bindings())
    .chain(crate::tui::goto::bindings())
    .chain([
        b(
            Save,
            &[plain(Enter)],
            Action::ApplyQuery,
            "write the case card there (an existing file is kept: a new name is picked)",
        ),
        b(Save, &[plain(Esc)], Action::CancelQuery, "cancel"),
        b(Save, &[ctrl('c')], Action::Quit, "quit"),
        b(
            Help,
            &[ch('j'), plain(Down), Key::WheelDown],
            Action::Down(1),
            "scroll",
        ),
        b(
            Help,
            &[ch('k'), plain(Up), Key::WheelUp],
            Action::Up(1),
            "scroll",
        ),
        b(
            Help,
            &[ch('?'), plain(Esc), ch('q')],
            Action::Help,
            "close this help",
        ),
        b(Help, &[ctrl('c')], Action::Quit, "quit"),
    ])
    .collect()
}
