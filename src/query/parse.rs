//! parse: the one query type for TUI and CLI. tantivy's query syntax over the
//! Event fields, plus what support staff type without thinking: a bare
//! request id or idempotency key, `status:5xx`, `since:2h`, `until:2026-05-14`.
//! Those shorthands are spelled out token by token, then the text is read
//! once into an [`Expr`] ([`super::grammar`]) that every store translates:
//! a malformed query is a clear error here, never a crash.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

use super::ast::{Expr, Field};
use super::{grammar, verbatim};
use crate::index::schema::ts_range;

/// A parsed query, ready to run against any [`crate::store::Store`].
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// What the user typed.
    pub text: String,
    /// The time bounds given by `since:`/`until:`, if any.
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// What it means (the bounds above included, as `ts` ranges).
    pub expr: Expr,
}

/// Why a query could not be parsed, in words fit for an inline error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

impl Query {
    /// Every event.
    pub fn all() -> Query {
        Query {
            text: String::new(),
            since: None,
            until: None,
            expr: Expr::All,
        }
    }

    /// True when the query names the status, code or class: the error rate
    /// of its groups would then say nothing (every event already failed).
    pub fn restricts_status(&self) -> bool {
        self.expr
            .fields()
            .iter()
            .any(|f| matches!(f, Field::Status | Field::Code | Field::Class))
    }

    /// Parse `text`; `now` anchors relative times like `since:2h`.
    pub fn parse(text: &str, now: DateTime<Utc>) -> Result<Query, QueryError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(Query {
                text: text.to_string(),
                ..Query::all()
            });
        }
        check_depth(trimmed)?;
        let mut since = None;
        let mut until = None;
        let mut parts = Vec::new();
        for token in negations(verbatim::join_pasted_headers(split_tokens(trimmed))) {
            parts.push(rewrite(&token, now, &mut since, &mut until)?);
        }
        // A purely negative query means "everything except": give it the
        // positive clause a boolean query needs (tantivy's issue #1980).
        if parts.iter().all(|p| p.starts_with('-')) {
            parts.insert(0, "*".into());
        }
        let rewritten = parts.join(" ");
        let expr = if rewritten.trim().is_empty() {
            Expr::All
        } else {
            grammar::read(&rewritten, trimmed)?.unwrap_or(Expr::Or(Vec::new()))
        };
        Ok(Query {
            text: text.to_string(),
            since,
            until,
            expr,
        })
    }
}

/// True for a field of the query language (or a `since:`/`until:` shorthand).
pub(crate) fn is_field(name: &str) -> bool {
    matches!(name, "since" | "until") || grammar::known_name(name)
}

/// A token's `[-+]?(*` prefix, its body and its `)*` suffix: the shape
/// of the shorthands we rewrite is `[-+(]field:value[)]`. Read by hand,
/// not by a regex: compiling one per process was ~7% of a one-shot
/// `search` (BENCHMARKS.md, "One-shot start-up work").
fn affixes(token: &str) -> (&str, &str, &str) {
    let sign = usize::from(token.starts_with(['-', '+']));
    let open = token[sign..].len() - token[sign..].trim_start_matches('(').len();
    let (pre, rest) = token.split_at(sign + open);
    let body = rest.trim_end_matches(')');
    (pre, body, &rest[body.len()..])
}

/// `[-+(]field:value[)]` for the fields with shorthands (`status`,
/// `since`, `until`, `method`): prefix, field, value, suffix. The value has
/// no parenthesis or white space.
fn shorthand(token: &str) -> Option<(&str, &str, &str, &str)> {
    let (pre, body, post) = affixes(token);
    let (field, value) = body.split_once(':')?;
    let plain = |c: char| c != '(' && c != ')' && !c.is_whitespace();
    let ok = matches!(field, "status" | "since" | "until" | "method")
        && !value.is_empty()
        && value.chars().all(plain);
    ok.then_some((pre, field, value, post))
}

