//! The ClickHouse store answers the questions around one event as the
//! local store does: impact, timeline, the lines around (`find --context`),
//! value completion, and the pages anchored at a time that the TUI loads
//! (`search_at`, `search_beside`). The events of sample-logs/ go into the
//! local index through the real binary, and into one ClickHouse node and a
//! two-shard cluster through the sink; every answer is compared as
//! `--json` would print it.

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use errtriage::Event;
use errtriage::catalog::Catalogs;
use errtriage::index::LocalStore;
use errtriage::query::ast::Field;
use errtriage::query::{Query, Side};
use errtriage::store::Store;
use errtriage::store::clickhouse::ClickHouse;
use serde_json::{Value, json};

use common::clickhouse as ch;

/// A fixed "now", so `since:` means the same on both stores.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 15, 0, 0, 0).unwrap()
}

fn local_store(env: &common::Env) -> LocalStore {
    env.ingest(&[&common::repo().join("sample-logs")]);
    LocalStore::open(&env.index, Catalogs::builtin()).unwrap()
}

/// Every 600th event, the first of each client and one of no client: ids and clients to ask about.
fn sample(all: &[Event]) -> (Vec<Event>, BTreeSet<String>) {
    let mut picked: Vec<Event> = all.iter().step_by(600).cloned().collect();
    let mut clients = BTreeSet::new();
    let no_client = all.iter().find(|e| {
        !e.request_id.is_empty()
            && all
                .iter()
                .filter(|x| x.request_id == e.request_id)
                .all(|x| x.client.is_none())
    });
    picked.extend(no_client.cloned());
    for e in all {
        if let Some(c) = &e.client {
            if clients.insert(c.clone()) {
                picked.push(e.clone());
            }
        }
    }
    (picked, clients)
}

fn compare_impact(local: &dyn Store, remote: &dyn Store, events: &[Event], what: &str) {
    let mut targets: Vec<String> = events.iter().map(|e| e.request_id.clone()).collect();
    targets.extend(
        [
            "status:5xx",
            "code:RATE_LIMITED",
            "class:rate_limit OR class:upstream",
            "service:nothing_here",
            "no-such-id-anywhere",
        ]
        .map(String::from),
    );
    let (mut found, mut wide) = (0, 0);
    for (i, t) in targets.iter().enumerate() {
        let short = (i % 4 == 0).then_some(Duration::minutes(3));
        for window in std::iter::once(Duration::minutes(30)).chain(short) {
            let want = local.impact(t, window, now()).unwrap();
            let got = remote.impact(t, window, now()).unwrap();
            assert_eq!(
                serde_json::to_value(&got).unwrap(),
                serde_json::to_value(&want).unwrap(),
                "{what}: impact {t:?} ±{window}"
            );
            found += usize::from(want.is_some());
            wide += usize::from(want.is_some_and(|w| w.clients.len() > 1));
        }
    }
    eprintln!(
        "{what}: impact of {} targets: {found} found, {wide} wide",
        targets.len()
    );
    assert!(
        found > 10 && wide > 1,
        "{what}: real impacts ({found}, {wide})"
    );
}

fn timeline_json(store: &dyn Store, t: &str, around: Option<DateTime<Utc>>, w: Duration) -> Value {
    match store.timeline(t, around, w).unwrap() {
        Ok(r) => serde_json::to_value(r).unwrap(),
        Err(no) => json!(format!("{no:?}")),
    }
}

fn compare_timeline(
    local: &dyn Store,
    remote: &dyn Store,
    sample: &(Vec<Event>, BTreeSet<String>),
    what: &str,
) {
    let (events, clients) = sample;
    let mut targets: Vec<(String, Option<DateTime<Utc>>)> = Vec::new();
    for e in events {
        targets.push((e.request_id.clone(), None));
        if let Some(c) = &e.client {
            targets.push((c.clone(), Some(e.ts)));
        }
    }
    targets.extend(clients.iter().map(|c| (c.clone(), None)));
    targets.push(("acct_nobody".into(), None));
    let mut kinds = BTreeSet::new();
    for (i, (t, around)) in targets.iter().enumerate() {
        let short = (i % 4 == 0).then_some(Duration::minutes(2));
        for window in std::iter::once(Duration::hours(1)).chain(short) {
            let want = timeline_json(local, t, *around, window);
            let got = timeline_json(remote, t, *around, window);
            assert_eq!(got, want, "{what}: timeline {t:?} at {around:?} ±{window}");
            kinds.insert(match &want {
                Value::String(s) => s.split('(').next().unwrap_or("").to_string(),
                v if v["events"].as_array().is_some_and(|e| e.len() > 1) => "several".into(),
                _ => "one".into(),
            });
        }
    }
    eprintln!("{what}: timeline of {} targets: {kinds:?}", targets.len());
    for kind in ["NoClient", "Unknown", "several"] {
        assert!(kinds.contains(kind), "{what}: a {kind} timeline: {kinds:?}");
    }
}

