//! peers: the tools support engineers use today, run on the same corpus as
//! errtriage and timed the same way — `jq` (ingest's peer: parse every
//! line), `rg`, `lnav` and `agrind` (angle-grinder) for `find` and `groups`.
//! Each peer is one row of [`PEERS`]: a shell command per task, for plain
//! and for zstd-compressed corpora. A peer that is not installed, cannot
//! read the corpus, or would take too long at the size is skipped, and the
//! report says which and why. Answers are cross-checked where the tools
//! answer the same question (the lines holding an id; the `"code":"…"`
//! pairs in the text).

use std::path::{Path, PathBuf};

use anyhow::{Result, ensure};
use serde_json::{Value, json};

use crate::measure::{self, Run};

/// What a peer is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Read and parse every line (errtriage's peer: `ingest`).
    Parse,
    /// Every line holding one request id (`find`).
    Find,
    /// Count the error codes (`groups --by code`).
    Groups,
}

impl Task {
    pub fn name(self) -> &'static str {
        match self {
            Task::Parse => "parse",
            Task::Find => "find",
            Task::Groups => "groups",
        }
    }
}

/// One peer doing one task. In the commands `FILES` is the corpus's files,
/// `DIR` its directory, `ID` the request id, `LNAV_CFG` the bench's lnav
/// format directory; `None`: the tool cannot do it on such a corpus.
pub struct Peer {
    pub tool: &'static str,
    pub task: Task,
    pub plain: Option<&'static str>,
    pub zstd: Option<&'static str>,
    /// Skipped above this many lines: the run would take most of an hour.
    pub max_lines: u64,
}

/// The `"code":"…"` pairs, as a support engineer greps them.
const CODE_RE: &str = r#""(code|errorCode|error_code)":"[^"]+""#;

/// Every peer and task, in the order the report lists them.
pub const PEERS: &[Peer] = &[
    Peer {
        tool: "jq",
        task: Task::Parse,
        plain: Some("jq -cR 'fromjson?' FILES >/dev/null"),
        zstd: Some("zstd -dcq FILES | jq -cR 'fromjson?' >/dev/null"),
        max_lines: 10_000_000,
    },
    Peer {
        tool: "rg",
        task: Task::Find,
        plain: Some("rg -F ID DIR"),
        zstd: Some("rg -z -F ID DIR"),
        max_lines: u64::MAX,
    },
    Peer {
        tool: "lnav",
        task: Task::Find,
        // On stdin: given several text files, lnav shows (and prints)
        // only the first.
        plain: Some("cat FILES | lnav -n -c ':filter-in ID'"),
        zstd: None,
        max_lines: 1_000_000,
    },
    Peer {
        tool: "agrind",
        task: Task::Find,
        plain: Some("cat FILES | agrind '\"ID\"'"),
        zstd: Some("zstd -dcq FILES | agrind '\"ID\"'"),
        max_lines: 10_000_000,
    },
    Peer {
        tool: "rg",
        task: Task::Groups,
        plain: Some("rg -oIN 'CODE_RE' DIR | sort | uniq -c | sort -rn"),
        zstd: Some("rg -z -oIN 'CODE_RE' DIR | sort | uniq -c | sort -rn"),
        max_lines: u64::MAX,
    },
    Peer {
        tool: "lnav",
        task: Task::Groups,
        plain: Some(
            "cat FILES | lnav -n -I LNAV_CFG -c \";SELECT coalesce(jget(response_body, '/error/code'), \
             jget(response_body, '/errorCode'), jget(response_body, '/error_code'), \
             jget(response_body, '/code')) AS code, count(*) AS n FROM errtriage_bench \
             WHERE code IS NOT NULL GROUP BY 1 ORDER BY 2 DESC\"",
        ),
        zstd: None,
        max_lines: 1_000_000,
    },
    Peer {
        tool: "agrind",
        task: Task::Groups,
        plain: Some("cat FILES | agrind '* | parse regex \"(?P<pair>CODE_RE)\" | count by pair'"),
        zstd: Some(
            "zstd -dcq FILES | agrind '* | parse regex \"(?P<pair>CODE_RE)\" | count by pair'",
        ),
        max_lines: 10_000_000,
    },
];

