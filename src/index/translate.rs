//! translate: the local store's reading of the query AST. An [`Expr`] (from
//! `query::parse`) becomes a tantivy query over the fields of
//! [`super::schema`]: each node is handed back to tantivy's own query
//! builder as the grammar node it came from, so values are tokenized,
//! typed and matched exactly as tantivy's query parser always did.
//!
//! What is tantivy's here and nowhere else: which fields a bare word looks
//! in (its default fields), that "has a value" is an exists query on a fast
//! field and "any term" (`/.*/`) on the others, and how `message` is cut
//! into words (tantivy's default tokenizer), and that a field kept only as a
//! column (`ts`) is asked for an exact value as a one-value range.

use std::ops::Bound;
use std::sync::LazyLock;

use chrono::SecondsFormat;
use tantivy::query::{AllQuery, Query as TQuery, QueryParser};
use tantivy::query_grammar::{
    Delimiter, Occur, UserInputAst, UserInputBound, UserInputLeaf, UserInputLiteral,
};
use tantivy::tokenizer::TokenizerManager;

use super::schema::Fields;
use crate::error::{Error, Result};
use crate::query::ast::{Expr, Field, Value};

static FIELDS: LazyLock<Fields> = LazyLock::new(Fields::new);

static PARSER: LazyLock<QueryParser> = LazyLock::new(|| {
    let f = &*FIELDS;
    let name = |field: Field| f.schema.get_field(field.as_str()).expect("schema field");
    let mut defaults: Vec<_> = Field::FREE_TEXT_IDS.into_iter().map(name).collect();
    defaults.push(f.message);
    let mut parser = QueryParser::new(f.schema.clone(), defaults, TokenizerManager::default());
    parser.set_conjunction_by_default();
    // `field:/regex/`; also how "has a value" is answered on fields that
    // are not fast (see `exists`).
    parser.allow_regexes();
    parser
});

/// The tantivy query that answers `expr`.
pub fn to_tantivy(expr: &Expr) -> Result<Box<dyn TQuery>> {
    if *expr == Expr::All {
        return Ok(Box::new(AllQuery));
    }
    PARSER
        .build_query_from_user_input_ast(ast(expr))
        .map_err(|e| Error::Query(e.to_string()))
}

fn ast(expr: &Expr) -> UserInputAst {
    let clauses = |children: &[Expr], occur: Occur| {
        let clauses = children.iter().map(|c| match c {
            Expr::Not(inner) => (Some(Occur::MustNot), ast(inner)),
            c => (Some(occur), ast(c)),
        });
        UserInputAst::Clause(clauses.collect())
    };
    match expr {
        Expr::And(children) => clauses(children, Occur::Must),
        Expr::Or(children) => clauses(children, Occur::Should),
        Expr::Not(inner) => UserInputAst::Clause(vec![(Some(Occur::MustNot), ast(inner))]),
        Expr::Term { field, value } if column_only(*field) => {
            UserInputAst::Leaf(Box::new(instant(*field, value)))
        }
        Expr::In { field, values } if column_only(*field) => UserInputAst::Clause(
            values
                .iter()
                .map(|v| {
                    (
                        Some(Occur::Should),
                        UserInputAst::Leaf(Box::new(instant(*field, v))),
                    )
                })
                .collect(),
        ),
        leaf => UserInputAst::Leaf(Box::new(leaf_ast(leaf))),
    }
}

/// Whether `field` is a fast field with no inverted index (`ts`): no term
/// query can read it, a range can.
fn column_only(field: Field) -> bool {
    let f = FIELDS
        .schema
        .get_field(field.as_str())
        .expect("schema field");
    let entry = FIELDS.schema.get_field_entry(f);
    entry.is_fast() && !entry.is_indexed()
}

/// `field` equal to `value`, as the range `[value TO value]`.
fn instant(field: Field, value: &Value) -> UserInputLeaf {
    UserInputLeaf::Range {
        field: Some(field.to_string()),
        lower: UserInputBound::Inclusive(text(value)),
        upper: UserInputBound::Inclusive(text(value)),
    }
}

fn leaf_ast(expr: &Expr) -> UserInputLeaf {
    match expr {
        Expr::All => UserInputLeaf::All,
        Expr::Term { field, value } => literal(Some(*field), text(value), 0, false),
        Expr::Text { text, slop, prefix } => {
            literal(Some(Field::Message), text.clone(), *slop, *prefix)
        }
        Expr::FreeText { text, slop } => literal(None, text.clone(), *slop, false),
        Expr::Range { field, lo, hi } => UserInputLeaf::Range {
            field: Some(field.to_string()),
            lower: bound(lo),
            upper: bound(hi),
        },
        Expr::In { field, values } => UserInputLeaf::Set {
            field: Some(field.to_string()),
            elements: values.iter().map(text).collect(),
        },
        Expr::Exists { field } => exists(*field),
        Expr::Regex { field, pattern } => UserInputLeaf::Regex {
            field: Some(field.to_string()),
            pattern: pattern.clone(),
        },
        Expr::And(_) | Expr::Or(_) | Expr::Not(_) => unreachable!("not a leaf"),
    }
}

/// "Has a value": tantivy answers `field:*` only for fast fields and would
/// find nothing with an unbounded range, so the others match any term.
fn exists(field: Field) -> UserInputLeaf {
    let f = FIELDS
        .schema
        .get_field(field.as_str())
        .expect("schema field");
    if FIELDS.schema.get_field_entry(f).is_fast() {
        UserInputLeaf::Exists {
            field: field.to_string(),
        }
    } else {
        UserInputLeaf::Regex {
            field: Some(field.to_string()),
            pattern: ".*".into(),
        }
    }
}

fn literal(field: Option<Field>, phrase: String, slop: u32, prefix: bool) -> UserInputLeaf {
    UserInputLeaf::Literal(UserInputLiteral {
        field_name: field.map(|f| f.to_string()),
        phrase,
        delimiter: Delimiter::DoubleQuotes,
        slop,
        prefix,
    })
}

fn bound(b: &Bound<Value>) -> UserInputBound {
    match b {
        Bound::Included(v) => UserInputBound::Inclusive(text(v)),
        Bound::Excluded(v) => UserInputBound::Exclusive(text(v)),
        Bound::Unbounded => UserInputBound::Unbounded,
    }
}

/// A value as tantivy's builder reads it for its field's type.
fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Time(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        Value::Bool(b) => b.to_string(),
    }
}