fn compare_context(local: &dyn Store, remote: &dyn Store, events: &[Event], what: &str) {
    let mut longest = 0;
    let mut asked: Vec<Vec<Event>> = events.iter().map(|e| vec![e.clone()]).collect();
    asked.push(Vec::new());
    asked.push(events.iter().take(3).cloned().collect());
    for found in &asked {
        for span in [Duration::minutes(2), Duration::zero()] {
            let want = local.context(found, span).unwrap();
            let got = remote.context(found, span).unwrap();
            assert_eq!(
                serde_json::to_value(&got).unwrap(),
                serde_json::to_value(&want).unwrap(),
                "{what}: context of {} events ±{span}",
                found.len()
            );
            longest = longest.max(want.len());
        }
    }
    assert!(longest > 5, "{what}: some context has lines ({longest})");
}

fn compare_complete(local: &dyn Store, remote: &dyn Store, what: &str) {
    let mut names: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
    names.push("no_such_field");
    let mut some = 0;
    for field in names {
        for prefix in ["", "s", "5", "req_"] {
            for limit in [0, 50] {
                let want = local.complete(field, prefix, limit).unwrap();
                let got = remote.complete(field, prefix, limit).unwrap();
                assert_eq!(got, want, "{what}: complete {field}:{prefix}… ({limit})");
                some += usize::from(!want.is_empty());
            }
        }
    }
    assert!(some > 20, "{what}: completions found values ({some})");
}

fn times(events: &[Event]) -> Vec<i64> {
    events.iter().map(|e| e.ts.timestamp_millis()).collect()
}

fn compare_pages(local: &dyn Store, remote: &dyn Store, all: &[Event], what: &str) {
    let first = all.iter().map(|e| e.ts).min().unwrap();
    let last = all.iter().map(|e| e.ts).max().unwrap();
    let mut ats = vec![
        first - Duration::days(1),
        first,
        last,
        last + Duration::days(1),
        first + (last - first) / 2,
    ];
    ats.extend(all.iter().step_by(1901).map(|e| e.ts));
    ats.extend(
        all.iter()
            .step_by(1303)
            .map(|e| e.ts + Duration::milliseconds(1)),
    );
    for text in [
        "",
        "status:5xx",
        "code:*",
        "since:2026-05-14T09:00:00Z until:2026-05-14T11:00:00Z",
        "service:nothing_here",
    ] {
        let q = Query::parse(text, now()).unwrap();
        for at in &ats {
            for per_side in [0, 40] {
                let want = local.search_at(&q, *at, per_side).unwrap();
                let got = remote.search_at(&q, *at, per_side).unwrap();
                let here = format!("{what}: search_at {text:?} {at} {per_side}");
                assert_eq!(
                    (got.total, got.newer_left, got.older_left, got.nearest),
                    (want.total, want.newer_left, want.older_left, want.nearest),
                    "{here}"
                );
                assert_eq!(times(&got.events), times(&want.events), "{here}");
                assert_eq!((&got.query, got.at), (&want.query, want.at), "{here}");
            }
            for side in [Side::Older, Side::Newer] {
                for limit in [4, 100_000] {
                    let want = local.search_beside(&q, *at, side, limit).unwrap();
                    let got = remote.search_beside(&q, *at, side, limit).unwrap();
                    let here = format!("{what}: search_beside {text:?} {at} {side:?} {limit}");
                    assert_eq!(got.total, want.total, "{here}");
                    assert_eq!(times(&got.events), times(&want.events), "{here}");
                }
            }
        }
    }
}

fn compare(local: &LocalStore, remote: &ClickHouse, what: &str) {
    let all = local.search(&Query::all(), 100_000).unwrap().events;
    let picked = sample(&all);
    compare_impact(local, remote, &picked.0, what);
    compare_timeline(local, remote, &picked, what);
    compare_context(local, remote, &picked.0, what);
    compare_complete(local, remote, what);
    compare_pages(local, remote, &all, what);
}

