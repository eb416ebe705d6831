//! headers: HTTP headers however a log wrote them — a map
//! (`{"X-Request-Id":"r1"}`, values possibly arrays), `[[name,value]]` pairs,
//! `"Name: value"` strings, `[{"name":…,"value":…}]`, a raw header block, or one
//! field per header (OpenTelemetry `http.request.header.<name>: ["v"]`, nginx
//! `http_<name>` / `sent_http_<name>`). Names match case-insensitively and
//! with `-` and `_` equal, since nginx writes `Idempotency-Key` as
//! `http_idempotency_key`.
//!
//! Only the headers normalization asks for by name are ever read, so an
//! `Authorization` or `Cookie` value is never copied out of the line.

use std::borrow::Cow;

use super::fields::{Form, Hit, Side};
use super::value::{J, member, present};

enum Source<'j, 'a> {
    /// A container of many headers.
    Many(&'j J<'a>),
    /// One header logged as its own field.
    One(&'j str, &'j J<'a>),
}

/// Every header source of a line, with the side it was logged for.
pub(crate) struct HeaderSet<'j, 'a> {
    sources: Vec<(Side, Source<'j, 'a>)>,
}

/// Response first, then headers of unknown side, then request: where an API's
/// own answer (request id, Retry-After) is found.
pub(crate) const RESPONSE_FIRST: [Side; 3] = [Side::Response, Side::Either, Side::Request];
/// Request first: what the client sent (Idempotency-Key, traceparent).
pub(crate) const REQUEST_FIRST: [Side; 3] = [Side::Request, Side::Either, Side::Response];

impl<'j, 'a> HeaderSet<'j, 'a> {
    /// Build from the `Slot::Headers` hits of a line.
    pub fn from_hits(hits: &[Hit<'j, 'a>]) -> Self {
        let sources = hits
            .iter()
            .filter_map(|h| match h.form {
                Form::Headers(side) if h.name.is_empty() => Some((side, Source::Many(h.value))),
                Form::Headers(side) => Some((side, Source::One(h.name, h.value))),
                _ => None,
            })
            .collect();
        HeaderSet { sources }
    }

    /// The value of the first header named `name` on `sides`, in that order.
    pub fn get(&self, sides: &[Side], name: &str) -> Option<Cow<'j, str>> {
        self.find(sides, |n| name_eq(n, name))
    }

    /// The value of the first header whose name `matches`, on `sides` in order.
    pub fn find(&self, sides: &[Side], matches: impl Fn(&str) -> bool) -> Option<Cow<'j, str>> {
        for side in sides {
            for (s, source) in &self.sources {
                if s != side {
                    continue;
                }
                let found = match source {
                    Source::One(n, v) if matches(n) => value_text(v),
                    Source::One(..) => None,
                    Source::Many(c) => find_in(c, &matches),
                };
                if found.is_some() {
                    return found;
                }
            }
        }
        None
    }
}

fn find_in<'j>(container: &'j J<'_>, matches: &impl Fn(&str) -> bool) -> Option<Cow<'j, str>> {
    match container.unwrap_any() {
        J::Obj(map) => map
            .iter()
            .filter(|(k, _)| matches(k))
            .find_map(|(_, v)| value_text(v)),
        J::Arr(items) => items.iter().find_map(|item| match item {
            J::Arr(pair) => match pair.as_slice() {
                [J::Str(n), v, ..] if matches(n) => value_text(v),
                _ => None,
            },
            J::Str(line) => line_value(line, matches),
            J::Obj(o) => {
                let name = member(o, "name").or_else(|| member(o, "key"))?.text()?;
                matches(name).then(|| value_text(member(o, "value")?))?
            }
            _ => None,
        }),
        J::Str(block) => block.lines().find_map(|l| line_value(l, matches)),
        _ => None,
    }
}

/// `Name: value` → the value, when the name matches.
fn line_value<'j>(line: &'j str, matches: &impl Fn(&str) -> bool) -> Option<Cow<'j, str>> {
    let (name, value) = line.split_once(':')?;
    if !matches(name.trim()) {
        return None;
    }
    present(value).map(Cow::Borrowed)
}

/// A header's value: a string, a number, or the first present element of an
/// array (multi-valued headers, OpenTelemetry's `["v"]`).
fn value_text<'j>(v: &'j J<'_>) -> Option<Cow<'j, str>> {
    match v.unwrap_any() {
        J::Arr(items) => items.iter().find_map(value_text),
        J::Num(n) => Some(Cow::Owned(n.to_string())),
        other => other.text().map(Cow::Borrowed),
    }
}

/// Header names are equal ignoring ASCII case, with `-` and `_` the same.
pub(crate) fn name_eq(a: &str, b: &str) -> bool {
    bytes_eq(a.as_bytes(), b.as_bytes())
}

/// `name` ends with `suffix`, compared as [`name_eq`] does.
pub(crate) fn name_ends_with(name: &str, suffix: &str) -> bool {
    let (n, s) = (name.as_bytes(), suffix.as_bytes());
    n.len() >= s.len() && bytes_eq(&n[n.len() - s.len()..], s)
}

fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| fold(*x) == fold(*y))
}

fn fold(b: u8) -> u8 {
    if b == b'_' {
        b'-'
    } else {
        b.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::value::parse;

    fn one(container: &str, name: &str) -> Option<String> {
        let j = parse(container).unwrap();
        find_in(&j, &|n: &str| name_eq(n, name)).map(|c| c.into_owned())
    }

    #[test]
    fn every_container_form_is_read() {
        let want = Some("r1".to_string());
        assert_eq!(one(r#"{"X-Request-Id":"r1"}"#, "x-request-id"), want);
        assert_eq!(one(r#"{"x-request-id":["r1","r2"]}"#, "X-Request-Id"), want);
        assert_eq!(one(r#"[["X-Request-Id","r1"]]"#, "x-request-id"), want);
        assert_eq!(
            one(r#"["Host: a", "X-Request-Id:  r1 "]"#, "x-request-id"),
            want
        );
        assert_eq!(
            one(r#"[{"name":"X-Request-Id","value":"r1"}]"#, "x-request-id"),
            want
        );
        assert_eq!(
            one(r#""Host: a\r\nX-Request-Id: r1\r\n""#, "x-request-id"),
            want
        );
        assert_eq!(one(r#"{"x_request_id":"r1"}"#, "X-Request-Id"), want);
        assert_eq!(
            one(r#"{"Retry-After":42}"#, "retry-after"),
            Some("42".into())
        );
        assert_eq!(one(r#"{"X-Request-Id":"-"}"#, "x-request-id"), None);
    }

    #[test]
    fn suffix_match_folds_case_and_underscores() {
        assert!(name_ends_with("x-amzn-RequestId", "requestid"));
        assert!(name_ends_with("X_GitHub_Request_Id", "request-id"));
        assert!(!name_ends_with("id", "request-id"));
    }
}
