//! The store seam from a user's side: choosing a store (`--store`,
//! `ERRTRIAGE_STORE`, `config.toml`, in that order, else `--index`), the
//! clear errors for a store that cannot be used, `store init`, `stats`
//! naming its store, and the CLI's answers being the `dyn Store` answers.

mod common;

use std::path::Path;
use std::process::Output;

use common::{Env, repo, stderr, stdout};
use errtriage::catalog::Catalogs;
use errtriage::query::{ChainsResult, FindResult, GroupsResult, Query, SearchResult, Stats};
use errtriage::store::{Store, StoreChoice, open_store};

/// Run with `args`, `ERRTRIAGE_STORE` set to `env` (or unset).
fn run_with(e: &Env, env: Option<&str>, args: &[&str]) -> Output {
    let mut c = e.cmd();
    match env {
        Some(v) => c.env("ERRTRIAGE_STORE", v),
        None => c.env_remove("ERRTRIAGE_STORE"),
    };
    c.args(args).output().expect("run errtriage")
}

/// `store = "<value>"` in the test's config dir.
fn config_store(e: &Env, value: &str) -> std::path::PathBuf {
    e.write(
        "config/errtriage/config.toml",
        format!("# errtriage settings\nstore = \"{value}\"\n"),
    )
}

fn ingested() -> Env {
    let e = Env::new();
    let summary = e.ingest(&[&repo().join("sample-logs/app")]);
    assert!(summary["events"].as_u64().unwrap() > 0, "{summary}");
    e
}

fn stats(out: &Output) -> Stats {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("stats JSON")
}