/// lnav reads JSON lines only through a format: this one claims the
/// gateway-style lines (a `timestamp`, the response body as JSON).
const LNAV_FORMAT: &str = r#"{
  "$schema": "https://lnav.org/schemas/format-v1.schema.json",
  "errtriage_bench": {
    "title": "errtriage bench: gateway JSON lines",
    "description": "the generator's gateway access lines",
    "json": true,
    "timestamp-field": "timestamp",
    "value": {
      "service": {"kind": "string", "identifier": true},
      "status": {"kind": "integer"},
      "path": {"kind": "string"},
      "response_body": {"kind": "json"}
    }
  }
}
"#;

/// What became of one peer's task at one size.
#[derive(Debug, Clone)]
pub struct PeerRun {
    pub tool: &'static str,
    pub task: Task,
    /// The command as run (placeholders filled, paths shortened).
    pub command: String,
    pub run: Option<Run>,
    /// For find: lines printed; for groups: groups printed.
    pub answer: Option<u64>,
    /// Why it did not run (`absent`, `skipped: …`), or a caveat.
    pub note: String,
}

impl PeerRun {
    pub fn ms(&self) -> Option<f64> {
        self.run.as_ref().map(Run::ms)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "tool": self.tool,
            "task": self.task.name(),
            "command": self.command,
            "ms": self.ms(),
            "answer": self.answer,
            "note": self.note,
        })
    }
}

/// Where the peers run: the corpus and how it is stored.
pub struct Corpus<'a> {
    pub dir: &'a Path,
    pub files: &'a [(PathBuf, u64)],
    pub lines: u64,
    pub zstd: bool,
    /// Where the lnav format directory goes.
    pub scratch: &'a Path,
}

/// Run every peer of `task` (`id` for find), `repeats` times each (the
/// median; parse runs once).
pub fn run_task(c: &Corpus, task: Task, id: &str, repeats: usize) -> Result<Vec<PeerRun>> {
    let mut out = Vec::new();
    for p in PEERS.iter().filter(|p| p.task == task) {
        out.push(run_peer(c, p, id, repeats)?);
    }
    cross_check(task, &out)?;
    Ok(out)
}

fn run_peer(c: &Corpus, p: &Peer, id: &str, repeats: usize) -> Result<PeerRun> {
    let template = if c.zstd { p.zstd } else { p.plain };
    let mut pr = PeerRun {
        tool: p.tool,
        task: p.task,
        command: template.map(|t| shown(t, id)).unwrap_or_default(),
        run: None,
        answer: None,
        note: String::new(),
    };
    let Some(template) = template else {
        pr.note = format!("skipped: {} cannot read zstd files", p.tool);
        return Ok(pr);
    };
    if !measure::installed(p.tool) {
        pr.note = "absent".into();
        return Ok(pr);
    }
    if template.starts_with("zstd ") && !measure::installed("zstd") {
        pr.note = "skipped: the zstd command is absent".into();
        return Ok(pr);
    }
    if c.lines > p.max_lines {
        pr.note = format!("skipped: too slow above {} lines", p.max_lines);
        return Ok(pr);
    }
    let script = filled(c, template, id)?;
    let run = if p.task == Task::Parse {
        measure::run(std::process::Command::new("sh").arg("-c").arg(&script))?
    } else {
        measure::shell_median(repeats, &script)?
    };
    if p.task != Task::Find && run.status != 0 {
        // lnav's format claims a stream only when its first lines are
        // gateway lines: on a mixed corpus it has no table to query.
        pr.note = format!("failed (exit {}): no answer on this corpus", run.status);
        return Ok(pr);
    }
    pr.answer = answer(p, &run.stdout);
    pr.run = Some(run);
    if p.tool == "lnav" && p.task == Task::Groups {
        pr.note = "gateway lines only: lnav reads JSON through one format per file".into();
    }
    Ok(pr)
}

/// What a peer's output says: lines for find; groups for groups.
fn answer(p: &Peer, stdout: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(stdout);
    let lines = text.lines().filter(|l| !l.trim().is_empty());
    match (p.task, p.tool) {
        (Task::Parse, _) => None,
        (Task::Find, _) | (Task::Groups, "rg") => Some(lines.count() as u64),
        // A header row above the groups.
        (Task::Groups, "lnav") => Some(lines.count().saturating_sub(1) as u64),
        // A header and a rule above the groups.
        (Task::Groups, _) => Some(
            lines
                .filter(|l| l.trim_start().starts_with("\"\\\"") || l.contains(":\\\""))
                .count() as u64,
        ),
    }
}

