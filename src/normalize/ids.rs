//! ids: a trace id from any of the forms logs and users carry it in. Used by
//! normalization (so stored trace ids are bare) and by `find` (so a pasted
//! header resolves to the id it carries). Pure string work, no allocation.
//!
//! Forms: a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`), Google
//! Cloud's `projects/<p>/traces/<t>` and `X-Cloud-Trace-Context`
//! (`<t>/<span>;o=1`), an `X-Amzn-Trace-Id` header (`Root=1-…;Parent=…;
//! Sampled=1`, any order, `Self=` ignored), B3 single (`<trace>-<span>[-<s>
//! [-<parent>]]`); each optionally with its header name in front
//! (`traceparent: …`, `b3: …`, `X-B3-TraceId: …`).

/// Header names a pasted value may start with (`name: value`).
const HEADER_NAMES: [&str; 6] = [
    "traceparent",
    "b3",
    "x-b3-traceid",
    "x-amzn-trace-id",
    "x-cloud-trace-context",
    "trace",
];

/// The trace id carried by `s`, when `s` is one of the wrapped forms above;
/// `None` for anything else (a bare id is already what it is: see
/// [`bare_trace_id`]).
pub fn trace_id_from(s: &str) -> Option<&str> {
    // Every wrapped form has one of these (most logged ids are bare hex).
    if !s
        .bytes()
        .any(|b| matches!(b, b'-' | b'/' | b';' | b':' | b'='))
    {
        return None;
    }
    let s = strip_header_name(s.trim());
    traceparent(s)
        .or_else(|| gcp_resource(s))
        .or_else(|| amzn_root(s))
        .or_else(|| b3_single(s))
        .or_else(|| cloud_trace_context(s))
}

/// `s` as a bare trace id: the id a wrapped form carries, else `s` itself
/// (trimmed, and without a known header name in front).
pub fn bare_trace_id(s: &str) -> &str {
    trace_id_from(s).unwrap_or_else(|| strip_header_name(s.trim()))
}

/// The same trace in the other notation: AWS X-Ray's
/// `1-<8 hex epoch>-<24 hex>` and the W3C/OpenTelemetry 32-hex id it maps
/// to (X-Ray writes one, OpenTelemetry SDKs on AWS log the other).
pub fn xray_twin(trace: &str) -> Option<String> {
    let trace = trace.trim();
    if let Some(rest) = trace.strip_prefix("1-") {
        let (epoch, unique) = rest.split_once('-')?;
        return (hex(epoch, &[8]) && hex(unique, &[24])).then(|| format!("{epoch}{unique}"));
    }
    hex(trace, &[32]).then(|| format!("1-{}-{}", &trace[..8], &trace[8..]))
}

/// True when `s` starts with a trace header's name and a colon
/// (`traceparent: 00-…`, `X-Amzn-Trace-Id:`): a pasted header, never a
/// query field.
pub fn is_trace_header(s: &str) -> bool {
    let s = s.trim();
    s.contains(':') && strip_header_name(s).len() != s.len()
}

/// `traceparent: 00-…` → `00-…`; only known trace header names are cut, so
/// an id holding a colon (`0HLVPJD8N8PG5:00000001`) stays whole.
fn strip_header_name(s: &str) -> &str {
    let Some((name, value)) = s.split_once(':') else {
        return s;
    };
    let name = name.trim();
    if HEADER_NAMES.iter().any(|h| h.eq_ignore_ascii_case(name)) {
        value.trim()
    } else {
        s
    }
}

