//! The ClickHouse store against real servers (Debian's clickhouse-server,
//! started by tests/common/clickhouse.rs): `store init` on one node and on
//! a two-shard cluster, values bound literally, exactly-once commits, and
//! failures that say what to do.

mod common;

use chrono::{TimeZone, Utc};
use errtriage::catalog::Catalogs;
use errtriage::ingest::checkpoint::Checkpoint;
use errtriage::store::clickhouse::ClickHouse;
use errtriage::store::clickhouse::sink::ClickHouseSink;
use errtriage::{Event, Source};

use common::clickhouse as ch;

fn event(i: u64, request_id: &str, key: Option<&str>) -> Event {
    let ts = Utc
        .timestamp_millis_opt(1_778_000_000_000 + i as i64 * 1000)
        .unwrap();
    let source = Source {
        file: "api.log".into(),
        line: i + 1,
        offset: i * 100,
    };
    let mut e = Event::new(ts, source, format!("{{\"n\":{i}}}"));
    e.request_id = request_id.to_string();
    e.idempotency_key = key.map(str::to_string);
    e.service = Some("bookings".into());
    e.status = Some(if i.is_multiple_of(2) { 409 } else { 201 });
    e.code = i
        .is_multiple_of(2)
        .then(|| "idempotency_conflict".to_string());
    e
}

fn init(url: &str) -> ClickHouse {
    let store = ClickHouse::connect(url, Catalogs::builtin()).expect("connect");
    store.init().expect("store init");
    store
}

/// Writes `events` and commits them with a checkpoint that says so.
fn ingest(store: &ClickHouse, events: &[Event]) {
    let mut sink = ClickHouseSink::open(store).unwrap();
    for e in events {
        sink.add_one(e).unwrap();
    }
    sink.checkpoint.totals.events += events.len() as u64;
    sink.commit().unwrap();
    sink.finish().unwrap();
}

#[test]
fn init_is_idempotent_and_find_matches_hostile_ids_literally() {
    let Some(server) = ch::single_or_skip("clickhouse_init_and_bind") else {
        return;
    };
    let url = server.url("errs");
    let store = init(&url);
    init(&url);
    let hostile = "req_'; DROP TABLE events; --\\x\t\"y";
    let events = vec![
        event(0, hostile, Some("key-1")),
        event(1, "req_plain_0001", Some("key-1")),
        event(2, "req_'", None),
    ];
    ingest(&store, &events);
    let store = ClickHouse::open(&url, Catalogs::builtin()).unwrap();
    let found = store.find(hostile).unwrap();
    assert_eq!(found.matched_as.as_deref(), Some("request_id"));
    assert_eq!(found.events, vec![events[0].clone()]);
    assert_eq!(found.chains.len(), 1, "the key's chain is judged");
    assert_eq!(found.chains[0].attempts.len(), 2);
    // A prefix of the hostile id with a quote in it is matched as text.
    assert_eq!(store.find("req_'").unwrap().events, vec![events[2].clone()]);
    assert_eq!(store.count_all().unwrap(), 3, "nothing was dropped");
    let prefix = store.find("req_plain_").unwrap();
    assert_eq!(prefix.matched_as.as_deref(), Some("request_id_prefix"));
    assert_eq!(prefix.events, vec![events[1].clone()]);
}

#[test]
fn rows_sent_without_their_checkpoint_are_removed_before_the_resume() {
    let Some(server) = ch::single_or_skip("clickhouse_exactly_once") else {
        return;
    };
    let url = server.url("once");
    let store = init(&url);
    let first: Vec<Event> = (0..10)
        .map(|i| event(i, &format!("req_a{i:04}"), None))
        .collect();
    ingest(&store, &first);
    // A crash between the rows and their checkpoint: rows are in, the
    // checkpoint still says the first commit.
    let mut sink = ClickHouseSink::open(&store).unwrap();
    for i in 10..15 {
        sink.add_one(&event(i, &format!("req_a{i:04}"), None))
            .unwrap();
    }
    sink.send().unwrap();
    drop(sink);
    assert_eq!(store.count_all().unwrap(), 15);
    // The resume: the uncommitted rows go before the same bytes are re-sent.
    let sink = ClickHouseSink::open(&store).unwrap();
    assert_eq!(
        sink.checkpoint.totals.events, 10,
        "the last commit's checkpoint"
    );
    assert_eq!(store.count_all().unwrap(), 10);
    drop(sink);
    let rest: Vec<Event> = (10..15)
        .map(|i| event(i, &format!("req_a{i:04}"), None))
        .collect();
    ingest(&store, &rest);
    assert_eq!(store.count_all().unwrap(), 15, "each event exactly once");
    let sink = ClickHouseSink::open(&store).unwrap();
    assert_eq!(
        sink.checkpoint.totals.events, 15,
        "the newest checkpoint's totals"
    );
    assert_ne!(sink.checkpoint, Checkpoint::default());
}

