//! keymap: the default key bindings, in code (STYLE habit 8). One table maps
//! keys to [`Action`]s per [`Mode`]; the `?` overlay is generated from the
//! same table, so the help can never drift from what the keys do.

use std::sync::LazyLock;

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use tui_input::InputRequest;

use super::action::Action;
use super::event::Input;
use super::incident::Kind;
use super::pivot::PivotField;

/// Which bindings are in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Browsing the views.
    Normal,
    /// Typing in the query bar.
    Query,
    /// The `=` / `-` field menu is open.
    Pivot,
    /// The `w` path prompt is open.
    Save,
    /// The `?` overlay is open.
    Help,
}

impl Mode {
    /// Every mode, in the order the help and the README list them.
    pub const ALL: [Mode; 5] = [
        Mode::Normal,
        Mode::Query,
        Mode::Pivot,
        Mode::Save,
        Mode::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Mode::Normal => "Browsing",
            Mode::Query => "Query bar (after /)",
            Mode::Pivot => "Pivot menu (after = or -)",
            Mode::Save => "Path prompt (after w; edits as the query bar)",
            Mode::Help => "This help",
        }
    }
}

/// A key or mouse gesture a binding answers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Press(KeyCode, KeyModifiers),
    WheelUp,
    WheelDown,
    /// A left click.
    Click,
}

/// One row of the keymap.
#[derive(Debug, Clone)]
pub struct Binding {
    pub mode: Mode,
    pub keys: Vec<Key>,
    pub action: Action,
    pub help: &'static str,
}

fn plain(code: KeyCode) -> Key {
    Key::Press(code, KeyModifiers::NONE)
}

fn ch(c: char) -> Key {
    plain(KeyCode::Char(c))
}

fn ctrl(c: char) -> Key {
    Key::Press(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// The default bindings, in the order the help lists them.
pub fn bindings() -> &'static [Binding] {
    static TABLE: LazyLock<Vec<Binding>> = LazyLock::new(default_bindings);
    &TABLE
}

fn default_bindings() -> Vec<Binding> {
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
            "histogram: cursor back in time",
        ),
        b(
            Normal,
            &[ch(']')],
            Action::HistMove(1),
            "histogram: cursor forward in time",
        ),
        b(
            Normal,
            &[ch('v')],
            Action::HistMark,
            "histogram: mark a span at the cursor; move; Enter zooms to it",
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

/// The action `input` means in `mode`, if any.
pub fn action_for(mode: Mode, input: &Input) -> Option<Action> {
    let key = match input {
        Input::Key(k) => {
            if k.kind == KeyEventKind::Release {
                return None;
            }
            normalize(k)
        }
        Input::Mouse(m) => {
            let key = match m.kind {
                MouseEventKind::ScrollDown => Key::WheelDown,
                MouseEventKind::ScrollUp => Key::WheelUp,
                MouseEventKind::Down(MouseButton::Left) => Key::Click,
                _ => return None,
            };
            let action = bindings()
                .iter()
                .find(|b| b.mode == mode && b.keys.contains(&key))?;
            return Some(at_pointer(action.action.clone(), m.column, m.row));
        }
        Input::Resize(w, h) => return Some(Action::Resize(*w, *h)),
        Input::Paste(text) => return paste(text),
    };
    if let Some(b) = bindings()
        .iter()
        .find(|b| b.mode == mode && b.keys.contains(&key))
    {
        return Some(b.action.clone());
    }
    // The path prompt edits as the query bar does.
    if let Some(b) = bindings().iter().find(|b| {
        mode == Mode::Save
            && b.mode == Mode::Query
            && matches!(b.action, Action::Input(_) | Action::ClearQuery)
            && b.keys.contains(&key)
    }) {
        return Some(b.action.clone());
    }
    match (mode, key) {
        (Mode::Query | Mode::Save, Key::Press(KeyCode::Char(c), m))
            if !m.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) && printable(c) =>
        {
            Some(Action::Input(InputRequest::InsertChar(c)))
        }
        _ => None,
    }
}

/// A mouse binding's action, at the pointer's position.
fn at_pointer(action: Action, x: u16, y: u16) -> Action {
    match action {
        Action::Wheel(n, _, _) => Action::Wheel(n, x, y),
        Action::Click(_, _) => Action::Click(x, y),
        other => other,
    }
}

/// Pasted text becomes typing in the query bar: one line, nothing the
/// terminal would act on (controls, bidi overrides).
fn paste(text: &str) -> Option<Action> {
    let clean: String = text
        .chars()
        .map(|c| if printable(c) { c } else { ' ' })
        .collect();
    let clean = clean.trim();
    (!clean.is_empty()).then(|| Action::Paste(clean.to_string()))
}

/// A character that shows as itself (no escape needed to display it).
fn printable(c: char) -> bool {
    let mut buf = [0; 4];
    matches!(
        errtriage::sanitize::escape(c.encode_utf8(&mut buf)),
        std::borrow::Cow::Borrowed(_)
    )
}

/// Shift is part of the character (`G`, `?`), not a modifier to match on.
fn normalize(k: &KeyEvent) -> Key {
    let mut mods = k.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
    let code = match k.code {
        KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
            KeyCode::Char(c.to_ascii_lowercase())
        }
        other => other,
    };
    if matches!(code, KeyCode::Char(_) | KeyCode::BackTab) {
        mods.remove(KeyModifiers::SHIFT);
    }
    Key::Press(code, mods)
}

