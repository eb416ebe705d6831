//! Tests of the log generator's output (examples/genlogs), read back with
//! serde_json and chrono only — never with errtriage, whose ground truth this
//! is. The bundled `sample-logs/` must be exactly what the documented command
//! regenerates, and every claim of its manifest must hold in the text.

#[allow(dead_code)]
#[path = "../examples/genlogs/gen.rs"]
mod generator;

#[path = "genlogs/read.rs"]
mod read;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;

use generator::{Config, DEFAULT_SEED, SAMPLE_LINES};
use read::{Corpus, Fields};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn sample_config() -> Config {
    Config {
        lines: SAMPLE_LINES,
        seed: DEFAULT_SEED,
        files: None,
    }
}

/// The committed sample-logs and manifest.
fn bundled() -> (Corpus, Value) {
    let dir = Path::new(REPO).join("sample-logs");
    let text =
        std::fs::read_to_string(Path::new(REPO).join("tests/data/sample-logs.manifest.json"))
            .expect("manifest committed");
    (
        Corpus::read(&dir),
        serde_json::from_str(&text).expect("manifest is JSON"),
    )
}

fn generated(cfg: &Config) -> (tempfile::TempDir, Corpus, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = generator::generate(cfg, dir.path()).expect("generate");
    let corpus = Corpus::read(dir.path());
    (dir, corpus, manifest)
}

#[test]
fn same_seed_writes_same_bytes() {
    let (a, _, ma) = generated(&sample_config());
    let (b, _, mb) = generated(&sample_config());
    assert_eq!(ma, mb);
    let files_a = read::raw_files(a.path());
    assert_eq!(
        files_a,
        read::raw_files(b.path()),
        "compressed bytes differ between runs"
    );
    let (c, _, _) = generated(&Config {
        seed: DEFAULT_SEED + 1,
        ..sample_config()
    });
    assert_ne!(
        files_a,
        read::raw_files(c.path()),
        "another seed writes other bytes"
    );
}

#[test]
fn bundled_sample_logs_are_exactly_what_the_command_regenerates() {
    let (_dir, fresh, manifest) = generated(&sample_config());
    let (committed, committed_manifest) = bundled();
    let names = |c: &Corpus| {
        c.files
            .keys()
            .chain(c.formats.keys())
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&committed),
        names(&fresh),
        "sample-logs/ holds other files than genlogs writes"
    );
    for (name, lines) in fresh.files.iter().chain(&fresh.formats) {
        assert!(
            committed.files.get(name).or(committed.formats.get(name)) == Some(lines),
            "sample-logs/{name} differs from a regeneration: rerun the command in sample-logs/README.md"
        );
    }
    assert_eq!(
        committed_manifest, manifest,
        "tests/data/sample-logs.manifest.json is stale"
    );
}

#[test]
fn line_counts_match_the_manifest() {
    let (corpus, m) = bundled();
    let total: usize = corpus.files.values().map(Vec::len).sum();
    assert!(total >= 5_000, "at least 5,000 lines");
    assert_eq!(total as u64, m["lines"]["total"]);
    for f in m["files"].as_array().expect("files") {
        let name = f["path"].as_str().expect("path");
        assert_eq!(corpus.files[name].len() as u64, f["lines"], "{name}");
    }
    let broken = corpus.lines().filter(|l| l.value.is_none()).count();
    assert_eq!(broken as u64, m["lines"]["broken"]);
    assert_eq!((total - broken) as u64, m["lines"]["good"]);
    let context = corpus
        .lines()
        .filter_map(|l| l.fields())
        .filter(|f| f.status.is_none())
        .count();
    assert_eq!(context as u64, m["lines"]["context"]);
}

