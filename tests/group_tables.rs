//! Per-segment group tables (issue 15, `groups --by code` at 100M): an
//! ingest leaves a `<segment>.groups` table beside every segment, and an
//! unfiltered `groups` merges them instead of scanning — with the answer,
//! byte for byte in `--json`, of the scan (a copy of the index without its
//! tables). Several ingests, small commits, compaction, `--rebuild`; real
//! files, the real binary.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{Env, stdout};
use serde_json::{Value, json};

const CODES: [Option<&str>; 7] = [
    Some("slot_unavailable"),
    Some("rate_limited"),
    Some("invalid_token"),
    Some("SESSION_FULL"),
    None,
    None,
    None,
];
const SERVICES: [&str; 4] = ["42min-api", "avail", "calpipe", "members"];

/// `n` lines of day `day`: codes, services and statuses cycling at
/// different periods (so counts tie and differ across segments); every
/// 97th line has no time (inferred).
fn log(env: &Env, day: usize, n: usize) -> std::path::PathBuf {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            let code = CODES[(i * 3 + day) % CODES.len()];
            let status = match code {
                Some(_) => [400, 409, 429, 503][(i / 7) % 4],
                None => [200, 201, 500][i % 3],
            };
            let mut v = json!({
                "service": SERVICES[(i / 3 + day) % SERVICES.len()],
                "path": format!("/v1/r{}", i % 5), "status": status,
                "request_id": format!("req_{day}_{i}"),
            });
            if i % 97 != 0 {
                v["timestamp"] = format!(
                    "2026-05-{:02}T10:{:02}:{:02}.{:03}Z",
                    10 + day,
                    i / 60 % 60,
                    i % 60,
                    i % 1000
                )
                .into();
            }
            if let Some(c) = code {
                v["error"] = json!({ "code": c });
            }
            v.to_string()
        })
        .collect();
    env.write(&format!("logs/day{day}.log"), lines.join("\n") + "\n")
}

fn ingest(env: &Env, paths: &[&Path], extra: &[&str]) {
    let mut args = vec!["ingest", "--json", "--commit-bytes", "40000"];
    args.extend(extra);
    let owned: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(owned.iter().map(String::as_str));
    let _: Value = env.json(&args);
}

/// The stems of the files with extension `ext` in `dir`.
fn stems(dir: &Path, ext: &str) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            let (stem, rest) = name.split_once('.')?;
            (rest == ext).then(|| stem.to_string())
        })
        .collect()
}

/// A copy of the index keeping every `keep_every`-th table (0: none):
/// the segments without one are scanned.
fn copy_keeping(env: &Env, name: &str, keep_every: usize) -> std::path::PathBuf {
    let copy = env.path(name);
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir(&copy).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(&env.index)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    let mut tables = 0;
    for name in names {
        if name.to_string_lossy().ends_with(".groups") {
            tables += 1;
            if keep_every == 0 || tables % keep_every != 0 {
                continue;
            }
        }
        std::fs::copy(env.index.join(&name), copy.join(&name)).unwrap();
    }
    copy
}

fn groups_at(env: &Env, index: &Path, args: &[&str]) -> String {
    let out = env
        .cmd_at(index)
        .arg("groups")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", common::stderr(&out));
    stdout(&out)
}

/// Every table field, order and limit (and a few queries the tables do not
/// answer) give the same bytes from the tables and from the scan.
fn assert_same_as_scan(env: &Env) {
    let scan = copy_keeping(env, "scan", 0);
    let mixed = copy_keeping(env, "mixed", 2);
    let mut asked = 0;
    for by in ["code", "class", "status", "service", "path", "code,service"] {
        for sort in ["count", "errors", "rate", "last_seen"] {
            for n in ["50", "3", "1"] {
                let args = ["--by", by, "--sort", sort, "-n", n];
                let tabled = groups_at(env, &env.index, &args);
                assert_eq!(tabled, groups_at(env, &scan, &args), "{args:?}");
                assert_eq!(tabled, groups_at(env, &mixed, &args), "{args:?} mixed");
                asked += 1;
            }
        }
    }
    for q in ["status:429", "since:2026-05-11"] {
        let args = [q, "--by", "code"];
        assert_eq!(
            groups_at(env, &env.index, &args),
            groups_at(env, &scan, &args),
            "{q}"
        );
    }
    assert_eq!(asked, 72);
    assert!(stems(&scan, "groups").is_empty(), "a query wrote a table");
}

