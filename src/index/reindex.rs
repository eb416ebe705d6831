//! reindex: re-derive every indexed field from the stored original lines,
//! with the current normalizer and catalogs — after a catalog change, so
//! that `search class:X` finds what `find` shows. No source file is needed.
//!
//! Crash-safe: the old documents are deleted and the re-derived ones added
//! under one commit, so a crash leaves the old index whole (tantivy drops
//! the uncommitted segments) and a finished run swaps in the new one at
//! once. The checkpoint is carried over untouched but for the derivation.

use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::schema::TantivyDocument;
use tantivy::{IndexReader, ReloadPolicy};

use super::Writer;
use super::errors::index_error;
use super::reader::event_from_doc;
use super::writer::to_document;
use crate::catalog::Catalogs;
use crate::error::Result;

/// What `errtriage reindex` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReindexSummary {
    pub events: u64,
    pub seconds: f64,
}

/// Re-derive every document of `writer`'s index with `catalogs`, calling
/// `progress(done, total)` now and then, and commit once.
pub fn reindex(
    writer: &mut Writer,
    catalogs: &Catalogs,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<ReindexSummary> {
    let started = Instant::now();
    let dir = writer.dir().to_path_buf();
    let reader: IndexReader = writer
        .index()
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| index_error(&dir, e))?;
    let searcher = reader.searcher();
    let total = searcher.num_docs();
    let fields = writer.fields().clone();
    writer.delete_all()?;
    let mut done = 0u64;
    for segment in searcher.segment_readers() {
        let store = segment
            .get_store_reader(64)
            .map_err(|e| index_error(&dir, e.into()))?;
        for doc in store.iter::<TantivyDocument>(segment.alive_bitset()) {
            let doc = doc.map_err(|e| index_error(&dir, e))?;
            let event = event_from_doc(&fields, catalogs, &doc);
            writer.add(to_document(&fields, &event))?;
            done += 1;
            if done.is_multiple_of(10_000) {
                progress(done, total);
            }
        }
    }
    progress(done, total);
    writer.checkpoint.derived = Some(super::derived::Derivation::current(catalogs));
    writer.commit()?;
    Ok(ReindexSummary {
        events: done,
        seconds: started.elapsed().as_secs_f64(),
    })
}