#[test]
fn broken_lines_are_where_the_manifest_says() {
    let (corpus, m) = bundled();
    let listed = m["broken"]["lines"].as_array().expect("broken lines");
    let mut kinds = BTreeSet::new();
    for b in listed {
        let line = corpus.line(
            b["file"].as_str().expect("file"),
            b["line"].as_u64().expect("line"),
        );
        assert!(line.value.is_none(), "{b} parses");
        let kind = b["kind"].as_str().expect("kind");
        kinds.insert(kind);
        match kind {
            "invalid_utf8" => {
                assert!(std::str::from_utf8(&line.bytes).is_err());
                let repaired = String::from_utf8_lossy(&line.bytes);
                assert!(
                    serde_json::from_str::<Value>(&repaired).is_ok(),
                    "lossy repair gives JSON"
                );
            }
            "truncated" => {
                assert!(line.bytes.starts_with(b"{") && std::str::from_utf8(&line.bytes).is_ok())
            }
            "not_json" => assert!(!line.bytes.starts_with(b"{")),
            other => panic!("unknown kind {other}"),
        }
    }
    assert_eq!(
        kinds,
        BTreeSet::from(["invalid_utf8", "not_json", "truncated"])
    );
    let unlisted = corpus.lines().filter(|l| l.value.is_none()).count();
    assert_eq!(unlisted, listed.len(), "every broken line is listed");
}

/// The code tables of shared/seeds, as (code as the body carries it, status).
const FORTYTWO: &[(&str, u16)] = &[
    ("invalid_token", 401),
    ("token_expired", 401),
    ("token_revoked", 401),
    ("insufficient_scope", 403),
    ("forbidden", 403),
    ("validation_error", 422),
    ("invalid_request", 400),
    ("invalid_query_param", 400),
    ("attendee_email_invalid", 400),
    ("invalid_if_match", 400),
    ("field_immutable", 422),
    ("event_type_disallows_reschedule", 422),
    ("slot_unavailable", 409),
    ("event_type_inactive", 409),
    ("booking_in_past", 409),
    ("booking_already_cancelled", 409),
    ("version_conflict", 409),
    ("idempotency_in_progress", 409),
    ("idempotency_key_conflict", 409),
    ("pat_name_taken", 409),
    ("pat_limit_exceeded", 409),
    ("not_found", 404),
    ("event_type_not_found", 404),
    ("booking_not_found", 404),
    ("interaction_not_found", 404),
    ("missing_if_match", 428),
    ("missing_idempotency_key", 400),
    ("invalid_idempotency_key", 400),
    ("rate_limited", 429),
    ("invalid_client", 401),
    ("invalid_grant", 400),
    ("invalid_scope", 400),
    ("invalid_redirect_uri", 400),
    ("unsupported_grant_type", 400),
    ("unsupported_response_type", 400),
    ("invalid_client_metadata", 400),
    ("internal_error", 500),
    ("slot_lock_timeout", 503),
];
const MEMBER: &[(&str, u16)] = &[
    ("INVALID_REQUEST", 400),
    ("UNAUTHENTICATED", 401),
    ("TOKEN_EXPIRED", 401),
    ("PREMIUM_REQUIRED", 403),
    ("FORBIDDEN", 403),
    ("NOT_FOUND", 404),
    ("SESSION_FULL", 409),
    ("ALREADY_BOOKED", 409),
    ("RATE_LIMITED", 429),
    ("UPSTREAM_TIMEOUT", 504),
];
const AVAIL: &[(&str, u16)] = &[
    ("invalid_token", 401),
    ("missing_scope", 403),
    ("insufficient_permissions", 403),
    ("not_found", 404),
    ("validation_error", 422),
    ("rate_limit_exceeded", 429),
    ("payment_required", 402),
    ("conflict", 409),
    ("slot_unavailable", 409),
    ("outside_operating_hours", 422),
    ("idempotency_mismatch", 409),
];
const CALPIPE: &[(&str, u16)] = &[
    ("Bad Request", 400),
    ("Unauthorized", 401),
    ("API_ACCESS_BLOCKED", 402),
    ("Forbidden", 403),
    ("Not Found", 404),
    ("Conflict", 409),
    ("Unprocessable Entity", 422),
    ("Internal Server Error", 500),
    ("Bad Gateway", 502),
];

