//! catalog: what an error code means per API, and each API's retry policy
//! (DESIGN "Error catalogs"). Built-in catalogs are TOML data files compiled
//! in; users add their own. Used at ingest (to fill `api` and `class`) and by
//! query (readings for `find`, policies for chains).
//!
//! - `api`       — one API's catalog in memory, and how files merge into it
//! - `load`      — the TOML format, file loading, errors with line and field
//! - `recognize` — which API wrote a line (service, envelope + code)
//! - `reading`   — what a code means: code table, then status tables, then status
//! - `policy`    — retry policies and status patterns

mod api;
mod load;
mod policy;
mod reading;
mod recognize;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use api::{ApiCatalog, Entry};
pub use load::CatalogError;
pub use policy::{RetryPolicy, Retryable, StatusPattern};
pub use reading::Reading;
pub use recognize::is_status_code;

use crate::model::{Envelope, Event};
use crate::normalize::Normalized;
use reading::Lookup;

/// The name of the generic HTTP catalog; events it reads carry `api: None`.
pub const GENERIC: &str = "generic";

/// A built-in data file as build.rs wrote it: the TOML under `src/` turned
/// into JSON, read without a TOML parser at start (BENCHMARKS.md, "One-shot
/// start-up work").
macro_rules! builtin_json {
    ($path:literal) => {
        include_str!(concat!(
            env!("OUT_DIR"),
            "/src/catalog/builtin/",
            $path,
            ".json"
        ))
    };
}

/// The built-in catalog files (name, JSON), in recognition order.
const BUILTIN: [(&str, &str); 4] = [
    ("42min.toml", builtin_json!("42min")),
    ("member-api.toml", builtin_json!("member-api")),
    ("availengine.toml", builtin_json!("availengine")),
    ("calendarpipe.toml", builtin_json!("calendarpipe")),
];
const BUILTIN_GENERIC: &str = builtin_json!("generic");

/// [`Catalogs::fingerprint`] of the built-in catalogs alone: what every
/// index ingested without user catalogs records, known without hashing
/// their text on every start. A test recomputes it; a change to a built-in
/// catalog (or to how catalogs print) must update it.
const BUILTIN_FINGERPRINT: u64 = 0x721a_2844_f319_a263;

/// All catalogs in effect: built-ins, then user files (which override).
#[derive(Clone)]
pub struct Catalogs {
    /// Named APIs in load order (built-ins first, user additions after).
    apis: Vec<ApiCatalog>,
    generic: ApiCatalog,
    /// No user file laid over the built-ins (the fingerprint is known).
    builtin_only: bool,
}

/// What the fingerprint hashes: the catalogs' contents, as a derived
/// `Debug` would print them (without `builtin_only`).
impl std::fmt::Debug for Catalogs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogs")
            .field("apis", &self.apis)
            .field("generic", &self.generic)
            .finish()
    }
}

impl Catalogs {
    /// The built-in catalogs only.
    pub fn builtin() -> Catalogs {
        static BUILT: OnceLock<Catalogs> = OnceLock::new();
        BUILT.get_or_init(build_builtin).clone()
    }

    /// Built-ins plus every `*.toml` in `dir` (if it exists, in name order)
    /// plus `files`, each overriding what came before per API and per code.
    pub fn load(files: &[PathBuf], dir: Option<&Path>) -> Result<Catalogs, CatalogError> {
        let mut catalogs = Catalogs::builtin();
        let from_dir = match dir {
            Some(dir) => load::files_in(dir)?,
            None => Vec::new(),
        };
        for path in from_dir.iter().chain(files) {
            catalogs.merge(load::read(path)?);
        }
        Ok(catalogs)
    }