fn hex(s: &str, lens: &[usize]) -> bool {
    lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `00-<32 hex trace id>-<16 hex span id>[-<2 hex flags>]` → the trace id.
fn traceparent(s: &str) -> Option<&str> {
    let mut parts = s.split('-');
    let (version, trace, span) = (parts.next()?, parts.next()?, parts.next()?);
    let flags_ok = parts.next().is_none_or(|f| hex(f, &[2]));
    (hex(version, &[2]) && hex(trace, &[32]) && hex(span, &[16]) && flags_ok).then_some(trace)
}

/// `projects/<project>/traces/<trace id>` (Cloud Logging's `trace`).
fn gcp_resource(s: &str) -> Option<&str> {
    let rest = s.strip_prefix("projects/")?;
    let (_project, trace) = rest.split_once("/traces/")?;
    (!trace.is_empty() && !trace.contains('/')).then_some(trace)
}

/// `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=…;Sampled=1` → the Root.
fn amzn_root(s: &str) -> Option<&str> {
    s.split(';')
        .find_map(|part| {
            let (k, v) = part.trim().split_once('=')?;
            k.trim().eq_ignore_ascii_case("root").then(|| v.trim())
        })
        .filter(|root| !root.is_empty())
}

/// B3 single header: `<16|32 hex trace>-<16 hex span>[-<0|1|d>[-<16 hex>]]`.
fn b3_single(s: &str) -> Option<&str> {
    let mut parts = s.split('-');
    let (trace, span) = (parts.next()?, parts.next()?);
    let sampled_ok = parts.next().is_none_or(|p| matches!(p, "0" | "1" | "d"));
    let parent_ok = parts.next().is_none_or(|p| hex(p, &[16]));
    let ok = hex(trace, &[16, 32]) && hex(span, &[16]) && sampled_ok && parent_ok;
    (ok && parts.next().is_none()).then_some(trace)
}

/// `X-Cloud-Trace-Context: <32 hex trace>/<decimal span>[;o=1]`.
fn cloud_trace_context(s: &str) -> Option<&str> {
    let (trace, rest) = s.split_once('/')?;
    let span = rest.split(';').next()?;
    (hex(trace, &[32]) && !span.is_empty() && span.bytes().all(|b| b.is_ascii_digit()))
        .then_some(trace)
}

#[cfg(test)]
mod tests {
    use super::*;

    const W3C: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    #[test]
    fn every_form_yields_its_trace_id() {
        let cases = [
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                W3C,
            ),
            ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", W3C),
            (
                "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
                W3C,
            ),
            (
                "projects/my-proj/traces/4bf92f3577b34da6a3ce929d0e0e4736",
                W3C,
            ),
            (
                "4bf92f3577b34da6a3ce929d0e0e4736/2205310701640571284;o=1",
                W3C,
            ),
            (
                "Root=1-5759e988-bd862e3fe1be46a994272793",
                "1-5759e988-bd862e3fe1be46a994272793",
            ),
            (
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
                "1-5759e988-bd862e3fe1be46a994272793",
            ),
            (
                "X-Amzn-Trace-Id: Self=1-67891234-12456789abcdef012345678;Root=1-5759e988-bd862e3fe1be46a994272793",
                "1-5759e988-bd862e3fe1be46a994272793",
            ),
            (
                "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90",
                "80f198ee56343ba864fe8b2a57d3eff7",
            ),
            (
                "b3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d",
                "80f198ee56343ba864fe8b2a57d3eff7",
            ),
            ("463ac35c9f6413ad-72cd6c3e2c0f5b81", "463ac35c9f6413ad"),
        ];
        for (input, want) in cases {
            assert_eq!(trace_id_from(input), Some(want), "{input}");
            assert_eq!(bare_trace_id(input), want, "{input}");
        }
    }

    #[test]
    fn xray_and_w3c_notations_are_twins() {
        let xray = "1-5759e988-bd862e3fe1be46a994272793";
        let w3c = "5759e988bd862e3fe1be46a994272793";
        assert_eq!(xray_twin(xray).as_deref(), Some(w3c));
        assert_eq!(xray_twin(w3c).as_deref(), Some(xray));
        assert_eq!(xray_twin("req_1"), None);
        assert_eq!(xray_twin("1-xyz-abc"), None);
    }

    #[test]
    fn bare_and_foreign_ids_are_left_alone() {
        for id in [
            "0HLVPJD8N8PG5:00000001",
            "req_2N7s8x9KqR",
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "1-5759e988-bd862e3fe1be46a994272793",
            "bbb65692-c3ab-4cc9-9761-7f02278df577",
            "00-xyz-1-01",
            "a/b+c=",
            "",
        ] {
            assert_eq!(trace_id_from(id), None, "{id}");
            assert_eq!(bare_trace_id(id), id, "{id}");
        }
        assert_eq!(
            bare_trace_id("X-B3-TraceId: 463ac35c9f6413ad"),
            "463ac35c9f6413ad"
        );
    }

    #[test]
    fn pasted_headers_are_told_from_fields_and_colon_ids() {
        for h in [
            "traceparent:",
            "Traceparent: 00-ab",
            "X-Amzn-Trace-Id:Root=1",
            "b3: x",
        ] {
            assert!(is_trace_header(h), "{h}");
        }
        for id in [
            "0HLVPJD8N8PG5:00000001",
            "status:500",
            "traceparent",
            "trace_id:abc",
        ] {
            assert!(!is_trace_header(id), "{id}");
        }
    }
}
