//! Shared helpers for the CLI tests: a private index per test and the real
//! binary, run with arguments (and stdin) like a user would.
#![allow(dead_code)]

pub mod clickhouse;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde::de::DeserializeOwned;

pub struct Env {
    pub dir: tempfile::TempDir,
    pub index: PathBuf,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = dir.path().join("index");
        Env { dir, index }
    }

    /// A path inside this test's private directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Write a file (creating parent directories).
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub fn cmd(&self) -> Command {
        self.cmd_at(&self.index)
    }

    /// The binary with an index somewhere other than this test's default.
    pub fn cmd_at(&self, index: &Path) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_errtriage"));
        c.arg("--index")
            .arg(index)
            .env("NO_COLOR", "1")
            .env_remove("ERRTRIAGE_INDEX");
        // Keep the user's own catalogs out of the tests.
        c.env("XDG_CONFIG_HOME", self.dir.path().join("config"));
        c
    }

    /// Run with `args`; stdin is empty.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_stdin(args, b"")
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = self
            .cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn errtriage");
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Run, expect exit 0, decode stdout as `T`.
    pub fn json<T: DeserializeOwned>(&self, args: &[&str]) -> T {
        self.decode(args, &[0])
    }

    /// Run, expect exit 0 or 1 (nothing found), decode stdout as `T`.
    pub fn json_any<T: DeserializeOwned>(&self, args: &[&str]) -> T {
        self.decode(args, &[0, 1])
    }

    fn decode<T: DeserializeOwned>(&self, args: &[&str], codes: &[i32]) -> T {
        let out = self.run(args);
        let code = out.status.code().unwrap_or(-1);
        assert!(
            codes.contains(&code),
            "{args:?} exited {code}: {}",
            stderr(&out)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {}", stdout(&out)))
    }

    /// `ingest PATHS --json`, decoded.
    pub fn ingest(&self, paths: &[&Path]) -> serde_json::Value {
        let mut args = vec!["ingest", "--json"];
        let owned: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        args.extend(owned.iter().map(String::as_str));
        self.json(&args)
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The repository's root (for sample-logs/ and tests/data/).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A test that cannot run here (it needs root to mount a file system) must
/// not pass in silence: under CI (`CI=true`, as root) it fails; elsewhere it
/// prints why and leaves a marker in `target/tmp/skipped/` that `.ci/run`
/// lists after the tests.
pub fn cannot_run(test: &str, why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("{test} could not run under CI: {why}");
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(test), format!("{why}\n"));
    eprintln!("SKIPPED {test}: {why}");
}
