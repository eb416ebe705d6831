//! Reading one line by a log format: follow the format's paths for each
//! Event field, in its units, and its header maps for the ids a proxy
//! logs as headers. What a path does not yield stays empty; the generic
//! probe fills it (normalize's `overlay`).

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::Format;
use super::spec::{CodeForm, LatencyUnit, Paths, ServiceForm, TimeUnit};
use crate::normalize::envelope;
use crate::normalize::time::{self, Unit};
use crate::normalize::value::{self, J, Obj};

/// What a format read from a line; `keys` says which path gave each field.
#[derive(Debug, Default)]
pub(crate) struct Reading<'f> {
    pub ts: Option<DateTime<Utc>>,
    pub request_id: Option<String>,
    pub trace_id: Option<String>,
    pub service: Option<String>,
    pub method: Option<String>,
    pub path: Option<String>,
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: Option<String>,
    pub idempotency_key: Option<String>,
    pub latency_ms: Option<f64>,
    pub client: Option<String>,
    /// (Event field, the path or header it came from).
    pub keys: Vec<(&'static str, &'f str)>,
}

/// Read `obj` by `fmt`.
pub(crate) fn read<'f>(fmt: &'f Format, obj: &Obj) -> Reading<'f> {
    let f = &fmt.file.fields;
    let units = &fmt.file.units;
    let mut k = Vec::new();
    let text = |j: &J| j.id().map(|s| s.trim().to_owned());
    let mut r = Reading {
        request_id: take(obj, &mut k, "request_id", &f.request_id, text),
        trace_id: take(obj, &mut k, "trace_id", &f.trace_id, |j| {
            j.id().map(|t| bare_trace(&t))
        }),
        service: take(obj, &mut k, "service", &f.service, |j| {
            let s = j.text()?;
            match units.service {
                Some(ServiceForm::Host) => host_label(s),
                Some(ServiceForm::Qualified) => {
                    value::present(s.split('@').next()?).map(|n| n.trim().to_owned())
                }
                _ => Some(s.to_owned()),
            }
        }),
        method: take(obj, &mut k, "method", &f.method, |j| method(j.text()?)),
        path: take(obj, &mut k, "path", &f.path, |j| url_path(j.text()?)),
        status: take(obj, &mut k, "status", &f.status, |j| j.status()),
        code: take(obj, &mut k, "code", &f.code, |j| {
            let code = text(j)?;
            let any = units.code != Some(CodeForm::CodeLike);
            (any || envelope::looks_like_code(&code)).then_some(code)
        }),
        latency_ms: take(obj, &mut k, "latency_ms", &f.latency_ms, |j| {
            latency(j, units.latency)
        }),
        ts: take(obj, &mut k, "ts", &f.ts, |j| {
            timestamp(j, units.ts.as_ref())
        }),
        idempotency_key: take(obj, &mut k, "idempotency_key", &f.idempotency_key, |j| {
            Some(j.text()?.trim_matches('"').to_owned())
        }),
        client: take(obj, &mut k, "client", &f.client, text),
        ..Reading::default()
    };
    r.message = take(obj, &mut k, "message", &f.message, message_text)
        .or_else(|| {
            take(obj, &mut k, "message", &f.message_template, |j| {
                render(j.text()?, obj)
            })
        })
        .or_else(|| {
            take(obj, &mut k, "message", &f.exception, |j| {
                first_line(j.text()?)
            })
        });
    r.keys = k;
    from_headers(fmt, obj, &mut r);
    r
}

/// The first of `paths` that yields a value; its path is recorded in `keys`.
fn take<'f, T>(
    obj: &Obj,
    keys: &mut Vec<(&'static str, &'f str)>,
    field: &'static str,
    paths: &'f Paths,
    parse: impl Fn(&J) -> Option<T>,
) -> Option<T> {
    paths.0.iter().find_map(|p| {
        let v = parse(get(obj, p)?)?;
        keys.push((field, p.as_str()));
        Some(v)
    })
}

