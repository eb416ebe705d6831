//! One API's catalog as held in memory: how to recognise it, its retry
//! policy, and its code and status tables. Built-in and user TOML files are
//! merged into these field by field (see `load`), so a user file may change a
//! single code's hint and leave everything else as built.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Serialize;

use super::load::{CatalogFile, FileApi, FileEntry, FilePolicy};
use super::policy::{RetryPolicy, Retryable, StatusPattern};
use crate::model::{Class, Envelope};

/// One API: recognition, policy, and what its codes and statuses mean.
#[derive(Debug, Clone)]
pub struct ApiCatalog {
    /// The name events carry in `api` (`42min`, `member-api`, …).
    pub name: String,
    /// A display name (`Member API`).
    pub title: String,
    /// Service names that identify the API (see [`ApiCatalog::services`]).
    services: Vec<String>,
    /// `name` and `services` as canonical word runs (` availengine prod `)
    /// with their word counts, for recognition.
    pub(crate) service_keys: Vec<(String, usize)>,
    /// Regular expressions (case-insensitive) over the logged service.
    pub service_patterns: Vec<Regex>,
    /// The envelope shapes the API answers with, its main one first.
    pub envelopes: Vec<Envelope>,
    /// Named route templates (`/v1/users/{user}/keys`) that win over the
    /// templating heuristic for paths they fit.
    pub routes: Vec<String>,
    pub policy: RetryPolicy,
    /// Code → entry, codes exactly as the API writes them.
    pub codes: BTreeMap<String, Entry>,
    /// Status (or `4xx`-style class) → entry, for codes the table lacks.
    pub statuses: BTreeMap<StatusPattern, Entry>,
}

/// What a catalog says about one code or status. Fields a file leaves out
/// are worked out when read: class from the status, retryability from the
/// API's policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Entry {
    pub status: Option<u16>,
    pub class: Option<Class>,
    pub retryable: Option<Retryable>,
    pub meaning: String,
    pub hint: String,
    /// The code means "this idempotency key was used with another request".
    pub key_mismatch: bool,
}

impl ApiCatalog {
    /// An empty catalog with the generic policy.
    pub fn new(name: &str) -> ApiCatalog {
        let mut api = ApiCatalog {
            name: name.to_string(),
            title: name.to_string(),
            services: Vec::new(),
            service_keys: Vec::new(),
            service_patterns: Vec::new(),
            envelopes: Vec::new(),
            routes: Vec::new(),
            policy: RetryPolicy::generic(),
            codes: BTreeMap::new(),
            statuses: BTreeMap::new(),
        };
        api.set_services(Vec::new());
        api
    }

    /// Service names that identify the API, matched case-insensitively as a
    /// run of words inside the logged service (`availengine` matches
    /// `availengine-prod`). The name itself always counts.
    pub fn services(&self) -> &[String] {
        &self.services
    }

    pub fn set_services(&mut self, services: Vec<String>) {
        self.services = services;
        self.service_keys = std::iter::once(&self.name)
            .chain(&self.services)
            .map(|s| canonical_words(s))
            .filter(|(key, _)| key.len() > 1)
            .collect();
    }

    /// The entry for a code: exact first, then ignoring ASCII case.
    pub fn code(&self, code: &str) -> Option<&Entry> {
        self.codes.get(code).or_else(|| {
            self.codes
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(code))
                .map(|(_, e)| e)
        })
    }

    /// The entry for a status: the exact status first, then its class (`4xx`).
    pub fn status(&self, status: u16) -> Option<&Entry> {
        self.statuses
            .get(&StatusPattern::Exact(status))
            .or_else(|| self.statuses.get(&StatusPattern::Hundreds(status / 100)))
    }

    /// Lay a parsed file over this catalog: what the file says wins, what it
    /// leaves out stays.
    pub(crate) fn apply(&mut self, file: CatalogFile) {
        self.apply_api(file.api);
        self.apply_policy(file.policy);
        for (code, e) in file.codes {
            self.codes.entry(code).or_default().apply(e);
        }
        for (status, e) in file.statuses {
            self.statuses.entry(status).or_default().apply(e);
        }
    }

    fn apply_api(&mut self, api: FileApi) {
        if let Some(t) = api.title {
            self.title = t;
        }
        if let Some(s) = api.services {
            self.set_services(s);
        }
        if let Some(p) = api.service_patterns {
            self.service_patterns = p.into_iter().map(|p| p.0).collect();
        }
        if let Some(e) = api.envelopes {
            self.envelopes = e;
        }
        if let Some(r) = api.routes {
            self.routes = r;
        }
    }

    fn apply_policy(&mut self, p: FilePolicy) {
        let to = &mut self.policy;
        set(&mut to.max_attempts, p.max_attempts);
        set(&mut to.backoff_cap_s, p.backoff_cap_s);
        set(&mut to.key_ttl_s, p.key_ttl_s);
        set(&mut to.honour_retry_after, p.honour_retry_after);
        set(&mut to.retry_statuses, p.retry_statuses);
        set(&mut to.wait_statuses, p.wait_statuses);
        set(&mut to.summary, p.summary);
    }
}

impl Entry {
    fn apply(&mut self, e: FileEntry) {
        if let Some(s) = e.status {
            self.status = Some(s.0);
        }
        if e.class.is_some() {
            self.class = e.class;
        }
        if e.retryable.is_some() {
            self.retryable = e.retryable;
        }
        set(&mut self.meaning, e.meaning);
        set(&mut self.hint, e.hint);
        set(&mut self.key_mismatch, e.key_mismatch);
    }
}

/// ` availengine prod eu ` for `AvailEngine-prod_eu`: lower-case words, each
/// with a space either side, and how many there are.
pub(crate) fn canonical_words(s: &str) -> (String, usize) {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(' ');
    let mut n = 0;
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out.extend(w.chars().flat_map(char::to_lowercase));
        out.push(' ');
        n += 1;
    }
    (out, n)
}

fn set<T>(to: &mut T, from: Option<T>) {
    if let Some(v) = from {
        *to = v;
    }
}
