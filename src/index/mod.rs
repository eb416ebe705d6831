//! index: the tantivy side — one schema ([`schema`]), one long-lived writer
//! ([`writer`]), and the read-only [`Store`] every query goes through
//! ([`reader`]).

pub mod derived;
mod directory;
mod errors;
pub mod reader;
mod reindex;
pub mod schema;
pub mod writer;

pub use reader::Store;
pub use reindex::{ReindexSummary, reindex};
pub use writer::{Discarded, Writer, WriterOptions};
