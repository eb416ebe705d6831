//! keys: the idempotency keys of the whole index, numbered once per query —
//! the first step of `chains` on the local index, before [`super::scan`].
//!
//! Every segment's key column has its own sorted dictionary, and a chain's
//! events may sit in several segments. One streaming merge of those
//! dictionaries gives every key a global rank (its place in text order,
//! the order chains tie in) and marks the keys found in more than one
//! segment (only their chains need merging across segments). Nothing is
//! copied but 4 bytes per key and segment; a key's text is read back only
//! for the few chains an answer loads. [`KeysCollector`] marks the ranks of
//! the keys of the events matching a query, one bit per key.
//!
//! A time window of every event needs only the window's keys ranked
//! ([`KeyTable::of_seen`], from the ords its scan met): their texts are
//! read and sorted, the rest of the index is never merged.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{BitSet, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::index::dictionary_error;

/// The keys of the index (or of a window of it), ranked in text order
/// across segments.
pub struct KeyTable {
    /// Each segment's key column (`None`: no key in it).
    columns: Vec<Option<StrColumn>>,
    /// Each segment's ranked key ords, increasing (`None`: every ord of its
    /// dictionary).
    ords: Vec<Option<Vec<u32>>>,
    /// The global rank of each of those ords (increasing with the ord).
    ranks: Vec<Vec<u32>>,
    /// Ranks of the keys found in more than one segment.
    multi: BitSet,
    /// Distinct keys ranked.
    count: u32,
}

/// Ranks keys met in text order, a key of several segments met once in
/// each.
#[derive(Default)]
struct Ranker {
    last: Vec<u8>,
    count: u32,
    multi: Vec<u32>,
}

impl Ranker {
    /// The rank of `key`, met after every smaller key.
    fn rank(&mut self, key: &[u8]) -> u32 {
        if self.count == 0 || key != self.last.as_slice() {
            self.last.clear();
            self.last.extend_from_slice(key);
            self.count += 1;
        } else if self.multi.last() != Some(&(self.count - 1)) {
            self.multi.push(self.count - 1);
        }
        self.count - 1
    }

    fn table(
        self,
        columns: Vec<Option<StrColumn>>,
        ords: Vec<Option<Vec<u32>>>,
        ranks: Vec<Vec<u32>>,
    ) -> KeyTable {
        let mut multi = BitSet::with_max_value(self.count);
        for rank in self.multi {
            multi.insert(rank);
        }
        KeyTable {
            columns,
            ords,
            ranks,
            multi,
            count: self.count,
        }
    }
}

/// One segment's dictionary stream, ordered by its current key (smallest
/// on top of the heap).
struct Head<'a> {
    seg: usize,
    stream: tantivy_sstable::Streamer<'a, tantivy_sstable::VoidSSTable>,
}

impl Ord for Head<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.stream.key().cmp(self.stream.key())
    }
}

impl PartialOrd for Head<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.stream.key() == other.stream.key()
    }
}

impl Eq for Head<'_> {}

impl KeyTable {
    /// Rank the keys of every segment of `searcher`: one merge of the
    /// segments' sorted dictionaries.
    pub fn build(searcher: &Searcher) -> tantivy::Result<KeyTable> {
        let mut columns = Vec::new();
        for reader in searcher.segment_readers() {
            columns.push(reader.fast_fields().str("idempotency_key")?);
        }
        let mut ranks: Vec<Vec<u32>> = columns
            .iter()
            .map(|c| Vec::with_capacity(c.as_ref().map_or(0, |c| c.dictionary().num_terms())))
            .collect();
        let mut heap = BinaryHeap::with_capacity(columns.len());
        for (seg, column) in columns.iter().enumerate() {
            if let Some(column) = column {
                let mut stream = column.dictionary().stream()?;
                if stream.advance() {
                    heap.push(Head { seg, stream });
                }
            }
        }
        let mut ranker = Ranker::default();
        while let Some(mut head) = heap.peek_mut() {
            ranks[head.seg].push(ranker.rank(head.stream.key()));
            if !head.stream.advance() {
                PeekMut::pop(head);
            }
        }
        let every = vec![None; columns.len()];
        Ok(ranker.table(columns, every, ranks))
    }

