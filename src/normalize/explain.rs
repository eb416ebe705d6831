//! explain: how a file's lines are read — the format that claims them, for
//! every Event field the share of lines where it was found and the key(s)
//! it came from, the keys that look like ids, statuses, times or durations
//! but fed nothing, and a TOML format to start from (DESIGN `explain`).
//! Pure: the caller feeds lines; nothing here reads files.

mod layers;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::formats::Formats;
use super::time;
use super::value::{self, J, Obj};
use super::{Normalized, Records};
use crate::model::{Event, Source};
use layers::Layer;

/// The Event fields `explain` reports on, in `--json` order.
pub const FIELDS: &[&str] = &[
    "ts",
    "request_id",
    "trace_id",
    "service",
    "method",
    "path",
    "status",
    "code",
    "message",
    "idempotency_key",
    "retry_after_s",
    "latency_ms",
    "client",
];

/// `explain --json`: `{"files": [FileReport…]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explain {
    pub files: Vec<FileReport>,
}

/// How one file is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    pub file: String,
    /// The format that claimed most lines; `None` when none claimed any.
    pub format: Option<String>,
    /// Non-blank lines.
    pub lines: u64,
    pub fields: BTreeMap<String, Coverage>,
    pub unused_keys: Vec<UnusedKey>,
    /// JSON lines no format claimed (the generic probe read them).
    pub unclaimed_lines: u64,
    /// A ready-to-edit format file for what could not be placed.
    pub suggested_format: Option<String>,
}

/// Where one field was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Found on this share of the file's JSON lines (0–1).
    pub share: f64,
    /// The keys it came from, most frequent first.
    pub keys: Vec<String>,
}

/// A key that looks like an id, status, time or duration but fed no field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnusedKey {
    pub key: String,
    /// `id`, `status`, `time` or `duration`.
    pub looks_like: String,
    /// The first value seen, as logged (the printers redact and escape it).
    pub example: String,
}

/// Accumulates one file's lines.
pub struct Explainer<'f> {
    formats: &'f Formats,
    file: String,
    lines: u64,
    json_lines: u64,
    unclaimed: u64,
    formats_seen: HashMap<String, u64>,
    found: HashMap<&'static str, u64>,
    keys: HashMap<&'static str, HashMap<String, u64>>,
    unused: BTreeMap<String, (Kind, String, u64, Option<&'static str>)>,
}

/// What an unplaced key looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Status,
    Time,
    Duration,
    Id,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Status => "status",
            Kind::Time => "time",
            Kind::Duration => "duration",
            Kind::Id => "id",
        }
    }
    fn field(self) -> &'static str {
        match self {
            Kind::Status => "status",
            Kind::Time => "ts",
            Kind::Duration => "latency_ms",
            Kind::Id => "request_id",
        }
    }
}

