//! Log formats from the command line: `format` in `--json`, secrets under
//! format keys redacted, user formats (folder and --formats) that win over
//! built-ins, malformed files named with line and field, and `explain`.

mod common;

use common::{Env, repo, stderr, stdout};
use errtriage::normalize::explain::Explain;
use errtriage::query::FindResult;

const TRAEFIK: &str = r#"{"ClientHost":"10.0.0.1","DownstreamStatus":409,"Duration":46123456,"OriginStatus":409,"RequestHost":"api.example.com","RequestMethod":"POST","RequestPath":"/v1/bookings","RouterName":"bookings@docker","ServiceName":"bookings@docker","StartUTC":"2026-05-14T10:00:00.5Z","request_X-Request-Id":"req_tr_001"}"#;
const CLOUDFLARE: &str = r#"{"ClientRequestHost":"api.example.com","ClientRequestMethod":"POST","ClientRequestURI":"/v1/pay","EdgeStartTimestamp":1778752801000000000,"EdgeResponseStatus":429,"RayID":"8c1f2e3d4a5b6c7d","Cookies":{"session":"s3cr3t-cookie-value"},"RequestHeaders":{"authorization":"Bearer cf-secret-token-123","cookie":"session=s3cr3t-cookie-value"}}"#;
const GCP: &str = r#"{"insertId":"a","httpRequest":{"requestMethod":"GET","requestUrl":"https://api.example.com/v1/slots","status":503,"latency":"0.5s"},"resource":{"type":"http_load_balancer","labels":{"backend_service_name":"slots-be"}},"timestamp":"2026-05-14T10:00:02Z","logName":"projects/p/logs/requests","trace":"projects/p/traces/0af7651916cd43dd8448eb211c80319c","labels":{"request_id":"gcp-req-1"}}"#;
const INHOUSE: &str = r#"{"at_epoch_ms":1778752803123,"txn_ref":"T-0001","outcome_code":503,"spent_ms_total":"46ms","note":"ledger locked"}"#;

fn find(env: &Env, id: &str) -> FindResult {
    env.json(&["find", id, "--json"])
}

#[test]
fn find_shows_the_format_and_its_reading() {
    let env = Env::new();
    let f = env.write(
        "logs/mixed.log",
        [TRAEFIK, CLOUDFLARE, GCP].join("\n") + "\n",
    );
    env.ingest(&[&f]);
    let e = &find(&env, "req_tr_001").events[0];
    assert_eq!(e.format.as_deref(), Some("traefik"));
    assert_eq!((e.status, e.latency_ms), (Some(409), Some(46.123456)));
    let e = &find(&env, "gcp-req-1").events[0];
    assert_eq!(e.format.as_deref(), Some("gcp"));
    assert_eq!(
        e.trace_id.as_deref(),
        Some("0af7651916cd43dd8448eb211c80319c")
    );
    assert_eq!(e.latency_ms, Some(500.0));
    let e = &find(&env, "8c1f2e3d4a5b6c7d").events[0];
    assert_eq!(e.format.as_deref(), Some("cloudflare"));
    assert_eq!(
        errtriage::model::ts_millis::format(&e.ts),
        "2026-05-14T10:00:01.000Z"
    );
}

#[test]
fn cloudflare_cookies_and_auth_headers_are_redacted() {
    let env = Env::new();
    let f = env.write("cf.log", format!("{CLOUDFLARE}\n"));
    env.ingest(&[&f]);
    for args in [
        vec!["find", "8c1f2e3d4a5b6c7d", "--json"],
        vec!["find", "8c1f2e3d4a5b6c7d"],
        vec!["search", "status:429", "--json"],
    ] {
        let out = stdout(&env.run(&args));
        assert!(out.contains("8c1f2e3d4a5b6c7d"), "{args:?}: {out}");
        for secret in ["s3cr3t-cookie-value", "cf-secret-token-123"] {
            assert!(!out.contains(secret), "{args:?} shows {secret}: {out}");
        }
    }
}

#[test]
fn a_user_format_in_the_config_folder_reads_an_in_house_log() {
    let env = Env::new();
    let f = env.write("ledger.log", format!("{INHOUSE}\n"));
    // Without a format, the probe cannot place the id: find does not see it.
    env.ingest(&[&f]);
    assert_eq!(
        env.run(&["find", "T-0001", "--json"]).status.code(),
        Some(1)
    );
    // The same log, read by a fresh index with the format in the folder.
    let env2 = Env::new();
    env2.write(
        "config/errtriage/formats/ledger.toml",
        r#"[format]
name = "ledger"
detect = ["txn_ref"]
[fields]
ts = "at_epoch_ms"
request_id = "txn_ref"
status = "outcome_code"
latency_ms = "spent_ms_total"
message = "note"
[units]
ts = "ms"
latency = "text"
"#,
    );
    env2.ingest(&[&f]);
    let e = &find(&env2, "T-0001").events[0];
    assert_eq!(e.format.as_deref(), Some("ledger"));
    assert_eq!(e.status, Some(503));
    assert_eq!(e.code.as_deref(), Some("http_503"));
    assert_eq!(e.latency_ms, Some(46.0));
    assert_eq!(e.message.as_deref(), Some("ledger locked"));
    assert_eq!(
        errtriage::model::ts_millis::format(&e.ts),
        "2026-05-14T10:00:03.123Z"
    );
}

