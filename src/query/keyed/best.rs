//! best: the selection both stores' `chains` share, between the chain
//! summaries a store reads without loading events (the local index's
//! columns, [`super::select`]; a ClickHouse `GROUP BY`,
//! `store::clickhouse::chains`) and the judged chains of the answer.
//!
//! Every chain has a place in the chosen order ([`Rank`]). Before its
//! events are read, a chain's place is bounded from above: its time and
//! key are known, and a chain of one request has exactly the one finding
//! its code can give; a longer chain is assumed flagged, with as many
//! findings as its length allows ([`most_flags`]). A store hands chains in
//! order of that bound ([`Candidate`]); a lone request is placed at once, a
//! longer chain is loaded (a batch at a time, by the store's [`Loader`])
//! and judged; the best `limit` are kept. Once the worst kept is better
//! than the next bound, no chain left can enter the answer, and the search
//! stops. Memory holds the `limit` kept and one batch of events.
//!
//! A store may hand only the chains of a time window ([`Pick::floor`]):
//! every chain outside it ranks at or after the floor, so the search stops
//! there too, and a window whose best `limit` do not all rank before the
//! floor is too narrow to tell.

use std::collections::{BinaryHeap, HashMap};
use std::hash::Hash;

use chrono::DateTime;

use super::ChainSort;
use crate::catalog::Catalogs;
use crate::error::Result;
use crate::model::{Chain, Event, Source};
use crate::query::chains::judge;

/// Longer chains loaded at a time: the first batch as many as the answer
/// holds (at least 8, at most 64), each next one twice as many, up to
/// 4,096 — few round trips to a server when the bound is weak (`--sort
/// findings` judges most chains of two or more requests), one batch of
/// events in memory.
const BATCH: usize = 64;
const MIN_BATCH: usize = 8;
const MAX_BATCH: usize = 4096;

/// A chain's place in a sort, smaller first: the sort's own fields, then
/// `ties` — key, service and client, compared as their text (as
/// `build_chains` orders chains, and every sort keeps that order among
/// ties; a missing name first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rank<T> {
    a: i64,
    b: i64,
    ties: T,
}

impl ChainSort {
    /// The place of a chain whose first request came at `first` (ms) with
    /// `flags` findings.
    pub fn rank<T>(self, first: i64, flags: usize, ties: T) -> Rank<T> {
        let clean = i64::from(flags == 0);
        let (a, b) = match self {
            ChainSort::Flagged => (clean, -first),
            ChainSort::Findings => (-(flags as i64), -first),
            ChainSort::Newest => (-first, clean),
            ChainSort::Oldest => (first, clean),
        };
        Rank { a, b, ties }
    }

    /// The floor of a window that holds every request from `edge` (ms) on
    /// (newest first: `Flagged`, `Newest`) or up to `edge` (`Oldest`): a
    /// chain whose first request is outside ranks at or after it.
    pub fn floor(self, edge: i64) -> (i64, i64) {
        match self {
            ChainSort::Flagged => (0, 1 - edge),
            ChainSort::Newest => (1 - edge, i64::MIN),
            ChainSort::Oldest => (edge + 1, i64::MIN),
            ChainSort::Findings => (i64::MIN, i64::MIN),
        }
    }

    /// The findings a lone request of a window (`n` if it is alone) waits
    /// with until its key is checked ([`ChainSort::floor`]'s windows). A
    /// window of the newest requests holds every later one, so the
    /// request's chain is that request alone, or began before the window
    /// and ranks at or after the floor: `n` bounds every place that
    /// matters. A window of the oldest requests may miss later requests
    /// of its chain, which may be flagged: the most a chain can have.
    pub fn check_bound(self, n: usize) -> usize {
        match self {
            ChainSort::Oldest => most_flags(1),
            _ => n,
        }
    }
}

impl<T> Rank<T> {
    /// Whether this place is at or after `floor` (whatever its ties).
    pub fn reaches(&self, floor: (i64, i64)) -> bool {
        (self.a, self.b) >= floor
    }
}

/// The most findings a chain of `requests` requests can have: the rules
/// that flag an attempt flag each retry at most once (four of them), the
/// payload rule each attempt, and four rules flag a chain once.
pub fn most_flags(requests: u32) -> usize {
    FLAGS_PER_REQUEST * requests as usize + 1
}

/// See [`most_flags`].
pub const FLAGS_PER_REQUEST: usize = 4;

