//! The ground truth of a generated corpus, gathered as lines are written:
//! counts, where the broken and planned lines landed, sample ids with what
//! errtriage should read from them, and each planned chain's expected flags.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::apis::{self, Service};
use super::output::OutFile;
use super::record::{Broken, Kind, Record, Style, Tag};
use super::scenarios::{ChainPlan, STORY};
use super::text;
use super::traffic::incidents;

/// Where a record landed.
pub struct Landing<'a> {
    pub file: &'a str,
    pub line: u64,
    /// 0-based position among all lines written.
    pub ordinal: u64,
    /// Random traffic (not planned).
    pub bulk: bool,
}

pub struct Manifest {
    seed: u64,
    requested: u64,
    layout: &'static str,
    total: u64,
    context: u64,
    statuses: BTreeMap<u16, u64>,
    codes: HashMap<(Service, &'static str), u64>,
    services: HashMap<Service, u64>,
    styles: HashMap<Style, u64>,
    /// Lines of the numbered corpora written in another software's log format.
    formats: BTreeMap<&'static str, u64>,
    broken: Vec<Value>,
    chains: Vec<ChainPlan>,
    attempts: Vec<Vec<Value>>,
    chain_ok: Vec<Vec<bool>>,
    samples: BTreeMap<(Service, Style, bool), Value>,
    needles: Vec<Value>,
    needle_at: Vec<u64>,
    hostile: Vec<Value>,
    bulk_retries: u64,
    first_ts: Option<i64>,
    last_ts: Option<i64>,
}

impl Manifest {
    pub fn new(
        seed: u64,
        requested: u64,
        layout: &'static str,
        chains: Vec<ChainPlan>,
    ) -> Manifest {
        Manifest {
            seed,
            requested,
            layout,
            total: 0,
            context: 0,
            statuses: BTreeMap::new(),
            codes: HashMap::new(),
            services: HashMap::new(),
            styles: HashMap::new(),
            formats: BTreeMap::new(),
            broken: Vec::new(),
            attempts: chains
                .iter()
                .map(|c| vec![Value::Null; c.attempts])
                .collect(),
            chain_ok: chains.iter().map(|c| vec![false; c.attempts]).collect(),
            chains,
            samples: BTreeMap::new(),
            needles: Vec::new(),
            needle_at: vec![requested / 10, requested / 2, requested * 9 / 10],
            hostile: Vec::new(),
            bulk_retries: 0,
            first_ts: None,
            last_ts: None,
        }
    }

    pub fn bulk_retry(&mut self) {
        self.bulk_retries += 1;
    }

    /// Account for one written line.
    pub fn observe(&mut self, rec: &Record, at: &Landing) {
        self.total += 1;
        if let Tag::Broken(kind) = rec.tag {
            self.broken.push(broken_entry(rec, kind, at));
            return;
        }
        self.first_ts = Some(self.first_ts.map_or(rec.ts_us, |t| t.min(rec.ts_us)));
        self.last_ts = Some(self.last_ts.map_or(rec.ts_us, |t| t.max(rec.ts_us)));
        if rec.kind != Kind::Access {
            self.context += 1;
            return;
        }
        *self.statuses.entry(rec.status).or_default() += 1;
        *self.services.entry(rec.service).or_default() += 1;
        *self.styles.entry(rec.style).or_default() += 1;
        if let Some(code) = rec.code {
            *self.codes.entry((rec.service, code)).or_default() += 1;
        }
        match &rec.tag {
            Tag::Chain { chain, attempt } => {
                self.attempts[*chain][*attempt] = attempt_entry(rec, at);
                self.chain_ok[*chain][*attempt] = is_success(rec);
            }
            Tag::Hostile(what) => {
                let mut v = expected(rec, at);
                v["what"] = json!(what);
                self.hostile.push(v);
            }
            Tag::None | Tag::Broken(_) => {}
        }
        if at.bulk && !rec.has_context {
            let key = (rec.service, rec.style, rec.is_error());
            self.samples.entry(key).or_insert_with(|| expected(rec, at));
            if self.needles.len() < self.needle_at.len()
                && at.ordinal >= self.needle_at[self.needles.len()]
            {
                self.needles.push(expected(rec, at));
            }
        }
    }

