//! grammar: the last step of [`super::parse`]. The query text, its
//! shorthands already spelled out, is read by tantivy's grammar (the
//! reference of the syntax DESIGN names, a pure parser that knows no index)
//! and its tree is turned into our [`Expr`], checking every field and value
//! against the Event fields so a mistake is a [`QueryError`] here, before
//! any store sees it.

use std::ops::Bound;

use chrono::{DateTime, Utc};
use tantivy::query_grammar::{
    self, Delimiter, Occur, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};

use super::QueryError;
use super::ast::{Expr, Field, Kind, Value};

/// Fields the index stores but cannot search.
const STORED_ONLY: [&str; 4] = ["raw", "file", "line", "offset"];

/// Read `text` (tantivy syntax) into an [`Expr`]; `None` when nothing in it
/// can match (an empty group).
pub(crate) fn read(text: &str, original: &str) -> Result<Option<Expr>, QueryError> {
    let ast = query_grammar::parse_query(text).map_err(|_| {
        QueryError(format!(
            "cannot parse `{original}` — check quotes, brackets and AND/OR/NOT"
        ))
    })?;
    expr(ast)
}

/// True for a name the query language knows as a field (searchable or not).
pub(crate) fn known_name(name: &str) -> bool {
    Field::parse(name).is_some() || STORED_ONLY.contains(&name)
}

fn expr(ast: UserInputAst) -> Result<Option<Expr>, QueryError> {
    match ast {
        UserInputAst::Clause(clauses) => clause(clauses),
        UserInputAst::Boost(inner, _) => expr(*inner),
        UserInputAst::Leaf(leaf) => leaf_expr(*leaf).map(Some),
    }
}

/// A clause list, as tantivy's boolean query reads it with conjunction by
/// default: `Must` (and no occur) children all hold, `MustNot` ones are
/// excluded, `Should` ones matter only when there is no `Must`.
fn clause(clauses: Vec<(Option<Occur>, UserInputAst)>) -> Result<Option<Expr>, QueryError> {
    let (mut must, mut should, mut not) = (Vec::new(), Vec::new(), Vec::new());
    for (occur, ast) in clauses {
        let Some(e) = expr(ast)? else { continue };
        match occur.unwrap_or(Occur::Must) {
            Occur::Must => must.push(e),
            Occur::Should => should.push(e),
            Occur::MustNot => not.push(Expr::Not(Box::new(e))),
        }
    }
    if must.is_empty() && !should.is_empty() {
        must.push(one_or(Expr::Or, should));
    }
    if must.is_empty() && not.is_empty() {
        return Ok(None);
    }
    must.extend(not);
    Ok(Some(one_or(Expr::And, must)))
}

/// The one child itself, or `wrap` around several.
fn one_or(wrap: fn(Vec<Expr>) -> Expr, mut children: Vec<Expr>) -> Expr {
    if children.len() == 1 && !matches!(children[0], Expr::Not(_)) {
        children.pop().expect("one child")
    } else {
        wrap(children)
    }
}

fn leaf_expr(leaf: UserInputLeaf) -> Result<Expr, QueryError> {
    match leaf {
        UserInputLeaf::All => Ok(Expr::All),
        UserInputLeaf::Literal(lit) => literal(lit),
        UserInputLeaf::Range {
            field,
            lower,
            upper,
        } => {
            let field = field_named(field.as_deref(), "a range")?;
            Ok(Expr::Range {
                field,
                lo: bound(field, lower)?,
                hi: bound(field, upper)?,
            })
        }
        UserInputLeaf::Set { field, elements } => {
            let field = field_named(field.as_deref(), "IN [...]")?;
            let values = elements
                .iter()
                .map(|v| value(field, v))
                .collect::<Result<_, _>>()?;
            Ok(Expr::In { field, values })
        }
        UserInputLeaf::Exists { field } => Ok(Expr::Exists {
            field: field_named(Some(&field), "")?,
        }),
        UserInputLeaf::Regex { field, pattern } => {
            let field = field_named(field.as_deref(), "a /regex/")?;
            if !matches!(field.kind(), Kind::Keyword | Kind::Text) {
                return Err(QueryError(format!(
                    "{field} cannot be matched by a /regex/"
                )));
            }
            Ok(Expr::Regex { field, pattern })
        }
    }
}