/// One chain before its events are read.
pub struct Candidate<T, H> {
    /// Its first request's time, ms since the epoch.
    pub first: i64,
    /// Key, service and client, as [`Rank`] compares them.
    pub ties: T,
    /// The most findings it can have: candidates come in the order of the
    /// place this gives them.
    pub most: usize,
    /// Its findings when known without its events (a lone request).
    pub known: Option<usize>,
    /// What the store's [`Loader`] loads it by.
    pub handle: H,
}

/// How a store reads chains.
pub trait Loader {
    type Handle;
    /// The chains of `wanted`, built from every request of their keys and
    /// judged, each with its position in `wanted`.
    fn load(&mut self, wanted: &[Self::Handle]) -> Result<Vec<(usize, Chain)>>;
}

/// What is asked.
#[derive(Debug, Clone, Copy)]
pub struct Pick {
    pub sort: ChainSort,
    pub flagged_only: bool,
    pub limit: usize,
    /// Set when the candidates are those of a time window only: every
    /// chain outside it ranks at or after this ([`ChainSort::floor`]).
    pub floor: Option<(i64, i64)>,
}

/// The best `pick.limit` chains of `candidates` (which come in order of
/// their bound), in order: loads only the chains that can enter. `None`
/// when a window's chains cannot tell them (only with [`Pick::floor`]).
pub fn best_chains<T, L>(
    pick: Pick,
    candidates: impl IntoIterator<Item = Result<Candidate<T, L::Handle>>>,
    loader: &mut L,
) -> Result<Option<Vec<Chain>>>
where
    T: Ord + Clone,
    L: Loader,
{
    let mut best = Best::new(pick.limit);
    let mut batch = Batch {
        handles: Vec::new(),
        ties: Vec::new(),
        size: pick.limit.clamp(MIN_BATCH, BATCH),
    };
    for c in candidates {
        let c = c?;
        let bound = pick.sort.rank(c.first, c.most, c.ties);
        if best.beats(&bound) || pick.floor.is_some_and(|f| bound.reaches(f)) {
            break;
        }
        match c.known {
            Some(0) if pick.flagged_only => {}
            Some(n) => {
                let place = pick.sort.rank(c.first, n, bound.ties);
                best.offer(place, Kept::Lone(c.handle));
            }
            None => {
                batch.handles.push(c.handle);
                batch.ties.push(bound.ties);
                if batch.handles.len() == batch.size {
                    batch.judge(pick, &mut best, loader)?;
                    batch.size = (batch.size * 2).min(MAX_BATCH);
                }
            }
        }
    }
    batch.judge(pick, &mut best, loader)?;
    // Too narrow unless the worst kept ranks before every chain outside.
    if pick.floor.is_some_and(|f| !best.before(f)) {
        return Ok(None);
    }
    finish(best, loader).map(Some)
}

/// Longer chains waiting to be loaded.
struct Batch<T, H> {
    handles: Vec<H>,
    ties: Vec<T>,
    size: usize,
}

impl<T: Ord + Clone, H> Batch<T, H> {
    /// Load the chains of the batch, judge them and keep the best.
    fn judge<L: Loader<Handle = H>>(
        &mut self,
        pick: Pick,
        best: &mut Best<T, H>,
        loader: &mut L,
    ) -> Result<()> {
        if self.handles.is_empty() {
            return Ok(());
        }
        let handles = std::mem::take(&mut self.handles);
        let ties = std::mem::take(&mut self.ties);
        for (at, chain) in loader.load(&handles)? {
            if pick.flagged_only && chain.flags.is_empty() {
                continue;
            }
            let first = chain
                .attempts
                .first()
                .map_or(0, |e| e.ts.timestamp_millis());
            let rank = pick.sort.rank(first, chain.flags.len(), ties[at].clone());
            best.offer(rank, Kept::Judged(chain));
        }
        Ok(())
    }
}

/// The kept chains in order, lone requests loaded now.
fn finish<T: Ord, L: Loader>(best: Best<T, L::Handle>, loader: &mut L) -> Result<Vec<Chain>> {
    let mut lone = Vec::new();
    let kept: Vec<Kept<usize>> = best
        .into_sorted()
        .into_iter()
        .map(|k| match k {
            Kept::Judged(c) => Kept::Judged(c),
            Kept::Lone(h) => {
                lone.push(h);
                Kept::Lone(lone.len() - 1)
            }
        })
        .collect();
    let mut loaded: HashMap<usize, Chain> = match lone.is_empty() {
        true => HashMap::new(),
        false => loader.load(&lone)?.into_iter().collect(),
    };
    Ok(kept
        .into_iter()
        .filter_map(|k| match k {
            Kept::Judged(c) => Some(c),
            Kept::Lone(at) => loaded.remove(&at),
        })
        .collect())
}