#[test]
fn a_cluster_keeps_each_chain_on_one_shard_and_answers_across_shards() {
    let Some(cluster) = ch::cluster_or_skip("clickhouse_cluster") else {
        return;
    };
    let url = cluster.url("errs");
    let store = init(&url);
    init(&url);
    assert_eq!(
        store.layout.nodes.len(),
        2,
        "both shards read from system.clusters"
    );
    let events: Vec<Event> = (0..40)
        .map(|i| event(i, &format!("req_c{i:04}"), Some(&format!("key-{}", i % 8))))
        .collect();
    ingest(&store, &events);
    let per_shard: Vec<u64> = cluster
        .shards
        .iter()
        .map(|s| {
            s.query("SELECT count() FROM errs.events_local")
                .unwrap()
                .trim()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(per_shard.iter().sum::<u64>(), 40);
    assert!(
        per_shard.iter().all(|&n| n > 0),
        "rows on both shards: {per_shard:?}"
    );
    for s in &cluster.shards {
        let split = s
            .query("SELECT count() FROM (SELECT idempotency_key FROM errs.events_local GROUP BY idempotency_key HAVING count() != 5)")
            .unwrap();
        assert_eq!(split.trim(), "0", "every key's 5 requests on one shard");
    }
    let found = store.find("key-3").unwrap();
    assert_eq!(found.matched_as.as_deref(), Some("idempotency_key"));
    assert_eq!(found.events.len(), 5);
    assert_eq!(found.chains.len(), 1);
    let one = store.find("req_c0007").unwrap();
    assert_eq!(one.events, vec![events[7].clone()]);
}

#[test]
fn failures_name_the_server_and_what_to_do() {
    let Some(mut server) = ch::single_or_skip("clickhouse_failures") else {
        return;
    };
    let err = |url: &str| match ClickHouse::open(url, Catalogs::builtin()) {
        Ok(_) => panic!("{url} opened"),
        Err(e) => e.to_string(),
    };
    let at = format!("ClickHouse at 127.0.0.1:{}", server.http_port);
    let wrong = err(&server.url_as(ch::USER, "nope", "errs"));
    assert!(
        wrong.starts_with(&at) && wrong.contains("wrong user or password"),
        "{wrong}"
    );
    let right = ClickHouse::connect(
        &server.url_as(ch::USER, ch::PASSWORD, "errs"),
        Catalogs::builtin(),
    );
    assert!(right.is_ok(), "the password user connects");
    let bare = err(&server.url("nothing"));
    assert!(bare.contains("store init"), "{bare}");
    for sql in [
        "CREATE DATABASE old",
        "CREATE TABLE old.schema_version (version UInt32) ENGINE = TinyLog",
        "INSERT INTO old.schema_version VALUES (0)",
    ] {
        server.query(sql).unwrap();
    }
    let old = err(&server.url("old"));
    assert!(
        old.starts_with(&at) && old.contains("older errtriage"),
        "{old}"
    );
    let store = init(&server.url("errs"));
    let rejected = store
        .client
        .rows::<serde_json::Value>("SELECT nosuchcolumn FROM events", &Default::default())
        .unwrap_err()
        .to_string();
    assert!(
        rejected.contains("the server rejected the query"),
        "{rejected}"
    );
    server.stop();
    let down = err(&server.url("errs"));
    assert!(
        down.starts_with(&at) && down.contains("cannot reach the server"),
        "{down}"
    );
}

#[test]
fn a_shard_stopped_mid_session_is_an_error_never_a_partial_answer() {
    let Some(mut cluster) = ch::cluster_or_skip("clickhouse_shard_down") else {
        return;
    };
    let url = cluster.url("errs");
    let store = init(&url);
    let events: Vec<Event> = (0..20)
        .map(|i| event(i, &format!("req_d{i:04}"), Some(&format!("key-{}", i % 4))))
        .collect();
    ingest(&store, &events);
    let q = errtriage::query::Query::all();
    assert_eq!(store.count(&q).unwrap(), 20);
    cluster.shards[1].stop();
    let err = store.count(&q).unwrap_err().to_string();
    let at = format!("ClickHouse at 127.0.0.2:{}", cluster.shards[0].http_port);
    assert!(err.starts_with(&at), "{err}");
    assert!(err.contains("a shard did not answer"), "{err}");
    let err = store.find("key-1").unwrap_err().to_string();
    assert!(err.contains("a shard did not answer"), "{err}");
}