fn literal(lit: UserInputLiteral) -> Result<Expr, QueryError> {
    let quoted = lit.delimiter != Delimiter::None;
    let Some(name) = lit.field_name.as_deref() else {
        if lit.prefix {
            return Err(prefix_needs_words(&lit.phrase));
        }
        return Ok(Expr::FreeText {
            text: lit.phrase,
            slop: lit.slop,
        });
    };
    let field = field_named(Some(name), "")?;
    if field.kind() == Kind::Text {
        return Ok(Expr::Text {
            text: lit.phrase,
            slop: lit.slop,
            prefix: lit.prefix,
        });
    }
    if lit.prefix && (quoted || field.kind() == Kind::Keyword) {
        return Err(prefix_needs_words(&lit.phrase));
    }
    Ok(Expr::Term {
        field,
        value: value(field, &lit.phrase)?,
    })
}

fn prefix_needs_words(phrase: &str) -> QueryError {
    QueryError(format!(
        "\"{phrase}\"* — a prefix search needs at least two words of a message"
    ))
}

/// The field `name` names; `what` is the construct that needed one.
fn field_named(name: Option<&str>, what: &str) -> Result<Field, QueryError> {
    let Some(name) = name else {
        return Err(QueryError(format!(
            "{what} needs a field, as in status:[500 TO 599]"
        )));
    };
    if let Some(f) = Field::parse(name) {
        return Ok(f);
    }
    let fields: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
    if STORED_ONLY.contains(&name) {
        return Err(QueryError(format!(
            "field `{name}` is stored, not searchable — fields: {}",
            fields.join(" ")
        )));
    }
    Err(QueryError(format!(
        "unknown field `{name}` — fields: {}; shorthands: status:5xx since: until:",
        fields.join(" ")
    )))
}

fn bound(field: Field, b: UserInputBound) -> Result<Bound<Value>, QueryError> {
    Ok(match b {
        UserInputBound::Inclusive(v) => Bound::Included(value(field, &v)?),
        UserInputBound::Exclusive(v) => Bound::Excluded(value(field, &v)?),
        UserInputBound::Unbounded => Bound::Unbounded,
    })
}

