//! index: the tantivy side — one schema ([`schema`]), one long-lived writer
//! ([`writer`]), the read-only [`LocalStore`] every query goes through
//! ([`reader`]), and the directory they live in ([`dir`]).

pub mod derived;
pub mod dir;
pub(crate) mod directory;
mod errors;
mod local;
pub(crate) mod marks;
#[cfg(test)]
mod marks_tests;
mod merges;
pub mod reader;
mod reindex;
pub mod schema;
pub mod translate;
pub mod writer;

pub use errors::dictionary_error;
pub use reader::LocalStore;
pub use reindex::{ReindexSummary, reindex};
pub use writer::{Discarded, Writer, WriterOptions};
