//! open: which store a run uses, and opening it. The choice comes from
//! `--store URL`, else `ERRTRIAGE_STORE`, else `store = "…"` in the config
//! file (`~/.config/errtriage/config.toml`), else the local index in
//! `--index DIR` ([`StoreChoice::resolve`]). Every front end opens its
//! store here ([`open_store`], [`open_sink`], [`init`]) and then holds only
//! the [`Store`]/[`Sink`] traits.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Sink, Store};
use crate::catalog::Catalogs;
use crate::error::{Error, Result};
use crate::index::{LocalStore, Writer, WriterOptions};

/// The environment variable naming the store.
pub const STORE_ENV: &str = "ERRTRIAGE_STORE";
pub use super::clickhouse::url::{PASSWORD_ENV, Target};

/// The store a run uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// The local tantivy index in this directory (the default).
    Local(PathBuf),
    /// A ClickHouse server or cluster.
    ClickHouse(Target),
}

impl StoreChoice {
    /// The store named by `--store` (`flag`), else `ERRTRIAGE_STORE`
    /// (`env`), else the config file in `config_dir`, else the local index
    /// in `index_dir`.
    pub fn resolve(
        flag: Option<&str>,
        env: Option<&str>,
        config_dir: Option<&Path>,
        index_dir: &Path,
    ) -> Result<StoreChoice> {
        let configured = config_dir.map(config_store).transpose()?.flatten();
        let named = [
            flag.map(|v| (v.to_string(), "--store".to_string())),
            env.filter(|v| !v.is_empty())
                .map(|v| (v.to_string(), STORE_ENV.to_string())),
            configured,
        ];
        match named.into_iter().flatten().next() {
            Some((value, from)) => {
                StoreChoice::parse(&value, index_dir).map_err(|why| Error::store(from, why))
            }
            None => Ok(StoreChoice::Local(index_dir.to_path_buf())),
        }
    }

    /// `local` (the index in `index_dir`) or a `clickhouse://` URL.
    pub fn parse(value: &str, index_dir: &Path) -> std::result::Result<StoreChoice, String> {
        let value = value.trim();
        if value == "local" {
            return Ok(StoreChoice::Local(index_dir.to_path_buf()));
        }
        match value.split_once("://") {
            Some(("clickhouse", _)) => Target::parse_env(value).map(StoreChoice::ClickHouse),
            Some((scheme, _)) => Err(format!(
                "unknown store `{scheme}://…` — use clickhouse://host:port/database or `local`"
            )),
            None => Err(format!(
                "`{}` is not a store URL — use clickhouse://host:port/database or `local` (the index in --index DIR)",
                crate::sanitize::escape(value)
            )),
        }
    }
}

/// `store = "…"` from `config.toml` in `dir`, with where it came from.
fn config_store(dir: &Path) -> Result<Option<(String, String)>> {
    let path = dir.join("config.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let table: toml::Table =
        toml::from_str(&text).map_err(|e| Error::store(path.display().to_string(), e.message()))?;
    match table.get("store") {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some((s.clone(), path.display().to_string()))),
        Some(_) => Err(Error::store(
            path.display().to_string(),
            "`store` must be a string like \"clickhouse://localhost:8123/errtriage\"",
        )),
    }
}

/// Open the chosen store for reading.
pub fn open_store(choice: &StoreChoice, catalogs: Catalogs) -> Result<Arc<dyn Store>> {
    match choice {
        StoreChoice::Local(dir) => Ok(Arc::new(LocalStore::open(dir, catalogs)?)),
        StoreChoice::ClickHouse(url) => clickhouse::open_store(url, catalogs),
    }
}

/// Open the chosen store for one query (a one-shot command): the local
/// index as it is now, without a thread watching it for commits.
pub fn open_store_once(choice: &StoreChoice, catalogs: Catalogs) -> Result<Arc<dyn Store>> {
    match choice {
        StoreChoice::Local(dir) => Ok(Arc::new(LocalStore::open_once(dir, catalogs)?)),
        StoreChoice::ClickHouse(url) => clickhouse::open_store(url, catalogs),
    }
}