/// Split on whitespace outside quotes and range brackets.
fn split_tokens(s: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut depth, mut escaped) = (false, 0i32, false);
    for c in s.chars() {
        if std::mem::take(&mut escaped) {
            cur.push(c);
            continue;
        }
        match c {
            // `\"` inside quotes is a quote in the value, not its end.
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            c if c.is_whitespace() && !quoted && depth <= 0 => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    tokens
}

/// `a AND NOT b` and `NOT b` → `a -b`: tantivy evaluates a lone `NOT b`
/// clause as matching nothing, so `a AND NOT b` would find nothing (its
/// issue #2584). The `-` prefix excludes within the enclosing conjunction.
fn negations(tokens: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut tokens = tokens.into_iter().peekable();
    while let Some(t) = tokens.next() {
        let parens = &t[..t.len() - t.trim_start_matches('(').len()];
        if &t[parens.len()..] == "NOT" && tokens.peek().is_some() {
            if out.last().is_some_and(|p| p == "AND") {
                out.pop();
            }
            let next = tokens.next().expect("peeked");
            let (open, rest) = next.split_at(next.len() - next.trim_start_matches('(').len());
            out.push(format!("{parens}{open}-{rest}"));
        } else {
            out.push(t);
        }
    }
    out
}

/// "Every event where `field` has a value": `field:*`, `field:[* TO *]`
/// or `field:{* TO *}` (any brackets, any white space around `TO`), read
/// as [`Expr::Exists`] (tantivy's grammar drops an unbounded range
/// otherwise).
fn exists(token: &str) -> Option<String> {
    let (pre, body, post) = affixes(token);
    let (field, any) = body.split_once(':')?;
    let mut chars = field.chars();
    let ident = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    (ident && every_value(any) && grammar::known_name(field))
        .then(|| format!("{pre}{field}:*{post}"))
}

/// `*`, or a range open at both ends: `[`/`{`, `*`, white space, `TO`,
/// white space, `*`, `]`/`}`.
fn every_value(v: &str) -> bool {
    if v == "*" {
        return true;
    }
    let Some(inner) = v
        .strip_prefix(['[', '{'])
        .and_then(|r| r.strip_suffix([']', '}']))
    else {
        return false;
    };
    let Some(mid) = inner.strip_prefix('*').and_then(|r| r.strip_suffix('*')) else {
        return false;
    };
    let spaced = mid.starts_with(char::is_whitespace) && mid.ends_with(char::is_whitespace);
    spaced && mid.trim() == "TO"
}

fn rewrite(
    token: &str,
    now: DateTime<Utc>,
    since: &mut Option<DateTime<Utc>>,
    until: &mut Option<DateTime<Utc>>,
) -> Result<String, QueryError> {
    if let Some(rewritten) = exists(token) {
        return Ok(rewritten);
    }
    let Some((pre, field, value, post)) = shorthand(token) else {
        return Ok(verbatim::token(token));
    };
    let body = match field {
        "status" => match status_class(value) {
            Some(hundreds) => format!("status:[{hundreds}00 TO {hundreds}99]"),
            None => return Ok(verbatim::token(token)),
        },
        "method" => format!("method:{}", value.to_ascii_uppercase()),
        field => {
            let at = bound_time(field, value, now)?;
            let at_text = at.to_rfc3339_opts(SecondsFormat::Millis, true);
            if field == "since" {
                *since = Some(at);
                format!("ts:[{at_text} TO *]")
            } else {
                *until = Some(at);
                format!("ts:[* TO {at_text}}}")
            }
        }
    };
    Ok(format!("{pre}{body}{post}"))
}

/// The time a `since:`/`until:` value names, inside the index's range.
fn bound_time(field: &str, value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, QueryError> {
    if let Some(at) = parse_time(value, now) {
        return Ok(clamp_to_index(at));
    }
    let why = if looks_like_duration(value) {
        format!(
            "too far back; an index holds times from {} to {}",
            ts_range::min().format("%Y-%m-%d"),
            ts_range::max().format("%Y-%m-%d")
        )
    } else {
        "expected a duration like 30m, 2h, 7d or a time like 2026-05-14 or 2026-05-14T10:00:00Z"
            .into()
    };
    Err(QueryError(format!("{field}:{value} — {why}")))
}

/// `5xx` → 5, `4XX` → 4.
fn status_class(v: &str) -> Option<char> {
    let b = v.as_bytes();
    (b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && b[1..].eq_ignore_ascii_case(b"xx"))
        .then(|| b[0] as char)
}

/// `2h` (ago), `2026-05-14`, `2026-05-14T10:00`, any RFC 3339 time, `now`.
pub fn parse_time(v: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if v == "now" {
        return Some(now);
    }
    if let Some(d) = parse_duration(v) {
        return now.checked_sub_signed(d);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(v, fmt) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
}

/// `90s`, `30m`, `2h`, `7d`, `2w`.
pub fn parse_duration(v: &str) -> Option<Duration> {
    let split = v.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = v.split_at(split);
    let n: i64 = n.parse().ok()?;
    match unit {
        "s" => Duration::try_seconds(n),
        "m" | "min" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        "w" => Duration::try_weeks(n),
        _ => None,
    }
}

/// Whether `v` is shaped like a number with a duration unit; such a value
/// that [`parse_time`] refused was too large, not misspelt.
fn looks_like_duration(v: &str) -> bool {
    let digits = v.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && matches!(&v[digits..], "s" | "m" | "min" | "h" | "d" | "w")
}

/// `at`, moved inside the range an index can hold: a bound beyond it means
/// the same as the range's end, and tantivy would wrap it silently.
fn clamp_to_index(at: DateTime<Utc>) -> DateTime<Utc> {
    at.clamp(ts_range::min(), ts_range::max())
}

/// Parentheses nested deeper than this are refused: tantivy's parser
/// recurses once per level, and 10,000 levels overflowed the stack.
pub const MAX_DEPTH: usize = 64;

/// Refuse queries nested deeper than [`MAX_DEPTH`] (parentheses outside
/// quotes).
fn check_depth(text: &str) -> Result<(), QueryError> {
    let (mut depth, mut deepest, mut quoted) = (0usize, 0usize, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_DEPTH {
        return Err(QueryError(format!(
            "parentheses nested {deepest} deep; at most {MAX_DEPTH} levels are allowed"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-05-14T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn shorthands_are_rewritten() {
        let cases = [
            ("status:5xx", "status:[500 TO 599]"),
            ("-status:4XX", "-status:[400 TO 499]"),
            ("(status:5xx)", "(status:[500 TO 599])"),
            ("method:post", "method:POST"),
            ("since:2h", "ts:[2026-05-14T10:00:00.000Z TO *]"),
            ("until:2026-05-14", "ts:[* TO 2026-05-14T00:00:00.000Z}"),
            ("code:slot_unavailable", "code:slot_unavailable"),
            ("message:*", "message:*"),
            ("-(message:*)", "-(message:*)"),
            ("ts:[* TO *]", "ts:*"),
            ("status:{* TO *}", "status:*"),
            ("code:*", "code:*"),
        ];
        for (input, want) in cases {
            let (mut s, mut u) = (None, None);
            assert_eq!(
                rewrite(input, now(), &mut s, &mut u).unwrap(),
                want,
                "{input}"
            );
        }
    }

    /// The hand-written readers accept exactly what the regexes they
    /// replaced did, over every combination of the pieces below.
    #[test]
    fn shorthand_and_exists_shapes_match_the_old_regexes() {
        let shorthand_re = regex::Regex::new(
            r"^(?P<pre>[-+]?\(*)(?P<field>status|since|until|method):(?P<value>[^()\s]+)(?P<post>\)*)$",
        )
        .unwrap();
        let exists_re = regex::Regex::new(
            r"^(?P<pre>[-+]?\(*)(?P<field>[A-Za-z_][A-Za-z0-9_]*):(?:\*|[\[{]\*\s+TO\s+\*[\]}])(?P<post>\)*)$",
        )
        .unwrap();
        let pres = ["", "-", "+", "(", "-((", "+(", "((-", "+-"];
        let fields = [
            "status", "since", "until", "method", "code", "_x1", "1x", "st atus", "",
        ];
        let values = [
            "5xx",
            "2h",
            "a:b",
            "",
            "*",
            "[* TO *]",
            "{*\tTO  *]",
            "[*TO *]",
            "[* TO*]",
            "[* to *]",
            "x(y",
            "x y",
            "x\u{a0}y",
            "*)",
            "[* TO *)",
        ];
        let posts = ["", ")", "))", ")x", "( "];
        for pre in pres {
            for field in fields {
                for value in values {
                    for post in posts {
                        let t = format!("{pre}{field}:{value}{post}");
                        let want = shorthand_re.captures(&t).map(|m| {
                            let g = |n| m.name(n).unwrap().as_str().to_owned();
                            (g("pre"), g("field"), g("value"), g("post"))
                        });
                        let got = shorthand(&t).map(|(a, b, c, d)| {
                            (a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned())
                        });
                        assert_eq!(got, want, "shorthand {t:?}");
                        let (_, body, _) = affixes(&t);
                        let shape = body.split_once(':').is_some_and(|(f, v)| {
                            let mut c = f.chars();
                            c.next()
                                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                                && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
                                && every_value(v)
                        });
                        assert_eq!(shape, exists_re.is_match(&t), "exists {t:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_query_form_parses() {
        for q in [
            "",
            "req_2N7s8x9KqR",
            "code:slot_unavailable",
            "status:[500 TO 599]",
            "status:5xx AND since:2h",
            "service:42min-api AND NOT class:auth",
            "\"lock\"",
            "path:\"/v1/bookings\"",
            "route:\"/v2/sessions/{id}/bookings\"",
            "until:2026-05-14T10:00:00Z",
            "status:>=500",
        ] {
            assert!(
                Query::parse(q, now()).is_ok(),
                "{q}: {:?}",
                Query::parse(q, now()).err()
            );
        }
    }

    #[test]
    fn bad_queries_are_clear_errors() {
        let e = Query::parse("nosuch:field", now()).unwrap_err();
        assert!(e.0.contains("unknown field `nosuch`"), "{e}");
        let e = Query::parse("since:yesterdayish", now()).unwrap_err();
        assert!(e.0.contains("expected a duration"), "{e}");
        let e = Query::parse("status:abc", now()).unwrap_err();
        assert!(e.0.contains("status takes a number"), "{e}");
        assert!(Query::parse("(code:x", now()).is_err());
    }

    /// Ids with tantivy's special characters are searched verbatim; a
    /// field-shaped typo is still an unknown field.
    #[test]
    fn bare_ids_are_never_syntax_errors() {
        for q in [
            "0HLVPJD8N8PG5:00000001",
            "projects/p-1/traces/4bf92f3577b34da6a3ce929d0e0e4736",
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            "abc+def/ghi==",
            "request_id:0HLVPJD8N8PG5:00000001 AND NOT status:5xx",
            "path:/v1/bookings",
            "x^y ~z! a'b",
            "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            "5759e988bd862e3fe1be46a994272793",
        ] {
            assert!(
                Query::parse(q, now()).is_ok(),
                "{q}: {:?}",
                Query::parse(q, now()).err()
            );
        }
        let e = Query::parse("cdoe:slot_unavailable", now()).unwrap_err();
        assert!(e.0.contains("unknown field `cdoe`"), "{e}");
    }

    #[test]
    fn not_becomes_a_minus_clause() {
        let toks = |s: &str| negations(split_tokens(s)).join(" ");
        assert_eq!(
            toks("status:4xx AND NOT code:x AND NOT code:y"),
            "status:4xx -code:x -code:y"
        );
        assert_eq!(toks("NOT class:auth"), "-class:auth");
        assert_eq!(toks("a AND (NOT b)"), "a (-b)");
        assert_eq!(toks("\"NOT this\" NOT"), "\"NOT this\" NOT");
        assert_eq!(
            split_tokens(r#"client:"a \"b  c\"" code:x"#),
            [r#"client:"a \"b  c\"""#, "code:x"],
            "an escaped quote does not end the quoted value"
        );
    }

    #[test]
    fn since_and_until_are_remembered() {
        let q = Query::parse("since:1d until:2026-05-14T11:00:00Z", now()).unwrap();
        assert_eq!(q.since, Some(now() - Duration::days(1)));
        assert_eq!(q.until, Some(now() - Duration::hours(1)));
    }

    #[test]
    fn times_too_far_away_are_errors_or_clamped_never_a_panic() {
        for q in [
            "since:99999999d",
            "until:9223372036854775807s",
            "since:99999999999999999999d",
            "until:9223372036854775807w",
        ] {
            let e = Query::parse(q, now()).unwrap_err();
            assert!(e.0.contains("too far back"), "{q}: {e}");
        }
        // Inside chrono's range but beyond the index's: the bound is the
        // range's end, not a wrapped time.
        let q = Query::parse("since:9999-12-31", now()).unwrap();
        assert_eq!(q.since, Some(ts_range::max()));
        let q = Query::parse("until:0001-01-01 since:200000d", now()).unwrap();
        assert_eq!(q.until, Some(ts_range::min()));
        assert_eq!(q.since, Some(ts_range::min()));
    }

    #[test]
    fn deep_nesting_is_refused_before_tantivy_recurses() {
        let deep = format!("{}code:x{}", "(".repeat(10_000), ")".repeat(10_000));
        let e = Query::parse(&deep, now()).unwrap_err();
        assert!(e.0.contains("nested 10000 deep"), "{e}");
        let ok = format!("{}code:x{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(Query::parse(&ok, now()).is_ok());
        // Parentheses inside quotes are text.
        let quoted = format!("\"{}\"", "(".repeat(10_000));
        assert!(Query::parse(&quoted, now()).is_ok());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any text parses or is a clear, one-line error.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            if let Err(e) = Query::parse(&text, now()) {
                proptest::prop_assert!(!e.0.is_empty());
            }
        }

        /// Queries assembled from the grammar's own pieces, nested and odd.
        #[test]
        fn generated_queries_never_panic(
            pieces in proptest::collection::vec(piece(), 0..40),
            depth in 0usize..300,
        ) {
            let text = format!("{}{}{}", "(".repeat(depth), pieces.concat(), ")".repeat(depth / 2));
            match Query::parse(&text, now()) {
                Ok(_) => proptest::prop_assert!(depth <= MAX_DEPTH),
                Err(e) => proptest::prop_assert!(!e.0.is_empty()),
            }
        }
    }

    fn piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            Just("(".to_string()),
            Just(")".to_string()),
            Just(" AND ".to_string()),
            Just(" OR ".to_string()),
            Just(" NOT ".to_string()),
            Just("-".to_string()),
            Just("+".to_string()),
            Just("\"".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just(" TO ".to_string()),
            Just("*".to_string()),
            Just(":".to_string()),
            Just("^2".to_string()),
            Just("~1".to_string()),
            "(status|since|until|method|code|ts|message|nosuch):[a-z0-9:.TZ-]{0,24}",
            "(since|until):[0-9]{1,22}(s|m|h|d|w|min|y)?",
            "status:[0-9x]{1,6}",
            "[a-zA-Z0-9_\\\\./\\-]{1,12}",
            " ",
        ]
    }
}