/// The chains among `chains` that `wanted` names by (key, service,
/// client), each with its position in `wanted`.
pub fn positions<'w>(
    chains: Vec<Chain>,
    wanted: impl IntoIterator<Item = (&'w str, Option<&'w str>, Option<&'w str>)>,
) -> Vec<(usize, Chain)> {
    let at: HashMap<_, usize> = wanted
        .into_iter()
        .enumerate()
        .map(|(i, w)| (w, i))
        .collect();
    chains
        .into_iter()
        .filter_map(|c| {
            let id = (
                c.idempotency_key.as_str(),
                c.service.as_deref(),
                c.client.as_deref(),
            );
            at.get(&id).copied().map(|i| (i, c))
        })
        .collect()
}

/// A kept chain: judged, or a lone request placed from its summary (loaded
/// at the end).
enum Kept<H> {
    Judged(Chain),
    Lone(H),
}

/// The best `limit` chains seen so far: a bounded heap, worst on top, over
/// slots reused as chains fall out (memory: `limit` chains, whatever was
/// judged).
struct Best<T, H> {
    limit: usize,
    heap: BinaryHeap<(Rank<T>, usize)>,
    slots: Vec<Option<Kept<H>>>,
    free: Vec<usize>,
}

impl<T: Ord, H> Best<T, H> {
    fn new(limit: usize) -> Best<T, H> {
        Best {
            limit,
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Whether the `limit` kept are all better than `rank`.
    fn beats(&self, rank: &Rank<T>) -> bool {
        self.worst_is(|worst| worst < rank)
    }

    /// Whether the `limit` kept all rank before `floor`.
    fn before(&self, floor: (i64, i64)) -> bool {
        self.worst_is(|worst| !worst.reaches(floor))
    }

    /// Whether `limit` are kept and the worst of them is `such`.
    fn worst_is(&self, such: impl FnOnce(&Rank<T>) -> bool) -> bool {
        self.heap.len() >= self.limit && self.heap.peek().is_some_and(|(worst, _)| such(worst))
    }

    /// Keep `kept` if it is among the best `limit`.
    fn offer(&mut self, rank: Rank<T>, kept: Kept<H>) {
        if self.beats(&rank) {
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
    fn into_sorted(mut self) -> Vec<Kept<H>> {
        let order = std::mem::take(&mut self.heap).into_sorted_vec();
        order
            .into_iter()
            .filter_map(|(_, at)| self.slots[at].take())
            .collect()
    }
}

/// What a lone request's summary says of it.
pub struct Lone<'s> {
    pub status: Option<u16>,
    pub code: Option<&'s str>,
    pub api: Option<&'s str>,
    pub service: Option<&'s str>,
}

impl Lone<'_> {
    /// Whether it failed: no finding is possible otherwise.
    pub fn failed(&self) -> bool {
        self.code.is_some() || self.status.is_some_and(|st| st >= 400)
    }
}

/// The findings of chains of one request, from their summaries: the chain
/// rules judge an attempt rebuilt from them (status, code, api, service),
/// the same few combinations (`K`) judged once each.
pub struct LoneFlags<'a, K> {
    catalogs: &'a Catalogs,
    /// The summaries may disagree with the events read back (the local
    /// index's columns derived with other catalogs): then a lone failure
    /// is judged from its events.
    stale: bool,
    seen: HashMap<K, usize>,
}

impl<'a, K: Hash + Eq> LoneFlags<'a, K> {
    pub fn new(catalogs: &'a Catalogs, stale: bool) -> LoneFlags<'a, K> {
        LoneFlags {
            catalogs,
            stale,
            seen: HashMap::new(),
        }
    }

    /// The findings of the lone request `id`, or `None` when only its
    /// events can tell.
    pub fn flags(&mut self, id: K, lone: Lone) -> Option<usize> {
        if !lone.failed() {
            return Some(0);
        }
        if self.stale {
            return None;
        }
        let catalogs = self.catalogs;
        Some(*self.seen.entry(id).or_insert_with(|| {
            let mut e = Event::new(DateTime::UNIX_EPOCH, Source::default(), String::new());
            e.status = lone.status;
            e.code = lone.code.map(str::to_string);
            e.api = lone.api.map(str::to_string);
            e.service = lone.service.map(str::to_string);
            judge(&[e], catalogs).len()
        }))
    }
}
