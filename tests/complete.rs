//! Completion and pivot terms over a real index: `Store::complete` reads a
//! field's values from the term dictionaries, and `complete::term` writes a
//! value back so that a query finds exactly the events holding it — for
//! values with colons, slashes, spaces, quotes and backslashes too.

mod common;

use chrono::Utc;
use errtriage::catalog::Catalogs;
use errtriage::index::LocalStore;
use errtriage::query::Query;
use errtriage::query::complete::{term, value_text};

const CLIENTS: [&str; 6] = [
    "partner_fitlink",
    "partner_fitbit",
    "urn:acme:eu/1",
    "two  spaces",
    r#"say "hi  there""#,
    r"back\slash",
];

fn store() -> (common::Env, LocalStore) {
    let env = common::Env::new();
    let mut lines = String::new();
    for (i, client) in CLIENTS.iter().enumerate() {
        for n in 0..=i {
            let line = serde_json::json!({
                "timestamp": format!("2026-05-14T10:0{i}:0{n}Z"), "service": "42min-api",
                "path": "/v1/bookings", "status": 409 + i, "client_id": client,
                "request_id": format!("req_{i}_{n}"),
            });
            lines.push_str(&format!("{line}\n"));
        }
    }
    let log = env.write("api.log", lines);
    env.ingest(&[&log]);
    let store = LocalStore::open(&env.index, Catalogs::builtin()).expect("store");
    (env, store)
}

#[test]
fn values_come_from_the_index_by_prefix() {
    let (_env, store) = store();
    assert_eq!(
        store.complete("client", "partner_fit", 10).unwrap(),
        ["partner_fitbit", "partner_fitlink"]
    );
    assert_eq!(
        store.complete("client", "partner_fitl", 10).unwrap(),
        ["partner_fitlink"]
    );
    assert_eq!(store.complete("client", "partner_fit", 1).unwrap().len(), 1);
    assert!(store.complete("client", "nobody", 10).unwrap().is_empty());
    assert_eq!(
        store.complete("status", "41", 10).unwrap(),
        ["410", "411", "412", "413", "414"]
    );
    assert_eq!(store.complete("service", "", 10).unwrap(), ["42min-api"]);
    assert!(store.complete("nosuch", "", 10).unwrap().is_empty());
    assert!(
        store.complete("raw", "", 10).unwrap().is_empty(),
        "stored, not indexed"
    );
}

#[test]
fn a_term_finds_exactly_the_events_with_its_value() {
    let (_env, store) = store();
    for (i, client) in CLIENTS.iter().enumerate() {
        for text in [
            term("client", client),
            format!("client:{}", value_text(client)),
        ] {
            let q = Query::parse(&text, Utc::now()).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(store.count(&q).unwrap(), i as u64 + 1, "{text}");
            let q = Query::parse(&format!("status:{} AND NOT {text}", 409 + i), Utc::now())
                .unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(store.count(&q).unwrap(), 0, "NOT {text}");
        }
    }
}
