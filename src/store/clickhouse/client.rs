//! The HTTP client under the ClickHouse store: one agent with timeouts,
//! queries answered as `JSONEachRow`, inserts gzipped, and every value bound
//! as ClickHouse "external data" (a small temporary table sent with the
//! query) so no value is ever pasted into SQL text. External data works on
//! every server from 18.16 on, so there is one way to bind on all of them.
//! Server errors become one line that names the server and what to do.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use serde::de::DeserializeOwned;

use super::url::Target;
use crate::{Error, Result};

/// Values bound to a query: each name becomes a table `p_<name>` with one
/// column `v`, read in SQL as `(SELECT v FROM p_<name>)`.
#[derive(Debug, Default, Clone)]
pub struct Bind {
    tables: Vec<(String, &'static str, String)>,
}

impl Bind {
    pub fn new() -> Bind {
        Bind::default()
    }

    /// Binds `name` to one or more strings.
    pub fn strings<'a>(mut self, name: &str, values: impl IntoIterator<Item = &'a str>) -> Bind {
        let mut rows = String::new();
        for v in values {
            tsv_escape(&mut rows, v);
            rows.push('\n');
        }
        self.tables.push((name.to_string(), "v String", rows));
        self
    }

    pub fn string(self, name: &str, value: &str) -> Bind {
        self.strings(name, [value])
    }

    /// Binds `name` to one or more integers.
    pub fn numbers(mut self, name: &str, values: impl IntoIterator<Item = i64>) -> Bind {
        let rows: String = values.into_iter().map(|v| format!("{v}\n")).collect();
        self.tables.push((name.to_string(), "v Int64", rows));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }
}

/// TSV's escaping: backslash, tab, newline and carriage return.
fn tsv_escape(out: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
}

/// One server's HTTP interface.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    auth: String,
    server: String,
    user: String,
    pub database: String,
    /// Rows answered to [`Client::rows`] so far (by this client and its
    /// clones): what came over the wire.
    received: Arc<AtomicU64>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({})", self.server)
    }
}

impl Client {
    /// A client for `t`'s server (nothing is sent yet).
    pub fn new(t: &Target, timeout: Duration) -> Client {
        Client::for_host(t, &t.host, t.port, timeout)
    }

    /// A client for another node of `t`'s cluster, with `t`'s credentials.
    pub fn for_host(t: &Target, host: &str, port: u16, timeout: Duration) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build()
            .into();
        let hostport = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let creds = format!("{}:{}", t.user, t.password.as_deref().unwrap_or(""));
        Client {
            agent,
            base: format!("http://{hostport}/"),
            auth: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(creds)
            ),
            server: hostport,
            user: t.user.clone(),
            database: t.database.clone(),
            received: Default::default(),
        }
    }

    /// Rows the server has answered to `SELECT`s so far: how much of an
    /// answer came over the wire (a bounded query reads few).
    pub fn rows_received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// `host:port`, as messages name it.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// An error about this server.
    pub fn error(&self, message: impl Into<String>) -> Error {
        Error::store(format!("ClickHouse at {}", self.server), message)
    }

    /// Runs a statement that returns nothing (DDL), in the URL's database
    /// unless `in_database` is false (for `CREATE DATABASE`).
    pub fn execute(&self, sql: &str, in_database: bool) -> Result<()> {
        self.send(sql, &Bind::new(), in_database).map(drop)
    }

    /// Runs a statement that returns nothing with values bound (an
    /// `INSERT … SELECT` of bound values).
    pub fn execute_bound(&self, sql: &str, bind: &Bind) -> Result<()> {
        self.send(sql, bind, true).map(drop)
    }

    /// Runs a `SELECT` and decodes its rows (`FORMAT JSONEachRow` is added;
    /// 64-bit integers come as numbers).
    pub fn rows<T: DeserializeOwned>(&self, sql: &str, bind: &Bind) -> Result<Vec<T>> {
        self.rows_in(sql, bind, true)
    }

    /// [`Client::rows`] outside the URL's database (which may not exist
    /// yet): for `system` tables and the version.
    pub fn server_rows<T: DeserializeOwned>(&self, sql: &str, bind: &Bind) -> Result<Vec<T>> {
        self.rows_in(sql, bind, false)
    }

    fn rows_in<T: DeserializeOwned>(&self, sql: &str, bind: &Bind, in_db: bool) -> Result<Vec<T>> {
        let body = self.send(&format!("{sql} FORMAT JSONEachRow"), bind, in_db)?;
        let rows: Vec<T> = body
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .map_err(|e| self.error(format!("unexpected answer ({e}): {}", first_line(l))))
            })
            .collect::<Result<_>>()?;
        self.received
            .fetch_add(rows.len() as u64, Ordering::Relaxed);
        Ok(rows)
    }

    /// Inserts rows already written as `JSONEachRow` into `table`, gzipped.
    pub fn insert(&self, table: &str, jsonl: &[u8]) -> Result<()> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(jsonl)
            .and_then(|_| gz.flush())
            .map_err(|e| self.error(format!("cannot compress a batch: {e}")))?;
        let body = gz
            .finish()
            .map_err(|e| self.error(format!("cannot compress a batch: {e}")))?;
        let sql = format!("INSERT INTO {table} FORMAT JSONEachRow");
        let req = self
            .agent
            .post(&self.base)
            .header("Authorization", &self.auth)
            .header("Content-Encoding", "gzip")
            .query("database", &self.database)
            .query("input_format_skip_unknown_fields", "1")
            // On a cluster, the insert returns only once every shard has its
            // rows: a commit is then on the shards, not in a local queue.
            .query("insert_distributed_sync", "1")
            .query("query", &sql);
        self.answer(req.send(&body[..])).map(drop)
    }

    /// The server's version, e.g. `18.16.1`.
    pub fn version(&self) -> Result<Version> {
        #[derive(serde::Deserialize)]
        struct V {
            v: String,
        }
        let rows: Vec<V> = self.server_rows("SELECT version() AS v", &Bind::new())?;
        let v = rows.first().map(|r| r.v.as_str()).unwrap_or("");
        Version::parse(v).ok_or_else(|| self.error(format!("unrecognised server version `{v}`")))
    }

    fn send(&self, sql: &str, bind: &Bind, in_database: bool) -> Result<String> {
        let mut req = self
            .agent
            .post(&self.base)
            .header("Authorization", &self.auth)
            .query("wait_end_of_query", "1")
            .query("output_format_json_quote_64bit_integers", "0")
            .query("query", sql);
        if in_database {
            req = req.query("database", &self.database);
        }
        if bind.is_empty() {
            return self.answer(req.send(&[][..]));
        }
        let boundary = "errtriage-bind-7c1f0a9d3e";
        let mut body = String::new();
        for (name, structure, rows) in &bind.tables {
            let table = format!("p_{name}");
            req = req.query(format!("{table}_structure"), *structure);
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{table}\"; filename=\"{table}.tsv\"\r\nContent-Type: text/tab-separated-values\r\n\r\n{rows}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let req = req.header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        );
        self.answer(req.send(body.as_bytes()))
    }

    /// The body of a 200, or the server's error as one line.
    fn answer(
        &self,
        res: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<String> {
        let mut res = res.map_err(|e| self.transport_error(&e))?;
        let status = res.status().as_u16();
        let body = res
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_string()
            .map_err(|e| self.transport_error(&e))?;
        if status == 200 {
            return Ok(body);
        }
        Err(self.error(server_message(&self.user, &self.database, status, &body)))
    }

    fn transport_error(&self, e: &ureq::Error) -> Error {
        let what = match e {
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                "connection refused".to_string()
            }
            ureq::Error::Timeout(_) => "no answer in time".to_string(),
            other => other.to_string(),
        };
        self.error(format!(
            "cannot reach the server ({what}): is it running? check the address in --store, ERRTRIAGE_STORE or `store` in config.toml"
        ))
    }
}