/// Follow a format path: dotted, any case (as the probe's), where `[]`
/// means "the first element of this list that has the rest"
/// (`Scopes[].RequestId`) and `list{key}` the value named `key` in an
/// OpenTelemetry attribute list (`attributes{error.type}`).
pub(crate) fn get<'j, 'a>(obj: &'j Obj<'a>, path: &str) -> Option<&'j J<'a>> {
    let Some((head, rest)) = path.split_once("[]") else {
        return match path.split_once('{') {
            Some((list, key)) => attribute(obj, list, key.strip_suffix('}')?),
            None => value::get(obj, path),
        };
    };
    let J::Arr(items) = value::get(obj, head)? else {
        return None;
    };
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    items.iter().find_map(|item| match item {
        _ if rest.is_empty() => Some(item),
        J::Obj(o) => get(o, rest),
        _ => None,
    })
}

/// `attributes{error.type}`: the value named `key` in an OpenTelemetry
/// attribute list (`[{"key": …, "value": {…}}]`) at `list`.
fn attribute<'j, 'a>(obj: &'j Obj<'a>, list: &str, key: &str) -> Option<&'j J<'a>> {
    let J::Arr(items) = value::get(obj, list)? else {
        return None;
    };
    items.iter().find_map(|item| {
        let kv = item.as_obj()?;
        let named = value::member(kv, "key")?.text()? == key;
        named.then(|| value::member(kv, "value"))?
    })
}

/// Ids a proxy logs as headers: the request id (response side first), the
/// trace id and the Idempotency-Key, when the format's paths named none.
fn from_headers<'f>(fmt: &'f Format, obj: &Obj, r: &mut Reading<'f>) {
    let h = &fmt.file.headers;
    if h.request.0.is_empty() && h.response.0.is_empty() {
        return;
    }
    let maps = |paths: &'f Paths| {
        paths
            .0
            .iter()
            .filter_map(|p| get(obj, p).map(|v| (v, p.as_str())))
            .collect::<Vec<_>>()
    };
    let (req, resp) = (maps(&h.request), maps(&h.response));
    let find = |maps: &[(&J, &'f str)], want: &dyn Fn(&str) -> bool| {
        maps.iter()
            .find_map(|(v, p)| header(v, want).map(|found| (found, *p)))
    };
    let is_id = |n: &str| {
        (n.ends_with("request-id") || n.ends_with("requestid")) && !n.ends_with("client-request-id")
    };
    if r.request_id.is_none() {
        if let Some((id, p)) = find(&resp, &is_id).or_else(|| find(&req, &is_id)) {
            r.request_id = Some(id);
            r.keys.push(("request_id", p));
        }
    }
    if r.trace_id.is_none() {
        let trace = |n: &str| {
            matches!(
                n,
                "traceparent" | "x-cloud-trace-context" | "x-b3-traceid" | "x-amzn-trace-id"
            )
        };
        if let Some((t, p)) = find(&req, &trace).or_else(|| find(&resp, &trace)) {
            r.trace_id = Some(bare_trace(&t));
            r.keys.push(("trace_id", p));
        }
    }
    if r.idempotency_key.is_none() {
        let idem = |n: &str| n == "idempotency-key" || n == "x-idempotency-key";
        if let Some((k, p)) = find(&req, &idem) {
            r.idempotency_key = Some(k.trim_matches('"').to_owned());
            r.keys.push(("idempotency_key", p));
        }
    }
}

/// A header's value from a map, `[name, value]` pairs, `"Name: value"`
/// strings, or raw header text (bunyan's `res.header`). `want` gets the
/// name lower-cased with `_` as `-`.
fn header(v: &J, want: &dyn Fn(&str) -> bool) -> Option<String> {
    let name_ok = |n: &str| want(&n.trim().to_ascii_lowercase().replace('_', "-"));
    let from_line = |l: &str| {
        let (n, v) = l.split_once(':')?;
        name_ok(n).then(|| value::present(v).map(str::to_owned))?
    };
    match v.unwrap_any() {
        J::Obj(o) => o.iter().find_map(|(k, v)| {
            if !name_ok(k) {
                return None;
            }
            match v.unwrap_any() {
                J::Arr(items) => items.first()?.id().map(Cow::into_owned),
                other => other.id().map(Cow::into_owned),
            }
        }),
        J::Str(s) => s.lines().find_map(from_line),
        J::Arr(items) => items.iter().find_map(|item| match item {
            J::Str(s) => from_line(s),
            J::Arr(pair) if pair.len() == 2 => {
                name_ok(pair[0].text()?).then(|| pair[1].id().map(Cow::into_owned))?
            }
            _ => None,
        }),
        _ => None,
    }
}

