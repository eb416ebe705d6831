//! fields: where a line's wrapper fields are found (DESIGN "Normalization:
//! where fields are found"). The probe lists below are the spec's lists, in
//! its order; a field's priority is its position in its list.
//!
//! Instead of looking each alias up (hundreds of probes per line), the line
//! is walked once: every key's dotted, lower-cased path (`http.response.
//! status_code`, whether written dotted or nested) is looked up in one table,
//! and each match is recorded as a [`Hit`]. Objects are only entered when their
//! path is a prefix of some probe, so bodies and large payloads are skipped.
//! Fields one level down under `attributes` (OpenTelemetry), `fields` or
//! `context` are found as if they were at the top.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::time::Unit::{self, Ms, Ns, S, Us};
use super::value::{J, Obj};

/// Which Event field a probe feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Slot {
    Time,
    Service,
    Status,
    Method,
    Path,
    RequestId,
    Body,
    Headers,
    IdemKey,
    Trace,
    Latency,
    Client,
    /// A per-request correlation id: the request id of last resort.
    Correlation,
}

/// Which side of the exchange a header was logged for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Request,
    Response,
    /// A plain `headers` map: the log does not say.
    Either,
}

/// How a probe's value is read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Form {
    Plain,
    /// A host name: its first label (`api-1.internal` → `api-1`).
    HostLabel,
    /// A URL: its path (`https://h/v1/x?q` → `/v1/x`).
    Url,
    /// nginx `$request`: `POST /v1/x?q HTTP/1.1`.
    RequestLine,
    /// A header container (map, pairs, `Name: value` strings) or one header.
    Headers(Side),
    /// A number in some unit.
    Millis(Unit),
    /// A duration: a number of ms, or text with a unit (`12ms`, `1.5s`).
    Duration,
}

use Form::*;

#[rustfmt::skip]
const TIME: &[&str] = &[
    "@timestamp", "timestamp", "time", "ts", "datetime", "date", "time_iso8601", "time_local",
    "msec", "start_time", "timeunixnano", "observedtimeunixnano", "started_at",
];
#[rustfmt::skip]
const SERVICE: &[(&str, Form)] = &[
    ("service", Plain), ("service.name", Plain), ("resource.service.name", Plain),
    ("resource.attributes.service.name", Plain), ("app", Plain), ("application", Plain),
    ("host", HostLabel), ("host.name", HostLabel), ("host.hostname", HostLabel),
];
#[rustfmt::skip]
const STATUS: &[&str] = &[
    "status", "status_code", "statuscode", "http.response.status_code", "http.status_code",
    "response.status", "elb_status_code", "response.status_code", "response.statuscode",
    "res.statuscode",
];
#[rustfmt::skip]
const METHOD: &[(&str, Form)] = &[
    ("method", Plain), ("request_method", Plain), ("http.request.method", Plain),
    ("http.method", Plain), ("request.method", Plain), ("req.method", Plain),
    ("request", RequestLine),
];
#[rustfmt::skip]
const PATH: &[(&str, Form)] = &[
    ("path", Plain), ("uri", Plain), ("url.path", Plain), ("http.target", Plain),
    ("request_uri", Plain), ("url", Url), ("request.uri", Plain), ("request.path", Plain),
    ("request.url", Url), ("req.url", Url), ("url.original", Url), ("url.full", Url),
    ("http.url", Url), ("request", RequestLine),
];
#[rustfmt::skip]
const REQUEST_ID: &[&str] = &[
    "request_id", "requestid", "req_id", "reqid", "http.request.id", "x_request_id",
];
#[rustfmt::skip]
const BODY: &[&str] = &[
    "response", "response_body", "resp_body", "body", "http.response.body.content", "payload",
    "response.body", "http.response.body",
];
#[rustfmt::skip]
const HEADERS: &[(&str, Side)] = &[
    ("headers", Side::Either), ("request_headers", Side::Request),
    ("response_headers", Side::Response), ("http.request.headers", Side::Request),
    ("http.response.headers", Side::Response), ("request.headers", Side::Request),
    ("response.headers", Side::Response), ("req.headers", Side::Request),
    ("res.headers", Side::Response), ("req_headers", Side::Request),
    ("resp_headers", Side::Response),
];
const IDEM_KEY: &[&str] = &["idempotency_key", "idempotencykey"];
const TRACE: &[&str] = &["trace.id", "trace_id", "traceid"];
const CORRELATION: &[&str] = &["correlation_id", "correlationid", "x_correlation_id"];
#[rustfmt::skip]
const LATENCY: &[(&str, Form)] = &[
    ("latency_ms", Millis(Ms)), ("duration_ms", Millis(Ms)), ("elapsed_ms", Millis(Ms)),
    ("response_time_ms", Millis(Ms)), ("request_time_ms", Millis(Ms)), ("took_ms", Millis(Ms)),
    ("latency_us", Millis(Us)), ("duration_us", Millis(Us)), ("elapsed_us", Millis(Us)),
    ("event.duration", Millis(Ns)), ("request_time", Millis(S)), ("duration", Duration),
    ("latency", Duration), ("elapsed", Duration), ("responsetime", Millis(Ms)),
    ("http.server.request.duration", Millis(S)), ("latencies.request", Millis(Ms)),
];
#[rustfmt::skip]
const CLIENT: &[(&str, Form)] = &[
    ("client_id", Plain), ("clientid", Plain), ("account_id", Plain), ("accountid", Plain),
    ("api_key_id", Plain), ("apikeyid", Plain), ("key_id", Plain), ("consumer", Plain),
    ("consumer.id", Plain), ("consumer.username", Plain), ("consumer_id", Plain),
    ("customer_id", Plain), ("tenant_id", Plain),
    // Where common formats put who called: ECS labels and user, OTel's
    // enduser, nginx's $http_x_client_id, and bare tenant/user keys.
    ("labels.client_id", Plain), ("enduser.id", Plain), ("http_x_client_id", Plain),
    ("user.id", Plain), ("tenant", Plain), ("user", Plain),
];
/// Where fields may sit one level down.
const ROOTS: &[&str] = &["attributes", "fields", "context"];
/// Top-level keys that make the line itself worth reading as an envelope…
#[rustfmt::skip]
const ENVELOPE_KEYS: &[&str] = &[
    "error", "errors", "errorcode", "error_code", "code", "__type", "success", "ok", "type", "title",
];
/// …or at least worth reading for a human message.
const MESSAGE_KEYS: &[&str] = &["message", "detail", "error_description", "error_message"];
/// Generic latency names (`upstream_ms`) rank below every named probe.
const GENERIC_PRIO: u8 = 200;
const MAX_PATH: usize = 160;
const MAX_DEPTH: u8 = 6;
const SLOTS: usize = Slot::Correlation as usize + 1;

