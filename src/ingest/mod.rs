//! ingest: paths and stdin → framed lines → normalize → the index writer.
//!
//! - [`walk`]       — paths → files; compression by magic bytes
//! - [`lines`]      — byte stream → batches of lines with offsets
//! - [`checkpoint`] — what is already indexed (the commit payload)
//! - [`identify`]   — new, grown, rotated, replaced or unchanged?
//! - [`pipeline`]   — the run: read, parse on all cores, add, commit
//! - [`summary`]    — progress, and what a run tells its user
//! - [`follow`]     — keep tailing (`ingest --follow`)

pub mod checkpoint;
pub mod follow;
pub mod identify;
pub mod lines;
pub mod pipeline;
pub mod summary;
pub mod walk;

pub use pipeline::{IngestOptions, Ingestor};
pub use summary::{BadExample, NoProgress, Progress, Summary};
