//! The ClickHouse launcher: the `clickhouse-server` binary that `.ci/run`
//! unpacks from Debian's package, started as a child process on free
//! loopback ports with its data in a temp dir, and killed when the handle
//! drops. [`Server::single`] is one node; [`Cluster::two`] is two nodes on
//! 127.0.0.2 and 127.0.0.3 with the same ports, named as the shards of
//! cluster `errs` in `remote_servers`. One file shared by the store tests
//! (through `tests/common/clickhouse.rs`) and the benchmark's ClickHouse
//! column (`examples/bench/clickhouse.rs`, by `#[path]`): it needs nothing
//! of the test helpers or of errtriage.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The user with a password, for the credential tests.
pub const USER: &str = "triage";
pub const PASSWORD: &str = "s3cret";
/// The cluster name in `remote_servers`.
pub const CLUSTER: &str = "errs";

/// Where the server binary is: `ERRTRIAGE_CLICKHOUSE_SERVER`, else where
/// `.ci/run` unpacks it, else a system install.
pub fn server_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ERRTRIAGE_CLICKHOUSE_SERVER") {
        return Some(PathBuf::from(p));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("target/clickhouse/usr/sbin/clickhouse-server"),
        PathBuf::from("/opt/clickhouse/usr/sbin/clickhouse-server"),
        PathBuf::from("/usr/sbin/clickhouse-server"),
        PathBuf::from("/usr/bin/clickhouse-server"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

fn found_binary() -> Result<PathBuf, String> {
    server_binary().ok_or_else(|| {
        "no clickhouse-server binary (run .ci/run, or set ERRTRIAGE_CLICKHOUSE_SERVER)".into()
    })
}

/// One running server.
pub struct Server {
    pub host: String,
    pub http_port: u16,
    pub tcp_port: u16,
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl Server {
    /// One node on 127.0.0.1, or why it could not start.
    pub fn single() -> Result<Server, String> {
        Server::single_of(&found_binary()?)
    }

    /// One node of the server binary `bin` on 127.0.0.1.
    pub fn single_of(bin: &Path) -> Result<Server, String> {
        on_free_ports(&["127.0.0.1"], |http, tcp| {
            Server::start(bin, "127.0.0.1", http, tcp, "")
        })
    }

    fn start(
        bin: &Path,
        host: &str,
        http_port: u16,
        tcp_port: u16,
        extra: &str,
    ) -> Result<Server, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let d = dir.path().display().to_string();
        let config = format!(
            "<yandex>\n<logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/error.log</errorlog><console>0</console></logger>\n\
             <http_port>{http_port}</http_port><tcp_port>{tcp_port}</tcp_port><listen_host>{host}</listen_host>\n\
             <path>{d}/data/</path><tmp_path>{d}/tmp/</tmp_path><user_files_path>{d}/user_files/</user_files_path>\n\
             <format_schema_path>{d}/format_schemas/</format_schema_path>\n\
             <users_config>users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>\n\
             <mark_cache_size>67108864</mark_cache_size><uncompressed_cache_size>67108864</uncompressed_cache_size>\n\
             <max_concurrent_queries>50</max_concurrent_queries>\n{extra}\n</yandex>\n"
        );
        let users = format!(
            "<yandex><profiles><default></default></profiles><quotas><default></default></quotas><users>\n\
             <default><password></password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></default>\n\
             <{USER}><password>{PASSWORD}</password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></{USER}>\n\
             </users></yandex>\n"
        );
        std::fs::write(dir.path().join("config.xml"), config).map_err(|e| e.to_string())?;
        std::fs::write(dir.path().join("users.xml"), users).map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .arg(format!("--config-file={d}/config.xml"))
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(dir.path().join("stderr.log")).map_err(|e| e.to_string())?,
            )
            .spawn()
            .map_err(|e| format!("{} cannot start: {e}", bin.display()))?;
        let mut server = Server {
            host: host.to_string(),
            http_port,
            tcp_port,
            child: Some(child),
            dir,
        };
        server.wait_ready()?;
        Ok(server)
    }

    /// Waits until `SELECT 1` answers (bounded: a server that does not come
    /// up is reported with its error log).
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.query("SELECT 1").is_ok_and(|a| a.trim() == "1") {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                return Err(format!(
                    "clickhouse-server exited ({status}): {}",
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "clickhouse-server did not answer in 60 s: {}",
            self.log_tail()
        ))
    }

    fn log_tail(&self) -> String {
        let mut log = String::new();
        for f in ["stderr.log", "error.log"] {
            log += &std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default();
        }
        let lines: Vec<&str> = log.lines().rev().take(5).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
    }

    /// A query as the default user; the body, or the error text.
    pub fn query(&self, sql: &str) -> Result<String, String> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        let mut res = agent
            .post(&format!("http://{}:{}/", self.host, self.http_port))
            .send(sql)
            .map_err(|e| e.to_string())?;
        let body = res.body_mut().read_to_string().map_err(|e| e.to_string())?;
        if res.status() == 200 {
            Ok(body)
        } else {
            Err(body)
        }
    }

    /// The store URL for database `db` (as the default user).
    pub fn url(&self, db: &str) -> String {
        format!("clickhouse://{}:{}/{db}", self.host, self.http_port)
    }

    /// The store URL with the password user.
    pub fn url_as(&self, user: &str, password: &str, db: &str) -> String {
        format!(
            "clickhouse://{user}:{password}@{}:{}/{db}",
            self.host, self.http_port
        )
    }

    /// The server's process id while it runs (for its memory, read from
    /// `/proc`).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Kills the server now (a shard going down mid-test).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Two servers, the shards of cluster [`CLUSTER`].