    /// Where user catalogs live: `<config dir>/errtriage/catalogs`.
    pub fn default_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "errtriage").map(|d| d.config_dir().join("catalogs"))
    }

    /// Lay one catalog's TOML text over these (`origin` names it in errors).
    pub fn add_toml(&mut self, text: &str, origin: &Path) -> Result<(), CatalogError> {
        self.merge(load::parse(text, origin)?);
        Ok(())
    }

    fn merge(&mut self, file: load::CatalogFile) {
        self.builtin_only = false;
        let name = file.api.name.trim().to_string();
        if name.eq_ignore_ascii_case(GENERIC) {
            self.generic.apply(file);
        } else if let Some(api) = self
            .apis
            .iter_mut()
            .find(|a| a.name.eq_ignore_ascii_case(&name))
        {
            api.apply(file);
        } else {
            let mut api = ApiCatalog::new(&name);
            api.apply(file);
            self.apis.push(api);
        }
    }

    /// A hash of everything these catalogs say (built-ins and user files
    /// alike), recorded with the index: when it changes, the indexed `api`
    /// and `class` may no longer be what a read shows (`errtriage reindex`).
    pub fn fingerprint(&self) -> u64 {
        if self.builtin_only {
            return BUILTIN_FINGERPRINT;
        }
        self.hash_contents()
    }

    fn hash_contents(&self) -> u64 {
        // Every map in a catalog is ordered, so the Debug text is stable.
        xxhash_rust::xxh3::xxh3_64(format!("{self:?}").as_bytes())
    }

    /// The named APIs, built-ins first.
    pub fn apis(&self) -> &[ApiCatalog] {
        &self.apis
    }

    /// The generic HTTP catalog.
    pub fn generic(&self) -> &ApiCatalog {
        &self.generic
    }

    /// An API by name (any case); `generic` gives the generic catalog.
    pub fn api(&self, name: &str) -> Option<&ApiCatalog> {
        if name.eq_ignore_ascii_case(GENERIC) {
            return Some(&self.generic);
        }
        self.apis.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Which API wrote the event: its service name first, else its envelope
    /// shape plus its code. `None`: generic.
    pub fn recognise(&self, event: &Event, envelope: Envelope) -> Option<&str> {
        let by_service = event
            .service
            .as_deref()
            .and_then(|s| recognize::by_service(&self.apis, s));
        by_service
            .or_else(|| {
                let code = event.code.as_deref()?;
                recognize::by_envelope(&self.apis, envelope, code)
            })
            .map(|a| a.name.as_str())
    }

    /// The API an already classified event belongs to: its `api` if still
    /// catalogued, else what its service name says.
    pub fn api_of<'a>(&'a self, event: &Event) -> Option<&'a str> {
        let named = event
            .api
            .as_deref()
            .and_then(|n| self.apis.iter().find(|a| a.name == n));
        named
            .or_else(|| {
                event
                    .service
                    .as_deref()
                    .and_then(|s| recognize::by_service(&self.apis, s))
            })
            .map(|a| a.name.as_str())
    }

    /// Recognise the API and fill `event.api` and `event.class` (`None` for
    /// events that did not fail), and `event.route` when a catalog names a
    /// route template that fits the path.
    pub fn classify(&self, n: &mut Normalized) {
        let api = self.recognise(&n.event, n.envelope);
        let class =
            failure_code(&n.event).map(|code| self.lookup(api, &code, n.event.status).class());
        if let Some(route) = n
            .event
            .path
            .as_deref()
            .and_then(|p| self.named_route(api, p))
        {
            n.event.route = Some(route.to_string());
        }
        n.event.api = api.map(str::to_string);
        n.event.class = class;
    }

    /// The first catalog route template that fits `path`: the recognised
    /// API's own first, then any catalog's (later files first, so a user's
    /// template wins over a built-in one).
    pub fn named_route(&self, api: Option<&str>, path: &str) -> Option<&str> {
        let own = api.and_then(|n| self.api(n)).into_iter();
        let all = self.apis.iter().rev().chain([&self.generic]);
        own.chain(all)
            .flat_map(|a| &a.routes)
            .find(|t| crate::normalize::route::matches_template(t, path))
            .map(String::as_str)
    }

    /// The reading of a failed event's code; `None` for successes and
    /// context lines.
    pub fn reading(&self, event: &Event) -> Option<Reading> {
        let code = failure_code(event)?;
        Some(self.read_code(self.api_of(event), &code, event.status))
    }

    /// What `code` (answered with `status`, if known) means in `api`
    /// (`None`: the generic catalog).
    pub fn read_code(&self, api: Option<&str>, code: &str, status: Option<u16>) -> Reading {
        self.lookup(api, code, status).reading(code)
    }

    fn lookup(&self, api: Option<&str>, code: &str, status: Option<u16>) -> Lookup<'_> {
        let cat = api.and_then(|n| self.api(n)).unwrap_or(&self.generic);
        let status_entry = |s| cat.status(s).or_else(|| self.generic.status(s));
        Lookup {
            cat,
            generic: std::ptr::eq(cat, &self.generic),
            by_code: cat.code(code),
            by_status: status.and_then(status_entry),
            status,
        }
    }

    /// The retry policy of an API (`None` or an unknown name: the generic
    /// defaults).
    pub fn policy(&self, api: Option<&str>) -> &RetryPolicy {
        api.and_then(|n| self.api(n))
            .map_or(&self.generic.policy, |a| &a.policy)
    }
}

