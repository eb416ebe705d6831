//! grouptable: one segment's group accumulators for `groups`
//! ([`super::grouping`] fills it), bounded by what was asked rather than by
//! the field's dictionary, as tantivy's terms aggregation bounds its
//! buckets. Keys (term ordinals or statuses) find their accumulator through
//! a small dense table (keys below [`DENSE_KEYS`]) or a map (larger keys
//! and pairs), so a narrow query over a field with millions of values
//! allocates for the groups it meets, not for every value of the field.
//!
//! Two bounds, both per segment: a segment hands over at most
//! [`Bounds::keep`] groups (its best by the requested order, a margin over
//! the limit shown: tantivy's `shard_size`), and holds at most
//! [`Bounds::cap`] accumulators at once (a memory limit): reaching it cuts
//! the table to its best `keep` groups. A cut makes the answer approximate;
//! [`Cut`] says by how much a count shown can be low.

use std::cmp::Ordering;
use std::collections::HashMap;

use tantivy::DocId;

use super::grouping::Acc;
use super::groups::GroupSort;

/// A group's key: term ordinal (or status) of each dimension; the second
/// is 0 with one dimension.
pub(crate) type Key = (u64, u64);

/// Single keys below this find their slot in a dense table (4 bytes a key,
/// 256 KiB at most); the rest in a map.
pub(crate) const DENSE_KEYS: u64 = 1 << 16;

/// Groups a segment keeps whatever the limit: below this many groups per
/// segment, every answer is exact.
pub const KEEP_FLOOR: usize = 5_000;

/// Memory one segment's accumulators may take.
pub const MEMORY_LIMIT: usize = 32 << 20;

/// How many groups a segment keeps and holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Groups a segment hands over at most (its best by the order).
    pub keep: usize,
    /// Accumulators a segment holds at once; reaching it cuts to `keep`.
    pub cap: usize,
}

impl Bounds {
    /// The bounds for showing `limit` groups with `buckets`-long timelines:
    /// keep 1.5 × limit + 10 (at least [`KEEP_FLOOR`]); hold what
    /// [`MEMORY_LIMIT`] allows, and never less than twice `keep` (a larger
    /// limit asks for more memory).
    pub fn for_limit(limit: usize, buckets: usize) -> Bounds {
        let keep = limit
            .saturating_mul(3)
            .saturating_div(2)
            .saturating_add(10)
            .max(KEEP_FLOOR);
        let cap = (MEMORY_LIMIT / bytes_per_group(buckets)).max(keep.saturating_mul(2));
        Bounds { keep, cap }
    }
}

/// What one accumulator costs: itself, its timeline, a few statuses and
/// its place in the index.
pub(crate) fn bytes_per_group(buckets: usize) -> usize {
    std::mem::size_of::<(Key, Acc<DocId>)>()
        + buckets * std::mem::size_of::<u64>()
        + 4 * std::mem::size_of::<(u64, u64)>()
        + 2 * std::mem::size_of::<(Key, u32)>()
}

/// The order groups are cut in; the same as `sort_groups` shows them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order {
    pub sort: GroupSort,
    /// Rates are shown (otherwise a sort by rate is a sort by count).
    pub rates: bool,
}

impl Order {
    /// `a` before `b`: the better group first, then the smaller key (term
    /// ordinals follow the terms' order).
    fn cmp(&self, (ka, a): &(Key, Acc<DocId>), (kb, b): &(Key, Acc<DocId>)) -> Ordering {
        let primary = match self.sort {
            GroupSort::Count => b.count.cmp(&a.count),
            GroupSort::Errors => b.errors.cmp(&a.errors),
            GroupSort::Rate => self.rate(b).total_cmp(&self.rate(a)),
            GroupSort::LastSeen => last_seen(b).cmp(&last_seen(a)),
        };
        primary
            .then_with(|| b.count.cmp(&a.count))
            .then_with(|| ka.cmp(kb))
    }

    fn rate(&self, a: &Acc<DocId>) -> f64 {
        if self.rates && a.requests > 0 {
            a.errors as f64 / a.requests as f64
        } else {
            -1.0
        }
    }
}

/// As `groups` shows last seen: real times, else inferred ones.
fn last_seen(a: &Acc<DocId>) -> i64 {
    a.real
        .get()
        .or_else(|| a.inferred_span.get())
        .map_or(0, |(_, last)| last)
}

/// What cutting dropped, summed over cuts and segments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cut {
    /// Groups dropped by a cut (the same group may be dropped in several
    /// segments and counted in each).
    pub dropped: u64,
    /// A count shown is at most this much below the truth: the sum over
    /// every cut of the largest count it dropped.
    pub count_error_bound: u64,
    /// The most accumulators one segment held at once.
    pub peak: usize,
    /// The most dense slots one segment allocated.
    pub dense_slots: usize,
}

impl Cut {
    /// A segment whose `groups` came whole from its table: nothing cut.
    pub(crate) fn tabled(groups: usize) -> Cut {
        Cut {
            peak: groups,
            ..Cut::default()
        }
    }

    pub fn merge(&mut self, other: Cut) {
        self.dropped += other.dropped;
        self.count_error_bound += other.count_error_bound;
        self.peak = self.peak.max(other.peak);
        self.dense_slots = self.dense_slots.max(other.dense_slots);
    }
}

