//! dir: the index directory itself, looked at before tantivy opens anything
//! in it. A missing directory is created private (0700, with its missing
//! parents); an existing one keeps its mode. A directory is an errtriage
//! index when it holds errtriage's marker (or, for indexes older than the
//! marker, a `meta.json` with errtriage's schema); only then is anything in
//! it written, and `--rebuild` deletes only the files errtriage or tantivy
//! put there by name, never other files or subdirectories.

use std::io::ErrorKind;
use std::path::Path;

use crate::error::{Error, Result};

/// The file that marks a directory as an errtriage index.
pub const MARKER: &str = ".errtriage-index";

const MARKER_TEXT: &str = "This directory is an errtriage index (tantivy). \
`errtriage ingest --rebuild` deletes only errtriage's and tantivy's files in it.\n";

/// Files errtriage and tantivy put in an index directory, by exact name.
const OWN_NAMES: [&str; 6] = [
    MARKER,
    "meta.json",
    ".managed.json",
    ".tantivy-meta.lock",
    ".tantivy-writer.lock",
    ".errtriage-space-probe",
];

/// The extensions of tantivy's segment files (`<32 hex>.<ext>`), and of
/// errtriage's per-segment group tables (`query::groupfiles`).
const SEGMENT_EXTS: [&str; 9] = [
    "idx",
    "pos",
    "term",
    "store",
    "fast",
    "fieldnorm",
    "store.temp",
    "groups",
    "groups.temp",
];

/// What `--index` points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// Nothing there yet.
    Missing,
    /// An empty directory.
    Empty,
    /// An errtriage index (perhaps never committed).
    Index,
    /// An errtriage index that lost its `meta.json`: its segments are
    /// there but unreachable.
    Damaged {
        segments: usize,
    },
    /// Something else: a directory with other files (one named), or a file.
    Foreign {
        example: String,
    },
    NotADirectory,
}

/// Look at `dir` without changing anything.
pub fn inspect(dir: &Path) -> Result<Contents> {
    let meta = match std::fs::metadata(dir) {
        Ok(m) => m,
        // Under a file (`a-file/index`): missing, and creating it says why.
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
            return Ok(Contents::Missing);
        }
        Err(e) => return Err(Error::io(dir, e)),
    };
    if !meta.is_dir() {
        return Ok(Contents::NotADirectory);
    }
    let names = entry_names(dir)?;
    if names.is_empty() {
        return Ok(Contents::Empty);
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    // Without the marker: an older errtriage index (by its schema), or only
    // tantivy's bookkeeping of an index that never got its first meta.json.
    let only_own_without_meta = !has("meta.json") && names.iter().all(|n| is_own_file(n));
    let ours =
        has(MARKER) || (has("meta.json") && has_errtriage_schema(dir)) || only_own_without_meta;
    if !ours {
        // Every name looks like tantivy's: then it is the meta.json that
        // is someone else's.
        let example = names
            .iter()
            .find(|n| !is_own_file(n))
            .map_or_else(|| "meta.json".to_string(), String::clone);
        return Ok(Contents::Foreign { example });
    }
    let segments = names.iter().filter(|n| segment_file(n)).count();
    if !has("meta.json") && segments > 0 {
        return Ok(Contents::Damaged { segments });
    }
    Ok(Contents::Index)
}

/// Make `dir` ready for a writer: create it private if missing, refuse
/// anything that is not (or not yet) an errtriage index, and on `rebuild`
/// clear a damaged one. Existing directories keep their mode.
pub fn prepare(dir: &Path, rebuild: bool) -> Result<()> {
    match inspect(dir)? {
        Contents::Missing => create_private_dir(dir)?,
        Contents::Empty | Contents::Index => {}
        Contents::Damaged { .. } if rebuild => remove_index_files(dir)?,
        Contents::Damaged { segments } => return Err(damaged(dir, segments)),
        Contents::Foreign { example } => return Err(foreign(dir, &example)),
        Contents::NotADirectory => return Err(not_a_directory(dir)),
    }
    let marker = dir.join(MARKER);
    if !marker.exists() {
        std::fs::write(&marker, MARKER_TEXT).map_err(|e| Error::io(&marker, e))?;
    }
    Ok(())
}

/// The error for a query on what is not a readable errtriage index, if so.
pub fn check_readable(dir: &Path) -> Result<()> {
    match inspect(dir)? {
        Contents::Damaged { segments } => Err(damaged(dir, segments)),
        Contents::Foreign { example } => Err(foreign(dir, &example)),
        Contents::NotADirectory => Err(not_a_directory(dir)),
        Contents::Missing | Contents::Empty | Contents::Index => Ok(()),
    }
}

/// Whether an existing index directory can be read by other users.
pub fn exposed(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

/// Create `dir` and its missing parents, readable by their owner only.
/// Nothing that already exists is touched.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::Index {
            source: None,
            path: dir.to_path_buf(),
            message: format!(
                "cannot create a private index directory there ({e}); choose a writable location with --index DIR or ERRTRIAGE_INDEX"
            ),
        })
}