    /// Rank only the key ords `seen` in each segment's key column
    /// (`columns`; a window's keys): their texts read and sorted. Ranks
    /// keep text order and every text reads back as [`Self::build`]'s
    /// would; "in several segments" counts only the segments they were
    /// seen in.
    pub fn of_seen(
        columns: Vec<Option<StrColumn>>,
        seen: Vec<Vec<u32>>,
    ) -> tantivy::Result<KeyTable> {
        let mut met: Vec<(Vec<u8>, usize, u32)> = Vec::new();
        for (seg, mut seen) in seen.into_iter().enumerate() {
            let Some(column) = &columns[seg] else {
                continue;
            };
            seen.sort_unstable();
            seen.dedup();
            let ords: Vec<u64> = seen.iter().map(|&o| u64::from(o)).collect();
            let mut at = ords.iter();
            column
                .dictionary()
                .sorted_ords_to_term_cb(&ords, |key| {
                    if let Some(&ord) = at.next() {
                        met.push((key.to_vec(), seg, ord as u32));
                    }
                })
                .map_err(|e| dictionary_error("idempotency_key", e))?;
        }
        met.sort_unstable();
        let mut ords = vec![Vec::new(); columns.len()];
        let mut ranks = vec![Vec::new(); columns.len()];
        let mut ranker = Ranker::default();
        for (key, seg, ord) in met {
            ranks[seg].push(ranker.rank(&key));
            ords[seg].push(ord);
        }
        let ords = ords.into_iter().map(Some).collect();
        Ok(ranker.table(columns, ords, ranks))
    }

    /// Distinct keys ranked.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// The ranks of segment `seg`'s ranked ords (every ord's, in ord order,
    /// for [`Self::build`]'s table).
    pub fn ranks(&self, seg: usize) -> &[u32] {
        &self.ranks[seg]
    }

    /// The rank of segment `seg`'s key `ord`, if it was ranked.
    pub fn rank(&self, seg: usize, ord: u32) -> Option<u32> {
        let at = match &self.ords[seg] {
            None => ord as usize,
            Some(ords) => ords.binary_search(&ord).ok()?,
        };
        self.ranks[seg].get(at).copied()
    }

    /// Segment `seg`'s key column.
    pub fn column(&self, seg: usize) -> Option<&StrColumn> {
        self.columns.get(seg).and_then(Option::as_ref)
    }

    /// Whether the key of `rank` is in more than one segment.
    pub fn in_several(&self, rank: u32) -> bool {
        self.multi.contains(rank)
    }

    /// The text of the key of `rank`, read from a segment that holds it.
    pub fn text(&self, rank: u32) -> tantivy::Result<String> {
        for (seg, ranks) in self.ranks.iter().enumerate() {
            let (Ok(at), Some(column)) = (ranks.binary_search(&rank), self.column(seg)) else {
                continue;
            };
            let ord = self.ords[seg].as_ref().map_or(at as u32, |ords| ords[at]);
            let mut bytes = Vec::new();
            column
                .dictionary()
                .ord_to_term(ord as u64, &mut bytes)
                .map_err(|e| dictionary_error("idempotency_key", e))?;
            return Ok(String::from_utf8_lossy(&bytes).into_owned());
        }
        Err(tantivy::TantivyError::InternalError(format!(
            "idempotency key #{rank} is in no segment"
        )))
    }
}

/// The ranks of the keys of the documents matching a query (over a table
/// of every key: [`KeyTable::build`]).
pub struct KeysCollector {
    pub table: Arc<KeyTable>,
}

pub struct KeysSegment {
    column: Option<StrColumn>,
    /// This segment's key ords seen.
    seen: BitSet,
    seg: usize,
}

impl Collector for KeysCollector {
    type Fruit = BitSet;
    type Child = KeysSegment;

    fn for_segment(&self, seg: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<KeysSegment> {
        let seg = seg as usize;
        let column = self.table.column(seg).cloned();
        let terms = column.as_ref().map_or(0, |c| c.dictionary().num_terms());
        Ok(KeysSegment {
            column,
            seen: BitSet::with_max_value(terms as u32),
            seg,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(usize, BitSet)>) -> tantivy::Result<BitSet> {
        let mut matched = BitSet::with_max_value(self.table.count());
        for (seg, seen) in fruits {
            let ranks = self.table.ranks(seg);
            for (ord, &rank) in ranks.iter().enumerate() {
                if seen.contains(ord as u32) {
                    matched.insert(rank);
                }
            }
        }
        Ok(matched)
    }
}

impl SegmentCollector for KeysSegment {
    type Fruit = (usize, BitSet);

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(ord) = self.column.as_ref().and_then(|c| c.ords().first(doc)) {
            self.seen.insert(ord as u32);
        }
    }

    fn harvest(self) -> (usize, BitSet) {
        (self.seg, self.seen)
    }
}
