//! normalize::merge: how a log format's reading meets the generic probe's.
//! [`super::read_object`] calls [`overlay`] when the format claimed the line
//! (what the format found wins) and [`fill`] when a wrapper's outer reading
//! sits under the line it wraps (it fills only what is empty); both settle
//! the error code the same way.

use super::formats::read::Reading;
use super::{Normalized, looks_secret, route, scrub_owned};
use crate::model::Event;

/// A format's reading over the probe's: what the format found wins.
pub(super) fn overlay(n: &mut Normalized, r: Reading, name: &str) {
    let e = &mut n.event;
    if let Some(ts) = r.ts {
        e.ts = ts;
        n.has_ts = true;
    }
    if let Some(s) = r.status {
        if e.code.as_deref() == e.status.map(|old| format!("http_{old}")).as_deref() {
            e.code = None;
        }
        e.status = Some(s);
    }
    set(&mut e.request_id, r.request_id);
    replace(&mut e.trace_id, r.trace_id);
    replace(&mut e.service, r.service);
    replace(&mut e.method, r.method);
    if r.path.is_some() {
        e.route = r.path.as_deref().map(route::template);
        e.path = r.path;
    }
    replace(&mut e.message, r.message.map(scrub_owned));
    replace(&mut e.idempotency_key, r.idempotency_key);
    replace(&mut e.latency_ms, r.latency_ms);
    replace(&mut e.client, r.client.filter(|c| !looks_secret(c)));
    settle_code(e, r.code);
    e.format = Some(name.to_owned());
}

/// A wrapper's reading under the line it wraps: fills only what is empty.
pub(super) fn fill(n: &mut Normalized, r: Reading, name: &str) {
    let e = &mut n.event;
    if !n.has_ts {
        if let Some(ts) = r.ts {
            e.ts = ts;
            n.has_ts = true;
        }
    }
    if e.status.is_none() {
        e.status = r.status;
    }
    if e.request_id.is_empty() {
        set(&mut e.request_id, r.request_id);
    }
    e.trace_id = e.trace_id.take().or(r.trace_id);
    e.service = e.service.take().or(r.service);
    e.method = e.method.take().or(r.method);
    if e.path.is_none() && r.path.is_some() {
        e.route = r.path.as_deref().map(route::template);
        e.path = r.path;
    }
    e.idempotency_key = e.idempotency_key.take().or(r.idempotency_key);
    e.latency_ms = e.latency_ms.or(r.latency_ms);
    e.client = e.client.take().or(r.client.filter(|c| !looks_secret(c)));
    settle_code(e, r.code);
    e.format.get_or_insert_with(|| name.to_owned());
}

/// The code after a format's reading: its own code on a failure, else
/// `http_<status>` for a failing status the probe did not see.
fn settle_code(e: &mut Event, code: Option<String>) {
    let failing = e.status.is_none_or(|s| s >= 400);
    match (code, e.code.as_deref()) {
        (Some(c), None) if failing => e.code = Some(c),
        (Some(c), Some(old)) if failing && old.starts_with("http_") => e.code = Some(c),
        _ => {}
    }
    if e.code.is_none() {
        if let Some(s) = e.status.filter(|s| *s >= 400) {
            e.code = Some(format!("http_{s}"));
        }
    }
}

fn replace<T>(slot: &mut Option<T>, v: Option<T>) {
    if v.is_some() {
        *slot = v;
    }
}

fn set(slot: &mut String, v: Option<String>) {
    if let Some(v) = v.filter(|v| !v.is_empty()) {
        *slot = v;
    }
}
