//! The library's error type. Front ends turn it into a message and exit code 2.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O error on a path; the reason is part of the message (not a
    /// `source`, so `{:#}` does not print it twice).
    #[error("{}: {err}", path.display())]
    Io { path: PathBuf, err: std::io::Error },
    #[error("index at {path}: {message}")]
    Index { path: PathBuf, message: String },
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("query: {0}")]
    Query(String),
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
}
