//! select: the second half of `chains` on the local index — rank the chain
//! summaries [`super::scan`] read from the columns, and load only what the
//! answer needs.
//!
//! Every chain has a place in the chosen order ([`Rank`]). Before its
//! events are read, a chain's place is bounded from above: its time and
//! key are known, and a chain of one request has exactly the one finding
//! its code can give (known from the columns); a longer chain is assumed
//! flagged, with as many findings as its length allows. Chains are taken
//! best bound first; a lone request is placed at once, a longer chain is
//! loaded (a batch at a time) and judged; the best `limit` are kept. Once
//! the worst kept is better than the next bound, no chain left can enter
//! the answer, and the search stops. Memory holds the summaries, the
//! `limit` kept and one batch of events.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use chrono::DateTime;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED, Term};

use super::ChainSort;
use super::keys::KeyTable;
use super::scan::{Scan, Summary};
use crate::catalog::Catalogs;
use crate::error::Result;
use crate::index::LocalStore;
use crate::model::{Chain, Event, Source};
use crate::query::chains::{build_chains, judge};

/// Longer chains loaded at a time.
const BATCH: usize = 64;

/// A chain's place in a sort, smaller first: the sort's own fields, then
/// key, service and client (as [`build_chains`] orders chains, and every
/// sort keeps that order among ties). Names are ranks of their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rank {
    a: i64,
    b: i64,
    key: u32,
    service: u32,
    client: u32,
}

impl ChainSort {
    /// The place of a chain whose first request came at `first` (ms) with
    /// `flags` findings.
    fn rank(self, first: i64, flags: usize, ids: (u32, u32, u32)) -> Rank {
        let clean = i64::from(flags == 0);
        let (a, b) = match self {
            ChainSort::Flagged => (clean, -first),
            ChainSort::Findings => (-(flags as i64), -first),
            ChainSort::Newest => (-first, clean),
            ChainSort::Oldest => (first, clean),
        };
        Rank {
            a,
            b,
            key: ids.0,
            service: ids.1,
            client: ids.2,
        }
    }
}

/// The most findings a chain of `requests` requests can have: the rules
/// that flag an attempt flag each retry at most once (four of them), the
/// payload rule each attempt, and four rules flag a chain once.
fn most_flags(requests: u32) -> usize {
    4 * requests as usize + 1
}

/// A kept chain: judged, or a lone request placed from its columns (loaded
/// at the end).
enum Kept {
    Judged(Chain),
    Lone(usize),
}

/// What selection works from.
pub struct Ask<'a> {
    pub keys: &'a KeyTable,
    pub scan: Scan,
    pub flagged_only: bool,
    pub sort: ChainSort,
    pub limit: usize,
}

impl LocalStore {
    /// The best `limit` chains of `ask.scan`, in order.
    pub(super) fn select(&self, searcher: &Searcher, ask: Ask) -> Result<Vec<Chain>> {
        if ask.limit == 0 || ask.scan.summaries.is_empty() {
            return Ok(Vec::new());
        }
        let order = name_order(&ask.scan.names);
        let ids = |s: &Summary| (s.key, order[s.service as usize], order[s.client as usize]);
        let mut lone = LoneFlags::new(self, &ask.scan);
        let mut todo: Vec<Reverse<(Rank, usize, bool)>> =
            Vec::with_capacity(ask.scan.summaries.len());
        for (i, s) in ask.scan.summaries.iter().enumerate() {
            let known = (s.requests == 1).then(|| lone.flags(s)).flatten();
            let flags = known.unwrap_or_else(|| most_flags(s.requests));
            if known == Some(0) && ask.flagged_only {
                continue;
            }
            todo.push(Reverse((
                ask.sort.rank(s.first, flags, ids(s)),
                i,
                known.is_some(),
            )));
        }
        let mut todo = BinaryHeap::from(todo);
        let mut best = Best::new(ask.limit);
        let mut batch: Vec<usize> = Vec::new();
        while let Some(&Reverse((bound, i, exact))) = todo.peek() {
            if best.beats(bound) {
                break;
            }
            todo.pop();
            if exact {
                best.offer(bound, Kept::Lone(i));
                continue;
            }
            batch.push(i);
            if batch.len() == BATCH {
                self.judge_batch(searcher, &ask, &ids, &mut batch, &mut best)?;
            }
        }
        self.judge_batch(searcher, &ask, &ids, &mut batch, &mut best)?;
        self.finish(searcher, &ask, best)
    }

