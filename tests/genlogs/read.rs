//! Reading a generated corpus back for the generator's tests: decompression,
//! nginx `\xHH` unescaping, the fields of each wrapper the generator writes,
//! the DESIGN code order, and a plain reading of the chain rules. Deliberately
//! independent of errtriage: this checks the ground truth, not the tool.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime};
use serde_json::Value;

/// Every file of a corpus, decompressed and split into lines.
pub struct Corpus {
    /// The seed-API wrappers this module reads.
    pub files: BTreeMap<String, Vec<Line>>,
    /// `formats/`: other software's log formats, checked against errtriage
    /// in tests/genlogs_formats.rs rather than read here.
    pub formats: BTreeMap<String, Vec<Line>>,
}

#[derive(Debug, PartialEq)]
pub struct Line {
    pub bytes: Vec<u8>,
    /// The parsed object; `None` for a broken line.
    pub value: Option<Value>,
}

/// Raw (possibly compressed) bytes of every file under `dir`.
pub fn raw_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

impl Corpus {
    pub fn read(dir: &Path) -> Corpus {
        let (formats, files) = raw_files(dir)
            .into_iter()
            .map(|(rel, raw)| {
                let text = if rel.ends_with(".gz") {
                    let mut out = Vec::new();
                    flate2::read::GzDecoder::new(&raw[..])
                        .read_to_end(&mut out)
                        .expect("gunzip");
                    out
                } else if rel.ends_with(".zst") {
                    zstd::decode_all(&raw[..]).expect("unzstd")
                } else {
                    raw
                };
                assert!(text.ends_with(b"\n"), "{rel} ends with a newline");
                let lines = text[..text.len() - 1]
                    .split(|&b| b == b'\n')
                    .map(parse)
                    .collect();
                (rel, lines)
            })
            .partition(|(rel, _)| rel.starts_with("formats/"));
        Corpus { files, formats }
    }

    pub fn line(&self, file: &str, n: u64) -> &Line {
        &self.files[file][n as usize - 1]
    }

    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.files.values().flatten()
    }

    /// Access lines grouped by Idempotency-Key, each group in time order.
    pub fn chains(&self) -> HashMap<String, Vec<Fields>> {
        let mut by_key: HashMap<String, Vec<Fields>> = HashMap::new();
        for f in self
            .lines()
            .filter_map(Line::fields)
            .filter(|f| f.status.is_some())
        {
            if let Some(k) = f.key.clone() {
                by_key.entry(k).or_default().push(f);
            }
        }
        for v in by_key.values_mut() {
            v.sort_by_key(|f| f.ts_ms);
        }
        by_key
    }
}

fn parse(bytes: &[u8]) -> Line {
    let text = if bytes.starts_with(b"{\"time_local\"") {
        nginx_unescape(bytes)
    } else {
        bytes.to_vec()
    };
    let value = serde_json::from_slice::<Value>(&text)
        .ok()
        .filter(Value::is_object);
    Line {
        bytes: bytes.to_vec(),
        value,
    }
}