pub struct Cluster {
    pub shards: Vec<Server>,
}

impl Cluster {
    /// Two shards on 127.0.0.2 and 127.0.0.3, on the same ports.
    pub fn two() -> Result<Cluster, String> {
        Cluster::two_of(&found_binary()?)
    }

    /// Two shards of the server binary `bin`.
    pub fn two_of(bin: &Path) -> Result<Cluster, String> {
        let hosts = ["127.0.0.2", "127.0.0.3"];
        on_free_ports(&hosts, |http, tcp| {
            let shards: String = hosts
                .iter()
                .map(|h| {
                    format!("<shard><replica><host>{h}</host><port>{tcp}</port></replica></shard>")
                })
                .collect();
            let extra = format!("<remote_servers><{CLUSTER}>{shards}</{CLUSTER}></remote_servers>");
            let mut servers = Vec::new();
            for h in hosts {
                servers.push(Server::start(bin, h, http, tcp, &extra)?);
            }
            Ok(Cluster { shards: servers })
        })
    }

    /// The store URL naming the cluster, through the first shard.
    pub fn url(&self, db: &str) -> String {
        format!("{}?cluster={CLUSTER}", self.shards[0].url(db))
    }
}

/// `start` on a port pair free on every one of `hosts`, again on new ports
/// when a port was taken between the check and the server's bind (another
/// test's connection may get it as its ephemeral port meanwhile).
fn on_free_ports<T>(
    hosts: &[&str],
    start: impl Fn(u16, u16) -> Result<T, String>,
) -> Result<T, String> {
    let mut last = String::new();
    for _ in 0..5 {
        let (http, tcp) = free_ports(hosts)?;
        match start(http, tcp) {
            Err(e) if e.contains("Address already in use") => last = e,
            done => return done,
        }
    }
    Err(last)
}

/// An HTTP and a TCP port free on every one of `hosts`.
fn free_ports(hosts: &[&str]) -> Result<(u16, u16), String> {
    for _ in 0..50 {
        let a = pick(hosts[0])?;
        let b = pick(hosts[0])?;
        if a != b && hosts.iter().all(|h| is_free(h, a) && is_free(h, b)) {
            return Ok((a, b));
        }
    }
    Err(format!("no free port pair on {hosts:?}"))
}

fn pick(host: &str) -> Result<u16, String> {
    let l = TcpListener::bind((host, 0)).map_err(|e| format!("cannot bind {host}: {e}"))?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn is_free(host: &str, port: u16) -> bool {
    TcpListener::bind((host, port)).is_ok()
}
