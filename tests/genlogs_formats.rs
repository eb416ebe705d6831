//! The generator's log formats read back through errtriage (issue 10): the
//! same seed-API requests written as Istio/Envoy, Traefik, Google Cloud
//! `LogEntry`, Cloudflare Logpush, AWS API Gateway, pino-http, Serilog
//! compact, Docker `json-file` around pino and Fluent Bit on Kubernetes
//! (examples/genlogs/formats.rs) are generated, ingested, and every line's
//! `--json` reading must equal what the generator's manifest says the line
//! carries: request id, time, status, code, latency (in ms, from the
//! format's own unit), Idempotency-Key, client, service, method, path and
//! the format's name. One test per format.

mod common;

#[allow(dead_code)]
#[path = "../examples/genlogs/gen.rs"]
mod generator;

use std::collections::HashMap;
use std::sync::OnceLock;

use common::Env;
use generator::formats::Format;
use serde_json::Value;

/// Lines per format: enough for every service, errors and successes.
const PER_FORMAT: usize = 80;

struct Corpus {
    env: Env,
    manifest: Value,
    /// Every indexed event by request id.
    events: HashMap<String, Vec<Value>>,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let env = Env::new();
        let logs = env.path("logs");
        let manifest = generator::generate_formats(&logs, 11, PER_FORMAT).expect("generate");
        let summary = env.ingest(&[&logs.join("formats")]);
        assert_eq!(summary["bad_lines"], 0, "{summary}");
        assert_eq!(summary["events"], manifest["total"], "{summary}");
        let all: Value = env.json(&["search", "--limit", "100000", "--json"]);
        let mut events: HashMap<String, Vec<Value>> = HashMap::new();
        for e in all["events"].as_array().expect("events") {
            let id = e["request_id"].as_str().unwrap_or_default().to_string();
            events.entry(id).or_default().push(e.clone());
        }
        Corpus {
            env,
            manifest,
            events,
        }
    })
}

const FIELDS: [&str; 11] = [
    "format",
    "request_id",
    "ts",
    "service",
    "method",
    "path",
    "status",
    "code",
    "latency_ms",
    "idempotency_key",
    "client",
];

/// Every line of `f` reads back as the manifest says; `find` finds its ids
/// as pasted.
fn round_trip(f: Format) {
    let c = corpus();
    let planned: Vec<&Value> = c.manifest["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|l| l["file"] == f.file())
        .collect();
    assert_eq!(planned.len(), PER_FORMAT, "{}", f.file());
    let mut wrong = Vec::new();
    for want in &planned {
        let id = want["request_id"].as_str().expect("id");
        let Some([got]) = c.events.get(id).map(Vec::as_slice) else {
            wrong.push(format!("{id}: not exactly one event"));
            continue;
        };
        for k in FIELDS {
            let same = match (got[k].as_f64(), want[k].as_f64()) {
                (Some(a), Some(b)) if k == "latency_ms" => (a - b).abs() < 1e-6,
                _ => got[k] == want[k],
            };
            if !same {
                wrong.push(format!("{id} {k}: read {} , wrote {}", got[k], want[k]));
            }
        }
        assert_eq!(got["ts_inferred"], false, "{id}");
    }
    assert!(wrong.is_empty(), "{}:\n{}", f.file(), wrong.join("\n"));
    let failures = planned.iter().filter(|l| l["code"].is_string()).count();
    let keyed = planned
        .iter()
        .filter(|l| l["idempotency_key"].is_string())
        .count();
    assert!(failures > 0, "{}: some requests failed", f.file());
    if f != Format::ApiGateway {
        assert!(keyed > 0, "{}: some requests carry a key", f.file());
    }
    for want in planned.iter().take(3) {
        let id = want["request_id"].as_str().expect("id");
        let found: Value = c.env.json(&["find", id, "--json"]);
        assert_eq!(
            found["events"][0]["request_id"], want["request_id"],
            "find {id}"
        );
    }
}

macro_rules! round_trips {
    ($($test:ident: $format:ident,)*) => {$(
        #[test]
        fn $test() {
            round_trip(Format::$format);
        }
    )*};
}

round_trips! {
    envoy_istio_access_log_reads_back: Envoy,
    traefik_access_log_reads_back: Traefik,
    gcp_log_entry_reads_back: Gcp,
    cloudflare_logpush_reads_back: Cloudflare,
    aws_api_gateway_access_log_reads_back: ApiGateway,
    pino_http_reads_back: Pino,
    serilog_compact_reads_back: Serilog,
    docker_json_file_around_pino_reads_back: Docker,
    fluent_bit_kubernetes_around_a_service_line_reads_back: Kubernetes,
}

/// The OTLP/JSON export request (one log record per line), written as the
/// OTLP specification's JSON encoding shows, read by the `otlp` format
/// (`resourceLogs → scopeLogs → logRecords`, `error.type` as the code).
#[test]
fn otlp_single_record_reads_back() {
    round_trip(Format::Otlp);
}

#[test]
fn every_format_is_written_and_listed() {
    let c = corpus();
    let files: Vec<&str> = c.manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    let want: Vec<&str> = Format::ALL.iter().map(|f| f.file()).collect();
    assert_eq!(files, want);
}

/// The benchmark corpora (`genlogs --files K`) mix about a tenth of their
/// random requests into the files in these formats; each reads back as its
/// format, as many lines as the manifest counts, and the whole corpus
/// indexes every good line.
#[test]
fn numbered_corpora_mix_the_formats_and_each_reads_as_itself() {
    let env = Env::new();
    let logs = env.path("bench");
    let cfg = generator::Config {
        lines: 20_000,
        seed: 5,
        files: Some(4),
    };
    let manifest = generator::generate(&cfg, &logs).expect("generate");
    let mixed = manifest["formats_mixed"]
        .as_object()
        .expect("formats_mixed");
    let names: Vec<&str> = Format::MIXED.iter().map(|f| f.name()).collect();
    for name in &names {
        assert!(mixed.contains_key(*name), "{name} missing from {mixed:?}");
    }
    let lines: u64 = mixed.values().filter_map(Value::as_u64).sum();
    assert!((1_000..4_000).contains(&lines), "{lines} of 20,000 lines");
    let summary = env.ingest(&[&logs]);
    // Good lines, and the broken ones whose bytes are repaired (bad UTF-8).
    let repairable = manifest["broken"]["lines"].as_array().expect("broken");
    let repairable = repairable
        .iter()
        .filter(|b| b["repairable"] == true)
        .count();
    let good = manifest["lines"]["good"].as_u64().expect("good") + repairable as u64;
    assert_eq!(summary["events"], good, "{summary}");
    for (name, want) in mixed {
        let query = format!("format:{name}");
        let got: Value = env.json(&["search", &query, "--limit", "1", "--json"]);
        assert_eq!(&got["total"], want, "{query}");
    }
}
