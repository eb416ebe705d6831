//! merges: how the writer keeps the number of segments low. Every query
//! opens every segment (a one-shot `find` pays ~0.2–0.3 ms each), so after
//! a bulk ingest [`compact`] merges the committed segments into as few as
//! fit a memory bound, one merge at a time. While ingest runs, only small
//! segments (follow mode's, partial flushes at commits) are merged in the
//! background ([`background_policy`]). Sits under [`super::writer`].

use std::path::Path;

use tantivy::index::SegmentId;
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::{Index, IndexWriter};

/// Segments up to this many documents are merged in the background.
const MAX_DOCS_BEFORE_MERGE: usize = 250_000;

/// Merge only small segments while ingest runs. A bulk ingest flushes
/// segments of ~0.5M events each; merging those beside the indexing threads
/// took ~15% of ingest CPU at 10M lines and mapped enough of them at once to
/// push peak RSS from ~0.7 to 1.7 GiB (BENCHMARKS.md).
pub(super) fn background_policy() -> LogMergePolicy {
    let mut policy = LogMergePolicy::default();
    policy.set_max_docs_before_merge(MAX_DOCS_BEFORE_MERGE);
    policy
}

/// At most this many bytes of segments go into one merge. A merge maps and
/// reads every byte of its sources, which counts in the process's resident
/// memory until it ends; the indexing threads' memory is gone by then, so
/// this keeps a bulk ingest's peak RSS under 1 GiB.
pub(super) const MERGE_SOURCE_BYTES: u64 = 640 << 20;

/// A bulk ingest that leaves this many segments or fewer merges nothing: at
/// 1M lines it leaves 2, and merging them into one added a quarter to the
/// ingest's wall time for no query gain worth measuring (BENCHMARKS.md,
/// Results 2026-11-30); at 10M it leaves ~20, and there the merge pays
/// (`find` CPU 14–20 → 11–12 ms).
pub(super) const FEW_SEGMENTS: usize = 8;

/// Merge the committed segments of `index` (whose files are in `dir`) into
/// as few as [`plan`] allows (nothing when `few` or fewer are committed), one merge at a time, holding the writer lock
/// (waiting for it, as ingest does). Each merge keeps the last commit's
/// checkpoint; a merge interrupted by a crash leaves files the next writer
/// deletes. Returns how many merges ran.
pub(super) fn compact(writer: &mut IndexWriter, dir: &Path, few: usize) -> tantivy::Result<usize> {
    writer.set_merge_policy(Box::new(NoMergePolicy));
    // Only the ids are kept: a live `SegmentMeta` keeps its files from
    // garbage collection, and the merged sources must go as each merge ends.
    let ids = writer.index().searchable_segment_ids()?;
    if ids.len() <= few {
        return Ok(0);
    }
    let sized: Vec<(SegmentId, u64)> = ids.iter().map(|&id| (id, bytes_of(dir, id))).collect();
    let groups = plan(&sized, MERGE_SOURCE_BYTES);
    for group in &groups {
        writer.merge(group).wait()?;
    }
    writer.garbage_collect_files().wait()?;
    Ok(groups.len())
}

/// How many segments `index` has committed.
pub(super) fn segment_count(index: &Index) -> usize {
    index.searchable_segment_ids().map_or(0, |ids| ids.len())
}

/// Bytes of a segment's files in `dir` (each named by its id).
fn bytes_of(dir: &Path, id: SegmentId) -> u64 {
    let stem = id.uuid_string();
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&stem))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Which segments to merge together: first-fit decreasing by size into
/// bins of at most `budget` bytes; each bin of two or more segments is one
/// merge. A segment bigger than the budget stays as it is.
pub(super) fn plan<T: Copy>(segments: &[(T, u64)], budget: u64) -> Vec<Vec<T>> {
    let mut sorted: Vec<(T, u64)> = segments.to_vec();
    sorted.sort_by_key(|&(_, bytes)| std::cmp::Reverse(bytes));
    let mut bins: Vec<(u64, Vec<T>)> = Vec::new();
    for (id, bytes) in sorted {
        match bins.iter_mut().find(|(used, _)| used + bytes <= budget) {
            Some((used, members)) => {
                *used += bytes;
                members.push(id);
            }
            None => bins.push((bytes, vec![id])),
        }
    }
    bins.into_iter()
        .map(|(_, members)| members)
        .filter(|members| members.len() > 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_segments_are_packed_into_as_few_merges_as_the_budget_allows() {
        // 18 segments of 160 bytes under a budget of 640: 4 to a merge.
        let segments: Vec<(usize, u64)> = (0..18).map(|i| (i, 160)).collect();
        let groups = plan(&segments, 640);
        assert_eq!(groups.len(), 5);
        assert!(groups.iter().all(|g| g.len() >= 2 && g.len() <= 4));
        let mut merged: Vec<usize> = groups.concat();
        merged.sort_unstable();
        assert_eq!(merged, (0..18).collect::<Vec<_>>());
    }

    #[test]
    fn a_segment_over_the_budget_or_alone_in_its_bin_is_not_merged() {
        let segments = [("big", 900), ("a", 300), ("b", 200), ("c", 500)];
        let groups = plan(&segments, 640);
        // c (500) takes a bin; a (300) and b (200) share the next.
        assert_eq!(groups, vec![vec!["a", "b"]]);
        assert!(plan(&[("only", 10)], 640).is_empty());
        assert!(plan::<u8>(&[], 640).is_empty());
    }
}
