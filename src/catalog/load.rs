//! The catalog file format (TOML) and its loading: parse one file, find the
//! user's catalog files, and turn a `toml` error's byte span into the line and
//! field a user can go and fix.
//!
//! ```toml
//! [api]
//! name = "42min"                      # required; the API the file describes
//! title = "42min"
//! services = ["42min-api", "42min"]   # words matched inside the logged service
//! service_patterns = ["^bookings-"]   # regexes, case-insensitive
//! envelopes = ["error_object_with_request_id"]
//! routes = ["/v1/users/{user}/keys"]  # route templates that win over the heuristic
//!
//! [policy]                            # every key optional
//! max_attempts = 5
//! backoff_cap_s = 30
//! key_ttl_s = 86400
//! honour_retry_after = true
//! retry_statuses = [408, "5xx"]
//! wait_statuses = [429]
//! summary = "…"
//!
//! [codes.slot_unavailable]            # every key optional
//! status = 409
//! class = "conflict"
//! retryable = "no"                    # no | yes | after_retry_after
//! meaning = "…"
//! hint = "…"
//! key_mismatch = false
//!
//! [statuses.422]                      # or statuses.4xx; same keys as codes
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

use super::policy::{Retryable, StatusPattern};
use crate::model::{Class, Envelope};

/// A malformed catalog: names the file, and the line and field where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub path: PathBuf,
    /// 1-based line of the offending value, key or table.
    pub line: Option<usize>,
    /// Dotted path of the offending field (`codes.slot_unavailable.retryable`).
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "catalog {}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CatalogError {}

/// One catalog file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CatalogFile {
    pub api: FileApi,
    #[serde(default)]
    pub policy: FilePolicy,
    #[serde(default)]
    pub codes: BTreeMap<String, FileEntry>,
    #[serde(default)]
    pub statuses: BTreeMap<StatusPattern, FileEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileApi {
    pub name: String,
    pub title: Option<String>,
    pub services: Option<Vec<String>>,
    pub service_patterns: Option<Vec<Pattern>>,
    pub envelopes: Option<Vec<Envelope>>,
    pub routes: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilePolicy {
    pub max_attempts: Option<u32>,
    pub backoff_cap_s: Option<f64>,
    pub key_ttl_s: Option<f64>,
    pub honour_retry_after: Option<bool>,
    pub retry_statuses: Option<Vec<StatusPattern>>,
    pub wait_statuses: Option<Vec<StatusPattern>>,
    pub summary: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileEntry {
    pub status: Option<Status>,
    pub class: Option<Class>,
    pub retryable: Option<Retryable>,
    pub meaning: Option<String>,
    pub hint: Option<String>,
    pub key_mismatch: Option<bool>,
}

/// An HTTP status, checked to be 100–599 while parsing (so the error has a span).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "i64")]
pub(crate) struct Status(pub u16);

impl TryFrom<i64> for Status {
    type Error = String;
    fn try_from(n: i64) -> Result<Status, String> {
        match u16::try_from(n) {
            Ok(s) if (100..=599).contains(&s) => Ok(Status(s)),
            _ => Err(format!("{n} is not an HTTP status (100–599)")),
        }
    }
}

/// A service regex, compiled while parsing (so a bad one has a span).
#[derive(Debug, Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct Pattern(pub Regex);

impl TryFrom<String> for Pattern {
    type Error = String;
    fn try_from(s: String) -> Result<Pattern, String> {
        RegexBuilder::new(&s)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .map(Pattern)
            .map_err(|e| format!("bad regular expression: {e}"))
    }
}

/// Parse one catalog file's text.
pub(crate) fn parse(text: &str, path: &Path) -> Result<CatalogFile, CatalogError> {
    let file: CatalogFile = toml::from_str(text).map_err(|e| locate(text, path, &e))?;
    if file.api.name.trim().is_empty() {
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with("name"));
        return Err(CatalogError {
            path: path.to_path_buf(),
            line: line.map(|l| l + 1),
            field: Some("api.name".into()),
            message: "the API name must not be empty".into(),
        });
    }
    Ok(file)
}

/// Parse a built-in catalog as build.rs converted it to JSON (its TOML was
/// checked when the binary was built, and by the tests).
pub(crate) fn parse_builtin(json: &str, path: &Path) -> CatalogFile {
    serde_json::from_str(json)
        .unwrap_or_else(|e| panic!("built-in catalog {} is malformed: {e}", path.display()))
}

/// Read and parse one file.
pub(crate) fn read(path: &Path) -> Result<CatalogFile, CatalogError> {
    let text = std::fs::read_to_string(path).map_err(|e| CatalogError {
        path: path.to_path_buf(),
        line: None,
        field: None,
        message: format!("cannot read: {e}"),
    })?;
    parse(&text, path)
}

/// Every `*.toml` directly in `dir`, sorted by name; none if it does not exist.
pub(crate) fn files_in(dir: &Path) -> Result<Vec<PathBuf>, CatalogError> {
    crate::tomlspan::toml_files_in(dir).map_err(|e| CatalogError {
        path: dir.to_path_buf(),
        line: None,
        field: None,
        message: format!("cannot list the catalog directory: {e}"),
    })
}

/// Turn a `toml` error into line and field.
fn locate(text: &str, path: &Path, e: &toml::de::Error) -> CatalogError {
    let (line, field, message) = crate::tomlspan::locate(text, e);
    CatalogError {
        path: path.to_path_buf(),
        line,
        field,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> CatalogError {
        parse(text, Path::new("user.toml")).unwrap_err()
    }

    #[test]
    fn names_line_and_field_of_a_bad_value() {
        let e = err("[api]\nname = \"x\"\n\n[codes.a]\nretryable = \"maybe\"\n");
        assert_eq!(e.line, Some(5));
        assert_eq!(e.field.as_deref(), Some("codes.a.retryable"));
        assert!(e.message.contains("maybe"), "{e}");
    }

    #[test]
    fn names_unknown_and_missing_fields() {
        let e = err("[api]\nname = \"x\"\n[codes.a]\nretriable = \"no\"\n");
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(4), Some("codes.a.retriable"))
        );
        let e = err("[api]\ntitle = \"x\"\n");
        assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("api.name")));
        let e = err("[codes.a]\nhint = \"x\"\n");
        assert_eq!((e.line, e.field.as_deref()), (None, Some("api")));
    }

    #[test]
    fn checks_statuses_and_patterns_in_place() {
        let e = err("[api]\nname = \"x\"\n[codes.a]\nstatus = 999\n");
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(4), Some("codes.a.status"))
        );
        let e = err("[api]\nname = \"x\"\n[statuses.4z4]\nhint = \"\"\n");
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(3), Some("statuses.4z4"))
        );
        let e = err("[api]\nname = \"x\"\nservice_patterns = [\"(\"]\n");
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(3), Some("api.service_patterns"))
        );
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let e = err("[api]\nname = \"x\"\n[codes.a\n");
        assert_eq!(e.line, Some(3));
        assert!(
            e.to_string().starts_with("catalog user.toml, line 3"),
            "{e}"
        );
    }
}
