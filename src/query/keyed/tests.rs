//! The bounded `chains` against brute force: on generated corpora (several
//! seeds, keys shared across services, clients and segments, keys of one
//! line, equal times, one request logged twice, context lines), every
//! sort, with and without `--flagged`, limits of 1, a few, and more than
//! exist, and filters, the time orders from first windows of several
//! widths, must give exactly what judging every chain of the matched keys
//! and sorting them gives.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tantivy::DocAddress;

use super::ChainSort;
use super::keys::KeyTable;
use crate::catalog::Catalogs;
use crate::index::{LocalStore, Writer, WriterOptions};
use crate::ingest::{IngestOptions, Ingestor, NoProgress};
use crate::model::Chain;
use crate::query::Query;
use crate::query::chains::build_chains;
use crate::store::Store as _;

const SORTS: [ChainSort; 4] = [
    ChainSort::Flagged,
    ChainSort::Findings,
    ChainSort::Newest,
    ChainSort::Oldest,
];

/// First windows of the time orders: the default guess, one millisecond
/// (widened window by window, chains straddling each edge), edges between
/// the corpus' times, an edge on one of them (its times are 700 ms apart
/// over 20.3 s, many events at each), most of the span, and all of it (one
/// scan of the whole index, where each segment keeps only the lone requests
/// that can enter).
const SHARES: [Option<f64>; 6] = [
    None,
    Some(1e-9),
    Some(0.05),
    Some(1400.5 / 20300.0),
    Some(0.6),
    Some(1.0),
];

/// One JSON line of the generated corpus, for commit `part`: most keys are
/// shared by every part, a few belong to this part alone (so a chain is
/// merged across segments or found whole in one).
fn line(rng: &mut ChaCha8Rng, part: usize, i: usize) -> String {
    let key = if rng.random_bool(0.25) {
        // A key of one line: a lone request, a window's lone request
        // checked against the whole index.
        format!("key_u{i}")
    } else if rng.random_bool(0.8) {
        format!("key_{:02}", rng.random_range(0..40))
    } else {
        format!("key_p{part}_{:02}", rng.random_range(0..8))
    };
    // A few distinct times, so chains tie on their first request.
    let ms = rng.random_range(0..30) * 700;
    let ts =
        Utc.with_ymd_and_hms(2026, 5, 14, 10, 0, 0).unwrap() + chrono::Duration::milliseconds(ms);
    let (status, code) = match rng.random_range(0..9) {
        0 => (Some(200), None),
        1 => (Some(201), None),
        2 => (Some(429), Some("rate_limited")),
        3 => (Some(500), Some("internal_error")),
        4 => (Some(409), Some("idempotency_key_conflict")),
        5 => (Some(422), None),
        6 => (Some(503), None),
        7 => (Some(400), Some("invalid_request")),
        _ => (None, None),
    };
    let mut v = serde_json::json!({
        "timestamp": ts.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "request_id": format!("req_{}", if rng.random_bool(0.2) { i / 3 } else { 10_000 + i }),
        "method": if rng.random_bool(0.9) { "POST" } else { "PUT" },
        "path": if rng.random_bool(0.9) { "/v1/charges" } else { "/v1/refunds" },
    });
    let o = v.as_object_mut().unwrap();
    if rng.random_bool(0.9) {
        o.insert("idempotency_key".into(), key.into());
    }
    match rng.random_range(0..4) {
        0 => {}
        1 => drop(o.insert("service".into(), "svc_b".into())),
        _ => drop(o.insert("service".into(), "svc_a".into())),
    }
    if rng.random_bool(0.2) {
        o.insert("client".into(), "acct_2".into());
    }
    if let Some(s) = status {
        o.insert("status".into(), s.into());
    } else {
        o.insert("message".into(), "context line".into());
    }
    if let Some(c) = code {
        o.insert("code".into(), c.into());
    }
    if rng.random_bool(0.5) {
        o.insert("latency_ms".into(), rng.random_range(1..3000).into());
    }
    if status == Some(429) && rng.random_bool(0.7) {
        let ra = rng.random_range(1..4).to_string();
        o.insert(
            "response_headers".into(),
            serde_json::json!({"Retry-After": ra}),
        );
    }
    v.to_string()
}

