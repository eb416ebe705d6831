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

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{BitSet, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::index::dictionary_error;

/// Every key of the index, ranked in text order across segments.
pub struct KeyTable {
    /// Each segment's key column (`None`: no key in it).
    columns: Vec<Option<StrColumn>>,
    /// Each segment's key ord → its global rank (increasing with the ord).
    ranks: Vec<Vec<u32>>,
    /// Ranks of the keys found in more than one segment.
    multi: BitSet,
    /// Distinct keys.
    count: u32,
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
        let mut multi_ranks = Vec::new();
        let mut last: Vec<u8> = Vec::new();
        let mut count: u32 = 0;
        while let Some(mut head) = heap.peek_mut() {
            if count == 0 || head.stream.key() != last.as_slice() {
                last.clear();
                last.extend_from_slice(head.stream.key());
                count += 1;
            } else if multi_ranks.last() != Some(&(count - 1)) {
                multi_ranks.push(count - 1);
            }
            ranks[head.seg].push(count - 1);
            if !head.stream.advance() {
                PeekMut::pop(head);
            }
        }
        let mut multi = BitSet::with_max_value(count);
        for rank in multi_ranks {
            multi.insert(rank);
        }
        Ok(KeyTable {
            columns,
            ranks,
            multi,
            count,
        })
    }

    /// Distinct keys in the index.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Segment `seg`'s key ord → global rank.
    pub fn ranks(&self, seg: usize) -> &[u32] {
        &self.ranks[seg]
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
            let (Ok(ord), Some(column)) = (ranks.binary_search(&rank), self.column(seg)) else {
                continue;
            };
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

/// The ranks of the keys of the documents matching a query.
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