#[test]
fn every_seed_code_appears_in_its_own_envelope_with_its_status() {
    let (corpus, _) = bundled();
    let mut seen: BTreeSet<(String, String, u16)> = BTreeSet::new();
    let mut redirects = 0;
    for f in corpus.lines().filter_map(|l| l.fields()) {
        if f.status == Some(302)
            && f.location
                .as_deref()
                .is_some_and(|l| l.contains("error=access_denied"))
        {
            redirects += 1;
        }
        let (Some(status), Some(body)) = (f.status, &f.body) else {
            continue;
        };
        let written = match f.service.as_str() {
            "42min-api" => body["error"]["code"].as_str(),
            "member-api" => body["errorCode"]
                .as_str()
                .filter(|_| body["success"] == false),
            "availengine" => body["error"]["code"]
                .as_str()
                .filter(|_| body["error"].as_object().is_some_and(|o| o.len() == 2)),
            "calendarpipe" if body["type"] == "api_disabled" => body["code"].as_str(),
            "calendarpipe" => body["error"]
                .as_str()
                .filter(|_| body["message"].is_string()),
            _ => None,
        };
        if let Some(code) = written {
            seen.insert((f.service.clone(), code.to_string(), status));
        }
    }
    for (service, table) in [
        ("42min-api", FORTYTWO),
        ("member-api", MEMBER),
        ("availengine", AVAIL),
        ("calendarpipe", CALPIPE),
    ] {
        for (code, status) in table {
            assert!(
                seen.contains(&(service.to_string(), code.to_string(), *status)),
                "{service} {code} {status} missing"
            );
        }
    }
    assert!(redirects >= 1, "42min access_denied travels in a redirect");
}

#[test]
fn code_and_status_counts_match_the_manifest() {
    let (corpus, m) = bundled();
    let mut codes: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    for f in corpus.lines().filter_map(|l| l.fields()) {
        let Some(status) = f.status else { continue };
        *statuses.entry(status.to_string()).or_default() += 1;
        if let Some(code) = read::code_per_design(&f) {
            *codes
                .entry(f.service.clone())
                .or_default()
                .entry(code)
                .or_default() += 1;
        }
    }
    assert_eq!(serde_json::to_value(&statuses).unwrap(), m["statuses"]);
    assert_eq!(serde_json::to_value(&codes).unwrap(), m["codes"]);
    let errors: u64 = statuses
        .iter()
        .filter(|(s, _)| s.as_str() >= "400")
        .map(|(_, n)| n)
        .sum();
    let all: u64 = statuses.values().sum();
    assert!(errors * 100 / all < 15, "errors stay a realistic minority");
}

#[test]
fn the_story_request_is_a_too_soon_retry_that_recovered() {
    let (corpus, m) = bundled();
    assert_eq!(m["story"]["request_id"], "req_2N7s8x9KqR");
    let story = corpus.line(
        m["story"]["file"].as_str().unwrap(),
        m["story"]["line"].as_u64().unwrap(),
    );
    let f = story.fields().expect("the story line parses");
    assert_eq!(
        (f.service.as_str(), f.method.as_str(), f.status),
        ("member-api", "POST", Some(429))
    );
    assert!(f.path.starts_with("/v2/sessions/") && f.path.ends_with("/bookings"));
    assert_eq!(f.request_id, "req_2N7s8x9KqR");
    assert_eq!(f.retry_after, Some(42.0));
    let body = f.body.as_ref().expect("body");
    assert_eq!(
        (
            body["errorCode"].as_str(),
            body["details"]["retryAfter"].as_u64()
        ),
        (Some("RATE_LIMITED"), Some(42))
    );
    let key = f.key.clone().expect("an Idempotency-Key");
    let mut chain: Vec<Fields> = corpus
        .lines()
        .filter_map(|l| l.fields())
        .filter(|g| g.key.as_ref() == Some(&key))
        .collect();
    chain.sort_by_key(|g| g.ts_ms);
    assert_eq!(chain.len(), 3);
    assert_eq!(chain[0].request_id, "req_2N7s8x9KqR");
    assert!(
        (chain[1].ts_ms - chain[0].ts_ms - 5_000).abs() < 50,
        "retried 5 s later"
    );
    assert_eq!(chain[1].status, Some(429));
    let honoured = chain[1].end_ms() + chain[1].retry_after.unwrap() * 1000.0;
    assert!(chain[2].ts_ms as f64 >= honoured && chain[2].status == Some(201));
}