impl<'f> Explainer<'f> {
    pub fn new(formats: &'f Formats, file: &str) -> Explainer<'f> {
        Explainer {
            formats,
            file: file.to_owned(),
            lines: 0,
            json_lines: 0,
            unclaimed: 0,
            formats_seen: HashMap::new(),
            found: HashMap::new(),
            keys: HashMap::new(),
            unused: BTreeMap::new(),
        }
    }

    /// Account for one line (without its terminator); a line that holds
    /// several events (OTLP, CloudWatch subscription data) counts once per
    /// event, each read from its own record.
    pub fn line(&mut self, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        match super::normalize_records_with(self.formats, line, Source::default()) {
            Ok(Records::One(n)) => self.event(&n, line),
            Ok(Records::Many(many)) => many.iter().for_each(|n| self.event(n, &n.event.raw)),
            Err(_) => self.lines += 1,
        }
    }

    /// Account for one event read from `line`.
    fn event(&mut self, n: &Normalized, line: &str) {
        self.lines += 1;
        let text = line.strip_prefix('\u{feff}').unwrap_or(line);
        let mut repaired = None;
        let Ok(J::Obj(whole)) = value::parse_lenient(text, &mut repaired) else {
            return;
        };
        self.json_lines += 1;
        match &n.event.format {
            Some(f) => *self.formats_seen.entry(f.clone()).or_default() += 1,
            None => self.unclaimed += 1,
        }
        let format = self.formats.detect(&whole);
        // A record's fields are read from the record (with its context).
        let recs = format
            .and_then(|f| f.file.format.records.as_deref())
            .map(|p| super::records::split(&whole, p))
            .unwrap_or_default();
        let obj: &Obj = recs.first().map_or(&whole[..], |r| &r.obj[..]);
        // A wrapped line: the line inside first, each wrapper after it.
        let texts = layers::inner_texts(self.formats, format, obj);
        let mut holders: Vec<Option<String>> = vec![None; texts.len()];
        let inner: Vec<(&str, J)> = texts
            .iter()
            .zip(holders.iter_mut())
            .filter_map(|((path, text), h)| {
                Some((path.as_str(), value::parse_lenient(text, h).ok()?))
            })
            .collect();
        let mut stack: Vec<Layer> = inner
            .iter()
            .rev()
            .filter_map(|(path, j)| Some(Layer::of(self.formats, None, j.as_obj()?, path)))
            .collect();
        stack.push(Layer::of(self.formats, format, obj, ""));
        let used = self.note_fields(n, &stack);
        let leaves: Vec<(String, &J)> = stack
            .iter()
            .flat_map(|l| l.leaves.iter().map(|(k, v)| (k.clone(), *v)))
            .collect();
        self.note_unused(&leaves, &used);
    }

    /// Count each field found and the keys it came from (the format's
    /// paths, else the leaf holding the value); returns the keys used.
    fn note_fields(&mut self, n: &Normalized, stack: &[Layer]) -> BTreeSet<String> {
        let mut used = BTreeSet::new();
        for &field in FIELDS {
            if !present(&n.event, field, n.has_ts) {
                continue;
            }
            *self.found.entry(field).or_default() += 1;
            for k in key_of(&n.event, field, stack) {
                used.insert(k.to_ascii_lowercase());
                *self.keys.entry(field).or_default().entry(k).or_default() += 1;
            }
        }
        used
    }

    /// Remember the keys that look like ids, statuses, times or durations
    /// but fed no field.
    fn note_unused(&mut self, leaves: &[(String, &J)], used: &BTreeSet<String>) {
        for (k, v) in leaves {
            if used.contains(&k.to_ascii_lowercase()) {
                continue;
            }
            if let Some(kind) = looks_like(k, v) {
                let e = self
                    .unused
                    .entry(k.clone())
                    .or_insert_with(|| (kind, example(v), 0, epoch_unit(v)));
                e.2 += 1;
            }
        }
    }

    /// The report for the lines seen.
    pub fn finish(self) -> FileReport {
        let denom = self.json_lines.max(1) as f64;
        let mut fields = BTreeMap::new();
        for &field in FIELDS {
            let found = self.found.get(field).copied().unwrap_or(0);
            let mut keys: Vec<(String, u64)> = self
                .keys
                .get(field)
                .map(|m| m.iter().map(|(k, n)| (k.clone(), *n)).collect())
                .unwrap_or_default();
            keys.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            fields.insert(
                field.to_owned(),
                Coverage {
                    share: (found as f64 / denom * 1000.0).round() / 1000.0,
                    keys: keys.into_iter().map(|(k, _)| k).collect(),
                },
            );
        }
        let format = self
            .formats_seen
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(f, _)| f.clone());
        let suggested_format = self.suggest(&fields);
        let fed: BTreeSet<String> = self
            .keys
            .values()
            .flat_map(|m| m.keys().map(|k| k.to_ascii_lowercase()))
            .collect();
        let mut unused: Vec<_> = self
            .unused
            .into_iter()
            .filter(|(k, _)| !fed.contains(&k.to_ascii_lowercase()))
            .collect();
        unused.sort_by(|a, b| {
            a.1.0
                .cmp(&b.1.0)
                .then(b.1.2.cmp(&a.1.2))
                .then(a.0.cmp(&b.0))
        });
        FileReport {
            file: self.file,
            format,
            lines: self.lines,
            fields,
            unused_keys: unused
                .into_iter()
                .map(|(key, (kind, example, _, _))| UnusedKey {
                    key,
                    looks_like: kind.name().into(),
                    example,
                })
                .collect(),
            unclaimed_lines: self.unclaimed,
            suggested_format,
        }
    }