/// Delete errtriage's and tantivy's files in an errtriage index `dir`,
/// and nothing else: other files, subdirectories and the marker stay.
pub fn remove_index_files(dir: &Path) -> Result<()> {
    match inspect(dir)? {
        Contents::Missing | Contents::Empty => return Ok(()),
        Contents::Index | Contents::Damaged { .. } => {}
        Contents::Foreign { example } => return Err(foreign(dir, &example)),
        Contents::NotADirectory => return Err(not_a_directory(dir)),
    }
    for name in entry_names(dir)? {
        let path = dir.join(&name);
        // Only regular files (not links, not directories) by their names;
        // the marker stays: the directory is still errtriage's.
        let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if is_file && name != MARKER && is_own_file(&name) {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

fn entry_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// Whether `name` is one of the files errtriage or tantivy writes.
pub fn is_own_file(name: &str) -> bool {
    OWN_NAMES.contains(&name)
        || segment_file(name)
        || tantivy_temp_file(name)
        || super::marks::is_marks_file(name)
}

/// `<32 lowercase hex>.<ext>` or `<32 hex>.<opstamp>.del`.
fn segment_file(name: &str) -> bool {
    let Some((id, ext)) = name.split_once('.') else {
        return false;
    };
    let hex = id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let del = ext
        .strip_suffix(".del")
        .is_some_and(|op| !op.is_empty() && op.bytes().all(|b| b.is_ascii_digit()));
    hex && (SEGMENT_EXTS.contains(&ext) || del)
}

/// tantivy's atomic writes go through `.tmpXXXXXX` files (tempfile's names).
fn tantivy_temp_file(name: &str) -> bool {
    name.strip_prefix(".tmp")
        .is_some_and(|r| r.len() == 6 && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// An index written before the marker: its `meta.json` has our schema.
fn has_errtriage_schema(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("meta.json")) else {
        return false;
    };
    let Ok(meta) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    let names: Vec<&str> = meta["schema"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .collect();
    ["request_id", "idempotency_key", "raw"]
        .iter()
        .all(|n| names.contains(n))
}

fn damaged(dir: &Path, segments: usize) -> Error {
    Error::Index {
        source: None,
        path: dir.to_path_buf(),
        message: format!(
            "the index is damaged: meta.json is missing beside {segments} segment file(s), so none of them can be read; rebuild it with `errtriage ingest --rebuild PATH…` (only errtriage's own files there are deleted)"
        ),
    }
}

fn foreign(dir: &Path, example: &str) -> Error {
    Error::Index {
        source: None,
        path: dir.to_path_buf(),
        message: format!(
            "not an errtriage index (it holds `{}`, which errtriage did not write); nothing there is changed: choose an empty or new directory with --index DIR or ERRTRIAGE_INDEX",
            crate::sanitize::escape(example)
        ),
    }
}

fn not_a_directory(dir: &Path) -> Error {
    Error::Index {
        source: None,
        path: dir.to_path_buf(),
        message: "not a directory; choose an index directory with --index DIR or ERRTRIAGE_INDEX"
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(files: &[(&str, &str)]) -> Contents {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        inspect(dir.path()).unwrap()
    }

    #[test]
    fn a_directory_is_an_index_only_when_it_says_so() {
        let segment = "0123456789abcdef0123456789abcdef.store";
        assert_eq!(contents(&[]), Contents::Empty);
        assert_eq!(contents(&[(".managed.json", "[]")]), Contents::Index);
        assert_eq!(
            contents(&[(MARKER, ""), (segment, "")]),
            Contents::Damaged { segments: 1 }
        );
        assert_eq!(
            contents(&[
                ("meta.json", r#"{"schema":[{"name":"title"}]}"#),
                (segment, "")
            ]),
            Contents::Foreign {
                example: "meta.json".into()
            }
        );
        let legacy =
            r#"{"schema":[{"name":"request_id"},{"name":"idempotency_key"},{"name":"raw"}]}"#;
        assert_eq!(contents(&[("meta.json", legacy)]), Contents::Index);
        assert_eq!(
            contents(&[("notes.txt", ""), (".managed.json", "[]")]),
            Contents::Foreign {
                example: "notes.txt".into()
            }
        );
    }

    #[test]
    fn own_files_are_named_exactly() {
        for own in [
            "meta.json",
            ".managed.json",
            ".tantivy-writer.lock",
            ".errtriage-index",
            "0123456789abcdef0123456789abcdef.store",
            "0123456789abcdef0123456789abcdef.12.del",
            "0123456789abcdef0123456789abcdef.groups",
            "0123456789abcdef0123456789abcdef.groups.temp",
            ".tmpAb3xYz",
        ] {
            assert!(is_own_file(own), "{own}");
        }
        for other in [
            "notes.txt",
            "meta.json.bak",
            "0123456789abcdef0123456789abcdef.txt",
            "0123456789ABCDEF0123456789ABCDEF.store",
            "0123456789abcdef.store",
            "0123456789abcdef0123456789abcdef.groups.bak",
            "0123456789abcdef0123456789abcdef.del",
            ".tmp",
            ".tmp-my-notes",
        ] {
            assert!(!is_own_file(other), "{other}");
        }
    }
}