/// A trace id as users paste it, reduced to the bare id: W3C traceparent,
/// Google's `projects/<p>/traces/<t>`, `X-Cloud-Trace-Context`'s
/// `<t>/<span>;o=1`, X-Amzn-Trace-Id's `Root=…`.
pub(crate) fn bare_trace(t: &str) -> String {
    let t = t.trim();
    if let Some((_, rest)) = t.split_once("/traces/") {
        return rest.split('/').next().unwrap_or(rest).to_owned();
    }
    if let Some(root) = t.split(';').find_map(|p| p.trim().strip_prefix("Root=")) {
        return root.to_owned();
    }
    let parts: Vec<&str> = t.split('-').collect();
    let hex = |s: &str, n| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    if parts.len() == 4 && hex(parts[1], 32) && hex(parts[2], 16) {
        return parts[1].to_owned();
    }
    match t.split_once('/') {
        Some((trace, _)) if hex(trace, 32) => trace.to_owned(),
        _ => t.to_owned(),
    }
}

/// A host's first label (`api-1.internal:443` → `api-1`); not an IP address.
fn host_label(host: &str) -> Option<String> {
    let label = host.split(['.', ':']).next()?;
    let ok = !label.is_empty() && !label.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| label.to_owned())
}

/// A method, or the first word of a request line (`GET /x HTTP/1.1`).
fn method(m: &str) -> Option<String> {
    let m = m.split_whitespace().next()?;
    let ok = m.len() <= 20 && m.bytes().all(|b| b.is_ascii_alphabetic());
    ok.then(|| m.to_ascii_uppercase())
}

/// The path of a path or URL, without query or fragment.
fn url_path(u: &str) -> Option<String> {
    // A request line: `GET /v1/x?q HTTP/1.1`.
    let u = match u.split_whitespace().collect::<Vec<_>>()[..] {
        [_, target, ..] => target,
        _ => u,
    };
    let rest = match u.find("://") {
        Some(i) => {
            let after = &u[i + 3..];
            after.find('/').map_or("/", |j| &after[j..])
        }
        None => u,
    };
    let p = rest.split(['?', '#']).next()?;
    (!p.is_empty()).then(|| p.to_owned())
}

/// A latency in ms from a value in `unit` (unknown: a number of ms or text
/// with a unit). Negative, non-finite or absurd values are not latencies.
fn latency(j: &J, unit: Option<LatencyUnit>) -> Option<f64> {
    let by_unit = |u: Unit| j.num().map(|n| u.to_ms(n));
    let ms = match unit {
        Some(LatencyUnit::Ns) => by_unit(Unit::Ns),
        Some(LatencyUnit::Us) => by_unit(Unit::Us),
        Some(LatencyUnit::Ms) => by_unit(Unit::Ms),
        Some(LatencyUnit::S) => by_unit(Unit::S),
        Some(LatencyUnit::Text) | None => j.num().or_else(|| time::duration_ms(j.text()?)),
    }?;
    (ms.is_finite() && (0.0..1e9).contains(&ms)).then_some(ms)
}