/// A ClickHouse error body turned into what the user should do.
fn server_message(user: &str, database: &str, status: u16, body: &str) -> String {
    let code: Option<u32> = body
        .strip_prefix("Code: ")
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|c| c.parse().ok());
    let text = exception_text(body);
    match code {
        Some(192 | 193 | 516) => format!(
            "wrong user or password for `{user}`: check the store URL or {}",
            super::url::PASSWORD_ENV
        ),
        Some(81) => {
            format!("database `{database}` does not exist: run `errtriage --store URL store init`")
        }
        Some(60) => {
            format!(
                "{text}: the errtriage schema is missing, run `errtriage --store URL store init`"
            )
        }
        Some(209 | 210 | 279 | 519) => {
            format!(
                "a shard did not answer ({text}): start it, or check the cluster's remote_servers"
            )
        }
        Some(_) => format!("the server rejected the query: {text}"),
        None => format!("HTTP {status}: {}", first_line(body)),
    }
}

/// The message of a ClickHouse exception, without its code and stack.
fn exception_text(body: &str) -> String {
    let line = first_line(body);
    let text = line
        .split_once("e.displayText() = ")
        .map(|(_, t)| t)
        .or_else(|| line.split_once(", ").map(|(_, t)| t))
        .unwrap_or(line);
    let text = text.split(", e.what()").next().unwrap_or(text);
    text.trim_start_matches("DB::Exception: ")
        .trim()
        .to_string()
}

fn first_line(s: &str) -> &str {
    let line = s.lines().next().unwrap_or("").trim();
    match line.char_indices().nth(300) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

/// A server version, compared to decide which features to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32);

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let mut parts = s.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(Version(major, minor))
    }

    /// Data-skipping indexes of type `bloom_filter` (19.8 and later, without
    /// an experimental setting from 20.1).
    pub fn has_bloom_filter(self) -> bool {
        self >= Version(20, 1)
    }

    /// Column compression codecs (`CODEC(ZSTD)`, 19.1 and later).
    pub fn has_codecs(self) -> bool {
        self >= Version(19, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_escaping_keeps_values_literal() {
        let mut s = String::new();
        tsv_escape(&mut s, "a'b\\c\td\ne");
        assert_eq!(s, "a'b\\\\c\\td\\ne");
    }

    #[test]
    fn server_errors_become_advice() {
        let wrong = "Code: 193, e.displayText() = DB::Exception: Wrong password for user triage, e.what() = DB::Exception\n";
        assert!(server_message("triage", "d", 500, wrong).contains("wrong user or password"));
        let syntax = "Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 1, e.what() = DB::Exception";
        assert_eq!(
            server_message("u", "d", 500, syntax),
            "the server rejected the query: Syntax error: failed at position 1"
        );
    }

    #[test]
    fn versions_order() {
        let old = Version::parse("18.16.1").unwrap();
        assert!(!old.has_bloom_filter() && !old.has_codecs());
        assert!(Version::parse("24.3.1.2").unwrap().has_bloom_filter());
    }
}
