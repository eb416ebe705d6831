//! catalog: what an error code means per API, and each API's retry policy
//! (DESIGN "Error catalogs"). Built-in catalogs are TOML data files compiled
//! in; users add their own. Used at ingest (to fill `class`) and by query
//! (readings for `find`, policies for chains).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::{Class, Event};
use crate::normalize::Normalized;

/// A malformed user catalog: names the file, and line and field where known.
#[derive(Debug, thiserror::Error)]
#[error("catalog {}: {message}", path.display())]
pub struct CatalogError {
    pub path: PathBuf,
    pub message: String,
}

/// Whether a failure may be retried as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Retryable {
    No,
    Yes,
    AfterRetryAfter,
}

/// One API's retry policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub backoff_cap_s: f64,
    pub key_ttl_s: f64,
    pub honour_retry_after: bool,
}

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
}

/// All catalogs in effect: built-ins, then user files (which override).
#[derive(Debug, Clone)]
pub struct Catalogs {
    _apis: BTreeMap<String, ()>,
}

impl Catalogs {
    /// The built-in catalogs only.
    pub fn builtin() -> Catalogs {
        todo!("catalogs")
    }

    /// Built-ins plus every `*.toml` in `dir` (if it exists) plus `files`.
    pub fn load(files: &[PathBuf], dir: Option<&Path>) -> Result<Catalogs, CatalogError> {
        let _ = (files, dir);
        todo!("catalogs")
    }

    /// Recognise the API and fill `event.api` and `event.class`.
    pub fn classify(&self, n: &mut Normalized) {
        let _ = n;
        todo!("catalogs")
    }

    /// The reading of a failed event's code; `None` for successes.
    pub fn reading(&self, event: &Event) -> Option<Reading> {
        let _ = event;
        todo!("catalogs")
    }

    /// The retry policy of an API (`None`: the generic defaults).
    pub fn policy(&self, api: Option<&str>) -> &RetryPolicy {
        let _ = api;
        todo!("catalogs")
    }
}
