//! `groups` against brute force, and its memory bounds. Generated events
//! (seeded) are ingested in several runs, so the index has several
//! segments; every group of every field and pair must equal what counting
//! the generated events says, for the whole index and for narrow queries.
//! A narrow query over a field with tens of thousands of values must hold
//! accumulators for what it matched only: asserted on the accumulator
//! table's own sizes, not on time.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::grouptable::{Cut, DENSE_KEYS, KEEP_FLOOR};
use super::{GroupBy, GroupSort, GroupsResult, Query};
use crate::catalog::Catalogs;
use crate::index::{LocalStore, Writer, WriterOptions};
use crate::ingest::{IngestOptions, Ingestor, NoProgress};

/// One generated event's grouped fields.
#[derive(Debug, Clone)]
pub(super) struct Gen {
    ms: i64,
    status: Option<u16>,
    code: Option<String>,
    service: String,
    path: String,
    client: Option<String>,
}

impl Gen {
    fn field(&self, by: GroupBy) -> Option<String> {
        match by {
            GroupBy::Code => self.code.clone(),
            GroupBy::Status => self.status.map(|s| s.to_string()),
            GroupBy::Service => Some(self.service.clone()),
            GroupBy::Path => Some(self.path.clone()),
            GroupBy::Client => self.client.clone(),
            _ => unreachable!("not generated"),
        }
    }

    fn line(&self, n: usize) -> String {
        let mut v = json!({
            "timestamp": DateTime::<Utc>::from_timestamp_millis(self.ms).unwrap().to_rfc3339(),
            "service": self.service, "method": "GET", "path": self.path,
            "request_id": format!("req_{n:06}"),
        });
        if let Some(s) = self.status {
            v["status"] = s.into();
        }
        if let Some(c) = &self.code {
            v["code"] = c.as_str().into();
        }
        if let Some(c) = &self.client {
            v["client_id"] = c.as_str().into();
        }
        v.to_string()
    }
}

pub(super) fn generate(rng: &mut ChaCha8Rng, n: usize, paths: u32) -> Vec<Gen> {
    const STATUSES: [Option<u16>; 8] = [
        Some(200),
        Some(201),
        Some(404),
        Some(409),
        Some(429),
        Some(500),
        Some(503),
        None,
    ];
    const CODES: [&str; 5] = [
        "rate_limited",
        "internal_error",
        "not_found",
        "idempotency_key_in_use",
        "invalid_token",
    ];
    (0..n)
        .map(|_| {
            let status = STATUSES[rng.random_range(0..STATUSES.len())];
            // Codes go with failures (normalize keeps no code on a success).
            let code = status
                .is_some_and(|s| s >= 400)
                .then(|| CODES[rng.random_range(0..CODES.len())].to_string());
            Gen {
                ms: 1_778_752_800_000 + rng.random_range(0..7_200_000),
                status,
                code,
                service: format!("svc{}", rng.random_range(0..6)),
                path: format!("/v1/p{}", rng.random_range(0..paths)),
                client: rng
                    .random_bool(0.9)
                    .then(|| format!("acct_{}", rng.random_range(0..25))),
            }
        })
        .collect()
}

/// Ingest `runs` (one commit, so one segment or more, each) into `dir`.
pub(super) fn ingest(dir: &Path, runs: &[&[Gen]]) -> LocalStore {
    let index = dir.join("index");
    let catalogs = Catalogs::builtin();
    let mut n = 0;
    for (i, run) in runs.iter().enumerate() {
        let mut text = String::new();
        for g in run.iter() {
            text += &g.line(n);
            text.push('\n');
            n += 1;
        }
        let log = dir.join(format!("run{i}.log"));
        std::fs::write(&log, text).unwrap();
        let opts = WriterOptions {
            threads: 1,
            memory_bytes: 20 << 20,
            rebuild: false,
        };
        let mut writer = Writer::open(&index, &opts, || {}).unwrap();
        let mut ing = Ingestor::new(
            &mut writer,
            &catalogs,
            IngestOptions::default(),
            &NoProgress,
        );
        ing.ingest_paths(&[log]).unwrap();
        let summary = ing.finish().unwrap();
        assert_eq!(summary.events, run.len() as u64, "{summary:?}");
        writer.finish().unwrap();
    }
    LocalStore::open(&index, catalogs).unwrap()
}

/// A group as brute force counts it.
#[derive(Debug, Default, PartialEq)]
struct Truth {
    count: u64,
    statuses: BTreeMap<String, u64>,
    requests: u64,
    errors: u64,
    first: i64,
    last: i64,
}

fn brute_force(events: &[&Gen], by: &[GroupBy]) -> HashMap<Vec<String>, Truth> {
    let mut out: HashMap<Vec<String>, Truth> = HashMap::new();
    for e in events {
        let Some(keys) = by.iter().map(|b| e.field(*b)).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let t = out.entry(keys).or_insert_with(|| Truth {
            first: i64::MAX,
            last: i64::MIN,
            ..Truth::default()
        });
        t.count += 1;
        if let Some(s) = e.status {
            *t.statuses.entry(s.to_string()).or_default() += 1;
        }
        if e.status.is_some() || e.code.is_some() {
            t.requests += 1;
            t.errors += u64::from(e.code.is_some() || e.status.is_some_and(|s| s >= 400));
        }
        (t.first, t.last) = (t.first.min(e.ms), t.last.max(e.ms));
    }
    out
}