#[test]
fn tables_answer_as_the_scan_does_across_ingests_and_compaction() {
    let env = Env::new();
    let day0 = log(&env, 0, 1_500);
    ingest(&env, &[&day0], &[]);
    let segments = stems(&env.index, "idx");
    assert!(segments.len() > 1, "several segments: {segments:?}");
    assert_eq!(
        stems(&env.index, "groups"),
        segments,
        "one table per segment"
    );
    let first: Value =
        serde_json::from_str(&groups_at(&env, &env.index, &["--by", "code"])).unwrap();
    // Four codes, and `http_500` for the 500s without one.
    assert_eq!(first["groups"].as_array().unwrap().len(), 5);
    assert_same_as_scan(&env);

    // More days: the span grows, so every table is rewritten; segments
    // merged away lose theirs.
    let (day1, day2) = (log(&env, 1, 2_000), log(&env, 2, 700));
    ingest(&env, &[&day1], &[]);
    ingest(&env, &[&day2], &[]);
    assert_eq!(stems(&env.index, "groups"), stems(&env.index, "idx"));
    assert_same_as_scan(&env);

    // `--rebuild` deletes the old tables with the old segments.
    ingest(&env, &[&day0, &day2], &["--rebuild"]);
    assert_eq!(stems(&env.index, "groups"), stems(&env.index, "idx"));
    assert_same_as_scan(&env);
}

/// The first table in the index, decoded, with its path.
fn a_table(env: &Env) -> (std::path::PathBuf, Value) {
    let stem = stems(&env.index, "groups")
        .into_iter()
        .next()
        .expect("a table");
    let path = env.index.join(format!("{stem}.groups"));
    let table = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    (path, table)
}

fn code_counts(env: &Env) -> Vec<u64> {
    let v: Value = serde_json::from_str(&groups_at(env, &env.index, &["--by", "code"])).unwrap();
    v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_table_is_read_only_when_its_version_and_span_fit() {
    let env = Env::new();
    ingest(&env, &[&log(&env, 0, 1_200)], &[]);
    let truth: u64 = code_counts(&env).iter().sum();
    let (path, table) = a_table(&env);

    // A table that says more is believed: the query read it.
    let mut more = table.clone();
    more["fields"]["code"][0]["count"] =
        (more["fields"]["code"][0]["count"].as_u64().unwrap() + 1_000).into();
    std::fs::write(&path, more.to_string()).unwrap();
    assert_eq!(code_counts(&env).iter().sum::<u64>(), truth + 1_000);

    // Another version, another span, or a broken file: the segment is scanned.
    for (name, spoil) in [
        ("version", json!({"version": 999})),
        ("span", json!({"span": [0, 1]})),
    ] {
        let mut wrong = more.clone();
        for (k, v) in spoil.as_object().unwrap() {
            wrong[k] = v.clone();
        }
        std::fs::write(&path, wrong.to_string()).unwrap();
        assert_eq!(code_counts(&env).iter().sum::<u64>(), truth, "{name}");
    }
    std::fs::write(&path, "{\"version\":1,").unwrap();
    assert_eq!(code_counts(&env).iter().sum::<u64>(), truth, "broken");

    // The next ingest (even of nothing new) rewrites it, and removes a
    // temporary table a killed writer left.
    let temp = env
        .index
        .join("0123456789abcdef0123456789abcdef.groups.temp");
    std::fs::write(&temp, "half").unwrap();
    let empty = env.write("logs/empty.log", "");
    ingest(&env, &[&empty], &[]);
    assert!(!temp.exists());
    let (_, rewritten) = a_table(&env);
    assert_eq!(rewritten, table);
}

/// Rewrite every table in the index with `edit`.
fn edit_tables(env: &Env, edit: impl Fn(&mut Value)) {
    for stem in stems(&env.index, "groups") {
        let path = env.index.join(format!("{stem}.groups"));
        let mut table: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        edit(&mut table);
        std::fs::write(&path, table.to_string()).unwrap();
    }
}

fn samples(env: &Env) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(&groups_at(env, &env.index, &["--by", "code"])).unwrap();
    let g = v["groups"].as_array().unwrap().iter();
    g.map(|g| {
        (
            g["key"].as_str().unwrap().into(),
            g["sample_request_id"].as_str().unwrap().into(),
        )
    })
    .collect()
}

#[test]
fn stored_samples_stand_only_for_the_normalizer_and_catalogs_that_read_them() {
    let env = Env::new();
    ingest(&env, &[&log(&env, 0, 1_200)], &[]);
    let truth = samples(&env);
    assert!(
        truth.iter().all(|(_, id)| id.starts_with("req_0_")),
        "{truth:?}"
    );
    edit_tables(&env, |t| {
        for e in t["fields"]["code"].as_array_mut().unwrap() {
            e["request_id"] = "req_from_table".into();
        }
    });
    assert!(samples(&env).iter().all(|(_, id)| id == "req_from_table"));
    // Written with other catalogs: the groups still come from the tables,
    // the samples from the stored lines.
    edit_tables(&env, |t| {
        t["derived"]["catalogs"] = "0000000000000000".into()
    });
    assert_eq!(samples(&env), truth);
}