/// A time in the format's unit or layout; `auto` is the probe's parser.
fn timestamp(j: &J, unit: Option<&TimeUnit>) -> Option<DateTime<Utc>> {
    let epoch = |div: f64| {
        // Rounded to the microsecond: 1778752800.123 s is not exact in f64.
        let ns = (j.num()? * (1e6 / div)).round() * 1e3;
        (ns.is_finite() && ns > 0.0 && ns < 9.2e18)
            .then(|| DateTime::from_timestamp_nanos(ns as i64))
    };
    match unit {
        None | Some(TimeUnit::Auto) => time::parse_value(j),
        Some(TimeUnit::S) => epoch(1.0),
        Some(TimeUnit::Ms) => exact_epoch(j, 1_000_000).or_else(|| epoch(1e3)),
        Some(TimeUnit::Us) => exact_epoch(j, 1_000).or_else(|| epoch(1e6)),
        Some(TimeUnit::Ns) => exact_epoch(j, 1).or_else(|| epoch(1e9)),
        Some(TimeUnit::Layout(layout)) => {
            let s = j.text()?;
            DateTime::parse_from_str(s, layout)
                .map(|t| t.with_timezone(&Utc))
                .or_else(|_| NaiveDateTime::parse_from_str(s, layout).map(|t| t.and_utc()))
                .ok()
        }
    }
}

/// An integer epoch (or integer text) scaled to ns without float rounding;
/// zero (OTLP's "unset") is no time.
fn exact_epoch(j: &J, ns_per: i64) -> Option<DateTime<Utc>> {
    let n: i64 = match j.unwrap_any() {
        J::Num(n) => n.as_i64()?,
        J::Str(s) => value::present(s)?.parse().ok()?,
        _ => return None,
    };
    (n > 0).then_some(())?;
    Some(DateTime::from_timestamp_nanos(n.checked_mul(ns_per)?))
}

/// A message: text, or an error object's `message`.
fn message_text(j: &J) -> Option<String> {
    match j.unwrap_any() {
        J::Obj(o) => value::member(o, "message")?.text().map(str::to_owned),
        other => other.text().map(str::to_owned),
    }
}

fn first_line(s: &str) -> Option<String> {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
}

/// Render a message template (`Payment {PaymentId} failed in {Elapsed:0.0} ms`)
/// with the line's properties (top level, or under `Properties`); a hole
/// with no property stays as written.
fn render(template: &str, obj: &Obj) -> Option<String> {
    let props = value::member(obj, "Properties").and_then(J::as_obj);
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open].replace("}}", "}"));
        let after = &rest[open + 1..];
        if let Some(tail) = after.strip_prefix('{') {
            out.push('{');
            rest = tail;
            continue;
        }
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return Some(out);
        };
        let hole = &after[..close];
        let name = hole.trim_start_matches(['@', '$']);
        let name = name.split([':', ',']).next().unwrap_or(name);
        let v = value::member(obj, name).or_else(|| props.and_then(|p| value::member(p, name)));
        match v.map(J::unwrap_any) {
            Some(J::Str(s)) => out.push_str(s),
            Some(J::Num(n)) => out.push_str(&n.to_string()),
            Some(J::Bool(b)) => out.push_str(if *b { "True" } else { "False" }),
            Some(other) => out.push_str(&other.to_value(&|s| s.to_owned()).to_string()),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(&rest.replace("}}", "}"));
    value::present(&out).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_are_bare() {
        let t = "4bf92f3577b34da6a3ce929d0e0e4736";
        assert_eq!(bare_trace(&format!("projects/my-proj/traces/{t}")), t);
        assert_eq!(bare_trace(&format!("00-{t}-00f067aa0ba902b7-01")), t);
        assert_eq!(bare_trace(&format!("{t}/1;o=1")), t);
        assert_eq!(
            bare_trace("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"),
            "1-5759e988-bd862e3fe1be46a994272793"
        );
        assert_eq!(bare_trace("abc"), "abc");
    }

    #[test]
    fn templates_render_with_properties() {
        let j = value::parse(
            r#"{"@mt":"Paid {Order} in {Ms:0.0} ms {{x}} {Missing}","Order":"o_1","Ms":12.5}"#,
        )
        .unwrap();
        let J::Obj(o) = &j else { panic!() };
        assert_eq!(
            render("Paid {Order} in {Ms:0.0} ms {{x}} {Missing}", o).unwrap(),
            "Paid o_1 in 12.5 ms {x} {Missing}"
        );
    }
}