/// An index of `lines` generated lines from `seed`, in three commits (so
/// keys span segments).
fn index(dir: &Path, seed: u64, lines: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let opts = WriterOptions {
        threads: 1,
        memory_bytes: 20 << 20,
        rebuild: false,
    };
    let catalogs = Catalogs::builtin();
    let mut writer = Writer::open(&dir.join("index"), &opts, || {}).unwrap();
    for part in 0..3 {
        let text: Vec<String> = (0..lines / 3)
            .map(|i| line(&mut rng, part, part * lines + i))
            .collect();
        let log = dir.join(format!("part{part}.log"));
        std::fs::write(&log, text.join("\n") + "\n").unwrap();
        let mut ing = Ingestor::new(
            &mut writer,
            &catalogs,
            IngestOptions::default(),
            &NoProgress,
        );
        ing.ingest_paths(&[log]).unwrap();
        ing.finish().unwrap();
    }
    writer.finish().unwrap();
}

/// Every chain of the keys of the events matching `q`, judged and sorted,
/// from every event in the index.
fn brute(
    store: &LocalStore,
    q: &Query,
    flagged: bool,
    sort: ChainSort,
    limit: usize,
) -> Vec<Chain> {
    let searcher = store.searcher();
    let mut all = Vec::new();
    for (seg, reader) in searcher.segment_readers().iter().enumerate() {
        let alive = (0..reader.max_doc()).filter(|d| !reader.is_deleted(*d));
        all.extend(alive.map(|d| DocAddress::new(seg as u32, d)));
    }
    let matched: BTreeSet<String> = store
        .search(q, 1_000_000)
        .unwrap()
        .events
        .into_iter()
        .filter_map(|e| e.idempotency_key)
        .collect();
    let events = store.events_at(&searcher, &all).unwrap();
    let events = events
        .into_iter()
        .filter(|e| {
            e.idempotency_key
                .as_ref()
                .is_some_and(|k| matched.contains(k))
        })
        .collect();
    let mut chains = build_chains(events, &store.catalogs);
    if flagged {
        chains.retain(|c| !c.flags.is_empty());
    }
    sort.sort(&mut chains);
    chains.truncate(limit);
    chains
}

#[test]
fn bounded_chains_are_the_brute_force_answer() {
    let now = Utc::now();
    for seed in [1, 2, 3, 4] {
        let tmp = tempfile::tempdir().unwrap();
        index(tmp.path(), seed, 450);
        let store = LocalStore::open(&tmp.path().join("index"), Catalogs::builtin()).unwrap();
        assert!(
            store.searcher().segment_readers().len() >= 2,
            "keys span segments"
        );
        let every = brute(&store, &Query::all(), false, ChainSort::Flagged, usize::MAX);
        assert!(every.len() > 40, "seed {seed}: {} chains", every.len());
        assert!(every.iter().any(|c| c.flags.is_empty()));
        assert!(
            every
                .iter()
                .any(|c| c.attempts.len() == 1 && !c.flags.is_empty())
        );
        for text in [
            "",
            "status:500",
            "service:svc_b",
            "code:rate_limited",
            "client:acct_2",
        ] {
            let q = if text.is_empty() {
                Query::all()
            } else {
                Query::parse(text, now).unwrap()
            };
            for sort in SORTS {
                for flagged in [false, true] {
                    for limit in [1, 7, 30, every.len() + 5] {
                        let want = brute(&store, &q, flagged, sort, limit);
                        for share in SHARES {
                            let got = store
                                .chains_from(&q, flagged, sort, limit, share)
                                .unwrap()
                                .chains;
                            assert_eq!(
                                got, want,
                                "seed {seed}, query `{text}`, {sort:?}, flagged {flagged}, \
                                 limit {limit}, first window {share:?}"
                            );
                        }
                    }
                }
            }
        }
        assert!(
            store
                .chains_sorted(&Query::all(), false, ChainSort::Flagged, 0)
                .unwrap()
                .chains
                .is_empty()
        );
    }
}

