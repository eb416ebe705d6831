//! One ingest at a time into a ClickHouse database: a second one (another
//! process, or this one opening a second sink) is refused while the first
//! holds the ingest lease, with one line naming the first; a claim left by
//! a process that died on this machine does not block; a live claim from
//! another machine does.

mod common;

use errtriage::catalog::Catalogs;
use errtriage::store::clickhouse::ClickHouse;
use errtriage::store::clickhouse::sink::ClickHouseSink;

use common::clickhouse as ch;
use common::{Env, stderr};

fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn a_second_ingest_is_refused_while_the_first_runs() {
    let Some(server) = ch::single_or_skip("clickhouse_lock") else {
        return;
    };
    let url = server.url("locked");
    let store = ClickHouse::connect(&url, Catalogs::builtin()).unwrap();
    store.init().unwrap();

    let first = ClickHouseSink::open(&store).unwrap();
    let refused = ClickHouseSink::open(&store).err().expect("a second sink");
    let why = refused.to_string();
    let pid = std::process::id().to_string();
    assert!(
        why.contains("another errtriage ingest") && why.contains(&pid),
        "{why}"
    );

    // The binary: exit 2, one line, nothing written.
    let env = Env::new();
    let log = env.write("api.log", "{\"status\":503,\"request_id\":\"req_1\"}\n");
    let out = env
        .cmd()
        .args(["--store", &url, "ingest"])
        .arg(&log)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("another errtriage ingest"), "{err}");
    assert_eq!(
        server
            .query("SELECT count() FROM locked.events")
            .unwrap()
            .trim(),
        "0"
    );

    // Once the first is done, the next goes ahead.
    first.finish().unwrap();
    let out = env
        .cmd()
        .args(["--store", &url, "ingest"])
        .arg(&log)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        server
            .query("SELECT count() FROM locked.events")
            .unwrap()
            .trim(),
        "1"
    );

    // A claim from a process of this machine that no longer runs (kill -9)
    // does not block a resume.
    let host = this_host();
    assert!(!host.is_empty());
    let dead = 4_194_399; // above any Linux pid_max
    server
        .query(&format!(
            "INSERT INTO locked.ingest_lock SELECT '{host}:{dead}:1', '{host}', {dead}, toUInt64(now()), 0"
        ))
        .unwrap();
    ClickHouseSink::open(&store).unwrap().finish().unwrap();

    // A live claim from another machine blocks.
    server
        .query("INSERT INTO locked.ingest_lock SELECT 'elsewhere:7:1', 'elsewhere', 7, toUInt64(now()), 0")
        .unwrap();
    let why = ClickHouseSink::open(&store)
        .err()
        .expect("blocked")
        .to_string();
    assert!(why.contains("pid 7 on elsewhere"), "{why}");
}
