//! keymap: the default key bindings, in code (STYLE habit 8). One table maps
//! keys to [`Action`]s per [`Mode`]; the `?` overlay is generated from the
//! same table, so the help can never drift from what the keys do. The table
//! itself is in `keymap/defaults.rs`; lookup, labels and help stay here.

use std::sync::LazyLock;

use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use tui_input::InputRequest;

use super::action::Action;
use super::event::Input;

mod defaults;
use defaults::default_bindings;

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
    /// The histogram has the keys (after `[`, `]` or `v`).
    Histogram,
    /// Typing a time to go to (after `:` or `t`).
    Goto,
}

impl Mode {
    /// Every mode, in the order the help and the README list them.
    pub const ALL: [Mode; 7] = [
        Mode::Normal,
        Mode::Histogram,
        Mode::Goto,
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
            Mode::Histogram => "Histogram (after [ ] or v; other keys leave it and act)",
            Mode::Goto => "Go to time (after : or t)",
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

pub(super) fn plain(code: KeyCode) -> Key {
    Key::Press(code, KeyModifiers::NONE)
}

pub(super) fn ch(c: char) -> Key {
    plain(KeyCode::Char(c))
}

pub(super) fn ctrl(c: char) -> Key {
    Key::Press(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// The default bindings, in the order the help lists them.
pub fn bindings() -> &'static [Binding] {
    static TABLE: LazyLock<Vec<Binding>> = LazyLock::new(default_bindings);
    &TABLE
}

/// The action `input` means in `mode`, if any. The focused histogram
/// answers its own keys; any other key leaves it and acts as when browsing.
pub fn action_for(mode: Mode, input: &Input) -> Option<Action> {
    let own = lookup(mode, input);
    if own.is_none() && mode == Mode::Histogram {
        return lookup(Mode::Normal, input);
    }
    own
}

fn lookup(mode: Mode, input: &Input) -> Option<Action> {
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
        (Mode::Query | Mode::Save | Mode::Goto, Key::Press(KeyCode::Char(c), m))
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
    match mode {
        Mode::Query => rows.insert(0, ("any character".into(), "type into the query")),
        Mode::Goto => rows.insert(0, ("any character".into(), "type the time")),
        _ => {}
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
        match mode {
            Mode::Query => rows.push((vec!["any character".into()], "type into the query")),
            Mode::Goto => rows.push((vec!["any character".into()], "type the time")),
            _ => {}
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