#[test]
fn formats_flag_wins_over_a_built_in_of_the_same_name() {
    let env = Env::new();
    // This team's "envoy" logs the request id under `rid`.
    let line = r#"{"start_time":"2026-05-14T10:00:00Z","response_code":502,"rid":"mine-1","request_id":"envoy-generated"}"#;
    let f = env.write("envoy.log", format!("{line}\n"));
    let fmt = env.write(
        "envoy.toml",
        "[format]\nname = \"envoy\"\ndetect = [\"response_code\"]\n[fields]\nrequest_id = \"rid\"\nstatus = \"response_code\"\n",
    );
    let fmt = fmt.display().to_string();
    let out = env.run(&["--formats", &fmt, "ingest", &f.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: FindResult = env.json(&["--formats", &fmt, "find", "mine-1", "--json"]);
    assert_eq!(r.events[0].format.as_deref(), Some("envoy"));
    assert_eq!(r.events[0].status, Some(502));
}

#[test]
fn a_malformed_format_names_file_line_and_field() {
    let env = Env::new();
    let bad = env.write(
        "config/errtriage/formats/broken.toml",
        "[format]\nname = \"x\"\ndetect = [\"a\"]\n\n[units]\nlatency = \"fortnights\"\n",
    );
    let f = env.write("a.log", "{}\n");
    let out = env.run(&["ingest", &f.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(&bad.display().to_string()), "{err}");
    assert!(err.contains("line 6"), "{err}");
    assert!(err.contains("units.latency"), "{err}");
    std::fs::remove_file(&bad).unwrap();
    let typo = env.write(
        "typo.toml",
        "[format]\nname = \"x\"\ndetect = [\"a\"]\n[fields]\nstatsu = \"s\"\n",
    );
    let out = env.run(&[
        "--formats",
        &typo.display().to_string(),
        "explain",
        &f.display().to_string(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("line 5") && err.contains("fields.statsu"),
        "{err}"
    );
    // A shape regex is compiled while the user's file is read.
    let regex = env.write(
        "regex.toml",
        "[format]\nname = \"x\"\ndetect = [\"a\"]\n[format.shape]\nlevel = \"(\"\n",
    );
    let out = env.run(&[
        "--formats",
        &regex.display().to_string(),
        "explain",
        &f.display().to_string(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("line 5")
            && err.contains("format.shape.level")
            && err.contains("bad regular expression"),
        "{err}"
    );
}

#[test]
fn explain_prints_a_coverage_table_per_file_of_a_mixed_directory() {
    let env = Env::new();
    env.write("logs/traefik.log", format!("{TRAEFIK}\n{TRAEFIK}\n"));
    env.write("logs/gcp.log", format!("{GCP}\n"));
    env.write("logs/nginx.log", "{\"time_iso8601\":\"2026-05-14T10:00:00+00:00\",\"request\":\"GET /v1/x HTTP/1.1\",\"status\":\"200\",\"request_time\":\"0.046\",\"request_id\":\"ngx-1\"}\n");
    let dir = env.path("logs").display().to_string();
    let out = env.run(&["explain", &dir]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("traefik.log: format traefik, 2 lines, 0 not claimed"),
        "{text}"
    );
    assert!(text.contains("gcp.log: format gcp, 1 lines"), "{text}");
    assert!(
        text.contains("nginx.log: format none (generic probe), 1 lines, 1 not claimed"),
        "{text}"
    );
    let traefik = text.split("traefik.log:").nth(1).unwrap();
    let row = traefik
        .lines()
        .find(|l| l.trim_start().starts_with("latency_ms"))
        .unwrap();
    assert!(row.contains("100%") && row.contains("Duration"), "{row}");

    let r: Explain = env.json(&["explain", &dir, "--json"]);
    let by = |name: &str| r.files.iter().find(|f| f.file.ends_with(name)).unwrap();
    let t = by("traefik.log");
    assert_eq!(t.format.as_deref(), Some("traefik"));
    assert_eq!(t.fields["request_id"].share, 1.0);
    assert_eq!(t.fields["request_id"].keys, vec!["request_X-Request-Id"]);
    assert_eq!(t.fields["status"].keys, vec!["DownstreamStatus"]);
    assert_eq!(t.fields["idempotency_key"].share, 0.0);
    let n = by("nginx.log");
    assert_eq!((n.format.as_deref(), n.unclaimed_lines), (None, 1));
    assert_eq!(n.fields["request_id"].keys, vec!["request_id"]);
    assert_eq!(n.fields["latency_ms"].share, 1.0);
}

#[test]
fn explain_suggests_a_format_that_makes_an_unknown_log_read_right() {
    let env = Env::new();
    let lines = [
        INHOUSE.to_string(),
        INHOUSE.replace("T-0001", "T-0002").replace("503", "200"),
    ];
    let f = env.write("ledger.log", lines.join("\n") + "\n");
    let r: Explain = env.json(&["explain", &f.display().to_string(), "--json"]);
    let file = &r.files[0];
    assert_eq!(file.format, None);
    assert_eq!(file.fields["request_id"].share, 0.0);
    let kinds: Vec<(&str, &str)> = file
        .unused_keys
        .iter()
        .map(|u| (u.key.as_str(), u.looks_like.as_str()))
        .collect();
    for want in [
        ("outcome_code", "status"),
        ("at_epoch_ms", "time"),
        ("txn_ref", "id"),
    ] {
        assert!(kinds.contains(&want), "{want:?} in {kinds:?}");
    }
    let example = file
        .unused_keys
        .iter()
        .find(|u| u.key == "txn_ref")
        .unwrap();
    assert_eq!(example.example, "T-0001");
    let toml = file.suggested_format.as_deref().expect("a suggestion");
    // Drop it into the formats folder as a user would.
    env.write("config/errtriage/formats/ledger.toml", toml);
    env.ingest(&[&f]);
    let e = &find(&env, "T-0001").events[0];
    assert_eq!(e.format.as_deref(), Some("ledger"));
    assert_eq!(e.status, Some(503));
    assert_eq!(
        errtriage::model::ts_millis::format(&e.ts),
        "2026-05-14T10:00:03.123Z"
    );
    assert_eq!(e.latency_ms, Some(46.0));
    assert_eq!(find(&env, "T-0002").events[0].status, Some(200));
    // And explain now sees every field it placed.
    let r: Explain = env.json(&["explain", &f.display().to_string(), "--json"]);
    assert_eq!(r.files[0].format.as_deref(), Some("ledger"));
    assert_eq!(r.files[0].fields["request_id"].share, 1.0);
}

#[test]
fn explain_reads_stdin() {
    let env = Env::new();
    let out = env.run_stdin(
        &["explain", "-", "--json"],
        format!("{TRAEFIK}\nnot json\n").as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: Explain = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r.files[0].file, "-");
    assert_eq!(r.files[0].lines, 2);
    assert_eq!(r.files[0].format.as_deref(), Some("traefik"));
}

#[test]
fn the_example_format_parses_and_reads_its_line() {
    let path = repo().join("examples/format.toml");
    let formats =
        errtriage::normalize::Formats::load(&[path], None).expect("examples/format.toml parses");
    assert_eq!(formats.list()[0].name(), "ledger");
    let line = r#"{"at":1778752800123,"txn":{"ref":"T-0001","outcome":503},"spent":"46ms","svc":"ledger","why":"ledger locked","hdrs":{"Idempotency-Key":"k-1"}}"#;
    let n = errtriage::normalize::normalize_with(&formats, line, Default::default()).unwrap();
    let e = n.event;
    assert_eq!(e.format.as_deref(), Some("ledger"));
    assert_eq!((e.request_id.as_str(), e.status), ("T-0001", Some(503)));
    assert_eq!(
        (e.latency_ms, e.service.as_deref()),
        (Some(46.0), Some("ledger"))
    );
    assert_eq!(e.message.as_deref(), Some("ledger locked"));
    assert_eq!(e.idempotency_key.as_deref(), Some("k-1"));
}

#[test]
fn messages_under_format_keys_are_searchable() {
    let env = Env::new();
    let pino = r#"{"level":50,"time":1778752800123,"pid":1,"hostname":"h","reqId":"p-1","res":{"statusCode":500},"err":{"type":"Error","message":"connect ECONNREFUSED 10.0.0.5:5432"},"msg":"request errored"}"#;
    let serilog = r#"{"@t":"2026-05-14T10:00:01Z","@mt":"Charge {ChargeId} declined by issuer","ChargeId":"ch_77","RequestId":"s-1","StatusCode":402}"#;
    let structlog = r#"{"event":"ledger slot lock timeout","level":"error","timestamp":"2026-05-14T10:00:02Z","request_id":"sl-2"}"#;
    let f = env.write("apps.log", [pino, serilog, structlog].join("\n") + "\n");
    env.ingest(&[&f]);
    for (query, id) in [
        ("\"ECONNREFUSED\"", "p-1"),
        ("\"declined by issuer\"", "s-1"),
        ("\"ch_77\"", "s-1"),
        ("\"slot lock timeout\"", "sl-2"),
    ] {
        let r: errtriage::query::SearchResult = env.json(&["search", query, "--json"]);
        let ids: Vec<&str> = r.events.iter().map(|e| e.request_id.as_str()).collect();
        assert_eq!(ids, vec![id], "{query}");
    }
}
