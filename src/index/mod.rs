//! index: the tantivy side — one schema, one long-lived writer, and the
//! read-only [`Store`] every query goes through.

/// The read side of an index directory.
pub struct Store {}
