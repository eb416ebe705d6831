//! errors: what a failed index operation tells the user. Each tantivy error
//! becomes one sentence that says what to do, keeping tantivy's error as the
//! source; a full disk and an unwritable location are recognised by the kind
//! of the I/O error underneath, never by words in a message.

use std::io::ErrorKind;
use std::path::Path;

use tantivy::TantivyError;

use crate::error::{Error, IndexCause, is_storage_full};

/// What to do after a full disk.
pub const DISK_FULL: &str = "the disk is full; free space, then run `errtriage ingest` again (everything committed is safe and resumes)";

/// The index error for `e`, met while working on the index in `dir`.
pub(crate) fn index_error(dir: &Path, e: TantivyError) -> Error {
    // A worker thread's failure, and tantivy's field-norm serializer, keep
    // only the text of the I/O error: then ask the disk directly.
    let cause = match probe_write_if_lost(dir, &e) {
        Some(disk) => IndexCause::with_disk(e, disk),
        None => IndexCause::new(e),
    };
    let kind = match cause.io() {
        Some(io) if is_storage_full(io) => Some(ErrorKind::StorageFull),
        Some(io) => Some(io.kind()),
        None => None,
    };
    let message = match (cause.tantivy(), kind) {
        (_, Some(ErrorKind::StorageFull)) => DISK_FULL.to_string(),
        (_, Some(ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem)) => {
            "cannot write there; choose a writable location with --index DIR or ERRTRIAGE_INDEX"
                .to_string()
        }
        (TantivyError::DataCorruption(_), _) => {
            if let Some(meta) = damaged_meta(dir) {
                return Error::index(dir, meta);
            }
            damaged()
        }
        (
            TantivyError::IncompatibleIndex(_)
            | TantivyError::OpenReadError(_)
            | TantivyError::OpenDirectoryError(_),
            _,
        ) => damaged(),
        _ => "the index operation failed".to_string(),
    };
    Error::Index {
        path: dir.to_path_buf(),
        message,
        source: Some(cause),
    }
}

/// An index this version cannot read (another format or schema).
pub(crate) fn incompatible(dir: &Path, why: &str) -> Error {
    Error::index(
        dir,
        format!(
            "cannot be read by this errtriage ({why}); rebuild it with `errtriage ingest --rebuild PATH…`"
        ),
    )
}

/// [`incompatible`], keeping tantivy's reason as the source.
pub(crate) fn incompatible_cause(dir: &Path, e: TantivyError) -> Error {
    if matches!(e, TantivyError::DataCorruption(_)) {
        return index_error(dir, e);
    }
    Error::Index {
        path: dir.to_path_buf(),
        message:
            "cannot be read by this errtriage; rebuild it with `errtriage ingest --rebuild PATH…`"
                .into(),
        source: Some(IndexCause::new(e)),
    }
}

/// The error of a read of the index in `dir` (opening it for queries, or a
/// query): an I/O error other than a refused permission means the files
/// cannot be read as written, so the index is to be rebuilt.
pub(crate) fn read_error(dir: &Path, e: TantivyError) -> Error {
    let unreadable = match &e {
        TantivyError::IoError(io) => io.kind() != ErrorKind::PermissionDenied,
        _ => false,
    };
    if !unreadable {
        return index_error(dir, e);
    }
    Error::Index {
        path: dir.to_path_buf(),
        message: "the index cannot be read (an I/O error); rebuild it with `errtriage ingest --rebuild PATH…`".into(),
        source: Some(IndexCause::new(e)),
    }
}

/// A term dictionary (of fast field `field`) that cannot be read while a
/// query runs: the index is damaged, whatever the I/O error says.
pub fn dictionary_error(field: &str, e: std::io::Error) -> TantivyError {
    TantivyError::DataCorruption(tantivy::error::DataCorruption::comment_only(format!(
        "the term dictionary of `{field}` cannot be read: {e}"
    )))
}

fn damaged() -> String {
    "the index is damaged or incomplete; rebuild it with `errtriage ingest --rebuild PATH…`".into()
}

/// When `meta.json` itself is what is damaged: a sentence naming it. tantivy
/// quotes the whole file in its error; this names the file instead.
fn damaged_meta(dir: &Path) -> Option<String> {
    let meta = dir.join("meta.json");
    let bytes = std::fs::read(&meta).ok()?;
    let parses = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok();
    (!parses).then(|| {
        format!(
            "{} is damaged or incomplete ({} bytes, not valid JSON); rebuild the index with `errtriage ingest --rebuild PATH…`",
            meta.display(),
            bytes.len()
        )
    })
}

/// For an error that lost its I/O cause: write (then remove) a small file
/// in `dir`, and return the error that gives, if any — how a full disk is
/// told when tantivy kept only the text of the original error.
fn probe_write_if_lost(dir: &Path, e: &TantivyError) -> Option<std::io::Error> {
    use std::io::Write;
    if !matches!(
        e,
        TantivyError::ErrorInThread(_) | TantivyError::InternalError(_)
    ) {
        return None;
    }
    let path = dir.join(".errtriage-space-probe");
    let result = std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&[0u8; 256 * 1024]).and_then(|_| f.sync_all()));
    let _ = std::fs::remove_file(&path);
    result.err()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn io(kind: ErrorKind, raw: Option<i32>) -> TantivyError {
        let e = match raw {
            Some(code) => std::io::Error::from_raw_os_error(code),
            None => std::io::Error::from(kind),
        };
        TantivyError::IoError(Arc::new(e))
    }

    #[test]
    fn a_full_disk_is_known_by_its_kind_and_keeps_its_source() {
        let dir = Path::new("/nonexistent-errtriage-test");
        for e in [
            io(ErrorKind::StorageFull, None),
            io(ErrorKind::Other, Some(28)),
        ] {
            let err = index_error(dir, e);
            assert!(err.is_storage_full(), "{err}");
            assert!(err.to_string().contains("the disk is full"), "{err}");
            let source = std::error::Error::source(&err).expect("tantivy's error kept");
            assert!(source.downcast_ref::<IndexCause>().is_some());
        }
        // The words alone are not a full disk.
        let words = TantivyError::SchemaError("os error 28 StorageFull".into());
        assert!(!index_error(dir, words).is_storage_full());
    }

    #[test]
    fn lock_errors_are_sentences_not_debug_dumps() {
        use tantivy::directory::error::LockError;
        let ro = std::io::Error::from_raw_os_error(30);
        let e = TantivyError::LockFailure(LockError::IoError(Arc::new(ro)), None);
        let err = anyhow::Error::from(index_error(Path::new("/x"), e));
        let text = format!("{err:#}");
        assert!(
            !text.contains("Os {") && !text.contains("IoError("),
            "{text}"
        );
        assert!(text.contains("cannot write there"), "{text}");
        assert!(text.contains("Read-only file system"), "{text}");
    }
}