#[test]
fn an_unknown_or_malformed_store_is_a_usage_error_naming_it() {
    let e = Env::new();
    let cases: [(Option<&str>, &[&str], &[&str]); 4] = [
        (
            None,
            &["--store", "bogus", "stats"],
            &["--store", "`bogus` is not a store URL"],
        ),
        (
            Some("postgres://db:5432/x"),
            &["stats"],
            &["ERRTRIAGE_STORE", "unknown store `postgres://"],
        ),
        (
            None,
            &["--store", "clickhouse://localhost/logs", "search", "x"],
            &["--store", "port of the HTTP interface is missing"],
        ),
        (
            None,
            &["--store", "clickhouse://localhost:http/logs", "stats"],
            &["port `http` is not a number"],
        ),
    ];
    for (env, args, said) in cases {
        let out = run_with(&e, env, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        for s in said {
            assert!(err.contains(s), "{args:?}: {s:?} not in {err}");
        }
    }
    assert!(!e.index.exists(), "a refused store creates no local index");
}

#[test]
fn an_unreachable_clickhouse_is_refused_clearly_and_hides_the_password() {
    let e = Env::new();
    for args in [
        &[
            "--store",
            "clickhouse://ops:s3cret@127.0.0.1:8123/logs",
            "stats",
        ][..],
        &[
            "--store",
            "clickhouse://ops:s3cret@127.0.0.1:8123/logs",
            "store",
            "init",
        ][..],
        &[
            "--store",
            "clickhouse://127.0.0.1:8123/logs?cluster=two",
            "ingest",
            "-",
        ][..],
    ] {
        let out = run_with(&e, None, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("cannot reach the server"), "{err}");
        assert!(err.contains("127.0.0.1:8123"), "names the server: {err}");
        assert!(!err.contains("s3cret"), "password shown: {err}");
    }
}

#[test]
fn flag_beats_env_beats_config_beats_the_local_default() {
    let e = ingested();
    let config = config_store(&e, "clickhouse://cfg-host:8123/logs");
    // Config alone: it is used (and refused, saying where to change it).
    let out = run_with(&e, None, &["stats", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("cfg-host") && err.contains("config.toml"),
        "{err}"
    );
    // A value the config file holds that is no store names the file.
    config_store(&e, "cfg-nonsense");
    let err = stderr(&run_with(&e, None, &["stats"]));
    assert!(err.contains(&*config.to_string_lossy()), "{err}");
    config_store(&e, "clickhouse://cfg-host:8123/logs");
    // The environment wins over the config file…
    let out = run_with(&e, Some("local"), &["stats", "--json"]);
    assert_eq!(stats(&out).store.unwrap().kind, "local");
    let out = run_with(&e, Some("clickhouse://env-host:8123/logs"), &["stats"]);
    assert!(stderr(&out).contains("env-host"), "{}", stderr(&out));
    // …and the flag over both.
    let out = run_with(
        &e,
        Some("clickhouse://env-host:8123/logs"),
        &["--store", "local", "stats", "--json"],
    );
    assert!(stats(&out).events > 0);
    let out = run_with(&e, Some("local"), &["--store", "nope", "stats"]);
    assert!(stderr(&out).contains("--store: `nope`"), "{}", stderr(&out));
    // Without any of them, the index in --index.
    std::fs::remove_file(&config).unwrap();
    let out = run_with(&e, None, &["stats", "--json"]);
    assert_eq!(
        stats(&out).store.unwrap().location,
        e.index.display().to_string()
    );
}

#[test]
fn a_broken_config_file_is_an_error_naming_the_file() {
    let e = Env::new();
    let path = e.write("config/errtriage/config.toml", "store = [1, 2]\n");
    let out = run_with(&e, None, &["stats"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&*path.to_string_lossy()) && err.contains("must be a string"),
        "{err}"
    );
    e.write("config/errtriage/config.toml", "store = \"unterminated\n");
    let out = run_with(&e, None, &["stats"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("config.toml"), "{}", stderr(&out));
}

#[test]
fn store_init_on_the_local_index_creates_its_directory_and_is_idempotent() {
    let e = Env::new();
    let out = run_with(&e, None, &["store", "init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("is ready"), "{}", stdout(&out));
    assert!(e.index.is_dir());
    e.ingest(&[&repo().join("sample-logs/app")]);
    let out = run_with(&e, None, &["store", "init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("nothing to do"), "{}", stdout(&out));
    let out = run_with(&e, None, &["stats", "--json"]);
    assert!(stats(&out).events > 0, "init after ingest keeps the events");
}

#[test]
fn stats_names_its_store_and_keeps_every_key() {
    let e = ingested();
    let out = run_with(&e, None, &["stats", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "events",
        "files",
        "bytes",
        "first_ts",
        "last_ts",
        "index_bytes",
    ] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["store"]["kind"], "local");
    assert_eq!(v["store"]["location"], e.index.display().to_string());
    let out = run_with(&e, None, &["stats"]);
    let human = stdout(&out);
    assert!(
        human.starts_with(&format!("store       local {}\n", e.index.display())),
        "{human}"
    );
}

/// What the CLI prints is what any `dyn Store` answers: the seam the TUI
/// and a second store go through.
#[test]
fn cli_answers_are_the_dyn_store_answers() {
    let e = ingested();
    let store: std::sync::Arc<dyn Store> =
        open_store(&StoreChoice::Local(e.index.clone()), Catalogs::builtin()).unwrap();
    let q = |text: &str| Query::parse(text, chrono::Utc::now()).unwrap();
    let search: SearchResult = e.json(&["search", "--json", "--limit", "20", "status:5xx"]);
    assert!(search.total > 0);
    assert_eq!(search, store.search(&q("status:5xx"), 20).unwrap());
    let groups: GroupsResult = e.json(&["groups", "--json", "--by", "code"]);
    assert!(!groups.groups.is_empty());
    let by_store = store
        .groups(&Query::all(), errtriage::query::GroupBy::Code, 50)
        .unwrap();
    assert_eq!(groups.groups[0], by_store.groups[0]);
    let chains: ChainsResult = e.json_any(&["chains", "--json"]);
    let by_store = store.chains(&Query::all(), false, 1_000).unwrap();
    assert_eq!(chains.chains.len().min(5), by_store.chains.len().min(5));
    assert_eq!(chains.chains.first(), by_store.chains.first());
    let id = &search.events[0].request_id;
    let found: FindResult = e.json(&["find", "--json", id]);
    assert_eq!(found.events, store.find(id).unwrap().events);
    let stats: Stats = e.json(&["stats", "--json"]);
    assert_eq!(stats.events, store.num_events());
    assert_eq!(stats.store, Some(store.describe()));
    assert!(Path::new(&store.describe().location).ends_with("index"));
}