/// What the line's top-level keys promise about the line itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) enum Marker {
    #[default]
    Nothing,
    /// A human message (`message`, `detail`) but no envelope keys.
    Message,
    /// Envelope keys (`error`, `code`, `success`, …).
    Envelope,
}

#[derive(Debug, Clone, Copy)]
struct Probe {
    slot: Slot,
    prio: u8,
    form: Form,
}

/// Everything known about one lower-cased dotted path.
#[derive(Default)]
struct Entry {
    /// Its probes (`request` is both a method and a path probe).
    probes: Vec<Probe>,
    /// A proper prefix of some probe path: an object here is worth entering.
    enter: bool,
    /// At the top level: what it says about the line being an envelope.
    marker: Marker,
}

fn table() -> &'static HashMap<&'static str, Entry, Fnv> {
    static TABLE: OnceLock<HashMap<&'static str, Entry, Fnv>> = OnceLock::new();
    TABLE.get_or_init(build_table)
}

fn build_table() -> HashMap<&'static str, Entry, Fnv> {
    let plain = |list: &[&'static str]| list.iter().map(|&p| (p, Plain)).collect::<Vec<_>>();
    let lists: [(Slot, Vec<(&'static str, Form)>); SLOTS] = [
        (Slot::Time, plain(TIME)),
        (Slot::Service, SERVICE.to_vec()),
        (Slot::Status, plain(STATUS)),
        (Slot::Method, METHOD.to_vec()),
        (Slot::Path, PATH.to_vec()),
        (Slot::RequestId, plain(REQUEST_ID)),
        (Slot::Body, plain(BODY)),
        (
            Slot::Headers,
            HEADERS.iter().map(|&(p, s)| (p, Headers(s))).collect(),
        ),
        (Slot::IdemKey, plain(IDEM_KEY)),
        (Slot::Trace, plain(TRACE)),
        (Slot::Latency, LATENCY.to_vec()),
        (Slot::Client, CLIENT.to_vec()),
        (Slot::Correlation, plain(CORRELATION)),
    ];
    let mut table: HashMap<&'static str, Entry, Fnv> = HashMap::default();
    for (slot, list) in lists {
        for (prio, (path, form)) in list.into_iter().enumerate() {
            let probe = Probe {
                slot,
                prio: prio as u8,
                form,
            };
            table.entry(path).or_default().probes.push(probe);
            for (i, _) in path.match_indices('.') {
                table.entry(&path[..i]).or_default().enter = true;
            }
        }
    }
    for prefix in ["http.request.header", "http.response.header"] {
        table.entry(prefix).or_default().enter = true;
    }
    for (keys, marker) in [
        (MESSAGE_KEYS, Marker::Message),
        (ENVELOPE_KEYS, Marker::Envelope),
    ] {
        for key in keys {
            table.entry(key).or_default().marker = marker;
        }
    }
    table
}

/// One probe that matched: which slot, how strongly, and the value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit<'j, 'a> {
    pub slot: Slot,
    pub prio: u8,
    /// 0 for the top level, then 1.. for `attributes`, `fields`, `context`.
    pub root: u8,
    pub form: Form,
    pub value: &'j J<'a>,
    /// For a single header (`http.request.header.x-request-id`,
    /// `http_x_request_id`): its name as logged.
    pub name: &'j str,
}

/// Every probe hit in a line, ordered by slot, then priority, then root.
pub(crate) struct Hits<'j, 'a> {
    hits: Vec<Hit<'j, 'a>>,
    /// `hits[bounds[s]..bounds[s + 1]]` are the hits of slot `s`.
    bounds: [u16; SLOTS + 1],
    /// What the top-level keys say about the line being an envelope.
    pub marker: Marker,
}

impl<'j, 'a> Hits<'j, 'a> {
    /// The hits for one slot, best first.
    pub fn of(&self, slot: Slot) -> &[Hit<'j, 'a>] {
        let s = slot as usize;
        &self.hits[usize::from(self.bounds[s])..usize::from(self.bounds[s + 1])]
    }

    /// The first hit of `slot` that `read` accepts.
    pub fn first<T>(&self, slot: Slot, read: impl FnMut(&Hit<'j, 'a>) -> Option<T>) -> Option<T> {
        self.of(slot).iter().find_map(read)
    }
}

/// Walk a line's top-level object once and collect every probe hit.
pub(crate) fn walk<'j, 'a>(obj: &'j Obj<'a>) -> Hits<'j, 'a> {
    let mut w = Walker {
        table: table(),
        hits: Vec::with_capacity(32),
        marker: Marker::Nothing,
    };
    let mut path = String::with_capacity(64);
    w.object(obj, &mut path, 0, 0);
    w.hits.truncate(usize::from(u16::MAX));
    w.hits.sort_by_key(|h| (h.slot, h.prio, h.root));
    let mut bounds = [0u16; SLOTS + 1];
    for (s, b) in bounds.iter_mut().enumerate() {
        *b = w.hits.partition_point(|h| (h.slot as usize) < s) as u16;
    }
    Hits {
        hits: w.hits,
        bounds,
        marker: w.marker,
    }
}

struct Walker<'j, 'a> {
    table: &'static HashMap<&'static str, Entry, Fnv>,
    hits: Vec<Hit<'j, 'a>>,
    marker: Marker,
}

impl<'j, 'a> Walker<'j, 'a> {
    fn object(&mut self, obj: &'j Obj<'a>, path: &mut String, root: u8, depth: u8) {
        for (key, value) in obj {
            self.member(key, value, path, root, depth);
        }
    }

    fn member(&mut self, key: &'j str, value: &'j J<'a>, path: &mut String, root: u8, depth: u8) {
        let parent = path.len();
        if parent + 1 + key.len() > MAX_PATH {
            return;
        }
        if parent > 0 {
            path.push('.');
        }
        let key_start = path.len();
        path.push_str(key);
        path[key_start..].make_ascii_lowercase();
        self.classify(path, key, key_start, value, root, depth);
        path.truncate(parent);
    }

    fn classify(
        &mut self,
        path: &mut String,
        key: &'j str,
        key_start: usize,
        value: &'j J<'a>,
        root: u8,
        depth: u8,
    ) {
        let top = root == 0 && depth == 0;
        let entry = self.table.get(path.as_str());
        if let (true, Some(e)) = (top, entry) {
            self.marker = self.marker.max(e.marker);
        }
        if let Some(e) = entry.filter(|e| !e.probes.is_empty()) {
            for p in &e.probes {
                self.push(p.slot, p.prio, root, p.form, value, "");
            }
        } else if let Some(name) = header_name(path, key, key_start, top) {
            self.push(Slot::Headers, 0, root, name.1, value, name.0);
        } else if path.ends_with("_ms") || path.ends_with("_us") {
            let unit = if path.ends_with("_ms") { Ms } else { Us };
            self.push(Slot::Latency, GENERIC_PRIO, root, Millis(unit), value, "");
        }
        match value {
            J::Obj(inner) if top && ROOTS.contains(&path.as_str()) => {
                let root = 1 + ROOTS.iter().position(|r| *r == path.as_str()).unwrap_or(0) as u8;
                self.object(inner, &mut String::with_capacity(64), root, 0);
            }
            J::Obj(inner) if depth < MAX_DEPTH && entry.is_some_and(|e| e.enter) => {
                self.object(inner, path, root, depth + 1);
            }
            J::Arr(items) if top && path == "attributes" => self.kv_list(items, "", 1),
            J::Arr(items) if path == "resource.attributes" => self.kv_list(items, "resource", root),
            _ => {}
        }
    }

    /// OTLP/JSON attributes: `[{"key":"http.response.status_code","value":{"intValue":"409"}}]`.
    fn kv_list(&mut self, items: &'j [J<'a>], prefix: &str, root: u8) {
        let mut path = String::with_capacity(64);
        for item in items {
            let J::Obj(kv) = item else { continue };
            let key = super::value::member(kv, "key").and_then(|k| match k {
                J::Str(s) => Some(s.as_ref()),
                _ => None,
            });
            if let (Some(key), Some(value)) = (key, super::value::member(kv, "value")) {
                path.clear();
                path.push_str(prefix);
                self.member(key, value, &mut path, root, 1);
            }
        }
    }

    fn push(
        &mut self,
        slot: Slot,
        prio: u8,
        root: u8,
        form: Form,
        value: &'j J<'a>,
        name: &'j str,
    ) {
        self.hits.push(Hit {
            slot,
            prio,
            root,
            form,
            value,
            name,
        });
    }
}