/// `text` as a value of `field`, or the error saying what it takes.
fn value(field: Field, text: &str) -> Result<Value, QueryError> {
    match field.kind() {
        Kind::Keyword | Kind::Text => Ok(Value::Text(text.to_string())),
        Kind::Number => text.parse().map(Value::Number).map_err(|_| {
            QueryError(format!(
                "{field} takes a number, a range like [500 TO 599], or 4xx/5xx"
            ))
        }),
        Kind::Time => DateTime::parse_from_rfc3339(text)
            .map(|t| Value::Time(t.with_timezone(&Utc)))
            .map_err(|_| {
                QueryError(format!(
                    "{field}:{text} — expected an RFC 3339 time like 2026-05-14T10:00:00Z"
                ))
            }),
        Kind::Bool => text
            .parse()
            .map(Value::Bool)
            .map_err(|_| QueryError(format!("{field} takes true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use std::ops::Bound::{Excluded, Included, Unbounded};

    use chrono::{DateTime, Utc};

    use super::super::Query;
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-05-14T12:00:00Z".parse().unwrap()
    }

    fn expr(text: &str) -> Expr {
        Query::parse(text, now()).unwrap().expr
    }

    fn term(field: Field, v: &str) -> Expr {
        Expr::Term {
            field,
            value: Value::Text(v.into()),
        }
    }

    fn not(e: Expr) -> Expr {
        Expr::Not(Box::new(e))
    }

    /// The shapes docs/architecture.md promises a store translator.
    #[test]
    fn every_construct_has_its_documented_shape() {
        let free = |t: &str| Expr::FreeText {
            text: t.into(),
            slop: 0,
        };
        assert_eq!(expr(""), Expr::All);
        assert_eq!(expr("*"), Expr::All);
        assert_eq!(expr("req_2N7s8x9KqR"), free("req_2N7s8x9KqR"));
        assert_eq!(
            expr("0HLVPJD8N8PG5:00000001"),
            free("0HLVPJD8N8PG5:00000001")
        );
        assert_eq!(expr("\"seat lock\""), free("seat lock"));
        assert_eq!(
            expr("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"),
            Expr::Or(vec![
                term(Field::TraceId, "1-5759e988-bd862e3fe1be46a994272793"),
                // The same trace in W3C notation (what `find` tries too).
                term(Field::TraceId, "5759e988bd862e3fe1be46a994272793"),
                free("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"),
            ])
        );
        assert_eq!(
            expr("service:42min-api AND NOT class:auth"),
            Expr::And(vec![
                term(Field::Service, "42min-api"),
                not(term(Field::Class, "auth"))
            ])
        );
        assert_eq!(
            expr("-code:x"),
            Expr::And(vec![Expr::All, not(term(Field::Code, "x"))])
        );
        assert_eq!(
            expr("code:a OR code:b"),
            Expr::Or(vec![term(Field::Code, "a"), term(Field::Code, "b")])
        );
        assert_eq!(expr("method:post"), term(Field::Method, "POST"));
        assert_eq!(
            expr("message:lock"),
            Expr::Text {
                text: "lock".into(),
                slop: 0,
                prefix: false
            }
        );
        assert_eq!(
            expr("message:*"),
            Expr::Exists {
                field: Field::Message
            }
        );
        assert_eq!(
            expr("status:404"),
            Expr::Term {
                field: Field::Status,
                value: Value::Number(404)
            }
        );
        assert_eq!(
            expr("ts_inferred:true"),
            Expr::Term {
                field: Field::TsInferred,
                value: Value::Bool(true)
            }
        );
    }

    #[test]
    fn ranges_and_shorthands_are_typed_bounds() {
        let status = |lo, hi| Expr::Range {
            field: Field::Status,
            lo,
            hi,
        };
        let n = Value::Number;
        assert_eq!(
            expr("status:5xx"),
            status(Included(n(500)), Included(n(599)))
        );
        assert_eq!(
            expr("status:[400 TO 500}"),
            status(Included(n(400)), Excluded(n(500)))
        );
        assert_eq!(expr("status:>=500"), status(Included(n(500)), Unbounded));
        let t = |s: &str| Value::Time(s.parse().unwrap());
        assert_eq!(
            expr("since:2h until:2026-05-14T11:00:00Z"),
            Expr::And(vec![
                Expr::Range {
                    field: Field::Ts,
                    lo: Included(t("2026-05-14T10:00:00Z")),
                    hi: Unbounded
                },
                Expr::Range {
                    field: Field::Ts,
                    lo: Unbounded,
                    hi: Excluded(t("2026-05-14T11:00:00Z"))
                },
            ])
        );
    }

    #[test]
    fn values_a_field_cannot_hold_are_clear_errors() {
        let err = |q: &str| Query::parse(q, now()).unwrap_err().0;
        assert!(err("ts:yesterday").contains("RFC 3339"));
        assert!(err("ts_inferred:maybe").contains("true or false"));
        assert!(err("raw:x").contains("stored, not searchable"));
        assert!(err("[a TO b]").contains("needs a field"));
        assert!(err("code:\"a b\"*").contains("prefix"));
    }

    #[test]
    fn restricting_fields_are_seen_under_any_operator() {
        let q = |s: &str| Query::parse(s, now()).unwrap();
        assert!(q("NOT status:5xx").restricts_status());
        assert!(q("(service:a OR code:x)").restricts_status());
        assert!(!q("service:a since:2h").restricts_status());
    }
}
