//! complete: query-language help for the front ends — the field names a query
//! may use, a field's values straight from the index's term dictionaries
//! (no document is read, so it stays instant on a large index), and the one
//! way a value is written back into a query ([`term`], [`value_text`]), so a
//! TUI pivot or completion always produces a query that finds that value.

use std::collections::BTreeSet;

use tantivy::schema::FieldType;

use crate::error::Result;
use crate::index::LocalStore;
use crate::index::schema::build_schema;

/// Shorthands the parser rewrites (see `parse`), completed like fields.
const SHORTHANDS: [&str; 2] = ["since", "until"];

/// Every field a query may name: the schema's indexed fields and the time
/// shorthands, sorted.
pub fn field_names() -> Vec<String> {
    let schema = build_schema();
    let mut names: Vec<String> = schema
        .fields()
        .filter(|(_, entry)| entry.is_indexed())
        .map(|(_, entry)| entry.name().to_string())
        .chain(SHORTHANDS.iter().map(|s| s.to_string()))
        .collect();
    names.sort();
    names
}

/// The field names starting with `prefix`.
pub fn fields_with_prefix(prefix: &str) -> Vec<String> {
    field_names()
        .into_iter()
        .filter(|f| f.starts_with(prefix))
        .collect()
}

/// `value` as a query writes it: bare when it is a plain word, else in
/// double quotes with `\` and `"` escaped (tantivy's quoted-term syntax).
pub fn value_text(value: &str) -> String {
    let plain = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && !matches!(value, "AND" | "OR" | "NOT" | "TO" | "IN");
    if plain { value.into() } else { quote(value) }
}

/// `value` in double quotes, `\` and `"` escaped.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The clause matching `field` exactly equal to `value`: `client:"acme"`,
/// `status:409` (a number stays bare: the field is numeric).
pub fn term(field: &str, value: &str) -> String {
    if field == "status" && !value.is_empty() && value.chars().all(|c| c.is_ascii_digit()) {
        return format!("status:{value}");
    }
    format!("{field}:{}", quote(value))
}

impl LocalStore {
    /// Up to `limit` distinct values of `field` starting with `prefix`,
    /// sorted, read from each segment's term dictionary. Unknown and
    /// unindexed fields have no values; `status` completes its numbers.
    pub fn complete(&self, field: &str, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let Ok(f) = self.fields.schema.get_field(field) else {
            return Ok(Vec::new());
        };
        let entry = self.fields.schema.get_field_entry(f);
        if !entry.is_indexed() || limit == 0 {
            return Ok(Vec::new());
        }
        let numeric = matches!(entry.field_type(), FieldType::U64(_));
        if !numeric && !matches!(entry.field_type(), FieldType::Str(_)) {
            return Ok(Vec::new());
        }
        let mut found = BTreeSet::new();
        for segment in self.searcher().segment_readers() {
            let inverted = segment.inverted_index(f)?;

            let from: &[u8] = if numeric { &[] } else { prefix.as_bytes() };
            let mut stream = inverted
                .terms()
                .range()
                .ge(from)
                .into_stream()
                .map_err(tantivy::TantivyError::from)?;
            // Each segment's first `limit` matches: the union's first
            // `limit` are then the index's.
            let mut taken = 0;
            while taken < limit && stream.advance() {
                let value = if numeric {
                    match <[u8; 8]>::try_from(stream.key()) {
                        Ok(b) => u64::from_be_bytes(b).to_string(),
                        Err(_) => continue,
                    }
                } else {
                    match std::str::from_utf8(stream.key()) {
                        Ok(s) => s.to_string(),
                        Err(_) => continue,
                    }
                };
                if value.starts_with(prefix) {
                    taken += 1;
                    found.insert(value);
                } else if !numeric {
                    break; // sorted: past the prefix
                }
            }
        }
        Ok(found.into_iter().take(limit).collect())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::query::Query;

    #[test]
    fn field_names_are_the_query_fields() {
        let names = field_names();
        for f in ["client", "code", "status", "service", "since", "until"] {
            assert!(names.contains(&f.to_string()), "{f}: {names:?}");
        }
        for stored_only in ["raw", "file", "line", "offset"] {
            assert!(!names.contains(&stored_only.to_string()), "{stored_only}");
        }
        assert_eq!(fields_with_prefix("cl"), ["class", "client"]);
        assert_eq!(fields_with_prefix("ser"), ["service"]);
    }

    #[test]
    fn values_are_bare_only_when_plain() {
        assert_eq!(value_text("partner_fitlink"), "partner_fitlink");
        assert_eq!(value_text("42min-api"), "42min-api");
        assert_eq!(value_text("/v1/bookings"), "\"/v1/bookings\"");
        assert_eq!(value_text("urn:acme:1"), "\"urn:acme:1\"");
        assert_eq!(value_text("a b"), "\"a b\"");
        assert_eq!(value_text("-x"), "\"-x\"");
        assert_eq!(value_text("OR"), "\"OR\"");
        assert_eq!(value_text(""), "\"\"");
        assert_eq!(quote(r#"say "hi" \o/"#), r#""say \"hi\" \\o/""#);
    }

    #[test]
    fn terms_parse_as_queries() {
        assert_eq!(term("status", "409"), "status:409");
        assert_eq!(term("client", "acme"), "client:\"acme\"");
        for v in [
            "a:b",
            "/v2/x/{id}",
            "two words",
            r#"q"uo"te"#,
            r"back\slash",
        ] {
            let t = term("client", v);
            assert!(Query::parse(&t, Utc::now()).is_ok(), "{t}");
        }
    }
}