    /// A format placing, for each field found on fewer than all lines, the
    /// unused key that most often looked like it.
    fn suggest(&self, fields: &BTreeMap<String, Coverage>) -> Option<String> {
        let mut picks: Vec<(Kind, &str, Option<&'static str>)> = Vec::new();
        for kind in [Kind::Time, Kind::Id, Kind::Status, Kind::Duration] {
            if fields.get(kind.field()).is_some_and(|c| c.share >= 1.0) {
                continue;
            }
            let best = self
                .unused
                .iter()
                .filter(|(_, v)| v.0 == kind)
                .max_by_key(|(_, v)| v.2);
            if let Some((k, v)) = best {
                picks.push((kind, k, v.3));
            }
        }
        if picks.is_empty() {
            return None;
        }
        let name = format_name(&self.file);
        let quote = |s: &str| toml_string(s);
        let detect: Vec<String> = picks.iter().map(|p| quote(p.1)).collect();
        let mut t = format!(
            "# Suggested by `errtriage explain` for {}.\n\
             # Check the paths and units, then save it as\n\
             # ~/.config/errtriage/formats/{name}.toml (or pass --formats FILE).\n\
             [format]\nname = {}\ndetect = [{}]\n\n[fields]\n",
            crate::sanitize::escape(&self.file),
            quote(&name),
            detect.join(", ")
        );
        for (kind, key, _) in &picks {
            t.push_str(&format!("{} = {}\n", kind.field(), quote(key)));
        }
        let mut units = Vec::new();
        for (kind, key, epoch) in &picks {
            match kind {
                Kind::Time => units.push(format!("ts = \"{}\"", epoch.unwrap_or("auto"))),
                Kind::Duration => units.push(format!("latency = \"{}\"", duration_unit(key))),
                _ => {}
            }
        }
        if !units.is_empty() {
            t.push_str("\n[units]\n");
            for u in units {
                t.push_str(&u);
                t.push('\n');
            }
        }
        Some(t)
    }
}

/// Explain many files' lines at once (the library entry point for tests).
pub fn explain_lines<'a>(
    formats: &Formats,
    file: &str,
    lines: impl IntoIterator<Item = &'a str>,
) -> FileReport {
    let mut e = Explainer::new(formats, file);
    for l in lines {
        e.line(l);
    }
    e.finish()
}

/// The key(s) a field came from: in the innermost layer that has it, the
/// format's paths, else a leaf holding exactly the value; failing that, a
/// leaf of any layer that merely contains it (`url.query` holds the client
/// id too).
fn key_of(e: &Event, field: &str, stack: &[Layer]) -> Vec<String> {
    for layer in stack {
        let from: Vec<String> = layer
            .keys
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, k)| k.clone())
            .collect();
        if !from.is_empty() {
            return from;
        }
        if let Some((k, _)) = layer
            .leaves
            .iter()
            .find(|(k, v)| matches(e, field, k, v, true))
        {
            return vec![k.clone()];
        }
    }
    let loose = stack
        .iter()
        .flat_map(|l| l.leaves.iter())
        .find(|(k, v)| matches(e, field, k, v, false));
    match loose {
        Some((k, _)) => vec![k.clone()],
        None if field == "code" => vec!["(from status)".into()],
        None => Vec::new(),
    }
}

fn present(e: &Event, field: &str, has_ts: bool) -> bool {
    match field {
        "ts" => has_ts,
        "request_id" => !e.request_id.is_empty(),
        "trace_id" => e.trace_id.is_some(),
        "service" => e.service.is_some(),
        "method" => e.method.is_some(),
        "path" => e.path.is_some(),
        "status" => e.status.is_some(),
        "code" => e.code.is_some(),
        "message" => e.message.is_some(),
        "idempotency_key" => e.idempotency_key.is_some(),
        "retry_after_s" => e.retry_after_s.is_some(),
        "latency_ms" => e.latency_ms.is_some(),
        "client" => e.client.is_some(),
        _ => false,
    }
}

/// Whether a leaf's value is the field's value (how the probe's key is
/// named): equal to it when `exact`, else containing it.
fn matches(e: &Event, field: &str, key: &str, v: &J, exact: bool) -> bool {
    let same = |want: Option<&str>| {
        want.is_some_and(|w| {
            v.id()
                .is_some_and(|s| s.eq_ignore_ascii_case(w) || (!exact && s.contains(w)))
        })
    };
    match field {
        "ts" => {
            time::parse_value(v).is_some_and(|t| t.timestamp_millis() == e.ts.timestamp_millis())
        }
        "request_id" => same(Some(&e.request_id)),
        "trace_id" => same(e.trace_id.as_deref()),
        "service" => same(e.service.as_deref()),
        "method" => same(e.method.as_deref()),
        "path" => v
            .text()
            .zip(e.path.as_deref())
            .is_some_and(|(t, p)| t.contains(p)),
        "status" => v.status().is_some() && v.status() == e.status,
        "code" => same(e.code.as_deref()),
        "message" => same(e.message.as_deref()),
        "idempotency_key" => same(e.idempotency_key.as_deref()),
        "client" => same(e.client.as_deref()),
        // A number is the duration when it is the value in some unit (an
        // epoch `timeUnixNano` is not); other shapes (`"0.5s"`, an HTTP-date)
        // by the key's name, and only when not `exact`.
        "latency_ms" => numeric_match(v, e.latency_ms, &[1.0, 1e3, 1e-3, 1e-6], key, exact),
        "retry_after_s" => numeric_match(v, e.retry_after_s, &[1.0, 1e-3], key, exact),
        _ => false,
    }
}