/// The code a failed event is read by: its own, else `http_<status>`.
fn failure_code(event: &Event) -> Option<String> {
    if !event.is_failure() {
        return None;
    }
    match (&event.code, event.status) {
        (Some(c), _) => Some(c.clone()),
        (None, Some(s)) => Some(format!("http_{s}")),
        (None, None) => None,
    }
}

fn build_builtin() -> Catalogs {
    let parse = |name: &str, text: &str| {
        let path = PathBuf::from(format!("<built-in>/{name}"));
        load::parse_builtin(text, &path)
    };
    let mut generic = ApiCatalog::new(GENERIC);
    generic.apply(parse("generic.toml", BUILTIN_GENERIC));
    let mut catalogs = Catalogs {
        apis: Vec::new(),
        generic,
        builtin_only: false,
    };
    for (name, text) in BUILTIN {
        catalogs.merge(parse(name, text));
    }
    catalogs.builtin_only = true;
    catalogs
}

#[cfg(test)]
mod fingerprint_tests {
    use super::*;

    /// The pinned fingerprint is the built-ins' own: indexes written before
    /// it was pinned, and after, read as derived with these catalogs.
    #[test]
    fn the_builtin_fingerprint_is_the_hash_of_the_builtins() {
        let builtin = Catalogs::builtin();
        let hashed = builtin.hash_contents();
        assert_eq!(
            hashed, BUILTIN_FINGERPRINT,
            "a built-in catalog changed: set BUILTIN_FINGERPRINT to {hashed:#x}"
        );
        assert_eq!(builtin.fingerprint(), hashed);
    }

    /// The JSON build.rs wrote reads exactly as the TOML it came from does
    /// when a user's catalog is read.
    #[test]
    fn the_builtin_json_reads_as_its_toml() {
        let toml = [
            include_str!("builtin/42min.toml"),
            include_str!("builtin/member-api.toml"),
            include_str!("builtin/availengine.toml"),
            include_str!("builtin/calendarpipe.toml"),
            include_str!("builtin/generic.toml"),
        ];
        let json = BUILTIN.iter().map(|(_, j)| *j).chain([BUILTIN_GENERIC]);
        for (toml, json) in toml.iter().zip(json) {
            let path = Path::new("builtin.toml");
            let from_toml = load::parse(toml, path).expect("a built-in catalog parses");
            let from_json = load::parse_builtin(json, path);
            assert_eq!(format!("{from_toml:?}"), format!("{from_json:?}"));
        }
    }

    /// A user file, even one that changes nothing, is hashed, not assumed.
    #[test]
    fn catalogs_with_a_user_file_are_hashed() {
        let mut user = Catalogs::builtin();
        let toml = "[api]\nname = \"42min\"\n[codes.slot_unavailable]\nclass = \"server\"\n";
        user.add_toml(toml, Path::new("user.toml")).unwrap();
        assert!(!user.builtin_only);
        assert_eq!(user.fingerprint(), user.hash_contents());
        assert_ne!(user.fingerprint(), BUILTIN_FINGERPRINT);
    }
}