/// A single header logged as its own field: OpenTelemetry's
/// `http.request.header.<name>` / `http.response.header.<name>`, or at the top
/// level nginx's `http_<name>` / `sent_http_<name>`. Returns the header's name
/// as logged (a slice of `key`) and its side.
fn header_name<'k>(
    path: &str,
    key: &'k str,
    key_start: usize,
    top: bool,
) -> Option<(&'k str, Form)> {
    const OTEL: [(&str, Side); 2] = [
        ("http.request.header.", Side::Request),
        ("http.response.header.", Side::Response),
    ];
    for (prefix, side) in OTEL {
        if path.len() > prefix.len() && path.starts_with(prefix) && key_start <= prefix.len() {
            return Some((&key[prefix.len() - key_start..], Headers(side)));
        }
    }
    if !top {
        return None;
    }
    let (prefix, side) = if path.starts_with("sent_http_") {
        ("sent_http_", Side::Response)
    } else if path.starts_with("http_") {
        ("http_", Side::Request)
    } else {
        return None;
    };
    (key.len() > prefix.len()).then(|| (&key[prefix.len()..], Headers(side)))
}

/// FNV-1a: short ASCII keys, a few dozen lookups per line.
#[derive(Default)]
pub(crate) struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type Fnv = BuildHasherDefault<FnvHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::value::parse;

    fn slots(line: &str) -> Vec<(Slot, u8, u8)> {
        let j = parse(line).unwrap();
        let J::Obj(o) = &j else { panic!() };
        walk(o)
            .hits
            .iter()
            .map(|h| (h.slot, h.prio, h.root))
            .collect()
    }

    #[test]
    fn dotted_nested_and_mixed_paths_are_one_path() {
        for line in [
            r#"{"http.response.status_code":404}"#,
            r#"{"http":{"response":{"status_code":404}}}"#,
            r#"{"HTTP":{"Response.Status_Code":404}}"#,
            r#"{"attributes":{"http.response.status_code":404}}"#,
        ] {
            let hits = slots(line);
            assert!(
                hits.iter().any(|h| h.0 == Slot::Status && h.1 == 3),
                "{line}: {hits:?}"
            );
        }
    }

    #[test]
    fn every_probe_list_has_unique_lowercase_paths() {
        let t = table();
        for p in t.keys() {
            assert_eq!(*p, p.to_ascii_lowercase());
        }
        assert!(t["http.response"].enter && t["resource.service"].enter && !t["status"].enter);
    }

    #[test]
    fn bodies_are_not_walked_and_generic_latency_ranks_last() {
        let hits = slots(r#"{"body":{"status":500},"upstream_ms":3,"latency_ms":4}"#);
        assert!(!hits.iter().any(|h| h.0 == Slot::Status));
        let lat: Vec<_> = hits
            .iter()
            .filter(|h| h.0 == Slot::Latency)
            .map(|h| h.1)
            .collect();
        assert_eq!(lat, vec![0, GENERIC_PRIO]);
    }
}
