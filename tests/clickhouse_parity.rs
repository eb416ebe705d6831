//! The ClickHouse store answers as the local store does: the same events
//! (sample-logs/, ingested locally by the real binary, then written into
//! ClickHouse through the sink) asked the same `find`, `search` and `count`
//! questions (and `groups` and `chains`) on the local index, one ClickHouse
//! node and a two-shard cluster, the answers compared as `--json` would
//! print them.

mod common;

use std::collections::BTreeSet;

use errtriage::Event;
use errtriage::catalog::Catalogs;
use errtriage::index::LocalStore as Store;
use errtriage::query::Query;
use errtriage::store::Store as _;
use errtriage::store::clickhouse::ClickHouse;
use serde_json::Value;

use common::clickhouse as ch;

const QUERIES: [&str; 14] = [
    "",
    "status:5xx",
    "status:>=400 AND NOT status:5xx",
    "-status:5xx",
    "code:*",
    "class:rate_limit OR class:upstream",
    "service:* AND status:[400 TO 499]",
    "message:funds OR message:unknown",
    "message:\"rate limit\"",
    "method:POST AND code:/[a-z_]+/",
    "route:*",
    "message:limi*",
    "retry*",
    "code: IN [slot_unavailable rate_limited]",
];

/// Every event of sample-logs/, as the local store holds them.
fn local_store(env: &common::Env) -> Store {
    env.ingest(&[&common::repo().join("sample-logs")]);
    Store::open(&env.index, Catalogs::builtin()).unwrap()
}

/// Events as JSON, in one order (stores break ties in time differently).
fn sorted(events: &[Event]) -> Vec<Value> {
    let mut v: Vec<(i64, String, u64, Value)> = events
        .iter()
        .map(|e| {
            let ts = e.ts.timestamp_millis();
            (
                ts,
                e.source.file.clone(),
                e.source.line,
                serde_json::to_value(e).unwrap(),
            )
        })
        .collect();
    v.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    v.into_iter().map(|t| t.3).collect()
}

fn compare(local: &Store, remote: &ClickHouse, what: &str) {
    let now = chrono::Utc::now();
    let mut matched = Vec::new();
    for text in QUERIES {
        let q = Query::parse(text, now).unwrap();
        let want = local.search(&q, 100_000).unwrap();
        let got = remote.search(&q, 100_000).unwrap();
        assert_eq!(got.total, want.total, "{what}: search {text:?} total");
        matched.push((text, want.total));
        for (g, w) in sorted(&got.events).iter().zip(sorted(&want.events)) {
            assert_eq!(g, &w, "{what}: search {text:?}");
        }
        assert_eq!(
            remote.count(&q).unwrap(),
            want.total,
            "{what}: count {text:?}"
        );
        let page = remote.search(&q, 5).unwrap();
        let newest: Vec<i64> = want
            .events
            .iter()
            .take(5)
            .map(|e| e.ts.timestamp_millis())
            .collect();
        let got_ts: Vec<i64> = page
            .events
            .iter()
            .map(|e| e.ts.timestamp_millis())
            .collect();
        assert_eq!(got_ts, newest, "{what}: the newest page of {text:?}");
    }
    eprintln!("{what}: {matched:?}");
    compare_groups(local, remote, what);
    compare_chains(local, remote, what);
    compare_histograms(local, remote, what);
    let some = matched
        .iter()
        .filter(|(_, n)| *n > 0 && *n < matched[0].1)
        .count();
    assert!(some >= 8, "the queries select real subsets: {matched:?}");
    let all = local.search(&Query::all(), 100_000).unwrap().events;
    let step = (all.len() / 40).max(1);
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for e in all.iter().step_by(step) {
        ids.insert(e.request_id.clone());
        ids.extend(e.idempotency_key.clone());
        ids.extend(e.trace_id.clone());
    }
    ids.extend(["no-such-id-anywhere".to_string(), "req_".into()]);
    for e in all.iter().filter(|e| e.request_id.len() > 10).take(5) {
        ids.insert(e.request_id[..e.request_id.len() - 2].to_string());
    }
    eprintln!("{what}: find for {} ids", ids.len());
    for id in &ids {
        let want = serde_json::to_value(local.find(id).unwrap()).unwrap();
        let got = serde_json::to_value(remote.find(id).unwrap()).unwrap();
        assert_eq!(got, want, "{what}: find {id:?}");
    }
    assert!(ids.len() > 40, "a real sample of ids ({})", ids.len());
}