    /// One line was written in log format `name` (see [`Manifest::observe`]
    /// for what it carries).
    pub fn mixed_format(&mut self, name: &'static str) {
        *self.formats.entry(name).or_default() += 1;
    }

    pub fn finish(mut self, files: &[OutFile]) -> Value {
        let good = self.total - self.broken.len() as u64;
        let mut by_kind: BTreeMap<&str, u64> = BTreeMap::new();
        for b in &self.broken {
            *by_kind.entry(b["kind"].as_str().unwrap_or("")).or_default() += 1;
        }
        let mut codes: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
        for ((s, c), n) in &self.codes {
            codes.entry(s.name()).or_default().insert(c, *n);
        }
        let services: BTreeMap<_, _> = self.services.iter().map(|(s, n)| (s.name(), *n)).collect();
        let styles: BTreeMap<_, _> = self.styles.iter().map(|(s, n)| (s.name(), *n)).collect();
        let story = self.story();
        let (mut flagged, mut clean) = (Vec::new(), Vec::new());
        for (i, c) in self.chains.iter().enumerate() {
            let v = json!({
                "label": c.label,
                "idempotency_key": c.key,
                "service": c.service.name(),
                "client": c.client,
                "rules": c.rules,
                "what": c.what,
                "outcome": outcome(&self.chain_ok[i]),
                "attempts": self.attempts[i],
            });
            if c.rules.is_empty() {
                clean.push(v)
            } else {
                flagged.push(v)
            }
        }
        let formats = std::mem::take(&mut self.formats);
        let mut m = json!({
            "generator": {
                "name": "genlogs",
                "seed": self.seed,
                "lines": self.requested,
                "layout": self.layout,
            },
            "lines": {
                "total": self.total,
                "good": good,
                "broken": self.broken.len(),
                "access": good - self.context,
                "context": self.context,
            },
            "time_range": {
                "first": self.first_ts.map(text::rfc3339_ms),
                "last": self.last_ts.map(text::rfc3339_ms),
            },
            "files": files.iter().map(file_entry).collect::<Vec<_>>(),
            "statuses": self.statuses.iter().map(|(s, n)| (s.to_string(), *n)).collect::<BTreeMap<_, _>>(),
            "services": services,
            "styles": styles,
            "codes": codes,
            "broken": {
                "by_kind": by_kind,
                "lines": self.broken,
            },
            "story": story,
            "chains": {
                "flagged": flagged,
                "clean": clean,
                "flagged_complete": true,
                "bulk_retry_chains": self.bulk_retries,
            },
            "samples": self.samples.into_values().collect::<Vec<_>>(),
            "needles": self.needles,
            "hostile": self.hostile,
            "incidents": incidents().iter().map(|i| json!({
                "service": i.service.name(),
                "from": text::rfc3339_ms(i.from_us),
                "to": text::rfc3339_ms(i.to_us),
                "status": apis::spec(i.service, i.code).status,
                "code": apis::expected_code(i.service, apis::spec(i.service, i.code)),
                "endpoint": i.endpoint.map(|(m, r)| format!("{m} {}", r.replace("{ses}", "{id}"))),
                "what": i.what,
            })).collect::<Vec<_>>(),
            "undocumented_codes": apis::UNDOCUMENTED.iter().map(|(s, c)| json!({"service": s.name(), "code": c})).collect::<Vec<_>>(),
            "redirect_only_codes": [{"service": Service::FortyTwo.name(), "code": apis::FORTYTWO_REDIRECT_CODE, "status": 302, "where": "response header Location"}],
            "client_fields": {
                "gateway": "client_id",
                "ecs": "labels.client_id",
                "otel": "attributes.enduser.id",
                "nginx": "http_x_client_id",
                "epoch_ms": "tenant",
                "log4j": "user",
                "offset_0200": "user",
            },
        });
        // Only the numbered corpora mix formats (the bundled manifest is
        // compared byte for byte with a fresh one).
        if !formats.is_empty() {
            m["formats_mixed"] = json!(formats);
        }
        m
    }