#[test]
fn planned_chains_show_their_rules_and_clean_ones_none() {
    let (corpus, m) = bundled();
    let by_key = corpus.chains();
    let rules_of = |c: &Value| -> BTreeSet<String> {
        c["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect()
    };
    let all_rules: BTreeSet<String> = m["chains"]["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(rules_of)
        .collect();
    assert_eq!(
        all_rules.len(),
        8,
        "one or more chains per DESIGN rule: {all_rules:?}"
    );
    for group in ["flagged", "clean"] {
        for c in m["chains"][group].as_array().unwrap() {
            let key = c["idempotency_key"].as_str().unwrap();
            let attempts = &by_key[key];
            assert_eq!(
                attempts.len() as u64,
                c["attempts"].as_array().unwrap().len() as u64,
                "{key}"
            );
            for (a, listed) in attempts.iter().zip(c["attempts"].as_array().unwrap()) {
                assert_eq!(a.request_id, listed["request_id"].as_str().unwrap());
            }
            let found = read::chain_findings(attempts);
            assert_eq!(found, rules_of(c), "{} ({key})", c["label"]);
        }
    }
    // No chain the manifest does not list is flagged ("flagged_complete").
    let listed: BTreeSet<&str> = ["flagged", "clean"]
        .iter()
        .flat_map(|g| {
            m["chains"][*g]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["idempotency_key"].as_str().unwrap())
        })
        .collect();
    for (key, attempts) in &by_key {
        if !listed.contains(key.as_str()) {
            assert_eq!(
                read::chain_findings(attempts),
                BTreeSet::new(),
                "unplanned chain {key} looks flagged"
            );
        }
    }
}

#[test]
fn timestamps_are_in_order_within_each_file_and_span_a_few_days() {
    let (corpus, m) = bundled();
    let (lo, hi) = (
        read::ms("2026-05-12T00:00:00Z"),
        read::ms("2026-05-16T00:00:00Z"),
    );
    for (name, lines) in &corpus.files {
        let ts: Vec<i64> = lines
            .iter()
            .filter_map(|l| l.fields())
            .map(|f| f.ts_ms)
            .collect();
        assert!(ts.windows(2).all(|w| w[0] <= w[1]), "{name} out of order");
        assert!(
            ts.iter().all(|t| (lo..hi).contains(t)),
            "{name} outside the window"
        );
    }
    assert_eq!(
        m["time_range"]["first"].as_str().map(|s| &s[..10]),
        Some("2026-05-12")
    );
}

#[test]
fn request_ids_are_unique_and_samples_point_at_their_lines() {
    let (corpus, m) = bundled();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for f in corpus
        .lines()
        .filter_map(|l| l.fields())
        .filter(|f| f.status.is_some())
    {
        *ids.entry(f.request_id.clone()).or_default() += 1;
    }
    let dup: Vec<_> = ids.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dup.is_empty(), "duplicate request ids: {dup:?}");
    let listed = m["samples"]
        .as_array()
        .unwrap()
        .iter()
        .chain(m["needles"].as_array().unwrap())
        .chain(m["hostile"].as_array().unwrap());
    let mut styles = BTreeSet::new();
    for s in listed {
        let f = corpus
            .line(s["file"].as_str().unwrap(), s["line"].as_u64().unwrap())
            .fields()
            .expect("parses");
        assert_eq!(f.request_id, s["request_id"].as_str().unwrap());
        assert_eq!(f.status, s["status"].as_u64().map(|s| s as u16));
        assert_eq!(f.ts_ms, read::ms(s["ts"].as_str().unwrap()), "{s}");
        assert_eq!(f.key.as_deref(), s["idempotency_key"].as_str());
        assert_eq!(read::code_per_design(&f).as_deref(), s["code"].as_str());
        styles.insert(s["style"].as_str().unwrap().to_string());
    }
    assert!(styles.len() >= 7, "samples cover every wrapper: {styles:?}");
}

#[test]
fn numbered_files_for_benchmarks_mix_every_style() {
    let cfg = Config {
        lines: 30_000,
        seed: 7,
        files: Some(9),
    };
    let (_dir, corpus, m) = generated(&cfg);
    assert_eq!(corpus.files.len(), 9);
    assert_eq!(corpus.files.values().map(Vec::len).sum::<usize>(), 30_000);
    assert_eq!(m["lines"]["total"], 30_000);
    assert_eq!(m["styles"].as_object().unwrap().len(), 7);
    assert_eq!(m["needles"].as_array().unwrap().len(), 3);
    let (_dir, mixed, _) = generated(&Config {
        files: Some(2),
        ..cfg
    });
    assert_eq!(
        mixed.files.keys().cloned().collect::<Vec<_>>(),
        ["mixed/part-0000.jsonl", "mixed/part-0001.jsonl"]
    );
}
