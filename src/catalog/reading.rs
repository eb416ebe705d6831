//! What a code means: the API's code table first, then its status table (and
//! the generic one), then what the status alone implies. Class and
//! retryability fall back the same way, so ingest's `class` and `find`'s
//! reading always agree.

use serde::{Deserialize, Serialize};

use super::api::{ApiCatalog, Entry};
use super::policy::Retryable;
use crate::model::Class;

/// The catalog's reading of one event's code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The recognised API, or `None` for the generic HTTP catalog.
    pub api: Option<String>,
    pub code: String,
    /// Whether the code is in the API's table (false: judged by status alone).
    pub known: bool,
    pub status: Option<u16>,
    pub class: Class,
    pub retryable: Retryable,
    pub meaning: String,
    pub hint: String,
    /// The code says the idempotency key came with a different request.
    #[serde(default)]
    pub key_mismatch: bool,
}

/// The entries found for one code and status, before anything is cloned.
pub(crate) struct Lookup<'a> {
    pub cat: &'a ApiCatalog,
    /// `cat` is the generic catalog.
    pub generic: bool,
    pub by_code: Option<&'a Entry>,
    /// The API's entry for the status, else the generic catalog's.
    pub by_status: Option<&'a Entry>,
    /// The status the event was answered with.
    pub status: Option<u16>,
}

impl Lookup<'_> {
    /// The status: the event's, else the one the catalog gives the code.
    fn status(&self) -> Option<u16> {
        self.status.or(self.by_code.and_then(|e| e.status))
    }

    fn primary(&self) -> Option<&Entry> {
        self.by_code.or(self.by_status)
    }

    pub fn class(&self) -> Class {
        self.primary()
            .and_then(|e| e.class)
            .or_else(|| self.status().and_then(Class::from_status))
            .unwrap_or(Class::Other)
    }

    pub fn retryable(&self) -> Retryable {
        self.primary()
            .and_then(|e| e.retryable)
            .or_else(|| self.status().map(|s| self.cat.policy.for_status(s)))
            .unwrap_or(Retryable::No)
    }

    /// The first non-empty text among the code's and the status's entries.
    fn text(&self, field: fn(&Entry) -> &String) -> Option<String> {
        [self.by_code, self.by_status]
            .into_iter()
            .flatten()
            .map(field)
            .find(|s| !s.is_empty())
            .cloned()
    }

    pub fn reading(&self, code: &str) -> Reading {
        let status = self.status();
        let meaning = self.text(|e| &e.meaning).unwrap_or_else(|| match status {
            Some(s) => format!("`{code}` is not in the catalog; judged by its HTTP status {s}."),
            None => format!("`{code}` is not in the catalog and the line has no HTTP status."),
        });
        Reading {
            api: (!self.generic).then(|| self.cat.name.clone()),
            code: code.to_string(),
            known: self.by_code.is_some(),
            status,
            class: self.class(),
            retryable: self.retryable(),
            meaning,
            hint: self.text(|e| &e.hint).unwrap_or_default(),
            key_mismatch: self.by_code.is_some_and(|e| e.key_mismatch),
        }
    }
}