/// Whether `v`, read in one of `units` (multipliers to the field's unit),
/// is `want`: when `exact`, only under a key named like a duration; a value
/// that is not a plain number falls back to the key's name when not `exact`.
fn numeric_match(v: &J, want: Option<f64>, units: &[f64], key: &str, exact: bool) -> bool {
    let Some(want) = want else { return false };
    let k = key.to_ascii_lowercase();
    let named = ["dur", "lat", "elapsed", "took", "time", "retry", "reset"]
        .iter()
        .any(|w| k.contains(w));
    match v.num() {
        // First pass: the value and a telling name (a `severityNumber` of 9
        // may equal a 9 ms latency); second pass: the value alone.
        Some(x) => {
            (named || !exact)
                && units
                    .iter()
                    .any(|u| (x * u - want).abs() <= 1e-6 * want.abs().max(1.0))
        }
        None => !exact && named && v.text().is_some(),
    }
}

/// Scalar leaves (objects entered up to 4 levels; lists not).
fn flatten<'j, 'a>(
    obj: &'j Obj<'a>,
    prefix: String,
    depth: u8,
    out: &mut Vec<(String, &'j J<'a>)>,
) {
    for (k, v) in obj {
        let path = if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            J::Obj(o) if depth < 4 => flatten(o, path, depth + 1, out),
            J::Obj(_) | J::Arr(_) | J::Null => {}
            _ => out.push((path, v)),
        }
    }
}

/// What a key looks like from its name and value.
fn looks_like(key: &str, v: &J) -> Option<Kind> {
    let last = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| last.contains(w));
    if v.status().is_some()
        && matches!(v.unwrap_any(), J::Num(_) | J::Str(_))
        && has(&["status", "code", "result", "outcome"])
    {
        return Some(Kind::Status);
    }
    let t = time::parse_value(v).filter(|t| t.timestamp() > 946_684_800);
    if t.is_some() && has(&["time", "date", "_at", "ts", "when", "epoch", "stamp"]) {
        return Some(Kind::Time);
    }
    let is_duration = v.num().is_some() || v.text().and_then(time::duration_ms).is_some();
    if is_duration
        && has(&[
            "dur", "latency", "elapsed", "took", "spent", "time", "_ms", "_us",
        ])
    {
        return Some(Kind::Duration);
    }
    let id_like = last.ends_with("id")
        || last.ends_with("_ref")
        || last.ends_with("ref")
        || last.contains("uuid")
        || last.contains("correlation")
        || last.contains("trace")
        || last.contains("txn");
    (id_like && v.id().is_some()).then_some(Kind::Id)
}

/// The unit of an epoch number, by magnitude (DESIGN's rule).
fn epoch_unit(v: &J) -> Option<&'static str> {
    let n = match v.unwrap_any() {
        J::Num(n) => n.as_f64()?,
        J::Str(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    Some(match n {
        n if n < 1e11 => "s",
        n if n < 1e14 => "ms",
        n if n < 1e17 => "us",
        _ => "ns",
    })
}

/// A duration unit from a key's suffix; text values carry their own.
fn duration_unit(key: &str) -> &'static str {
    let k = key.to_ascii_lowercase();
    if k.ends_with("_ns") || k.ends_with("nanos") {
        "ns"
    } else if k.ends_with("_us") || k.ends_with("micros") {
        "us"
    } else if k.ends_with("_s") || k.ends_with("seconds") || k.ends_with("_sec") {
        "s"
    } else {
        "text"
    }
}

fn example(v: &J) -> String {
    let s = match v.unwrap_any() {
        J::Str(s) => s.to_string(),
        other => other.to_value(&|s| s.to_owned()).to_string(),
    };
    s.chars().take(80).collect()
}

/// A file's stem as a format name: lower case, `[a-z0-9_-]`.
fn format_name(file: &str) -> String {
    let stem = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("my-format");
    let stem = stem.split('.').next().unwrap_or(stem);
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() || name == "-" {
        "my-format".into()
    } else {
        name
    }
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An OTLP-style record: the epoch `timeUnixNano` is not the latency,
    /// and the client comes from the leaf equal to it, not from a query
    /// string that happens to contain it.
    #[test]
    fn keys_are_attributed_by_value_not_by_a_word_in_their_name() {
        let line = r#"{"timeUnixNano":"1778547542299353000","observedTimeUnixNano":1778547542299353000,"severityNumber":58.4,"attributes":{"url.query":"client=oc_sync&x=1","enduser.id":"oc_sync","duration_ms":58.4,"http.response.status_code":200,"request_id":"r-1"}}"#;
        let report = explain_lines(&Formats::builtin(), "otel.jsonl", [line]);
        let keys = |f: &str| report.fields[f].keys.clone();
        assert_eq!(keys("latency_ms"), ["attributes.duration_ms"]);
        assert_eq!(keys("client"), ["attributes.enduser.id"]);
        assert!(
            report
                .unused_keys
                .iter()
                .all(|u| u.key != "attributes.enduser.id" && u.key != "attributes.duration_ms"),
            "a key that fed a field is not listed as unused: {:?}",
            report.unused_keys
        );
    }
}