fn answer(r: &GroupsResult) -> HashMap<Vec<String>, Truth> {
    r.groups
        .iter()
        .map(|g| {
            let t = Truth {
                count: g.count,
                statuses: g.statuses.clone(),
                requests: g.requests.unwrap_or_default(),
                errors: g.errors.unwrap_or_default(),
                first: g.first_seen.timestamp_millis(),
                last: g.last_seen.timestamp_millis(),
            };
            (g.keys.clone(), t)
        })
        .collect()
}

/// Compare every group of `by` under `query` (and `keep` on the events).
fn check(
    store: &LocalStore,
    events: &[Gen],
    by: &[GroupBy],
    query: &str,
    keep: impl Fn(&Gen) -> bool,
) {
    let q = Query::parse(query, Utc::now()).unwrap();
    let (r, cut) = store
        .groups_with_cut(&q, by, GroupSort::Count, 100_000)
        .unwrap();
    let matched: Vec<&Gen> = events.iter().filter(|e| keep(e)).collect();
    let mut truth = brute_force(&matched, by);
    let rates = by.iter().all(|b| super::groups::is_where(*b)) && !q.restricts_status();
    if !rates {
        for t in truth.values_mut() {
            (t.requests, t.errors) = (0, 0);
        }
    }
    assert!(r.exact, "{by:?} {query}: {cut:?}");
    assert_eq!(
        cut,
        Cut {
            peak: cut.peak,
            dense_slots: cut.dense_slots,
            ..Cut::default()
        }
    );
    assert_eq!(answer(&r), truth, "{by:?} under {query:?}");
    let counts: Vec<u64> = r.groups.iter().map(|g| g.count).collect();
    assert!(counts.is_sorted_by(|a, b| a >= b), "{by:?}: {counts:?}");
}

#[test]
fn every_field_and_pair_equals_brute_force_over_several_segments() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let events = generate(&mut rng, 2_400, 60);
    let (a, rest) = events.split_at(1_000);
    let (b, c) = rest.split_at(900);
    let store = ingest(dir.path(), &[a, b, c]);
    let dims: [&[GroupBy]; 7] = [
        &[GroupBy::Code],
        &[GroupBy::Status],
        &[GroupBy::Service],
        &[GroupBy::Path],
        &[GroupBy::Client],
        &[GroupBy::Code, GroupBy::Service],
        &[GroupBy::Service, GroupBy::Client],
    ];
    for by in dims {
        check(&store, &events, by, "", |_| true);
        check(&store, &events, by, "service:svc1", |e| e.service == "svc1");
        check(&store, &events, by, "status:429", |e| e.status == Some(429));
    }
}

#[test]
fn a_narrow_query_over_many_values_holds_only_what_it_matched() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    // Every event its own path: 80,000 path terms in one segment, more
    // than the dense table covers, so matched ordinals land beyond it.
    let mut events = generate(&mut rng, 80_000, 1);
    for (i, e) in events.iter_mut().enumerate() {
        e.path = format!("/v1/orders/ord_{i:06}");
        e.service = if i % 4_000 == 7 { "rare" } else { "common" }.into();
    }
    let store = ingest(dir.path(), &[&events]);
    let rare = events.iter().filter(|e| e.service == "rare").count();
    assert_eq!(rare, 20);
    for by in [GroupBy::Path, GroupBy::Client] {
        let q = Query::parse("service:rare", Utc::now()).unwrap();
        let (r, cut) = store
            .groups_with_cut(&q, &[by], GroupSort::Count, 50)
            .unwrap();
        assert!(r.exact);
        // Accumulators for the matched events only, and the dense table
        // bounded whatever the dictionary's size.
        assert!(cut.peak <= rare, "{by:?}: {cut:?}");
        assert!(cut.dense_slots <= DENSE_KEYS as usize, "{cut:?}");
        let total: u64 = r.groups.iter().map(|g| g.count).sum();
        let with_field = events
            .iter()
            .filter(|e| e.service == "rare" && e.field(by).is_some())
            .count();
        assert_eq!(total, with_field as u64);
    }
}

#[test]
fn more_groups_than_a_segment_keeps_say_the_answer_is_approximate() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let n = 2 * (KEEP_FLOOR + 1_500);
    let mut events = generate(&mut rng, n, 1);
    for (i, e) in events.iter_mut().enumerate() {
        // Path 0 twice as often as any other: it must stay on top.
        e.path = format!("/v1/p{}", if i % 2 == 0 { 0 } else { i });
    }
    let store = ingest(dir.path(), &[&events]);
    let (r, cut) = store
        .groups_with_cut(&Query::all(), &[GroupBy::Path], GroupSort::Count, 10)
        .unwrap();
    assert!(!r.exact);
    assert_eq!(r.groups.len(), 10);
    assert_eq!(r.groups[0].key, "/v1/p0");
    assert_eq!(r.groups[0].count, (n / 2) as u64);
    // Every other path has one event: what was dropped had count 1.
    assert_eq!(r.count_error_bound, 1);
    assert_eq!(cut.dropped, (n / 2 + 1 - KEEP_FLOOR) as u64);
    assert!(cut.peak <= n);
}