    /// Load the chains of `batch`, judge them and keep the best.
    fn judge_batch(
        &self,
        searcher: &Searcher,
        ask: &Ask,
        ids: &dyn Fn(&Summary) -> (u32, u32, u32),
        batch: &mut Vec<usize>,
        best: &mut Best,
    ) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let wanted: Vec<usize> = std::mem::take(batch);
        for (i, chain) in self.load_chains(searcher, ask, &wanted)? {
            if ask.flagged_only && chain.flags.is_empty() {
                continue;
            }
            let first = chain
                .attempts
                .first()
                .map_or(0, |e| e.ts.timestamp_millis());
            let rank = ask
                .sort
                .rank(first, chain.flags.len(), ids(&ask.scan.summaries[i]));
            best.offer(rank, Kept::Judged(chain));
        }
        Ok(())
    }

    /// The kept chains in order, lone requests loaded now.
    fn finish(&self, searcher: &Searcher, ask: &Ask, best: Best) -> Result<Vec<Chain>> {
        let kept = best.into_sorted();
        let lone: Vec<usize> = kept
            .iter()
            .filter_map(|k| match k {
                Kept::Lone(i) => Some(*i),
                Kept::Judged(_) => None,
            })
            .collect();
        let mut loaded: HashMap<usize, Chain> = self
            .load_chains(searcher, ask, &lone)?
            .into_iter()
            .collect();
        let mut out = Vec::with_capacity(kept.len());
        for k in kept {
            match k {
                Kept::Judged(c) => out.push(c),
                Kept::Lone(i) => out.extend(loaded.remove(&i)),
            }
        }
        Ok(out)
    }

    /// The chains of `wanted`, built from every event of their keys.
    fn load_chains(
        &self,
        searcher: &Searcher,
        ask: &Ask,
        wanted: &[usize],
    ) -> Result<Vec<(usize, Chain)>> {
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let summary = |i: usize| &ask.scan.summaries[i];
        let mut texts: HashMap<u32, String> = HashMap::with_capacity(wanted.len());
        for &i in wanted {
            let rank = summary(i).key;
            if let std::collections::hash_map::Entry::Vacant(e) = texts.entry(rank) {
                e.insert(ask.keys.text(rank).map_err(|e| self.error(e))?);
            }
        }
        let keys: BTreeSet<&str> = texts.values().map(String::as_str).collect();
        let addrs = self.docs_of(searcher, &keys).map_err(|e| self.error(e))?;
        let chains = build_chains(self.events_at(searcher, &addrs)?, &self.catalogs);
        let name = |id: u32| ask.scan.name(id);
        let by_id: HashMap<(&str, Option<&str>, Option<&str>), usize> = wanted
            .iter()
            .map(|&i| {
                let s = summary(i);
                let id = (texts[&s.key].as_str(), name(s.service), name(s.client));
                (id, i)
            })
            .collect();
        Ok(chains
            .into_iter()
            .filter_map(|c| {
                let id = (
                    c.idempotency_key.as_str(),
                    c.service.as_deref(),
                    c.client.as_deref(),
                );
                let at = by_id.get(&id).copied();
                at.map(|i| (i, c))
            })
            .collect())
    }
}

impl LocalStore {
    /// The documents of `keys`, in address order: one dictionary lookup per
    /// key and segment (a term-set query would walk each dictionary whole).
    fn docs_of(
        &self,
        searcher: &Searcher,
        keys: &BTreeSet<&str>,
    ) -> tantivy::Result<Vec<DocAddress>> {
        let field = self.fields.idempotency_key;
        let mut addrs = Vec::new();
        for (seg, reader) in searcher.segment_readers().iter().enumerate() {
            let inverted = reader.inverted_index(field)?;
            for key in keys {
                let term = Term::from_field_text(field, key);
                let Some(mut postings) = inverted.read_postings(&term, IndexRecordOption::Basic)?
                else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if !reader.is_deleted(doc) {
                        addrs.push(DocAddress::new(seg as u32, doc));
                    }
                    doc = postings.advance();
                }
            }
        }
        addrs.sort_unstable();
        Ok(addrs)
    }
}

