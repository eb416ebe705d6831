//! errtriage against the generator's independent ground truth: the bundled
//! sample-logs/ and tests/data/sample-logs.manifest.json (written by
//! examples/genlogs without using errtriage). Counts, every sampled
//! request's fields, codes per service, and every planned retry chain's
//! verdict must agree with what the generator put there.

mod common;

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Env, repo, stdout};
use errtriage::model::ts_millis;
use errtriage::query::{ChainsResult, FindResult, GroupsResult, Stats};
use serde_json::Value;

fn manifest() -> Value {
    let text =
        std::fs::read_to_string(repo().join("tests/data/sample-logs.manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn ingested() -> Env {
    let env = Env::new();
    env.ingest(&[&repo().join("sample-logs")]);
    env
}

#[test]
fn ingest_counts_match_the_manifest_line_for_line() {
    let m = manifest();
    let env = Env::new();
    let s = env.ingest(&[&repo().join("sample-logs")]);
    let broken = m["broken"]["lines"].as_array().unwrap();
    let repairable = broken.iter().filter(|b| b["repairable"] == true).count() as u64;
    let good = m["lines"]["good"].as_u64().unwrap();
    let formats = m["formats"]["total"].as_u64().unwrap();
    assert_eq!(
        s["events"].as_u64(),
        Some(good + repairable + formats),
        "{s}"
    );
    assert_eq!(
        s["bad_lines"].as_u64(),
        Some(broken.len() as u64 - repairable),
        "{s}"
    );
    assert_eq!(s["repaired_utf8"].as_u64(), Some(repairable));
    assert_eq!(
        s["lines"].as_u64(),
        Some(m["lines"]["total"].as_u64().unwrap() + formats)
    );
    assert_eq!(s["inferred_ts"], 0, "{s}");
    for b in broken.iter().filter(|b| b["repairable"] == false) {
        let (file, line) = (b["file"].as_str().unwrap(), &b["line"]);
        let found = s["bad_examples"].as_array().unwrap().iter().any(|x| {
            x["file"].as_str().unwrap().ends_with(file)
                && x["line"] == *line
                && x["reason"] == b["bad_reason"]
        });
        assert!(found, "{file}:{line} not reported: {s}");
    }
    let stats: Stats = env.json(&["stats", "--json"]);
    let files =
        m["files"].as_array().unwrap().len() + m["formats"]["files"].as_array().unwrap().len();
    assert_eq!(stats.files, files as u64);
    assert_eq!(stats.first_ts.as_deref(), m["time_range"]["first"].as_str());
    assert_eq!(stats.last_ts.as_deref(), m["time_range"]["last"].as_str());
}

#[test]
fn every_sampled_request_is_found_with_the_fields_the_generator_wrote() {
    let m = manifest();
    let env = ingested();
    for s in m["samples"]
        .as_array()
        .unwrap()
        .iter()
        .chain(m["needles"].as_array().unwrap())
    {
        let id = s["request_id"].as_str().unwrap();
        let r: FindResult = env.json(&["find", id, "--json"]);
        assert_eq!(r.events.len(), 1, "{id}");
        let e = &r.events[0];
        let what = format!("{id} ({} {})", s["style"], s["file"]);
        assert_eq!(
            ts_millis::format(&e.ts),
            s["ts"].as_str().unwrap(),
            "{what} ts"
        );
        assert_eq!(
            e.service.as_deref(),
            s["service"].as_str(),
            "{what} service"
        );
        assert_eq!(
            e.status.map(u64::from),
            s["status"].as_u64(),
            "{what} status"
        );
        assert_eq!(e.code.as_deref(), s["code"].as_str(), "{what} code");
        assert_eq!(e.method.as_deref(), s["method"].as_str(), "{what} method");
        assert_eq!(e.path.as_deref(), s["path"].as_str(), "{what} path");
        assert_eq!(
            e.idempotency_key.as_deref(),
            s["idempotency_key"].as_str(),
            "{what} key"
        );
        assert_eq!(
            e.trace_id.as_deref(),
            s["trace_id"].as_str(),
            "{what} trace"
        );
        assert_eq!(e.client.as_deref(), s["client"].as_str(), "{what} client");
        assert_eq!(
            e.retry_after_s,
            s["retry_after_s"].as_f64(),
            "{what} retry_after"
        );
        assert_eq!(e.latency_ms, s["latency_ms"].as_f64(), "{what} latency");
        assert!(
            e.source.file.ends_with(s["file"].as_str().unwrap()),
            "{what} source"
        );
        assert_eq!(Some(e.source.line), s["line"].as_u64(), "{what} line");
    }
}

#[test]
fn codes_per_service_match_the_manifest() {
    let m = manifest();
    let env = ingested();
    // A repaired broken line is indexed too; the manifest keeps its record.
    let repaired: Vec<&Value> = m["broken"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["repairable"] == true)
        .map(|b| &b["record"])
        .collect();
    // The formats/ lines add their codes (as each format carries them).
    let mut all = m["codes"].as_object().unwrap().clone();
    for (service, codes) in m["formats"]["codes"].as_object().unwrap() {
        let mine = all
            .entry(service.clone())
            .or_insert_with(|| Value::Object(Default::default()));
        for (code, n) in codes.as_object().unwrap() {
            let sum = mine[code].as_u64().unwrap_or(0) + n.as_u64().unwrap();
            mine[code] = sum.into();
        }
    }
    for (service, codes) in &all {
        let g: GroupsResult = env.json(&[
            "groups",
            "--by",
            "code",
            "--limit",
            "1000",
            &format!("service:{service}"),
            "--json",
        ]);
        let got: Vec<(String, u64)> = g.groups.iter().map(|g| (g.key.clone(), g.count)).collect();
        let mut want: Vec<(String, u64)> = codes
            .as_object()
            .unwrap()
            .iter()
            .map(|(c, n)| {
                let extra = repaired
                    .iter()
                    .filter(|r| r["service"] == service.as_str() && r["code"] == c.as_str())
                    .count();
                (c.clone(), n.as_u64().unwrap() + extra as u64)
            })
            .collect();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        want.sort();
        assert_eq!(got_sorted, want, "codes of {service}");
    }
}

#[test]
fn every_line_of_the_bundled_formats_reads_as_the_generator_wrote_it() {
    let m = manifest();
    let env = Env::new();
    env.ingest(&[&repo().join("sample-logs/formats")]);
    let all: Value = env.json(&["search", "--limit", "100000", "--json"]);
    let events = all["events"].as_array().unwrap();
    let lines = m["formats"]["lines"].as_array().unwrap();
    assert_eq!(events.len(), lines.len());
    for want in lines {
        let got = events
            .iter()
            .find(|e| e["request_id"] == want["request_id"])
            .unwrap_or_else(|| panic!("{want}"));
        for k in [
            "format",
            "ts",
            "service",
            "method",
            "path",
            "status",
            "code",
            "idempotency_key",
            "client",
        ] {
            assert_eq!(got[k], want[k], "{k} of {want}");
        }
        let (a, b) = (got["latency_ms"].as_f64(), want["latency_ms"].as_f64());
        assert!((a.unwrap() - b.unwrap()).abs() < 1e-6, "{want}");
        assert!(
            got["source"]["file"]
                .as_str()
                .unwrap()
                .ends_with(want["file"].as_str().unwrap()),
            "{want}"
        );
        assert_eq!(got["source"]["line"], want["line"]);
    }
}

fn rules(c: &errtriage::model::Chain) -> BTreeSet<String> {
    c.flags
        .iter()
        .map(|f| f.rule.as_str().to_string())
        .collect()
}

#[test]
fn every_planned_chain_gets_the_verdict_it_was_built_for() {
    let m = manifest();
    let env = ingested();
    let planned = m["chains"]["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .chain(m["chains"]["clean"].as_array().unwrap());
    for want in planned {
        let key = want["idempotency_key"].as_str().unwrap();
        let r: FindResult = env.json(&["find", key, "--json"]);
        let chain = r
            .chains
            .iter()
            .find(|c| c.service.as_deref() == want["service"].as_str())
            .unwrap_or_else(|| panic!("no chain for {}", want["label"]));
        let expected: BTreeSet<String> = want["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            rules(chain),
            expected,
            "{}: {}",
            want["label"],
            want["what"]
        );
        assert_eq!(
            chain.outcome.as_str(),
            want["outcome"].as_str().unwrap(),
            "{} outcome",
            want["label"]
        );
        assert_eq!(
            chain.attempts.len(),
            want["attempts"].as_array().unwrap().len(),
            "{} attempts",
            want["label"]
        );
    }
    // And nothing else is flagged.
    let flagged: ChainsResult = env.json(&["chains", "--flagged", "--limit", "10000", "--json"]);
    let got: BTreeSet<&str> = flagged
        .chains
        .iter()
        .map(|c| c.idempotency_key.as_str())
        .collect();
    let want: BTreeSet<&str> = m["chains"]["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["idempotency_key"].as_str().unwrap())
        .collect();
    assert_eq!(got, want, "exactly the planned chains are flagged");
}

#[test]
fn the_readme_story_reads_right() {
    let env = ingested();
    let out = env.run(&["find", "req_2N7s8x9KqR"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for words in [
        "429  RATE_LIMITED",
        "retryable after Retry-After (42 s)",
        "recovered",
        "retry_too_soon (attempt 2)",
        "5.0 s after the response to attempt 1",
        "asked for 42 s",
        "req_8Lw3QzT5vB",
        "req_Y7cPq1Rm0d",
    ] {
        assert!(text.contains(words), "missing {words:?} in:\n{text}");
    }
    let card = stdout(&env.run(&["find", "req_2N7s8x9KqR", "--format", "markdown"]));
    assert!(
        card.contains("## errtriage case: `req_2N7s8x9KqR`"),
        "{card}"
    );
    assert!(
        card.contains("| 2 |") && card.contains("`retry_too_soon` (attempt 2)"),
        "{card}"
    );
}

/// The README's second act: the story request's 429s were this client's
/// alone; the 504s from 09:44 hit every client booking a session on
/// member-api (the planned route outage), and the app line that explains
/// them sits next to the first.
#[test]
fn the_readme_second_act_reads_right() {
    let m = manifest();
    let env = ingested();
    let story: Value = env.json(&["impact", "req_2N7s8x9KqR", "--window", "10m", "--json"]);
    assert_eq!(story["scope"], "client", "{story}");
    assert_eq!(story["verdict"], "only this client");
    let outage = m["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["endpoint"].is_string())
        .expect("the planned route outage");
    let (from, to) = (
        outage["from"].as_str().unwrap(),
        outage["to"].as_str().unwrap(),
    );
    let query = format!(
        "code:{} since:{from} until:{to}",
        outage["code"].as_str().unwrap()
    );
    let routes: GroupsResult = env.json(&["groups", "--by", "route", &query, "--json"]);
    assert_eq!(
        routes.groups.len(),
        1,
        "one route fails: {:?}",
        routes.groups
    );
    let endpoint = outage["endpoint"].as_str().unwrap();
    assert!(endpoint.ends_with(&routes.groups[0].key), "{endpoint}");
    let first = ts_millis::format(&routes.groups[0].first_seen);
    assert!(first.as_str() >= from, "{first}");
    let events: Value = env.json(&["search", &query, "--limit", "1000", "--json"]);
    let first_event = events["events"].as_array().unwrap().last().unwrap();
    let id = first_event["request_id"].as_str().unwrap();
    let impact: Value = env.json(&["impact", id, "--window", "15m", "--json"]);
    assert_eq!(impact["scope"], "route", "{impact}");
    let clients = impact["clients"].as_array().unwrap().len();
    assert!(clients >= 5, "{impact}");
    assert_eq!(
        impact["verdict"],
        format!("{clients} clients since 09:44 on {endpoint}")
    );
    assert_eq!(impact["onset"], first_event["ts"]);
    let around: Value = env.json(&["find", id, "--context", "2m", "--json"]);
    let marked: Vec<&str> = around["context"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["marker"] == true)
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(
        marked.iter().any(|m| m.contains("pool 48/48 busy")),
        "{marked:?}"
    );
    // The case card carries the impact verdict (30 min window), for the
    // outage and for the story's lone client alike.
    let card = common::stdout(&env.run(&["find", id, "--format", "markdown"]));
    assert!(
        card.contains(&format!("**Impact** {clients} clients since 09:44 on ")),
        "{card}"
    );
    let card = common::stdout(&env.run(&["find", "req_2N7s8x9KqR", "--format", "markdown"]));
    assert!(card.contains("**Impact** only this client"), "{card}");
}

#[test]
fn an_interrupted_ingest_of_sample_logs_ends_with_the_same_stats() {
    let whole = ingested();
    let want: Stats = whole.json(&["stats", "--json"]);
    let env = Env::new();
    for delay in [30, 120] {
        let mut child = env
            .cmd()
            .args(["ingest", "--commit-bytes", "50000"])
            .arg(repo().join("sample-logs"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t = Instant::now();
        while t.elapsed() < Duration::from_millis(delay) && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = child.kill();
        child.wait().unwrap();
    }
    env.ingest(&[&repo().join("sample-logs")]);
    let got: Stats = env.json(&["stats", "--json"]);
    assert_eq!(
        (got.events, got.files, got.bytes),
        (want.events, want.files, want.bytes)
    );
    assert_eq!((got.first_ts, got.last_ts), (want.first_ts, want.last_ts));
}