#[test]
fn one_node_answers_around_an_event_as_the_local_store() {
    let Some(server) = ch::single_or_skip("clickhouse_incident_single") else {
        return;
    };
    let env = common::Env::new();
    let local = local_store(&env);
    let events = local.search(&Query::all(), 100_000).unwrap().events;
    let remote = ch::fill(&server.url("incident"), &events);
    compare(&local, &remote, "one node");

    // An empty store: nothing to judge, nothing around, nothing to page.
    let empty = ch::fill(&server.url("empty"), &[]);
    assert!(
        empty
            .impact("status:5xx", Duration::minutes(30), now())
            .unwrap()
            .is_none()
    );
    assert!(
        empty
            .impact("req_x", Duration::minutes(30), now())
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        empty.timeline("acct_x", None, Duration::hours(1)).unwrap(),
        Err(errtriage::query::timeline::NoTimeline::Unknown)
    ));
    assert!(
        empty
            .context(&events[..1], Duration::minutes(2))
            .unwrap()
            .is_empty()
    );
    assert!(empty.complete("client", "", 10).unwrap().is_empty());
    let page = empty.search_at(&Query::all(), now(), 10).unwrap();
    assert_eq!((page.total, page.nearest, page.events.len()), (0, None, 0));
    let side = empty
        .search_beside(&Query::all(), now(), Side::Newer, 10)
        .unwrap();
    assert_eq!((side.total, side.events.len()), (0, 0));
}

#[test]
fn two_shards_answer_around_an_event_as_the_local_store() {
    let Some(cluster) = ch::cluster_or_skip("clickhouse_incident_cluster") else {
        return;
    };
    let env = common::Env::new();
    let local = local_store(&env);
    let events = local.search(&Query::all(), 100_000).unwrap().events;
    let remote = ch::fill(&cluster.url("incident"), &events);
    compare(&local, &remote, "two shards");
}

/// A client busier than the timeline's page: 450 requests two seconds
/// apart (every 5th a 500) and a few application lines, no other client.
fn busy_corpus(env: &common::Env) -> std::path::PathBuf {
    let t0 = Utc.with_ymd_and_hms(2026, 5, 14, 10, 0, 0).unwrap();
    let stamp = |s: i64| (t0 + Duration::seconds(s)).to_rfc3339();
    let mut lines = Vec::new();
    for i in 0..450i64 {
        let status = if i % 5 == 0 { 500 } else { 200 };
        lines.push(format!(
            r#"{{"ts":"{}","request_id":"req_busy_{i:04}","client_id":"acct_busy","service":"shop","status":{status}}}"#,
            stamp(2 * i)
        ));
        if i % 40 == 7 {
            lines.push(format!(
                r#"{{"ts":"{}","client_id":"acct_busy","service":"shop","message":"cache refill"}}"#,
                stamp(2 * i + 1)
            ));
        }
    }
    env.write("logs/busy.json", lines.join("\n") + "\n")
}

#[test]
fn a_busy_clients_timeline_is_the_same_page_on_both_stores() {
    let Some(server) = ch::single_or_skip("clickhouse_incident_busy") else {
        return;
    };
    let env = common::Env::new();
    env.ingest(&[&busy_corpus(&env)]);
    let local = LocalStore::open(&env.index, Catalogs::builtin()).unwrap();
    let events = local.search(&Query::all(), 100_000).unwrap().events;
    let remote = ch::fill(&server.url("busy"), &events);
    let t0 = Utc.with_ymd_and_hms(2026, 5, 14, 10, 0, 0).unwrap();
    let asks = [
        ("req_busy_0300", None),
        ("req_busy_0000", None),
        ("req_busy_0449", None),
        ("acct_busy", None),
        ("acct_busy", Some(t0 + Duration::minutes(7))),
    ];
    for (target, around) in asks {
        let want = timeline_json(&local, target, around, Duration::hours(1));
        assert_eq!(want["truncated"], true, "{target}: {want}");
        assert_eq!(want["events"].as_array().map(Vec::len), Some(200));
        let got = timeline_json(&remote, target, around, Duration::hours(1));
        assert_eq!(got, want, "timeline {target:?} at {around:?}");
    }
}