/// One segment's groups.
pub(crate) struct Table {
    /// Slot + 1 of single keys below [`DENSE_KEYS`] (0: none yet).
    dense: Vec<u32>,
    /// Slot of the other keys.
    sparse: HashMap<Key, u32>,
    accs: Vec<(Key, Acc<DocId>)>,
    pairs: bool,
    bounds: Bounds,
    order: Order,
    cut: Cut,
}

impl Table {
    pub fn new(pairs: bool, bounds: Bounds, order: Order) -> Table {
        Table {
            dense: Vec::new(),
            sparse: HashMap::new(),
            accs: Vec::new(),
            pairs,
            bounds,
            order,
            cut: Cut::default(),
        }
    }

    /// The accumulator of `key`, new (first seen at `doc`) if need be.
    pub fn entry(&mut self, key: Key, doc: DocId, buckets: usize) -> &mut Acc<DocId> {
        let slot = match self.find(key) {
            Some(slot) => slot,
            None => {
                if self.accs.len() >= self.bounds.cap {
                    self.cut_to(self.bounds.keep);
                }
                let slot = self.accs.len();
                self.accs.push((key, Acc::new(doc, buckets)));
                self.cut.peak = self.cut.peak.max(self.accs.len());
                self.place(key, slot);
                slot
            }
        };
        &mut self.accs[slot].1
    }

    fn dense_key(&self, key: Key) -> Option<usize> {
        (!self.pairs && key.0 < DENSE_KEYS).then_some(key.0 as usize)
    }

    fn find(&self, key: Key) -> Option<usize> {
        match self.dense_key(key) {
            Some(k) => self
                .dense
                .get(k)
                .and_then(|&s| s.checked_sub(1))
                .map(|s| s as usize),
            None => self.sparse.get(&key).map(|&s| s as usize),
        }
    }

    fn place(&mut self, key: Key, slot: usize) {
        let slot = slot as u32;
        match self.dense_key(key) {
            Some(k) => {
                if k >= self.dense.len() {
                    self.dense.resize(k + 1, 0);
                    self.cut.dense_slots = self.cut.dense_slots.max(self.dense.len());
                }
                self.dense[k] = slot + 1;
            }
            None => {
                self.sparse.insert(key, slot);
            }
        }
    }

    /// Keep the best `keep` groups, remembering what was dropped.
    fn cut_to(&mut self, keep: usize) {
        if self.accs.len() <= keep {
            return;
        }
        let order = self.order;
        self.accs.sort_unstable_by(|a, b| order.cmp(a, b));
        let dropped = self.accs.split_off(keep);
        self.cut.dropped += dropped.len() as u64;
        self.cut.count_error_bound += dropped.iter().map(|(_, a)| a.count).max().unwrap_or(0);
        self.dense.fill(0);
        self.sparse.clear();
        for slot in 0..self.accs.len() {
            self.place(self.accs[slot].0, slot);
        }
    }

    /// Hand over the segment's best groups (at most `keep`), and what was
    /// cut; the table is left empty.
    pub fn finish(&mut self) -> (Vec<(Key, Acc<DocId>)>, Cut) {
        self.cut_to(self.bounds.keep);
        self.dense = Vec::new();
        self.sparse = HashMap::new();
        (std::mem::take(&mut self.accs), self.cut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(keep: usize, cap: usize) -> Table {
        let order = Order {
            sort: GroupSort::Count,
            rates: false,
        };
        Table::new(false, Bounds { keep, cap }, order)
    }

    #[test]
    fn keys_beyond_the_dense_range_take_no_dense_slots() {
        let mut t = table(100, 1_000);
        for (doc, key) in [(0, 5_000_000), (1, 9_000_000_000), (2, 5_000_000)] {
            t.entry((key, 0), doc, 4).count += 1;
        }
        let (groups, cut) = t.finish();
        assert_eq!(cut.dense_slots, 0);
        assert_eq!(cut.peak, 2);
        let counts: Vec<(u64, u64)> = groups.iter().map(|(k, a)| (k.0, a.count)).collect();
        assert_eq!(counts, vec![(5_000_000, 2), (9_000_000_000, 1)]);
    }

    #[test]
    fn reaching_the_cap_keeps_the_largest_and_bounds_the_error() {
        let mut t = table(2, 4);
        // Keys 0..3 with counts 5, 4, 3, 2; then key 4 (count 1) forces a cut.
        for key in 0..4u64 {
            for _ in 0..(5 - key) {
                t.entry((key, 0), 0, 4).count += 1;
            }
        }
        t.entry((4, 0), 0, 4).count += 1;
        let (groups, cut) = t.finish();
        let keys: Vec<u64> = groups.iter().map(|(k, _)| k.0).collect();
        assert_eq!(keys, vec![0, 1]);
        // The cut at the cap dropped counts 3 and 2; the final one, count 1.
        assert_eq!(cut.dropped, 3);
        assert_eq!(cut.count_error_bound, 3 + 1);
        assert_eq!(cut.peak, 4);
    }

    #[test]
    fn bounds_grow_with_the_limit_and_never_go_below_the_floor() {
        let small = Bounds::for_limit(50, 24);
        assert_eq!(small.keep, KEEP_FLOOR);
        assert!(small.cap >= 2 * small.keep);
        assert!(small.cap * bytes_per_group(24) <= MEMORY_LIMIT);
        let big = Bounds::for_limit(100_000, 24);
        assert_eq!(big.keep, 150_010);
        assert_eq!(big.cap, 300_020);
    }
}
