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
    let mut sizes = Vec::new();
    for text in ["", "status:5xx", "code:*", "-status:5xx", "method:POST"] {
        sizes.extend(same_chains(local, remote, what, text, &[7]));
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

/// The chains of `text` in every order, flagged only and not, with room
/// for all, at each of `limits`, and cut where a cut is hardest: just
/// before, at and after the last flagged chain, and between two chains
/// whose first requests came at the same millisecond. The `--json` of
/// both stores is compared; the sizes of the answers with room for all
/// are returned.
fn same_chains(
    local: &Store,
    remote: &ClickHouse,
    what: &str,
    text: &str,
    limits: &[usize],
) -> Vec<usize> {
    use errtriage::query::ChainSort;
    let q = Query::parse(text, chrono::Utc::now()).unwrap();
    let mut sizes = Vec::new();
    for flagged in [false, true] {
        for sort in [
            ChainSort::Flagged,
            ChainSort::Findings,
            ChainSort::Newest,
            ChainSort::Oldest,
        ] {
            let every = local.chains_sorted(&q, flagged, sort, 100_000).unwrap();
            let chains = &every.chains;
            sizes.push(chains.len());
            let first = |i: usize| chains[i].attempts.first().map(|a| a.ts);
            let clean = chains.iter().position(|c| c.flags.is_empty());
            let ties = (1..chains.len()).filter(|&i| first(i - 1) == first(i));
            let mut cuts: BTreeSet<usize> = ties.take(4).collect();
            if let Some(at) = clean {
                cuts.extend([at.saturating_sub(1), at, at + 1]);
            }
            cuts.extend(limits);
            cuts.insert(100_000);
            cuts.remove(&0);
            for limit in cuts {
                let got = remote.chains_sorted(&q, flagged, sort, limit).unwrap();
                let want = if limit >= chains.len() {
                    every.clone()
                } else {
                    local.chains_sorted(&q, flagged, sort, limit).unwrap()
                };
                assert_eq!(
                    serde_json::to_value(&got).unwrap(),
                    serde_json::to_value(&want).unwrap(),
                    "{what}: chains {text:?} flagged {flagged} {sort:?} limit {limit}"
                );
            }
        }
    }
    sizes
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

/// Retry chains made to tie, `keys` keys: their first requests come at one
/// of 7 times, and by key they are a lone success, a lone key conflict
/// (flagged), a retried 503 that recovered, a retried 400 (flagged), or a
/// lone 500 on one service beside a success on another (two chains of one
/// key); a third of them from one client. Three keys carry a storm of 12
/// identical 422s (the most findings).
fn tied_chains(keys: usize) -> String {
    let base = chrono::DateTime::parse_from_rfc3339("2026-05-14T10:00:00Z")
        .unwrap()
        .timestamp_millis();
    let mut lines = Vec::new();
    let mut line = |key: &str, at: i64, service: &str, status: u16, code: &str, client: bool| {
        let ts = chrono::DateTime::from_timestamp_millis(base + at).unwrap();
        let mut v = serde_json::json!({
            "timestamp": ts.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "request_id": format!("req_{}", lines.len()),
            "idempotency_key": key,
            "service": service,
            "status": status,
            "method": "POST",
            "path": "/v1/charges",
        });
        if !code.is_empty() {
            v["code"] = code.into();
        }
        if client {
            v["client_id"] = "acct_1".into();
        }
        lines.push(v.to_string());
    };
    for k in 0..keys {
        let key = format!("key_{k:05}");
        let (at, client) = ((k % 7) as i64 * 1000, k % 3 == 0);
        match k % 5 {
            0 => line(&key, at, "svc_a", 200, "", client),
            1 => line(&key, at, "svc_a", 409, "idempotency_key_conflict", client),
            2 => {
                line(&key, at, "svc_a", 503, "", client);
                line(&key, at + 4000, "svc_a", 200, "", client);
            }
            3 => {
                line(&key, at, "svc_b", 400, "invalid_request", client);
                line(&key, at + 2000, "svc_b", 400, "invalid_request", client);
            }
            _ => {
                line(&key, at, "svc_a", 500, "internal_error", client);
                line(&key, at, "svc_b", 200, "", client);
            }
        }
    }
    for k in 0..3 {
        for _ in 0..12 {
            line(&format!("storm_{k}"), 3000, "svc_a", 422, "", false);
        }
    }
    lines.join("\n") + "\n"
}

/// The tied corpus of `keys` keys in the local store and in ClickHouse at
/// `url`.
fn tied_stores(env: &common::Env, url: &str, keys: usize) -> (Store, ClickHouse) {
    let log = env.write("tied.log", tied_chains(keys));
    env.ingest(&[&log]);
    let local = Store::open(&env.index, Catalogs::builtin()).unwrap();
    let events = local.search(&Query::all(), 1_000_000).unwrap().events;
    assert!(events.len() > keys, "{} events", events.len());
    (local, ch::fill(url, &events))
}

/// Limits cut inside ties of time, of flags and of keys, as the local store
/// cuts them.
fn tied_parity(url: &str, what: &str) {
    let env = common::Env::new();
    let (local, remote) = tied_stores(&env, url, 150);
    let limits = [1, 2, 3, 5, 9, 22];
    for text in ["", "status:>=400", "service:svc_b", "client:acct_1"] {
        let sizes = same_chains(&local, &remote, what, text, &limits);
        assert!(sizes.iter().all(|&n| n > 10), "{what}: {text:?} {sizes:?}");
    }
}

/// `chains -n 3` reads a page of summaries and the requests of a few
/// chains from the server, not a row per key: the server orders and cuts.
fn cut_on_the_server(url: &str, what: &str) {
    use errtriage::query::ChainSort;
    let env = common::Env::new();
    let keys = 2000;
    let (local, remote) = tied_stores(&env, url, keys);
    for sort in [
        ChainSort::Flagged,
        ChainSort::Findings,
        ChainSort::Newest,
        ChainSort::Oldest,
    ] {
        for flagged in [false, true] {
            let before = remote.client.rows_received();
            let got = remote
                .chains_sorted(&Query::all(), flagged, sort, 3)
                .unwrap();
            let rows = remote.client.rows_received() - before;
            let want = local
                .chains_sorted(&Query::all(), flagged, sort, 3)
                .unwrap();
            assert_eq!(got, want, "{what}: {sort:?} flagged {flagged}");
            assert_eq!(got.chains.len(), 3);
            assert!(
                rows < 200,
                "{what}: {sort:?} flagged {flagged}: {rows} rows fetched for 3 chains of {keys} keys"
            );
        }
    }
}

#[test]
fn one_node_cuts_chains_as_the_local_store() {
    let Some(server) = ch::single_or_skip("clickhouse_parity_chains_single") else {
        return;
    };
    tied_parity(&server.url("tied"), "one node");
    cut_on_the_server(&server.url("many"), "one node");
}

#[test]
fn two_shards_cut_chains_as_the_local_store() {
    let Some(cluster) = ch::cluster_or_skip("clickhouse_parity_chains_cluster") else {
        return;
    };
    tied_parity(&cluster.url("tied"), "two shards");
    cut_on_the_server(&cluster.url("many"), "two shards");
}