/// How a key is written in the help.
pub fn label(key: &Key) -> String {
    let (code, mods) = match key {
        Key::WheelUp => return "wheel ↑".into(),
        Key::WheelDown => return "wheel ↓".into(),
        Key::Click => return "click".into(),
        Key::Press(code, mods) => (code, mods),
    };
    let name = match code {
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
            c.to_ascii_uppercase().to_string()
        }
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Down => "↓".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Delete => "Del".into(),
        other => other.to_string(),
    };
    let mut prefix = String::new();
    if mods.contains(KeyModifiers::CONTROL) {
        prefix.push_str("Ctrl-");
    }
    if mods.contains(KeyModifiers::ALT) {
        prefix.push_str("Alt-");
    }
    format!("{prefix}{name}")
}

/// The help's rows for one mode: keys and what they do. Bindings that
/// share a description are listed as one row.
pub fn help_rows(mode: Mode) -> Vec<(String, &'static str)> {
    let mut rows: Vec<(String, &'static str)> = Vec::new();
    for b in bindings().iter().filter(|b| b.mode == mode) {
        let keys: Vec<String> = b.keys.iter().map(label).collect();
        let keys = keys.join(" ");
        match rows.last_mut() {
            Some((k, help)) if *help == b.help => {
                k.push(' ');
                k.push_str(&keys);
            }
            _ => rows.push((keys, b.help)),
        }
    }
    if mode == Mode::Query {
        rows.insert(0, ("any character".into(), "type into the query"));
    }
    rows
}

/// The README's key table: every mode's rows, generated like the help.
#[cfg(test)]
pub fn markdown_table() -> String {
    let mut out = String::from("| keys | what they do |\n|---|---|\n");
    for mode in Mode::ALL {
        out.push_str(&format!("| **{}** | |\n", mode.title()));
        let mut rows: Vec<(Vec<String>, &str)> = Vec::new();
        if mode == Mode::Query {
            rows.push((vec!["any character".into()], "type into the query"));
        }
        for b in bindings().iter().filter(|b| b.mode == mode) {
            let keys = b
                .keys
                .iter()
                .map(|k| format!("`{}`", label(k).replace('|', "\\|")));
            match rows.last_mut() {
                Some((k, help)) if *help == b.help => k.extend(keys),
                _ => rows.push((keys.collect(), b.help)),
            }
        }
        for (keys, help) in rows {
            out.push_str(&format!("| {} | {help} |\n", keys.join(" ")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;

    #[test]
    fn shifted_and_control_keys_match_their_bindings() {
        let press = |k: KeyEvent| action_for(Mode::Normal, &Input::Key(k));
        assert_eq!(
            press(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            press(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE)),
            Some(Action::Bottom)
        );
        assert_eq!(
            press(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevView)
        );
        assert_eq!(
            press(KeyEvent::new(KeyCode::Char('C'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            press(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE)),
            None
        );
        let typed = |c| {
            action_for(
                Mode::Query,
                &Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            )
        };
        assert_eq!(
            typed('\u{202e}'),
            None,
            "a bidi override is not typed into the query"
        );
        assert_eq!(
            action_for(Mode::Normal, &Input::Paste("req_1\u{202e}\x1b[2J\n".into())),
            Some(Action::Paste("req_1  [2J".into()))
        );
    }

    #[test]
    fn the_readme_key_table_is_the_keymap() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .expect("README.md");
        let table = markdown_table();
        if std::env::var_os("ERRTRIAGE_PRINT_KEYS").is_some() {
            println!("{table}");
        }
        assert!(
            readme.contains(&table),
            "README's key table differs from the keymap; ERRTRIAGE_PRINT_KEYS=1 prints it:\n{table}"
        );
    }

    #[test]
    fn the_help_lists_every_binding() {
        let text: String = crate::tui::view::help::lines(200)
            .iter()
            .map(|l| l.to_string() + "\n")
            .collect();
        for b in bindings() {
            for k in &b.keys {
                assert!(
                    text.contains(&label(k)),
                    "{} missing from the help",
                    label(k)
                );
            }
            assert!(text.contains(b.help), "{} missing from the help", b.help);
        }
        for key in [
            "j",
            "k",
            "PgDn",
            "PgUp",
            "g",
            "G",
            "Tab",
            "Shift-Tab",
            "Enter",
            "Esc",
            "/",
            "c",
            "y",
            "?",
            "q",
            "b",
            "Ctrl-U",
        ] {
            assert!(text.contains(key), "{key}");
        }
    }
}
