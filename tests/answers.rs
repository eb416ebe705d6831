//! Natural answers to the questions users ask: "has a value" queries, the
//! newest events of a busy id, and an index that agrees with what it shows
//! after the catalogs change (`errtriage reindex`).

mod common;

use common::{Env, repo, stderr};
use errtriage::query::Stats;
use serde_json::Value;

fn ingested() -> Env {
    let env = Env::new();
    env.ingest(&[&repo().join("tests/data/envelopes.jsonl")]);
    env
}

#[test]
fn has_a_value_queries_answer_every_event_with_that_value() {
    let env = ingested();
    let all: Value = env.json(&["search", "--limit", "1000", "--json"]);
    let events = all["events"].as_array().unwrap();
    let with_message = events.iter().filter(|e| e["message"].is_string()).count() as u64;
    assert!(with_message > 0 && (with_message as usize) < events.len());
    let stats: Stats = env.json(&["stats", "--json"]);
    for (query, want) in [
        ("message:*", with_message),
        ("ts:[* TO *]", stats.events),
        ("ts:*", stats.events),
        (
            "status:{* TO *}",
            events.iter().filter(|e| e["status"].is_u64()).count() as u64,
        ),
        ("NOT message:*", stats.events - with_message),
    ] {
        let out = env.run(&["search", query, "--json"]);
        assert!(
            [0, 1].contains(&out.status.code().unwrap()),
            "{query}: {}",
            stderr(&out)
        );
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["total"], want, "{query}");
    }
}

#[test]
fn an_exact_time_finds_the_events_of_that_instant() {
    // `ts` is kept as a column only (no term per event in the index): an
    // exact time is still an answer, asked as a one-instant range.
    let env = ingested();
    let all: Value = env.json(&["search", "--limit", "1000", "--json"]);
    let events = all["events"].as_array().unwrap();
    let times: Vec<&str> = events.iter().map(|e| e["ts"].as_str().unwrap()).collect();
    let count = |t: &str| times.iter().filter(|&&x| x == t).count() as u64;
    let (first, last) = (times[0], times[times.len() - 1]);
    assert_ne!(first, last);
    for (query, want) in [
        (format!("ts:\"{first}\""), count(first)),
        (format!("ts:\"{last}\""), count(last)),
        (
            format!("ts: IN [\"{first}\" \"{last}\"]"),
            count(first) + count(last),
        ),
        (format!("ts:\"{last}\" AND NOT ts:\"{first}\""), count(last)),
    ] {
        let out = env.run(&["search", &query, "--limit", "1000", "--json"]);
        assert_eq!(out.status.code(), Some(0), "{query}: {}", stderr(&out));
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["total"], want, "{query}");
        for e in r["events"].as_array().unwrap() {
            assert!(
                [first, last].contains(&e["ts"].as_str().unwrap()),
                "{query}: {e}"
            );
        }
    }
}

