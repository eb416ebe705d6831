//! The library's error type. Front ends turn it into a message and exit code 2.
//!
//! Index errors keep tantivy's error as their `source` ([`IndexCause`]), so a
//! caller can ask what really happened ([`Error::io_kind`]: a full disk, a
//! read-only file system) instead of reading words out of a message.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O error on a path; the reason is part of the message (not a
    /// `source`, so `{:#}` does not print it twice).
    #[error("{}: {err}", path.display())]
    Io { path: PathBuf, err: std::io::Error },
    /// The index at `path` failed; `message` says what to do, `source` is
    /// tantivy's error when there is one.
    #[error("index at {}: {message}", path.display())]
    Index {
        path: PathBuf,
        message: String,
        #[source]
        source: Option<IndexCause>,
    },
    #[error("index: {0}")]
    Tantivy(#[source] IndexCause),
    #[error("query: {0}")]
    Query(String),
    /// The store could not be chosen, reached or asked: `at` names it (the
    /// flag, variable or file that chose it, or the ClickHouse server) and
    /// `message` says what to do.
    #[error("{at}: {message}")]
    Store { at: String, message: String },
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            err,
        }
    }

    /// A store error (see [`Error::Store`]).
    pub fn store(at: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Store {
            at: at.into(),
            message: message.into(),
        }
    }

    /// An index error with no tantivy error behind it.
    pub fn index(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Index {
            path: path.into(),
            message: message.into(),
            source: None,
        }
    }

    /// The kind of the I/O error at the root of this error, if any.
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        io_root(self).map(std::io::Error::kind)
    }

    /// Whether the root cause is a full disk (`ENOSPC`).
    pub fn is_storage_full(&self) -> bool {
        io_root(self).is_some_and(is_storage_full)
    }
}

/// Whether `e` says the disk is full.
pub fn is_storage_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28)
}

/// The first `io::Error` on `e`'s source chain.
fn io_root<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        if let Some(Error::Io { err, .. }) = c.downcast_ref::<Error>() {
            return Some(err);
        }
        cause = c.source();
    }
    None
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Error::Tantivy(IndexCause::new(e))
    }
}

/// tantivy's error, shown as a short sentence. Several of tantivy's own
/// messages are Debug dumps (`IoError(Os { code: 30, … })`, a whole
/// `meta.json` inside a "data corruption" text), so this says what failed in
/// words and leaves the operating system's reason to its `source`, the
/// `io::Error` tantivy carried.
#[derive(Debug, Clone)]
pub struct IndexCause {
    tantivy: tantivy::TantivyError,
    /// What the disk said when asked directly, for errors where tantivy
    /// kept only the text of the I/O error (a worker thread's failure).
    disk: Option<std::sync::Arc<std::io::Error>>,
}

impl IndexCause {
    pub fn new(tantivy: tantivy::TantivyError) -> IndexCause {
        IndexCause {
            tantivy,
            disk: None,
        }
    }

    /// `tantivy`, with the error the disk gave when probed after it.
    pub fn with_disk(tantivy: tantivy::TantivyError, disk: std::io::Error) -> IndexCause {
        IndexCause {
            tantivy,
            disk: Some(std::sync::Arc::new(disk)),
        }
    }

    /// tantivy's error, as tantivy gave it.
    pub fn tantivy(&self) -> &tantivy::TantivyError {
        &self.tantivy
    }

    /// The I/O error inside tantivy's error, wherever tantivy put it, else
    /// the disk's answer when probed.
    pub fn io(&self) -> Option<&std::io::Error> {
        self.tantivy_io().or(self.disk.as_deref())
    }

    fn tantivy_io(&self) -> Option<&std::io::Error> {
        use tantivy::TantivyError as T;
        use tantivy::directory::error::{
            LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
        };
        match &self.tantivy {
            T::IoError(io) | T::LockFailure(LockError::IoError(io), _) => Some(io.as_ref()),
            T::OpenWriteError(OpenWriteError::IoError { io_error, .. })
            | T::OpenReadError(OpenReadError::IoError { io_error, .. })
            | T::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. }) => {
                Some(io_error.as_ref())
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for IndexCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use tantivy::TantivyError as T;
        use tantivy::directory::error::{
            LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
        };
        if self.disk.is_some() && self.tantivy_io().is_none() {
            return write!(f, "writing the index failed");
        }
        match &self.tantivy {
            T::IoError(_) => write!(f, "I/O error"),
            T::LockFailure(LockError::LockBusy, _) => {
                write!(f, "another process holds the index lock")
            }
            T::LockFailure(LockError::IoError(_), _) => write!(f, "cannot take the index lock"),
            T::OpenWriteError(OpenWriteError::IoError { filepath, .. }) => {
                write!(f, "cannot write {}", filepath.display())
            }
            T::OpenWriteError(OpenWriteError::FileAlreadyExists(p)) => {
                write!(f, "{} already exists", p.display())
            }
            T::OpenReadError(OpenReadError::FileDoesNotExist(p)) => {
                write!(f, "{} is missing", p.display())
            }
            T::OpenReadError(OpenReadError::IoError { filepath, .. }) => {
                write!(f, "cannot read {}", filepath.display())
            }
            T::OpenReadError(OpenReadError::IncompatibleIndex(_)) | T::IncompatibleIndex(_) => {
                write!(f, "written by an incompatible version of tantivy")
            }
            T::OpenDirectoryError(OpenDirectoryError::DoesNotExist(p)) => {
                write!(f, "{} does not exist", p.display())
            }
            T::OpenDirectoryError(OpenDirectoryError::NotADirectory(p)) => {
                write!(f, "{} is not a directory", p.display())
            }
            T::OpenDirectoryError(_) => write!(f, "cannot open the directory"),
            T::DataCorruption(_) => write!(f, "damaged index data"),
            other => {
                let text = other.to_string();
                let text = crate::sanitize::escape(&text);
                match text.char_indices().nth(200) {
                    Some((cut, _)) => write!(f, "{}…", &text[..cut]),
                    None => write!(f, "{text}"),
                }
            }
        }
    }
}

impl std::error::Error for IndexCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.io().map(|io| io as _)
    }
}