    fn story(&self) -> Value {
        let i = self
            .chains
            .iter()
            .position(|c| c.label == "story")
            .expect("the story is always planned");
        let first = &self.attempts[i][0];
        json!({
            "request_id": STORY.request_id,
            "service": "member-api",
            "method": "POST",
            "path": STORY.path,
            "status": 429,
            "code": "RATE_LIMITED",
            "retry_after_s": 42,
            "idempotency_key": STORY.key,
            "client": STORY.client,
            "file": first["file"],
            "line": first["line"],
            "ts": first["ts"],
            "chain": "story",
        })
    }
}

fn is_success(rec: &Record) -> bool {
    (200..300).contains(&rec.status) && rec.code.is_none()
}

fn outcome(ok: &[bool]) -> &'static str {
    match ok.iter().position(|&o| o) {
        Some(0) => "succeeded",
        Some(_) => "recovered",
        None => "failed",
    }
}

fn file_entry(f: &OutFile) -> Value {
    json!({
        "path": f.rel,
        "style": f.style,
        "compression": f.compression,
        "lines": f.lines,
        "bytes_uncompressed": f.bytes,
        "first_ts": f.first_ts.map(text::rfc3339_ms),
        "last_ts": f.last_ts.map(text::rfc3339_ms),
    })
}

fn attempt_entry(rec: &Record, at: &Landing) -> Value {
    json!({
        "request_id": rec.request_id,
        "ts": ts_as_logged(rec),
        "status": rec.status,
        "code": rec.code,
        "retry_after_s": rec.retry_after,
        "latency_ms": latency_as_logged(rec),
        "method": rec.method,
        "path": rec.path,
        "file": at.file,
        "line": at.line,
    })
}

fn broken_entry(rec: &Record, kind: Broken, at: &Landing) -> Value {
    let record = match rec.kind {
        Kind::Access => json!({
            "request_id": rec.request_id,
            "service": rec.service.name(),
            "status": rec.status,
            "code": rec.code,
        }),
        _ => Value::Null,
    };
    json!({
        "file": at.file,
        "line": at.line,
        "kind": kind.name(),
        // errtriage's BadReason when the line is not repaired.
        "bad_reason": if kind == Broken::InvalidUtf8 { "invalid_utf8" } else { "not_json" },
        // A lossy UTF-8 decode turns this line into valid JSON.
        "repairable": kind == Broken::InvalidUtf8,
        "record": record,
    })
}

/// What errtriage should read from a line: the Event fields per DESIGN.
fn expected(rec: &Record, at: &Landing) -> Value {
    let trace = match rec.style {
        Style::Gateway | Style::Ecs | Style::Otel | Style::Nginx => Some(rec.trace_id.as_str()),
        _ => None,
    };
    json!({
        "request_id": rec.request_id,
        "service": rec.service.name(),
        "style": rec.style.name(),
        "file": at.file,
        "line": at.line,
        "ts": ts_as_logged(rec),
        "method": rec.method,
        "path": rec.path,
        "status": rec.status,
        "code": rec.code,
        "idempotency_key": rec.key,
        "trace_id": trace,
        "retry_after_s": rec.retry_after,
        "latency_ms": latency_as_logged(rec),
        "client": rec.client,
    })
}

/// The time at the precision the style logs it (nginx: whole seconds).
fn ts_as_logged(rec: &Record) -> String {
    match rec.style {
        Style::Nginx => text::rfc3339_ms(rec.ts_us - rec.ts_us.rem_euclid(1_000_000)),
        _ => text::rfc3339_ms(rec.ts_us),
    }
}

/// The latency in milliseconds at the precision the style logs it.
fn latency_as_logged(rec: &Record) -> f64 {
    let us = rec.latency_us;
    match rec.style {
        Style::Gateway | Style::Otel => (us / 100) as f64 / 10.0,
        Style::Nginx | Style::EpochMs => (us / 1000) as f64,
        Style::Ecs | Style::Log4j | Style::Offset0200 => us as f64 / 1000.0,
    }
}
