//! records: one line that holds several events (OTLP/JSON
//! `resourceLogs[].scopeLogs[].logRecords[]`, a CloudWatch Logs
//! subscription's `logEvents[]`) → one object per event, for normalize to
//! read as a line of its own. Sits inside normalize, between parsing the
//! line and reading it by its format (DESIGN "Log formats").
//!
//! Each record is the list element with the members of every object around
//! it (the lists themselves left out; the record's own members win): an
//! OTLP record carries its `resource` and `scope`, a CloudWatch event its
//! `logGroup` and `logStream`. Its raw text is the line pruned to that one
//! record — valid in the same format, so reading it again gives the same
//! Event, and `find` shows the record with the context it was read with.

use std::borrow::Cow;

use super::value::{J, Obj};
use super::{Format, Formats, Normalized};
use crate::model::Source;

/// What one line holds: one event (nearly always), or several when its
/// format says which nested list holds them (OTLP `logRecords`, CloudWatch
/// `logEvents`).
#[derive(Debug, Clone, PartialEq)]
pub enum Records {
    /// Boxed: ingest hands it on as it is (the one allocation a line had).
    One(Box<Normalized>),
    /// Each with its own `raw`: the line pruned to that record.
    Many(Vec<Normalized>),
}

impl Records {
    /// The first event (a line that holds several: the first of them).
    pub fn first(self) -> Normalized {
        match self {
            Records::One(n) => *n,
            Records::Many(mut v) => v.swap_remove(0),
        }
    }
}

/// The events of a line whose format names a list of records, each read
/// by that format; None when the line has no such list. A line of one
/// record keeps the line as its raw text.
pub(super) fn read(
    formats: &Formats,
    f: &Format,
    obj: &Obj,
    line: &str,
    source: &Source,
) -> Option<Vec<Normalized>> {
    let recs = split(obj, f.file.format.records.as_deref()?);
    let one = recs.len() == 1;
    let many: Vec<Normalized> = recs
        .into_iter()
        .map(|r| {
            let raw = if one { line } else { &r.raw };
            let mut n = super::read_object(formats, Some(f), &r.obj, raw, source.clone(), 0);
            super::scrub_terms(&mut n.event);
            n
        })
        .collect();
    (!many.is_empty()).then_some(many)
}

/// Objects written back to back with nothing between them (`{…}{…}`, as
/// Kinesis Data Firehose delivers CloudWatch Logs subscription data to S3):
/// every event of each, each object its own raw text. None unless the text
/// is two or more objects and nothing else (one object is a line, and
/// anything else is not JSON). Tried only once a line failed to parse.
pub(super) fn concatenated(
    formats: &Formats,
    text: &str,
    source: &Source,
) -> Option<Vec<Normalized>> {
    memchr::memmem::find(text.as_bytes(), b"}{")?;
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<J>();
    let (mut out, mut start, mut objects) = (Vec::new(), 0, 0);
    while let Some(item) = stream.next() {
        let J::Obj(obj) = item.ok()? else {
            return None;
        };
        let end = stream.byte_offset();
        let raw = text[start..end].trim();
        (start, objects) = (end, objects + 1);
        let f = formats.detect(&obj);
        match f.and_then(|f| read(formats, f, &obj, raw, source)) {
            Some(events) => out.extend(events),
            None => {
                let mut n = super::read_object(formats, f, &obj, raw, source.clone(), 0);
                super::scrub_terms(&mut n.event);
                out.push(n);
            }
        }
    }
    (objects >= 2 && !out.is_empty()).then_some(out)
}

/// One event of a many-event line.
pub(crate) struct Record<'a> {
    /// The element merged with its context.
    pub obj: Vec<(Cow<'a, str>, J<'a>)>,
    /// The line pruned to this record, as JSON text.
    pub raw: String,
}

/// The member names of a `records` path (`a[].b[]` → `["a", "b"]`); None
/// when it is not member names each followed by `[]`.
pub(crate) fn keys(path: &str) -> Option<Vec<&str>> {
    let body = path.trim().strip_suffix("[]")?;
    let keys: Vec<&str> = body.split("[].").collect();
    let plain = |k: &&str| !k.is_empty() && !k.contains(['.', '[', ']']);
    keys.iter().all(plain).then_some(keys)
}