/// `groups` by every field and a pair, on a few queries. The sample
/// request id is any of the group's (each store picks its own), and so is
/// a code group's class when the code's events have several (it is the
/// sample's): those are compared by being one of the group's.
fn compare_groups(local: &Store, remote: &ClickHouse, what: &str) {
    let all = local.search(&Query::all(), 100_000).unwrap().events;
    let classes_of = |code: &str| -> BTreeSet<String> {
        all.iter()
            .filter(|e| e.code.as_deref() == Some(code))
            .filter_map(|e| e.class.map(|c| c.as_str().to_string()))
            .collect()
    };
    use errtriage::query::GroupBy;
    use errtriage::query::groups::GroupSort;
    let now = chrono::Utc::now();
    let mut pairs: Vec<Vec<GroupBy>> = GroupBy::ALL.iter().map(|b| vec![*b]).collect();
    pairs.push(vec![GroupBy::Code, GroupBy::Service]);
    for text in ["", "status:>=400", "-status:5xx"] {
        let q = Query::parse(text, now).unwrap();
        for by in &pairs {
            for sort in GroupSort::ALL {
                let strip = |r: errtriage::query::GroupsResult| {
                    let mut v = serde_json::to_value(r).unwrap();
                    for g in v["groups"].as_array_mut().unwrap() {
                        let g = g.as_object_mut().unwrap();
                        let sample = g.remove("sample_request_id");
                        assert!(sample.is_some_and(|s| s.is_string()));
                        if by[0] == GroupBy::Code {
                            let classes = classes_of(g["keys"][0].as_str().unwrap());
                            if classes.len() > 1 {
                                let class = g.remove("class").unwrap();
                                assert!(classes.contains(class.as_str().unwrap()), "{class}");
                            }
                        }
                    }
                    v
                };
                // A cut inside ties too: the server orders and limits counts
                // and errors itself.
                let limit = if by.len() == 2 { 3 } else { 50 };
                let want = strip(local.groups_by(&q, by, sort, limit).unwrap());
                let got = strip(remote.groups_by(&q, by, sort, limit).unwrap());
                let keys = |v: &Value| -> Vec<String> {
                    v["groups"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|g| format!("{}:{}", g["key"], g["count"]))
                        .collect()
                };
                assert_eq!(
                    keys(&got),
                    keys(&want),
                    "{what}: groups {by:?} {sort:?} of {text:?}: order"
                );
                for (g, w) in got["groups"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(want["groups"].as_array().unwrap())
                {
                    assert_eq!(g, w, "{what}: groups {by:?} {sort:?} of {text:?}");
                }
                assert_eq!(got, want, "{what}: groups {by:?} {sort:?} of {text:?}");
            }
        }
    }
}

/// `chains` on a few queries, flagged only and not, in every order, with
/// room for all and with a short list: the same judged chains.
/// The histogram the TUI draws: the same span and the same counts per
/// bucket, for the whole store and for narrower and time-bounded queries.
fn compare_histograms(local: &Store, remote: &ClickHouse, what: &str) {
    let now = chrono::Utc::now();
    for text in [
        "",
        "status:5xx",
        "code:RATE_LIMITED",
        "since:2026-05-14T09:00:00Z until:2026-05-14T11:00:00Z",
        "service:nothing_here",
    ] {
        let q = Query::parse(text, now).unwrap();
        for buckets in [1, 7, 120] {
            let want = local.histogram(&q, buckets).unwrap();
            let got = remote.histogram(&q, buckets).unwrap();
            assert_eq!(got, want, "{what}: histogram of {text:?} in {buckets}");
            if text.is_empty() {
                assert!(want.counts.iter().sum::<u64>() > 0, "{what}: empty store?");
            }
        }
    }
}

fn compare_chains(local: &Store, remote: &ClickHouse, what: &str) {
    use errtriage::query::ChainSort;
    let now = chrono::Utc::now();
    let sorts = [
        ChainSort::Flagged,
        ChainSort::Findings,
        ChainSort::Newest,
        ChainSort::Oldest,
    ];
    let mut sizes = Vec::new();
    for text in ["", "status:5xx", "code:*", "-status:5xx", "method:POST"] {
        let q = Query::parse(text, now).unwrap();
        for flagged in [false, true] {
            for sort in sorts {
                for limit in [100_000, 7] {
                    let want = local.chains_sorted(&q, flagged, sort, limit).unwrap();
                    let got = remote.chains_sorted(&q, flagged, sort, limit).unwrap();
                    let (want, got) = (
                        serde_json::to_value(&want).unwrap(),
                        serde_json::to_value(&got).unwrap(),
                    );
                    assert_eq!(
                        got, want,
                        "{what}: chains {text:?} flagged {flagged} {sort:?} limit {limit}"
                    );
                    sizes.push(want["chains"].as_array().unwrap().len());
                }
            }
        }
    }
    eprintln!("{what}: chains {sizes:?}");
    let all = local.chains(&Query::all(), false, 100_000).unwrap().chains;
    let flagged = all.iter().filter(|c| !c.flags.is_empty()).count();
    assert!(
        flagged > 0 && flagged < all.len() && all.len() > 7,
        "sample-logs has flagged and clean chains: {flagged} of {}",
        all.len()
    );
}

#[test]
fn one_node_answers_as_the_local_store() {
    let Some(server) = ch::single_or_skip("clickhouse_parity_single") else {
        return;
    };
    let env = common::Env::new();
    let local = local_store(&env);
    let events = local.search(&Query::all(), 100_000).unwrap().events;
    assert!(
        events.len() > 1000,
        "sample-logs has {} events",
        events.len()
    );
    let remote = ch::fill(&server.url("parity"), &events);
    compare(&local, &remote, "one node");
}

#[test]
fn two_shards_answer_as_the_local_store() {
    let Some(cluster) = ch::cluster_or_skip("clickhouse_parity_cluster") else {
        return;
    };
    let env = common::Env::new();
    let local = local_store(&env);
    let events = local.search(&Query::all(), 100_000).unwrap().events;
    let remote = ch::fill(&cluster.url("parity"), &events);
    compare(&local, &remote, "two shards");
}