/// The best `limit` chains seen so far: a bounded heap, worst on top, over
/// slots reused as chains fall out (memory: `limit` chains, whatever was
/// judged).
struct Best {
    limit: usize,
    heap: BinaryHeap<(Rank, usize)>,
    slots: Vec<Option<Kept>>,
    free: Vec<usize>,
}

impl Best {
    fn new(limit: usize) -> Best {
        Best {
            limit,
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Whether the `limit` kept are all better than `rank`.
    fn beats(&self, rank: Rank) -> bool {
        self.heap.len() >= self.limit && self.heap.peek().is_some_and(|(worst, _)| *worst < rank)
    }

    /// Keep `kept` if it is among the best `limit`.
    fn offer(&mut self, rank: Rank, kept: Kept) {
        if self.beats(rank) {
            return;
        }
        let at = match self.free.pop() {
            Some(at) => {
                self.slots[at] = Some(kept);
                at
            }
            None => {
                self.slots.push(Some(kept));
                self.slots.len() - 1
            }
        };
        self.heap.push((rank, at));
        if self.heap.len() > self.limit
            && let Some((_, out)) = self.heap.pop()
        {
            self.slots[out] = None;
            self.free.push(out);
        }
    }

    /// The kept chains, best first.
    fn into_sorted(mut self) -> Vec<Kept> {
        let order = std::mem::take(&mut self.heap).into_sorted_vec();
        order
            .into_iter()
            .filter_map(|(_, at)| self.slots[at].take())
            .collect()
    }
}

/// Each name id's rank in text order (0 for none stays 0), so ties break
/// as `build_chains` breaks them.
fn name_order(names: &[String]) -> Vec<u32> {
    let mut by_text: Vec<u32> = (1..=names.len() as u32).collect();
    by_text.sort_unstable_by(|a, b| names[*a as usize - 1].cmp(&names[*b as usize - 1]));
    let mut order = vec![0; names.len() + 1];
    for (rank, id) in by_text.into_iter().enumerate() {
        order[id as usize] = rank as u32 + 1;
    }
    order
}

/// The findings of a chain of one request, from its columns: the chain
/// rules judge an attempt rebuilt from them (status, code, api, service),
/// the same few combinations judged once each.
struct LoneFlags<'a> {
    catalogs: &'a Catalogs,
    scan: &'a Scan,
    /// The columns may disagree with the events read back (other catalogs):
    /// then a lone failure is judged from its events.
    stale: bool,
    seen: HashMap<(u32, u32, u32, Option<u16>), usize>,
}

impl<'a> LoneFlags<'a> {
    fn new(store: &'a LocalStore, scan: &'a Scan) -> LoneFlags<'a> {
        LoneFlags {
            catalogs: &store.catalogs,
            scan,
            stale: store.is_stale(),
            seen: Default::default(),
        }
    }

    /// `None` when only its events can tell.
    fn flags(&mut self, s: &Summary) -> Option<usize> {
        let failed = s.code != 0 || s.status.is_some_and(|st| st >= 400);
        if !failed {
            return Some(0);
        }
        if self.stale {
            return None;
        }
        let id = (s.code, s.api, s.service, s.status);
        if let Some(&n) = self.seen.get(&id) {
            return Some(n);
        }
        let mut e = Event::new(DateTime::UNIX_EPOCH, Source::default(), String::new());
        e.status = s.status;
        e.code = self.scan.name(s.code).map(str::to_string);
        e.api = self.scan.name(s.api).map(str::to_string);
        e.service = self.scan.name(s.service).map(str::to_string);
        let n = judge(&[e], self.catalogs).len();
        self.seen.insert(id, n);
        Some(n)
    }
}