/// Undo nginx `escape=default` so the line is JSON again.
fn nginx_unescape(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') && i + 3 < b.len() {
            let byte =
                u8::from_str_radix(std::str::from_utf8(&b[i + 2..i + 4]).unwrap_or("zz"), 16);
            if let Ok(byte) = byte {
                match byte {
                    b'"' => out.extend_from_slice(b"\\\""),
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    0..=0x1f => out.extend_from_slice(format!("\\u{byte:04x}").as_bytes()),
                    _ => out.push(byte),
                }
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Milliseconds since the epoch of an RFC 3339 time.
pub fn ms(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339")
        .timestamp_millis()
}

/// What a line says, read the way each wrapper writes it.
#[derive(Debug, Clone)]
pub struct Fields {
    pub service: String,
    pub ts_ms: i64,
    pub latency_ms: f64,
    /// `None` for a context (application) line.
    pub status: Option<u16>,
    pub method: String,
    pub path: String,
    pub request_id: String,
    pub key: Option<String>,
    pub retry_after: Option<f64>,
    pub body: Option<Value>,
    pub location: Option<String>,
}

impl Fields {
    pub fn end_ms(&self) -> f64 {
        self.ts_ms as f64 + self.latency_ms
    }
}

fn s(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s != "-" && !s.is_empty() => Some(s.clone()),
        Value::Array(a) => a.first().and_then(s),
        _ => None,
    }
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

fn json_string(v: &Value) -> Option<Value> {
    v.as_str()
        .and_then(|s| serde_json::from_str(s).ok())
        .filter(Value::is_object)
}

impl Line {
    pub fn fields(&self) -> Option<Fields> {
        let v = self.value.as_ref()?;
        let o = v.as_object()?;
        Some(if o.contains_key("@timestamp") {
            ecs(v)
        } else if o.contains_key("timeUnixNano") {
            otel(v)
        } else if o.contains_key("time_local") {
            nginx(v)
        } else if o.contains_key("ts") {
            epoch(v)
        } else if o.contains_key("app") {
            admin(v)
        } else {
            gateway(v)
        })
    }
}

fn gateway(v: &Value) -> Fields {
    let rh = &v["response_headers"];
    Fields {
        service: s(&v["service"]).unwrap_or_default(),
        ts_ms: ms(v["timestamp"].as_str().expect("timestamp")),
        latency_ms: num(&v["latency_ms"]).unwrap_or(0.0),
        status: v["status"].as_u64().map(|s| s as u16),
        method: s(&v["method"]).unwrap_or_default(),
        path: s(&v["path"]).unwrap_or_default(),
        request_id: s(&rh["X-Request-Id"]).unwrap_or_default(),
        key: s(&v["request_headers"]["Idempotency-Key"]),
        retry_after: num(&rh["Retry-After"]),
        body: Some(v["response_body"].clone()).filter(Value::is_object),
        location: s(&rh["Location"]),
    }
}

fn ecs(v: &Value) -> Fields {
    let http = &v["http"];
    Fields {
        service: s(&v["service.name"]).unwrap_or_default(),
        ts_ms: ms(v["@timestamp"].as_str().expect("@timestamp")),
        latency_ms: num(&v["event"]["duration"]).map_or(0.0, |ns| ns / 1e6),
        status: http["response"]["status_code"].as_u64().map(|s| s as u16),
        method: s(&http["request"]["method"]).unwrap_or_default(),
        path: s(&v["url"]["path"]).unwrap_or_default(),
        request_id: s(&http["request"]["id"]).unwrap_or_default(),
        key: s(&http["request"]["headers"]["idempotency-key"]),
        retry_after: num(&http["response"]["headers"]["retry-after"]),
        body: json_string(&http["response"]["body"]["content"]),
        location: s(&http["response"]["headers"]["location"]),
    }
}

fn otel(v: &Value) -> Fields {
    let a = &v["attributes"];
    let ns: i64 = v["timeUnixNano"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("timeUnixNano");
    Fields {
        service: s(&v["resource"]["service.name"]).unwrap_or_default(),
        ts_ms: ns / 1_000_000,
        latency_ms: num(&a["duration_ms"]).unwrap_or(0.0),
        status: a["http.response.status_code"].as_u64().map(|s| s as u16),
        method: s(&a["http.request.method"]).unwrap_or_default(),
        path: s(&a["url.path"]).unwrap_or_default(),
        request_id: s(&a["http.response.header.x-request-id"]).unwrap_or_default(),
        key: s(&a["http.request.header.idempotency-key"]),
        retry_after: a["http.response.header.retry-after"][0]
            .as_str()
            .and_then(|s| s.parse().ok()),
        body: json_string(&v["body"]),
        location: s(&a["http.response.header.location"]),
    }
}

fn nginx(v: &Value) -> Fields {
    let t = DateTime::parse_from_str(
        v["time_local"].as_str().expect("time_local"),
        "%d/%b/%Y:%H:%M:%S %z",
    )
    .expect("nginx time");
    let uri = s(&v["request_uri"]).unwrap_or_default();
    Fields {
        service: s(&v["host"])
            .unwrap_or_default()
            .split('.')
            .next()
            .unwrap_or("")
            .to_string(),
        ts_ms: t.timestamp_millis(),
        latency_ms: num(&v["request_time"]).map_or(0.0, |s| s * 1000.0),
        status: num(&v["status"]).map(|s| s as u16),
        method: s(&v["request_method"]).unwrap_or_default(),
        path: uri.split('?').next().unwrap_or("").to_string(),
        request_id: s(&v["sent_http_x_request_id"]).unwrap_or_default(),
        key: s(&v["http_idempotency_key"]),
        retry_after: num(&v["sent_http_retry_after"]),
        body: json_string(&v["resp_body"]),
        location: s(&v["sent_http_location"]),
    }
}

fn epoch(v: &Value) -> Fields {
    let pairs: Vec<(String, String)> = v["response_headers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| Some((s(&p[0])?, s(&p[1])?)))
                .collect()
        })
        .unwrap_or_default();
    let header = |suffixes: &[&str]| {
        pairs
            .iter()
            .find(|(n, _)| suffixes.iter().any(|x| n.to_ascii_lowercase().ends_with(x)))
            .map(|(_, v)| v.clone())
    };
    let url = s(&v["url"]).unwrap_or_default();
    let path = url
        .splitn(4, '/')
        .nth(3)
        .map(|p| format!("/{}", p.split('?').next().unwrap_or("")))
        .unwrap_or_default();
    Fields {
        service: s(&v["service"]).unwrap_or_default(),
        ts_ms: v["ts"].as_i64().expect("ts"),
        latency_ms: num(&v["duration_ms"]).unwrap_or(0.0),
        status: v["status_code"].as_u64().map(|s| s as u16),
        method: s(&v["method"]).unwrap_or_default(),
        path,
        request_id: header(&["request-id", "requestid"])
            .or_else(|| s(&v["request_id"]))
            .unwrap_or_default(),
        key: s(&v["request_headers"]["Idempotency-Key"]),
        retry_after: header(&["retry-after"]).and_then(|s| s.parse().ok()),
        body: Some(v["response"].clone()).filter(Value::is_object),
        location: None,
    }
}

fn admin(v: &Value) -> Fields {
    let ts_ms = match v["time"].as_str() {
        Some(t) => NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S,%3f")
            .expect("log4j time")
            .and_utc()
            .timestamp_millis(),
        None => DateTime::parse_from_str(
            v["timestamp"].as_str().expect("timestamp"),
            "%Y-%m-%dT%H:%M:%S%.3f%z",
        )
        .expect("offset time")
        .timestamp_millis(),
    };
    let headers: Vec<String> = v["headers"]
        .as_array()
        .map(|a| a.iter().filter_map(s).collect())
        .unwrap_or_default();
    let rid = headers
        .iter()
        .find_map(|h| h.strip_prefix("X-Request-Id: "))
        .unwrap_or_default()
        .to_string();
    let uri = s(&v["uri"]).unwrap_or_default();
    Fields {
        service: s(&v["app"]).unwrap_or_default(),
        ts_ms,
        latency_ms: num(&v["elapsed_us"]).map_or(0.0, |us| us / 1000.0),
        status: v["status"].as_u64().map(|s| s as u16),
        method: s(&v["method"]).unwrap_or_default(),
        path: uri.split('?').next().unwrap_or("").to_string(),
        request_id: rid,
        key: None,
        retry_after: None,
        body: json_string(&v["body"]),
        location: None,
    }
}

fn code_like(s: &str) -> bool {
    let mut c = s.chars();
    match c.next() {
        Some(f) if f.is_ascii_lowercase() => {
            c.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        }
        Some(f) if f.is_ascii_uppercase() => {
            c.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }
        _ => false,
    }
}

/// The code DESIGN says errtriage reads ("code" probe order), for the
/// envelopes genlogs writes.
pub fn code_per_design(f: &Fields) -> Option<String> {
    let status = f.status?;
    let null = Value::Null;
    let b = f.body.as_ref().unwrap_or(&null);
    let says_failed = b["ok"] == false
        || b["success"] == false
        || b["errors"].as_array().is_some_and(|a| !a.is_empty())
        || !b["error"].is_null();
    if status < 400 && !says_failed {
        return None;
    }
    let str_of = |v: &Value| v.as_str().map(str::to_string);
    let problem_type = b["type"]
        .as_str()
        .filter(|t| *t != "about:blank" && !t.contains("rfc"))
        .map(|t| {
            t.rsplit_once('#')
                .map(|(_, f)| f)
                .unwrap_or_else(|| t.trim_end_matches('/').rsplit('/').next().unwrap_or(t))
                .to_string()
        });
    let error_info = b["error"]["details"].as_array().and_then(|d| {
        d.iter()
            .find(|x| {
                x["@type"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("ErrorInfo"))
            })
            .and_then(|x| str_of(&x["reason"]))
    });
    let code = str_of(&b["error"]["code"])
        .or_else(|| str_of(&b["errorCode"]))
        .or_else(|| str_of(&b["error_code"]))
        .or_else(|| {
            str_of(&b["code"]).or_else(|| {
                b["code"]
                    .as_u64()
                    .filter(|n| !(100..600).contains(n))
                    .map(|n| n.to_string())
            })
        })
        .or_else(|| str_of(&b["errors"][0]["code"]))
        .or_else(|| str_of(&b["errors"][0]["extensions"]["code"]))
        .or(error_info)
        .or_else(|| str_of(&b["error"]["errors"][0]["reason"]))
        .or_else(|| str_of(&b["error"]["status"]))
        .or_else(|| {
            b["status"]
                .as_str()
                .filter(|s| code_like(s) && s.chars().all(|c| !c.is_ascii_lowercase()))
                .map(str::to_string)
        })
        .or_else(|| {
            b["__type"]
                .as_str()
                .map(|t| t.rsplit('#').next().unwrap_or(t).to_string())
        })
        .or_else(|| {
            b["error"]
                .as_str()
                .filter(|e| code_like(e))
                .map(str::to_string)
        })
        .or(problem_type)
        .or_else(|| str_of(&b["error"]["type"]))
        .unwrap_or_else(|| format!("http_{status}"));
    Some(code.split(':').next().unwrap_or(&code).to_string())
}

/// The DESIGN chain rules, read plainly (status-based retryability, plus the
/// one 4xx the guides say to retry after Retry-After: idempotency_in_progress).
pub fn chain_findings(a: &[Fields]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut add = |r: &str| {
        found.insert(r.to_string());
    };
    let failed = |f: &Fields| code_per_design(f).is_some();
    let non_retryable = |f: &Fields| {
        let s = f.status.unwrap_or(0);
        (400..500).contains(&s)
            && ![408, 425, 429].contains(&s)
            && code_per_design(f).as_deref() != Some("idempotency_in_progress")
    };
    for (i, cur) in a.iter().enumerate().skip(1) {
        let prev = &a[i - 1];
        if failed(prev) && non_retryable(prev) {
            add("retried_non_retryable");
        }
        if prev
            .retry_after
            .is_some_and(|ra| (cur.ts_ms as f64) < prev.end_ms() + ra * 1000.0 - 250.0)
        {
            add("retry_too_soon");
        }
        if a[..i].iter().any(|p| !failed(p)) {
            add("retry_after_success");
        }
        if (cur.ts_ms as f64) < prev.end_ms() {
            add("overlapping_attempts");
        }
        if (cur.method.as_str(), cur.path.as_str()) != (a[0].method.as_str(), a[0].path.as_str()) {
            add("key_payload_mismatch");
        }
    }
    let server_said = [
        "idempotency_key_conflict",
        "idempotency_mismatch",
        "idempotency_error",
        "http_422",
    ];
    if a.iter()
        .any(|f| code_per_design(f).is_some_and(|c| server_said.contains(&c.as_str())))
    {
        add("key_payload_mismatch");
    }
    if a.len() > 5 {
        add("exceeded_max_attempts");
    }
    let gaps: Vec<i64> = a.windows(2).map(|w| w[1].ts_ms - w[0].ts_ms).collect();
    if gaps.len() >= 3 {
        let (lo, hi) = (
            *gaps.iter().min().unwrap_or(&0),
            *gaps.iter().max().unwrap_or(&0),
        );
        if hi < 10_000 && (hi - lo) * 10 <= hi {
            add("no_backoff");
        }
    }
    if a.len() > 1 && a[a.len() - 1].ts_ms - a[0].ts_ms > 24 * 3_600_000 {
        add("key_expired_mid_chain");
    }
    found
}
