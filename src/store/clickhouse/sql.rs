//! The query AST ([`Expr`]) as a ClickHouse `WHERE` condition. Every value
//! goes into the [`Bind`] (a table `p_<n>` read as `(SELECT v FROM p_<n>)`,
//! a constant to ClickHouse); the SQL text holds only column names, fixed
//! functions and the numbers of the bound tables. The meaning of each node
//! is the AST's (query/ast.rs), which the local store gives too: message
//! words are cut as tantivy's default tokenizer cuts them.

use std::ops::Bound;

use super::client::Bind;
use crate::query::ast::{Expr, Field, Value};
use crate::{Error, Result};

/// The words of `message` as tantivy's default tokenizer makes them
/// (alphanumeric runs, shorter than 40 bytes, lower-cased).
pub(super) const WORDS: &str =
    "arrayFilter(w -> length(w) < 40, extractAll(lowerUTF8(message), '[\\\\pL\\\\pN]+'))";

/// Builds a condition and the values it binds.
#[derive(Default)]
pub struct Condition {
    pub bind: Bind,
    next: usize,
}

impl Condition {
    /// `expr` as SQL; `bind` gathers its values.
    pub fn of(expr: &Expr) -> Result<(String, Bind)> {
        let mut c = Condition::default();
        let sql = c.expr(expr)?;
        Ok((sql, c.bind))
    }

    fn expr(&mut self, e: &Expr) -> Result<String> {
        Ok(match e {
            Expr::All => "1".into(),
            Expr::And(children) if children.is_empty() => "1".into(),
            Expr::Or(children) if children.is_empty() => "0".into(),
            Expr::And(children) => self.join(children, " AND ")?,
            Expr::Or(children) => self.join(children, " OR ")?,
            Expr::Not(inner) => format!("NOT ({})", self.expr(inner)?),
            Expr::Term { field, value } => self.compare(*field, "=", value)?,
            Expr::In { field, values } => {
                let parts: Vec<String> = values
                    .iter()
                    .map(|v| self.compare(*field, "=", v))
                    .collect::<Result<_>>()?;
                if parts.is_empty() {
                    "0".into()
                } else {
                    format!("({})", parts.join(" OR "))
                }
            }
            Expr::Range { field, lo, hi } => self.range(*field, lo, hi)?,
            Expr::Exists { field } => exists(*field),
            Expr::Regex { field, pattern } => self.regex(*field, pattern),
            Expr::Text { text, slop, prefix } => self.text(text, *slop, *prefix)?,
            Expr::FreeText { text, slop } => {
                let mut parts = Vec::new();
                for f in Field::FREE_TEXT_IDS {
                    parts.push(self.compare(f, "=", &Value::Text(text.clone()))?);
                }
                parts.push(self.text(text, *slop, false)?);
                format!("({})", parts.join(" OR "))
            }
        })
    }

    fn join(&mut self, children: &[Expr], op: &str) -> Result<String> {
        let parts: Vec<String> = children
            .iter()
            .map(|c| self.expr(c).map(|s| format!("({s})")))
            .collect::<Result<_>>()?;
        Ok(parts.join(op))
    }

    /// A bound value, as SQL.
    fn value(&mut self, v: &Value) -> String {
        self.next += 1;
        let name = format!("v{}", self.next);
        let bind = std::mem::take(&mut self.bind);
        self.bind = match v {
            Value::Text(s) => bind.string(&name, s),
            Value::Number(n) => bind.numbers(&name, [*n as i64]),
            Value::Time(t) => bind.numbers(&name, [t.timestamp_millis().max(0)]),
            Value::Bool(b) => bind.numbers(&name, [i64::from(*b)]),
        };
        format!("(SELECT v FROM p_{name})")
    }

    /// `field op value`, never NULL (a missing status compares false, so
    /// `NOT` keeps the events without one, as the local store does).
    fn compare(&mut self, field: Field, op: &str, v: &Value) -> Result<String> {
        if field == Field::Message {
            if let Value::Text(t) = v {
                return self.text(t, 0, false);
            }
        }
        let v = self.value(v);
        Ok(format!("ifNull({} {op} {v}, 0)", column(field)))
    }

    fn range(&mut self, field: Field, lo: &Bound<Value>, hi: &Bound<Value>) -> Result<String> {
        let mut parts = vec![exists(field)];
        match lo {
            Bound::Included(v) => parts.push(self.compare(field, ">=", v)?),
            Bound::Excluded(v) => parts.push(self.compare(field, ">", v)?),
            Bound::Unbounded => {}
        }
        match hi {
            Bound::Included(v) => parts.push(self.compare(field, "<=", v)?),
            Bound::Excluded(v) => parts.push(self.compare(field, "<", v)?),
            Bound::Unbounded => {}
        }
        Ok(parts.join(" AND "))
    }

    /// The whole value matches (or, for `message`, one of its words).
    fn regex(&mut self, field: Field, pattern: &str) -> String {
        let re = self.value(&Value::Text(format!("^(?:{pattern})$")));
        if field == Field::Message {
            format!("arrayExists(w -> match(w, {re}), {WORDS})")
        } else {
            format!("({} AND match({}, {re}))", exists(field), column(field))
        }
    }

    /// Words of `message`, in order and adjacent; with `prefix` the last
    /// word is a prefix.
    fn text(&mut self, text: &str, slop: u32, prefix: bool) -> Result<String> {
        let words = words(text);
        if words.is_empty() {
            return Ok("0".into());
        }
        if slop > 0 && words.len() > 1 {
            return Err(Error::Query(
                "a phrase with ~slop is not supported on a ClickHouse store yet; drop the ~N"
                    .into(),
            ));
        }
        let mut needle = format!(" {}", words.join(" "));
        if !prefix {
            needle.push(' ');
        }
        let needle = self.value(&Value::Text(needle));
        Ok(format!(
            "position(concat(' ', arrayStringConcat({WORDS}, ' '), ' '), {needle}) > 0"
        ))
    }
}

/// What tantivy's default tokenizer makes of `text`.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() < 40)
        .map(str::to_lowercase)
        .collect()
}

/// The column a field is stored in.
fn column(field: Field) -> &'static str {
    field.as_str()
}

/// "Has a value".
fn exists(field: Field) -> String {
    match field {
        Field::Ts | Field::TsInferred => "1".into(),
        Field::Status => "isNotNull(status)".into(),
        f => format!("{} != ''", column(f)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Query;

    #[test]
    fn values_are_bound_never_written_into_the_sql() {
        let q = Query::parse(
            "code:\"x'; DROP TABLE events; --\" status:5xx",
            chrono::Utc::now(),
        )
        .unwrap();
        let (sql, bind) = Condition::of(&q.expr).unwrap();
        assert!(!sql.contains("DROP"), "{sql}");
        assert!(!sql.contains("500"), "{sql}");
        assert!(!bind.is_empty());
    }

    #[test]
    fn words_are_cut_as_tantivy_cuts_them() {
        assert_eq!(
            words("Slot_unavailable: x1!"),
            ["slot", "unavailable", "x1"]
        );
    }
}
