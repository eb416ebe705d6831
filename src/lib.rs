//! errtriage: triage API errors by request id.
//!
//! Data flows one way (DESIGN.md "Data flow"):
//!
//! ```text
//! files / stdin ─► ingest ─► normalize ─► store (Sink / Store) ─► query ─► cli | tui
//! ```
//!
//! - [`model`]     — Event, Chain, Class: the contract every stage shares
//! - [`ingest`]    — walk paths, decompress, frame lines, checkpoints, the pipeline
//! - [`normalize`] — one JSON line → one Event (pure)
//! - [`catalog`]   — what a code means per API, retry policies, `class`
//! - [`store`]     — the seam: the [`store::Store`] and [`store::Sink`] traits, choosing a store;
//!   [`store::clickhouse`] is the ClickHouse store
//! - [`index`]     — the local store: tantivy schema, writer, reader ([`index::LocalStore`])
//! - [`query`]     — the query language (one AST), search, find, groups, chains, stats
//! - [`sanitize`]  — escaping and redaction of untrusted log text for display
//!
//! The front ends (CLI, TUI) live in the binary and only call into here.
#![forbid(unsafe_code)]
// These docs are for the people working on errtriage (`cargo doc
// --document-private-items`): a module's overview names its private parts.
#![allow(rustdoc::private_intra_doc_links)]

pub mod catalog;
pub mod error;
pub mod index;
pub mod ingest;
pub mod model;
pub mod normalize;
pub mod query;
pub mod sanitize;
pub mod store;
mod tomlspan;

pub use error::{Error, Result};
pub use model::{BadReason, Chain, Class, Envelope, Event, Flag, Outcome, Rule, Source};
