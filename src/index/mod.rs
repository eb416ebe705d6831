//! index: the tantivy side — one schema ([`schema`]), one long-lived writer
//! ([`writer`]), and the read-only [`Store`] every query goes through
//! ([`reader`]).

mod directory;
mod errors;
pub mod reader;
pub mod schema;
pub mod writer;

pub use reader::Store;
pub use writer::{Discarded, Writer, WriterOptions};
