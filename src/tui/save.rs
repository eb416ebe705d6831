//! save: `w` writes the case card of the focused event or chain (the text
//! `Y` copies and `errtriage find ID --format markdown` prints) to a file.
//! `update` opens a path prompt with a default in the current directory
//! (`./case-<id>.md`) and, on `Enter`, asks the worker (slot `Card`) to
//! build the card and write it with [`write_new`]: an existing file is never
//! overwritten — a free name beside it is picked — and the status bar says
//! where the card went, or why it could not be written.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use tui_input::{Input, InputRequest};

use super::action::{Action, Effect, JobKind};
use super::handoff;
use super::state::State;

/// The open path prompt: the card's id and the path being typed.
#[derive(Debug, Clone)]
pub struct SavePrompt {
    pub id: String,
    pub input: Input,
}

/// What a save came to: where the card was written (and the path asked
/// for, when a new name had to be picked), or why it was not.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub id: String,
    pub asked: PathBuf,
    pub result: Result<PathBuf, String>,
}

/// `w`: open the prompt for the focused event's or chain's card.
pub fn open(s: &mut State) -> Option<Effect> {
    let Some(id) = handoff::card_id(s) else {
        s.flash = Some("no event or chain here to write a case card for".into());
        return None;
    };
    let path = format!("./{}", default_name(&id));
    s.save = Some(SavePrompt {
        id,
        input: Input::new(path),
    });
    None
}

/// A key while the prompt is open.
pub fn key(s: &mut State, action: Action) -> Option<Effect> {
    let prompt = s.save.as_mut()?;
    match action {
        Action::Input(req) => {
            prompt.input.handle(req);
        }
        Action::Paste(text) => {
            for c in text.chars() {
                prompt.input.handle(InputRequest::InsertChar(c));
            }
        }
        Action::ClearQuery => prompt.input.reset(),
        Action::CancelQuery => {
            s.save = None;
            s.flash = Some("case card not written".into());
        }
        Action::ApplyQuery => {
            let prompt = s.save.take()?;
            let path = prompt.input.value().trim();
            if path.is_empty() {
                s.flash = Some("no path given: case card not written".into());
                return None;
            }
            s.flash = Some("writing the case card…".into());
            let job = s.job(JobKind::SaveCard {
                id: prompt.id,
                path: PathBuf::from(path),
            });
            return Some(Effect::Fetch(vec![job]));
        }
        _ => {}
    }
    None
}

/// The status bar's word on a finished save.
pub fn on_saved(s: &mut State, saved: Saved) {
    // The path first: at 80 columns it is what must show (the status bar
    // gives a message too long to sit beside the counts the whole line).
    s.flash = Some(match saved.result {
        Ok(path) if path != saved.asked => format!(
            "case card written to {} (kept the existing {})",
            shown(&path),
            saved
                .asked
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
        ),
        Ok(path) => format!("case card written to {}", shown(&path)),
        Err(why) => format!("case card not written: {why}"),
    });
}

/// The path as the user can find it again: absolute when it can be.
fn shown(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// `case-<id>.md`, with anything a file name should not hold replaced.
pub fn default_name(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    format!("case-{}.md", safe.trim_start_matches('.'))
}

/// Write `text` to `asked` (a directory: `case-<id>.md` inside it) without
/// replacing any file: when the name is taken, `name-2.md`, `name-3.md`…
/// Returns the path written.
pub fn write_new(asked: &Path, id: &str, text: &str) -> Result<PathBuf, String> {
    let base = if asked.is_dir() {
        asked.join(default_name(id))
    } else {
        asked.to_path_buf()
    };
    for n in 1..=999 {
        let path = if n == 1 {
            base.clone()
        } else {
            numbered(&base, n)
        };
        let file = OpenOptions::new().write(true).create_new(true).open(&path);
        match file {
            Ok(mut f) => {
                return f
                    .write_all(text.as_bytes())
                    .and_then(|()| f.sync_all())
                    .map(|()| path.clone())
                    .map_err(|e| format!("{}: {e}", path.display()));
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    Err(format!("{} and 998 names beside it exist", base.display()))
}

/// `dir/name-n.ext` for `dir/name.ext`.
fn numbered(path: &Path, n: u32) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_file_is_kept_and_a_new_name_picked() {
        let dir = tempfile::tempdir().unwrap();
        let asked = dir.path().join("case-req_1.md");
        std::fs::write(&asked, "the user's notes").unwrap();
        let first = write_new(&asked, "req_1", "card one").unwrap();
        let second = write_new(&asked, "req_1", "card two").unwrap();
        assert_eq!(first, dir.path().join("case-req_1-2.md"));
        assert_eq!(second, dir.path().join("case-req_1-3.md"));
        assert_eq!(std::fs::read_to_string(&asked).unwrap(), "the user's notes");
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "card one");
        let into_dir = write_new(dir.path(), "req/../x", "card").unwrap();
        assert_eq!(into_dir, dir.path().join("case-req_.._x.md"));
    }

    #[test]
    fn an_unwritable_place_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir/card.md");
        let err = write_new(&missing, "req_1", "card").unwrap_err();
        assert!(err.contains("no/such/dir/card.md"), "{err}");
    }
}