#[test]
fn find_keeps_the_newest_events_of_a_busy_id_and_says_how_many_it_left_out() {
    let env = Env::new();
    let trace = "4bd07d3fb93aabac33999e14625d3595";
    // Oldest first in the file, so segment order is time order reversed
    // from what `find` must keep.
    let lines: String = (0..10_050u32)
        .map(|i| {
            format!(
                r#"{{"timestamp":"2026-05-14T{:02}:{:02}:{:02}Z","request_id":"req_busy{i:05}","trace_id":"{trace}","status":200}}"#,
                i / 3600,
                i / 60 % 60,
                i % 60
            ) + "\n"
        })
        .collect();
    let log = env.write("busy.log", lines);
    env.ingest(&[&log]);
    let out = env.run(&["find", trace, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["request_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 10_000);
    assert_eq!(r["omitted"], 50);
    assert_eq!(ids.first(), Some(&"req_busy00050"), "the oldest kept");
    assert_eq!(ids.last(), Some(&"req_busy10049"), "the newest kept");
    let err = stderr(&out);
    assert!(
        err.contains("50 more event(s)") && err.contains("newest 10000"),
        "{err}"
    );
}

/// A log format the envelopes do not use: adding it changes the set of
/// formats, not one event.
const ACME_FORMAT: &str =
    "[format]\nname = \"acme\"\ndetect = [\"acme_marker\"]\n\n[fields]\nrequest_id = \"acme_id\"\n";

/// A user log format makes an index ingested with the built-ins alone say
/// it is stale, whether given with `--formats` or in the config dir, and
/// an index ingested with one says so without it (the built-ins'
/// fingerprint is pinned in the binary; a user set is hashed).
#[test]
fn a_user_format_makes_the_index_stale_both_ways() {
    let env = ingested();
    let (ids, _, err) = search(&env, &[], "code:slot_unavailable");
    assert_eq!(ids, ["req_42MIN00001"]);
    assert!(!err.contains("reindex"), "built-ins both times: {err}");

    let format = env.write("acme.toml", ACME_FORMAT);
    let user = ["--formats", format.to_str().unwrap()];
    let (ids, _, err) = search(&env, &user, "code:slot_unavailable");
    assert_eq!(ids, ["req_42MIN00001"], "the same answer");
    assert_eq!(err.matches("run `errtriage reindex`").count(), 1, "{err}");

    env.write("config/errtriage/formats/acme.toml", ACME_FORMAT);
    let (_, _, err) = search(&env, &[], "code:slot_unavailable");
    assert_eq!(err.matches("run `errtriage reindex`").count(), 1, "{err}");

    let other = Env::new();
    let format = other.write("acme.toml", ACME_FORMAT);
    let user = ["--formats", format.to_str().unwrap()];
    let envelopes = repo().join("tests/data/envelopes.jsonl");
    let out = other.run(&[user[0], user[1], "ingest", envelopes.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (ids, _, err) = search(&other, &user, "code:slot_unavailable");
    assert_eq!(ids, ["req_42MIN00001"]);
    assert!(!err.contains("reindex"), "the same user format: {err}");
    let (_, _, err) = search(&other, &[], "code:slot_unavailable");
    assert_eq!(err.matches("run `errtriage reindex`").count(), 1, "{err}");
}

/// `search QUERY --json` with extra args; (request ids found, displayed
/// classes, stderr).
fn search(env: &Env, extra: &[&str], query: &str) -> (Vec<String>, Vec<String>, String) {
    let mut args = extra.to_vec();
    args.extend(["search", query, "--json"]);
    let out = env.run(&args);
    assert!(
        [0, 1].contains(&out.status.code().unwrap()),
        "{}",
        stderr(&out)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let events = r["events"].as_array().unwrap();
    let field = |name: &str| -> Vec<String> {
        events
            .iter()
            .map(|e| e[name].as_str().unwrap_or("").to_string())
            .collect()
    };
    (field("request_id"), field("class"), stderr(&out))
}

#[test]
fn after_a_catalog_change_reindex_makes_the_index_agree_with_what_is_shown() {
    let env = ingested();
    let id = "req_42MIN00001".to_string();
    let (ids, classes, err) = search(&env, &[], "code:slot_unavailable");
    assert_eq!(
        (ids, classes),
        (vec![id.clone()], vec!["conflict".to_string()])
    );
    assert!(!err.contains("reindex"), "same catalogs, no warning: {err}");

    let catalog = env.write(
        "user.toml",
        "[api]\nname = \"42min\"\n[codes.slot_unavailable]\nclass = \"server\"\n",
    );
    let user = ["--catalog", catalog.to_str().unwrap()];
    // Shown with the new class, indexed with the old one: said once.
    let (ids, classes, err) = search(&env, &user, "code:slot_unavailable");
    assert_eq!(
        (ids, classes),
        (vec![id.clone()], vec!["server".to_string()])
    );
    assert_eq!(err.matches("run `errtriage reindex`").count(), 1, "{err}");
    assert!(
        search(&env, &user, "class:server").0.is_empty(),
        "the mismatch"
    );
    assert!(search(&env, &user, "class:conflict").0.contains(&id));

    let mut args = user.to_vec();
    args.extend(["reindex", "--json"]);
    let out = env.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stats: Stats = env.json(&["stats", "--json"]);
    assert_eq!(summary["events"], stats.events);
    assert_eq!(stats.events, 13, "nothing lost or doubled");

    let (ids, classes, err) = search(&env, &user, "class:server");
    assert!(ids.contains(&id), "{ids:?}");
    assert!(classes.iter().all(|c| c == "server"), "{classes:?}");
    assert!(!err.contains("reindex"), "agrees now: {err}");
    assert!(!search(&env, &user, "class:conflict").0.contains(&id));
    // Without the user catalog, the index is stale again and says so.
    assert!(
        search(&env, &[], "code:slot_unavailable")
            .2
            .contains("reindex")
    );
    // Ingesting more keeps nothing twice and the checkpoint resumes.
    let again = env.ingest(&[&repo().join("tests/data/envelopes.jsonl")]);
    assert_eq!(again["events"], 0, "{again}");
}
