//! Ids as users paste them (issue 10 item 2): any id is found verbatim by
//! `find` and by a bare-id `search`, whatever characters it holds, and every
//! trace-id form resolves to the trace id it carries. Real files, the real
//! binary, `--json` decoded.

mod common;

use common::{Env, stderr};
use errtriage::query::{FindResult, SearchResult};
use serde_json::json;

const W3C_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const XRAY_ROOT: &str = "1-5759e988-bd862e3fe1be46a994272793";
const B3_TRACE: &str = "80f198ee56343ba864fe8b2a57d3eff7";
const GCP_TRACE: &str = "06796866738c859f2f19b7cfb3214824";

/// Lines whose ids hold colons, slashes, `+`, `=` and dots, and trace ids
/// logged in each header form.
fn env() -> Env {
    let env = Env::new();
    let base = |rid: &str, status: u16| {
        json!({"timestamp": "2026-05-14T10:00:00.000Z", "service": "aspnet", "method": "GET",
               "path": "/api/orders", "status": status, "request_id": rid})
    };
    let mut tp = base("req_tp", 502);
    tp["headers"] = json!({"traceparent": format!("00-{W3C_TRACE}-00f067aa0ba902b7-01")});
    let mut amzn = base("req_amzn", 504);
    amzn["headers"] =
        json!({"X-Amzn-Trace-Id": format!("Root={XRAY_ROOT};Parent=53995c3f42cd8ad8;Sampled=1")});
    let mut b3 = base("req_b3", 500);
    b3["headers"] = json!({"b3": format!("{B3_TRACE}-e457b5a2e4d86bd1-1")});
    let mut gcp = base("req_gcp", 503);
    gcp["trace_id"] = format!("projects/my-proj/traces/{GCP_TRACE}").into();
    let lines = [
        base("0HLVPJD8N8PG5:00000001", 500),
        base("0HLVPJD8N8PG5:00000002", 200),
        base("tenant/eu+1=ab.c", 409),
        tp,
        amzn,
        b3,
        gcp,
    ];
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let log = env.write("logs/app.log", text.join("\n") + "\n");
    env.ingest(&[&log]);
    env
}

fn found(env: &Env, id: &str) -> (Option<String>, Vec<String>) {
    let r: FindResult = env.json_any(&["find", id, "--json"]);
    let ids = r.events.into_iter().map(|e| e.request_id).collect();
    (r.matched_as, ids)
}

#[test]
fn ids_with_special_characters_are_found_verbatim() {
    let env = env();
    for id in ["0HLVPJD8N8PG5:00000001", "tenant/eu+1=ab.c"] {
        let (how, ids) = found(&env, id);
        assert_eq!(
            (how.as_deref(), ids),
            (Some("request_id"), vec![id.to_string()])
        );
        let s: SearchResult = env.json(&["search", id, "--json"]);
        let ids: Vec<&str> = s.events.iter().map(|e| e.request_id.as_str()).collect();
        assert_eq!((s.total, ids), (1, vec![id]), "search {id}");
    }
    // A field keeps its meaning, with such a value too.
    let s: SearchResult = env.json(&[
        "search",
        "request_id:0HLVPJD8N8PG5:00000002 status:200",
        "--json",
    ]);
    assert_eq!(s.total, 1);
    let s: SearchResult = env.json(&["search", "path:/api/orders", "--json"]);
    assert_eq!(s.total, 7);
    // A typo of a field name is still the helpful error.
    let out = env.run(&["search", "stauts:500"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown field `stauts`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_trace_form_resolves_to_its_trace_id() {
    let env = env();
    let cases = [
        (format!("00-{W3C_TRACE}-00f067aa0ba902b7-01"), "req_tp"),
        (
            format!("traceparent: 00-{W3C_TRACE}-b7ad6b7169203331-00"),
            "req_tp",
        ),
        (W3C_TRACE.to_string(), "req_tp"),
        (format!("Root={XRAY_ROOT}"), "req_amzn"),
        (
            format!("Root={XRAY_ROOT};Parent=53995c3f42cd8ad8;Sampled=1"),
            "req_amzn",
        ),
        (XRAY_ROOT.to_string(), "req_amzn"),
        // The same trace as OpenTelemetry writes it.
        ("5759e988bd862e3fe1be46a994272793".to_string(), "req_amzn"),
        (format!("{B3_TRACE}-e457b5a2e4d86bd1-1"), "req_b3"),
        (format!("X-B3-TraceId: {B3_TRACE}"), "req_b3"),
        (format!("projects/other/traces/{GCP_TRACE}"), "req_gcp"),
        (GCP_TRACE.to_string(), "req_gcp"),
    ];
    for (pasted, rid) in &cases {
        let (how, ids) = found(&env, pasted);
        assert_eq!(
            (how.as_deref(), ids),
            (Some("trace_id"), vec![rid.to_string()]),
            "find {pasted}"
        );
    }
    // A bare trace form in a query is never a syntax error, and finds it
    // (a pasted header line, `Name: value`, reads as a field, and the X-Ray
    // trace in OpenTelemetry's form is matched to its twin by find only).
    let bare = |p: &str| !p.contains(' ') && p != "5759e988bd862e3fe1be46a994272793";
    for (pasted, rid) in cases.iter().filter(|(p, _)| bare(p)) {
        let s: SearchResult = env.json(&["search", pasted, "--json"]);
        let ids: Vec<&str> = s.events.iter().map(|e| e.request_id.as_str()).collect();
        assert_eq!(ids, vec![*rid], "search {pasted}");
    }
    let s: SearchResult = env.json(&[
        "search",
        &format!("Root={XRAY_ROOT};Parent=53995c3f42cd8ad8;Sampled=1"),
        "--json",
    ]);
    assert_eq!(s.events[0].request_id, "req_amzn");
}
