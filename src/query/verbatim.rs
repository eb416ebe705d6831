//! verbatim: ids as users paste them, inside a query. A step of [`super::parse`]
//! that runs on each whitespace-separated token before tantivy sees it, so an
//! id holding tantivy's special characters (`0HLVPJD8N8PG5:00000001`,
//! `projects/p/traces/t`, `a+b=`) is searched for as written instead of
//! being a syntax error.
//!
//! The rule, per token (after a leading `-`/`+`/`(` and before a trailing `)`):
//!
//! - `field:value` with a known field keeps its meaning; a value with special
//!   characters is quoted (`path:/v1/bookings`), and a `trace_id:` value in
//!   any trace form becomes the bare id it carries.
//! - `name:value` where `name` is shaped like a field (lower-case letters and
//!   `_`) but is not one stays as is, so tantivy reports the unknown field
//!   with the list of real ones: a typo is not silently a search.
//! - Anything else with special characters is a bare id: quoted, so it is
//!   matched exactly in the id fields (and as a phrase in the message). A
//!   bare trace form (`00-<trace>-<span>-01`, `Root=1-…`) also matches the
//!   trace id it carries, and an X-Ray or W3C trace id also matches its
//!   twin in the other notation, as `find` does.
//! - A pasted trace header (`traceparent: 00-…`, with or without the space
//!   after the colon) is a bare id too: its name is not a field.

use crate::normalize::{bare_trace_id, is_trace_header, trace_id_from, xray_twin};

use super::parse::is_field;

/// Rewrite one query token so ids in it are taken verbatim.
pub(crate) fn token(token: &str) -> String {
    let sign = usize::from(token.starts_with(['-', '+']));
    let parens = token[sign..].len() - token[sign..].trim_start_matches('(').len();
    let (pre, rest) = token.split_at(sign + parens);
    let core = rest.trim_end_matches(')');
    let post = &rest[core.len()..];
    let rewritten = match core.split_once(':') {
        _ if untouchable(core) => return token.to_string(),
        _ if is_trace_header(core) => bare(core),
        Some((field, value)) if is_field(field) => field_value(field, value),
        Some((field, value)) if field_shaped(field) && !value.starts_with("//") => {
            return token.to_string();
        }
        _ => bare(core),
    };
    match rewritten {
        Some(r) => format!("{pre}{r}{post}"),
        None => token.to_string(),
    }
}

/// Tokens that are query syntax, not ids: empty, quoted, ranges, sets,
/// boolean operators, `*`.
fn untouchable(core: &str) -> bool {
    core.is_empty()
        || core.starts_with(['"', '[', '{'])
        || matches!(core, "AND" | "OR" | "NOT" | "IN" | "*")
}

/// `[a-z][a-z_]*`: the shape of every field name.
fn field_shaped(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// True when tantivy would not read `s` as one plain word.
fn needs_quotes(s: &str) -> bool {
    !s.chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
        || s.starts_with('-')
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A known field's value: quoted when needed, a trace form made bare.
fn field_value(field: &str, value: &str) -> Option<String> {
    let syntax = value.is_empty() || value.starts_with(['"', '[', '{', '(', '>', '<', '*']);
    if syntax {
        return None;
    }
    let value = if field == "trace_id" {
        bare_trace_id(value)
    } else {
        value
    };
    if !needs_quotes(value) {
        return Some(format!("{field}:{value}"));
    }
    Some(format!("{field}:{}", quoted(value)))
}

/// A bare id: quoted when needed; a trace form also matches its trace id,
/// and a trace id its X-Ray/W3C twin.
fn bare(core: &str) -> Option<String> {
    let word = if needs_quotes(core) {
        quoted(core)
    } else {
        core.to_string()
    };
    let carried = trace_id_from(core);
    let traces: Vec<String> = carried
        .map(str::to_owned)
        .into_iter()
        .chain(xray_twin(carried.unwrap_or(core)))
        .map(|t| format!("trace_id:{}", quoted(&t)))
        .collect();
    if traces.is_empty() {
        return Some(word);
    }
    Some(format!("({} OR {word})", traces.join(" OR ")))
}

/// Join a trace header's name pasted with a space after its colon to the
/// value that follows (`traceparent:` `00-…` → `traceparent: 00-…` read as
/// one id), so the name is never read as a field.
pub(crate) fn join_pasted_headers(tokens: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut tokens = tokens.into_iter().peekable();
    while let Some(t) = tokens.next() {
        let name_only = t.ends_with(':') && is_trace_header(&t) && !t.contains(' ');
        match tokens.peek() {
            Some(next) if name_only && !untouchable(next) => {
                let next = tokens.next().expect("peeked");
                out.push(format!("{t}{next}"));
            }
            _ => out.push(t),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_quoted_fields_kept() {
        let cases = [
            ("0HLVPJD8N8PG5:00000001", r#""0HLVPJD8N8PG5:00000001""#),
            ("-0HLVPJD8N8PG5:00000001", r#"-"0HLVPJD8N8PG5:00000001""#),
            ("(a/b+c=)", r#"("a/b+c=")"#),
            ("req_2N7s8x9KqR", "req_2N7s8x9KqR"),
            ("bbb65692-c3ab-4cc9", "bbb65692-c3ab-4cc9"),
            (
                "request_id:0HLVPJD8N8PG5:00000001",
                r#"request_id:"0HLVPJD8N8PG5:00000001""#,
            ),
            ("path:/v1/bookings", r#"path:"/v1/bookings""#),
            ("code:x", "code:x"),
            ("nosuch:field", "nosuch:field"),
            ("https://x.example/a", r#""https://x.example/a""#),
            (r#""already quoted""#, r#""already quoted""#),
            ("status:>=500", "status:>=500"),
            ("AND", "AND"),
            ("*", "*"),
            ("trace_id:projects/p/traces/abc", "trace_id:abc"),
            (
                "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
                r#"(trace_id:"1-5759e988-bd862e3fe1be46a994272793" OR trace_id:"5759e988bd862e3fe1be46a994272793" OR "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")"#,
            ),
            (r#"a"b"#, r#""a\"b""#),
            (
                "traceparent:00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                r#"(trace_id:"4bf92f3577b34da6a3ce929d0e0e4736" OR trace_id:"1-4bf92f35-77b34da6a3ce929d0e0e4736" OR "traceparent:00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")"#,
            ),
            (
                "5759e988bd862e3fe1be46a994272793",
                r#"(trace_id:"1-5759e988-bd862e3fe1be46a994272793" OR 5759e988bd862e3fe1be46a994272793)"#,
            ),
            (
                "1-5759e988-bd862e3fe1be46a994272793",
                r#"(trace_id:"5759e988bd862e3fe1be46a994272793" OR 1-5759e988-bd862e3fe1be46a994272793)"#,
            ),
        ];
        for (input, want) in cases {
            assert_eq!(token(input), want, "{input}");
        }
    }

    #[test]
    fn a_header_name_pasted_before_its_value_joins_it() {
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            join_pasted_headers(t(&["traceparent:", "00-ab-cd-01", "status:5xx"])),
            t(&["traceparent:00-ab-cd-01", "status:5xx"])
        );
        assert_eq!(
            join_pasted_headers(t(&["X-Amzn-Trace-Id:", "Root=1-a-b"])),
            t(&["X-Amzn-Trace-Id:Root=1-a-b"])
        );
        for kept in [
            &["status:", "500"][..],
            &["traceparent:", "AND"][..],
            &["traceparent:"][..],
        ] {
            assert_eq!(join_pasted_headers(t(kept)), t(kept));
        }
    }
}
