//! ingest: paths and stdin → framed lines → normalize → the index writer.
//!
//! - [`walk`]       — paths → files; compression by magic bytes
//! - [`lines`]      — byte stream → batches of lines with offsets
//! - [`checkpoint`] — what is already indexed (the commit payload)
//! - [`fingerprint`] — block hashes of what was read from a file
//! - [`linechain`]  — hashes of its last lines, for an exact resume
//! - [`identify`]   — new, grown, rotated, a copy, replaced or unchanged?
//! - [`repair`]     — damaged lines read rather than lost
//! - `parse`        — one line → an event, or why it is bad
//! - [`pipeline`]   — the run: read, parse on all cores, add, commit
//! - [`summary`]    — progress, and what a run tells its user
//! - [`follow`]     — keep tailing (`ingest --follow`)

pub mod checkpoint;
pub mod fingerprint;
pub mod follow;
pub mod identify;
pub mod linechain;
pub mod lines;
mod parse;
pub mod pipeline;
pub mod repair;
pub mod summary;
pub mod walk;

pub use pipeline::{IngestOptions, Ingestor};
pub use summary::{BadExample, NoProgress, Progress, Summary};