/// An index of five commits (keys shared across segments), opened.
fn keyed_store(dir: &Path) -> LocalStore {
    index(dir, 5, 450);
    LocalStore::open(&dir.join("index"), Catalogs::builtin()).unwrap()
}

/// Each segment's keys, in ord order.
fn key_texts(searcher: &tantivy::Searcher) -> Vec<Vec<String>> {
    let texts = |reader: &tantivy::SegmentReader| {
        let column = reader.fast_fields().str("idempotency_key").unwrap();
        let column = column.expect("keys in every segment");
        (0..column.dictionary().num_terms() as u64)
            .map(|ord| {
                let mut text = String::new();
                column.ord_to_str(ord, &mut text).unwrap();
                text
            })
            .collect()
    };
    searcher.segment_readers().iter().map(texts).collect()
}

/// `table` ranks exactly the keys of `segments_of` (each key's segment
/// count) in text order, reads each back, and marks those of several
/// segments.
fn assert_ranks(table: &KeyTable, segments_of: &BTreeMap<String, usize>) {
    assert_eq!(table.count() as usize, segments_of.len());
    for (rank, (text, &segments)) in segments_of.iter().enumerate() {
        assert_eq!(&table.text(rank as u32).unwrap(), text);
        assert_eq!(table.in_several(rank as u32), segments > 1, "{text}");
    }
    assert!(segments_of.values().any(|&n| n > 1), "keys in several");
}

/// The key table ranks every key of every segment in text order, marks
/// exactly the keys found in several segments, and reads each key back.
#[test]
fn key_table_ranks_keys_across_segments() {
    let tmp = tempfile::tempdir().unwrap();
    let store = keyed_store(tmp.path());
    let searcher = store.searcher();
    let table = KeyTable::build(&searcher).unwrap();
    let mut segments_of: BTreeMap<String, usize> = BTreeMap::new();
    for (seg, texts) in key_texts(&searcher).into_iter().enumerate() {
        let ranks = table.ranks(seg);
        assert_eq!(ranks.len(), texts.len());
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "segment {seg}");
        for (&rank, text) in ranks.iter().zip(texts) {
            assert_eq!(table.text(rank).unwrap(), text);
            *segments_of.entry(text).or_default() += 1;
        }
    }
    assert_ranks(&table, &segments_of);
    assert!(segments_of.values().any(|&n| n == 1), "keys in one segment");
}

/// A table of the keys seen in a window ranks them in text order (as the
/// table of every key does), reads each back, and marks exactly those seen
/// in several segments.
#[test]
fn key_table_of_seen_keys_keeps_the_order_of_every_key() {
    let tmp = tempfile::tempdir().unwrap();
    let store = keyed_store(tmp.path());
    let searcher = store.searcher();
    let every = KeyTable::build(&searcher).unwrap();
    let texts = key_texts(&searcher);
    let picked = |seg: usize, ord: u32| !(ord + seg as u32).is_multiple_of(3);
    let mut seen = Vec::new();
    let mut segments_of: BTreeMap<String, usize> = BTreeMap::new();
    for (seg, texts) in texts.iter().enumerate() {
        let mut ords = Vec::new();
        // Backwards and twice, as a scan may meet them.
        let ords_texts = (0..texts.len() as u32).zip(texts);
        for (ord, text) in ords_texts.filter(|&(ord, _)| picked(seg, ord)).rev() {
            ords.extend([ord, ord]);
            *segments_of.entry(text.clone()).or_default() += 1;
        }
        seen.push(ords);
    }
    let columns = (0..texts.len()).map(|seg| every.column(seg).cloned());
    let window = KeyTable::of_seen(columns.collect(), seen).unwrap();
    assert!(window.count() < every.count(), "a window of some keys");
    assert_ranks(&window, &segments_of);
    for (seg, texts) in texts.iter().enumerate() {
        for (ord, text) in (0..).zip(texts) {
            let rank = window.rank(seg, ord);
            assert_eq!(rank.is_some(), picked(seg, ord), "segment {seg}, ord {ord}");
            if let Some(rank) = rank {
                assert_eq!(&window.text(rank).unwrap(), text);
                assert_eq!(&every.text(every.rank(seg, ord).unwrap()).unwrap(), text);
            }
        }
    }
}