/// Open the chosen store for ingest; `on_wait` is called once if another
/// ingest holds the local index's lock and this one has to wait.
pub fn open_sink(
    choice: &StoreChoice,
    opts: &WriterOptions,
    on_wait: impl FnMut(),
) -> Result<Box<dyn Sink>> {
    match choice {
        StoreChoice::Local(dir) => Ok(Box::new(Writer::open(dir, opts, on_wait)?)),
        StoreChoice::ClickHouse(url) => clickhouse::open_sink(url),
    }
}

/// What `errtriage store init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initialized {
    /// One line per thing done or found already there.
    pub lines: Vec<String>,
}

/// `errtriage store init`: make the store ready to ingest into
/// (idempotent). The local index only needs its directory.
pub fn init(choice: &StoreChoice) -> Result<Initialized> {
    match choice {
        StoreChoice::Local(dir) => {
            let existed = dir.join("meta.json").exists();
            crate::index::dir::prepare(dir, false)?;
            let what = if existed {
                "holds an index already; nothing to do"
            } else {
                "is ready; `errtriage ingest` creates the index there"
            };
            Ok(Initialized {
                lines: vec![format!("local index {} {what}", dir.display())],
            })
        }
        StoreChoice::ClickHouse(url) => clickhouse::init(url),
    }
}

/// The ClickHouse store's entry points (`store/clickhouse/`).
mod clickhouse {
    use std::sync::Arc;

    use super::{Initialized, Target};
    use crate::catalog::Catalogs;
    use crate::error::Result;
    use crate::store::clickhouse::ClickHouse;
    use crate::store::clickhouse::sink::ClickHouseSink;
    use crate::store::{Sink, Store};

    pub fn open_store(url: &Target, catalogs: Catalogs) -> Result<Arc<dyn Store>> {
        let store = ClickHouse::connect_to(url.clone(), catalogs)?;
        store.check_schema()?;
        Ok(Arc::new(store))
    }

    pub fn open_sink(url: &Target) -> Result<Box<dyn Sink>> {
        let store = ClickHouse::connect_to(url.clone(), Catalogs::builtin())?;
        store.check_schema()?;
        Ok(Box::new(ClickHouseSink::open(&store)?))
    }

    pub fn init(url: &Target) -> Result<Initialized> {
        let store = ClickHouse::connect_to(url.clone(), Catalogs::builtin())?;
        store.init()?;
        let nodes = store.layout.nodes.len();
        let lines = match &store.layout.cluster {
            Some(c) => vec![format!(
                "{}: schema ready on the {nodes} nodes of cluster {c} (local tables and Distributed tables)",
                store.target.display()
            )],
            None => vec![format!("{}: schema ready", store.target.display())],
        };
        Ok(Initialized { lines })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clickhouse_url_is_read_whole_and_shown_without_its_password() {
        let index = Path::new("/idx");
        let StoreChoice::ClickHouse(url) = StoreChoice::parse(
            "clickhouse://ops:p%40ss@ch-1.internal:8123/logs?cluster=two_shards",
            index,
        )
        .unwrap() else {
            panic!("not clickhouse");
        };
        assert_eq!(url.user, "ops");
        assert_eq!(url.password.as_deref(), Some("p@ss"));
        assert_eq!((url.host.as_str(), url.port), ("ch-1.internal", 8123));
        assert_eq!(url.database, "logs");
        assert_eq!(url.cluster.as_deref(), Some("two_shards"));
        let shown = format!("{} {url:?}", url.display());
        assert!(
            !shown.contains("p@ss") && shown.contains("ops@ch-1.internal"),
            "{shown}"
        );
        assert_eq!(
            StoreChoice::parse("local", index),
            Ok(StoreChoice::Local(index.to_path_buf()))
        );
        for bad in [
            "clickhouse://h/db",
            "clickhouse://:8123/db",
            "clickhouse://h:8123/db?shards=2",
            "clickhouse://h:8123/db;drop",
            "clickhouse://h:99999/db",
        ] {
            let why = StoreChoice::parse(bad, index).unwrap_err();
            assert!(why.contains("expected clickhouse://"), "{bad}: {why}");
        }
    }
}