/// The records of `obj` along `path`, in document order; elements that are
/// not objects are skipped. Empty when the lists are missing or empty.
pub(crate) fn split<'a>(obj: &Obj<'a>, path: &str) -> Vec<Record<'a>> {
    let mut out = Vec::new();
    if let Some(keys) = keys(path) {
        walk(obj, &keys, &mut Vec::new(), &mut out);
    }
    out
}

/// An object on the way down, and which of its members is the list taken.
type Level<'j, 'a> = (&'j Obj<'a>, usize);

fn walk<'j, 'a>(
    obj: &'j Obj<'a>,
    keys: &[&str],
    stack: &mut Vec<Level<'j, 'a>>,
    out: &mut Vec<Record<'a>>,
) {
    let Some((key, rest)) = keys.split_first() else {
        return;
    };
    let Some(at) = obj.iter().position(|(k, _)| k.eq_ignore_ascii_case(key)) else {
        return;
    };
    let J::Arr(items) = &obj[at].1 else { return };
    stack.push((obj, at));
    for item in items {
        let J::Obj(child) = item else { continue };
        if rest.is_empty() {
            out.push(record(stack, child));
        } else {
            walk(child, rest, stack, out);
        }
    }
    stack.pop();
}

fn record<'a>(stack: &[Level<'_, 'a>], leaf: &Obj<'a>) -> Record<'a> {
    let mut obj: Vec<(Cow<'a, str>, J<'a>)> = leaf.to_vec();
    // Innermost context first: a scope's member wins over the resource's.
    for &(level, at) in stack.iter().rev() {
        for (i, (k, v)) in level.iter().enumerate() {
            if i != at && !obj.iter().any(|(have, _)| have.eq_ignore_ascii_case(k)) {
                obj.push((k.clone(), v.clone()));
            }
        }
    }
    let keep = |s: &str| s.to_owned();
    let mut pruned = J::Obj(leaf.to_vec()).to_value(&keep);
    for &(level, at) in stack.iter().rev() {
        let map = level
            .iter()
            .enumerate()
            .map(|(i, (k, v))| {
                let v = if i == at {
                    serde_json::Value::Array(vec![pruned.take()])
                } else {
                    v.to_value(&keep)
                };
                (k.to_string(), v)
            })
            .collect();
        pruned = serde_json::Value::Object(map);
    }
    Record {
        obj,
        raw: pruned.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::value;

    #[test]
    fn paths_are_member_names_each_followed_by_brackets() {
        assert_eq!(keys("logEvents[]"), Some(vec!["logEvents"]));
        assert_eq!(
            keys("resourceLogs[].scopeLogs[].logRecords[]"),
            Some(vec!["resourceLogs", "scopeLogs", "logRecords"])
        );
        for bad in ["logEvents", "a.b[]", "[]", "a[]b[]", "a[].[]"] {
            assert_eq!(keys(bad), None, "{bad}");
        }
    }

    #[test]
    fn each_record_carries_its_context_and_a_pruned_raw() {
        let line = r#"{"r":[{"res":1,"s":[{"scope":"a","l":[{"n":1},{"n":2,"scope":"own"}]}]},{"res":2,"s":[{"l":[{"n":3},7]}]}]}"#;
        let root = value::parse(line).unwrap();
        let J::Obj(obj) = &root else { panic!() };
        let recs = split(obj, "r[].s[].l[]");
        let raws: Vec<&str> = recs.iter().map(|r| r.raw.as_str()).collect();
        assert_eq!(
            raws,
            [
                r#"{"r":[{"res":1,"s":[{"scope":"a","l":[{"n":1}]}]}]}"#,
                r#"{"r":[{"res":1,"s":[{"scope":"a","l":[{"n":2,"scope":"own"}]}]}]}"#,
                r#"{"r":[{"res":2,"s":[{"l":[{"n":3}]}]}]}"#,
            ]
        );
        let merged = |i: usize| J::Obj(recs[i].obj.clone()).to_value(&|s| s.to_owned());
        assert_eq!(merged(0), serde_json::json!({"n":1,"scope":"a","res":1}));
        assert_eq!(merged(1), serde_json::json!({"n":2,"scope":"own","res":1}));
        assert_eq!(merged(2), serde_json::json!({"n":3,"res":2}));
        assert!(split(obj, "r[].missing[]").is_empty());
    }
}
