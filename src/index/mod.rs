//! index: the tantivy side — one schema ([`schema`]), one long-lived writer
//! ([`writer`]), the read-only [`Store`] every query goes through
//! ([`reader`]), and the directory they live in ([`dir`]).

pub mod dir;
pub mod reader;
pub mod schema;
pub mod writer;

pub use reader::Store;
pub use writer::{Writer, WriterOptions};
