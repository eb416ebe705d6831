//! Log formats (DESIGN "Log formats"): each built-in read from lines written
//! after its own documentation, every field asserted with its unit; the
//! probe filling what a format leaves empty; wrappers read line by line.

#[path = "formats/apps.rs"]
mod apps;
#[path = "formats/proxies.rs"]
mod proxies;
#[path = "formats/shippers.rs"]
mod shippers;

use errtriage::model::{Event, Source};
use errtriage::normalize::{Normalized, normalize};

/// Normalize a line that must be JSON.
pub fn n(line: &str) -> Normalized {
    normalize(line, Source::default()).unwrap_or_else(|e| panic!("{e:?}: {line}"))
}

/// The Event's fields as `--json` writes them.
pub fn json(line: &str) -> serde_json::Value {
    let n = n(line);
    assert!(n.has_ts, "no time read: {line}");
    serde_json::to_value(&n.event).unwrap()
}

/// Assert every listed field of an event's JSON, and that the rest of the
/// Event fields are absent (null), so nothing is read by accident.
pub fn assert_fields(line: &str, want: serde_json::Value) -> serde_json::Value {
    let got = json(line);
    let want = want.as_object().unwrap();
    for (k, v) in want {
        match (v, &got[k]) {
            (serde_json::Value::Number(a), serde_json::Value::Number(b)) => {
                let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
                assert!((a - b).abs() < 1e-6, "{k}: want {a}, got {b}\n{line}");
            }
            _ => assert_eq!(&got[k], v, "field {k} of {line}"),
        }
    }
    for k in [
        "trace_id",
        "service",
        "method",
        "path",
        "status",
        "code",
        "message",
        "idempotency_key",
        "latency_ms",
        "client",
    ] {
        if !want.contains_key(k) {
            assert!(
                got[k].is_null(),
                "{k} should be absent, got {}\n{line}",
                got[k]
            );
        }
    }
    got
}

pub fn event(line: &str) -> Event {
    n(line).event
}