/// Tools asked the same question must give the same answer.
fn cross_check(task: Task, runs: &[PeerRun]) -> Result<()> {
    let comparable = |r: &&PeerRun| match task {
        Task::Find => true,
        // lnav groups what its format reads; rg and agrind the raw pairs.
        Task::Groups => r.tool != "lnav",
        Task::Parse => false,
    };
    let answers: Vec<(&str, u64)> = runs
        .iter()
        .filter(comparable)
        .filter_map(|r| Some((r.tool, r.answer?)))
        .collect();
    if task == Task::Find {
        for (tool, n) in &answers {
            ensure!(*n > 0, "{tool} did not find the id");
        }
    }
    if let Some((first, want)) = answers.first() {
        for (tool, got) in &answers[1..] {
            ensure!(
                got == want,
                "{} answers differ: {first} says {want}, {tool} says {got}",
                task.name()
            );
        }
    }
    Ok(())
}

/// The command with its placeholders filled, for the shell.
fn filled(c: &Corpus, template: &str, id: &str) -> Result<String> {
    let files: Vec<String> = c.files.iter().map(|(p, _)| quote(p)).collect();
    let files = files.join(" ");
    let dir = quote(c.dir);
    let cfg = c.scratch.join("lnav-config");
    if template.contains("LNAV_CFG") {
        let formats = cfg.join("formats").join("bench");
        std::fs::create_dir_all(&formats)?;
        std::fs::write(formats.join("errtriage_bench.json"), LNAV_FORMAT)?;
    }
    let cfg = quote(&cfg);
    let mut s = fill(template, |name| match name {
        "FILES" => Some(&files),
        "DIR" => Some(&dir),
        "ID" => Some(id),
        "LNAV_CFG" => Some(&cfg),
        "CODE_RE" => Some(CODE_RE),
        _ => None,
    });
    if template.contains("| lnav ") {
        // lnav keeps a copy of everything read on stdin under its config
        // directory: gigabytes per run, kept forever. A home of its own,
        // removed after each run.
        let home = quote(&c.scratch.join("lnav-home"));
        s = format!("export HOME={home}; mkdir -p \"$HOME\"; {s}; s=$?; rm -rf \"$HOME\"; exit $s");
    }
    Ok(s)
}

/// The command as the report shows it: the corpus's files and directory
/// left as `FILES` and `DIR`.
fn shown(template: &str, id: &str) -> String {
    fill(template, |name| match name {
        "ID" => Some(id),
        "LNAV_CFG" => Some("bench-lnav-config"),
        "CODE_RE" => Some(CODE_RE),
        _ => None,
    })
}

/// `template` with each placeholder `value` knows replaced, in one pass:
/// a filled-in value is never read again, so a temp dir whose random name
/// holds `ID` or `DIR` stays the path it is.
fn fill<'a>(template: &str, value: impl Fn(&str) -> Option<&'a str>) -> String {
    const NAMES: [&str; 5] = ["LNAV_CFG", "CODE_RE", "FILES", "DIR", "ID"];
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        let hit = NAMES.iter().find_map(|n| {
            rest.starts_with(n)
                .then(|| value(n).map(|v| (n.len(), v)))
                .flatten()
        });
        match hit {
            Some((len, v)) => {
                out.push_str(v);
                rest = &rest[len..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// The version line of every peer, for the report's header.
pub fn versions() -> Vec<(&'static str, String)> {
    let mut tools: Vec<&'static str> = PEERS.iter().map(|p| p.tool).collect();
    tools.dedup();
    tools.sort_unstable();
    tools.dedup();
    tools
        .into_iter()
        .map(|t| (t, measure::version(t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A temp dir's random name may hold a placeholder's letters
    /// (`.tmpVusIID`): the command names the files that exist.
    #[test]
    fn paths_holding_placeholder_letters_are_left_whole() {
        let dir = Path::new("/tmp/.tmpAIDIR/corpus-5000");
        let files = vec![(dir.join("FILES-ID.jsonl"), 1)];
        let scratch = dir.join("peers");
        let c = Corpus {
            dir,
            files: &files,
            lines: 5,
            zstd: false,
            scratch: &scratch,
        };
        let script = filled(&c, "jq -cR 'fromjson?' FILES >/dev/null", "").unwrap();
        assert_eq!(
            script,
            "jq -cR 'fromjson?' '/tmp/.tmpAIDIR/corpus-5000/FILES-ID.jsonl' >/dev/null"
        );
        let script = filled(&c, "rg -F ID DIR", "req_ID").unwrap();
        assert_eq!(script, "rg -F req_ID '/tmp/.tmpAIDIR/corpus-5000'");
        assert_eq!(shown("rg -F ID DIR", "req_DIR"), "rg -F req_DIR DIR");
    }
}
