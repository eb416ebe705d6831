//! The log-format description language (TOML), as written in a format file,
//! and its checks: one file describes one format — how to recognise a line
//! of it, and where each Event field lives. See docs/formats.md.
//!
//! ```toml
//! [format]
//! name = "traefik"                     # required; shown as the Event's `format`
//! title = "Traefik access log (JSON)"
//! docs = "https://doc.traefik.io/traefik/observability/access-logs/"
//! detect = ["DownstreamStatus", "RequestMethod"]  # every path must be present
//! shape = { RequestPath = "^/" }       # and these values must match (regex)
//! inner = ["log"]                      # a JSON line logged inside a string member
//! records = "logEvents[]"              # a list whose every element is one event
//!
//! [fields]                             # a dotted path, or a list tried in order
//! ts = "StartUTC"
//! status = ["DownstreamStatus", "OriginStatus"]
//! latency_ms = "Duration"
//!
//! [units]
//! latency = "ns"                       # ns | us | ms | s | text ("0.5s", "12ms")
//! ts = "auto"                          # auto | s | ms | us | ns | a chrono layout
//! service = "host"                     # name (as logged) | host (first label)
//!                                      # | qualified (`name@provider`: the name)
//!
//! [headers]
//! request = ["RequestHeaders"]         # header maps, "Name: value" text or pairs
//! response = ["ResponseHeaders"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

/// A malformed format file: the file, and the line and field where known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("format {}{}{}: {message}", path.display(),
    line.map(|l| format!(", line {l}")).unwrap_or_default(),
    field.as_ref().map(|f| format!(", field `{f}`")).unwrap_or_default())]
pub struct FormatError {
    pub path: PathBuf,
    /// 1-based line of the offending value, key or table.
    pub line: Option<usize>,
    /// Dotted path of the offending field (`units.latency`).
    pub field: Option<String>,
    pub message: String,
}

/// One format file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatFile {
    pub format: Header,
    #[serde(default)]
    pub fields: FieldPaths,
    #[serde(default)]
    pub units: Units,
    #[serde(default)]
    pub headers: HeaderPaths,
}

/// `[format]`: the name and how to recognise a line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub name: String,
    pub title: Option<String>,
    /// Where the format is documented (the built-ins were written from it).
    pub docs: Option<String>,
    /// Paths that must all be present (top-level, dotted, any case).
    pub detect: Vec<String>,
    /// Paths whose text must match a regex.
    #[serde(default)]
    pub shape: BTreeMap<String, Shape>,
    /// String members that may hold the application's own JSON line
    /// (Docker's `log`, a shipper's `message`): read it first.
    #[serde(default)]
    pub inner: Vec<String>,
    /// A nested list whose every element is one event
    /// (`resourceLogs[].scopeLogs[].logRecords[]`): each member key ends in
    /// `[]`. Each element, with the members of the objects around it, is
    /// read by this format as a line of its own.
    pub records: Option<String>,
}

/// A value-shape regex, compiled on first use: most lines never reach a
/// format's shape test, and compiling every built-in shape was ~5% of a
/// one-shot `find`. A user's format file has its shapes compiled (checked)
/// while it is read ([`parse`]), so a bad one is an error with a line.
#[derive(Clone, Deserialize)]
#[serde(from = "String")]
pub struct Shape {
    pattern: String,
    re: OnceLock<Regex>,
}

impl From<String> for Shape {
    fn from(pattern: String) -> Shape {
        Shape {
            pattern,
            re: OnceLock::new(),
        }
    }
}

impl Shape {
    fn compile(&self) -> Result<Regex, String> {
        RegexBuilder::new(&self.pattern)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| format!("bad regular expression: {e}"))
    }

    /// Compile it now; the error says why it cannot be.
    fn check(&self) -> Result<(), String> {
        if self.re.get().is_none() {
            let _ = self.re.set(self.compile()?);
        }
        Ok(())
    }

    /// The compiled regex (built-in shapes are checked by the tests).
    pub fn regex(&self) -> &Regex {
        self.re.get_or_init(|| {
            self.compile()
                .unwrap_or_else(|e| panic!("shape {:?}: {e}", self.pattern))
        })
    }
}

/// As the compiled `Shape(Regex)` printed (the formats' fingerprint is a
/// hash of this text).
impl std::fmt::Debug for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Shape(Regex({:?}))", self.pattern)
    }
}

/// One path or several, tried in order.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "OneOrMany")]
pub struct Paths(pub Vec<String>);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl From<OneOrMany> for Paths {
    fn from(v: OneOrMany) -> Paths {
        match v {
            OneOrMany::One(s) => Paths(vec![s]),
            OneOrMany::Many(v) => Paths(v),
        }
    }
}

/// `[fields]`: where each Event field lives. Every key is optional; what a
/// format leaves out, the generic probe still finds.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldPaths {
    #[serde(default)]
    pub ts: Paths,
    #[serde(default)]
    pub request_id: Paths,
    #[serde(default)]
    pub trace_id: Paths,
    #[serde(default)]
    pub service: Paths,
    #[serde(default)]
    pub method: Paths,
    /// A path, or a URL whose path is taken; the query is cut.
    #[serde(default)]
    pub path: Paths,
    #[serde(default)]
    pub status: Paths,
    #[serde(default)]
    pub code: Paths,
    #[serde(default)]
    pub message: Paths,
    /// A message template (Serilog `@mt`) rendered with the line's properties.
    #[serde(default)]
    pub message_template: Paths,
    /// An exception or stack: its first line is the message when none is found.
    #[serde(default)]
    pub exception: Paths,
    #[serde(default)]
    pub idempotency_key: Paths,
    #[serde(default)]
    pub latency_ms: Paths,
    #[serde(default)]
    pub client: Paths,
}

/// `[units]`: how durations and times are written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Units {
    pub latency: Option<LatencyUnit>,
    pub ts: Option<TimeUnit>,
    /// `host`: the service is a host name's first label
    /// (`bookings.default.svc:8080` → `bookings`); `qualified`: a name with
    /// its provider after `@` (`calendarpipe@docker` → `calendarpipe`).
    pub service: Option<ServiceForm>,
    /// `code-like`: a code path's value is taken only when it looks like a
    /// machine code (`card_declined`, `INSTRUMENT_DECLINED`), as the probe
    /// takes a bare `error` string — for keys that hold a code or a sentence
    /// (Monolog's `context.error`).
    pub code: Option<CodeForm>,
}

/// Which values of the code paths are codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeForm {
    Any,
    CodeLike,
}

/// How the service value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceForm {
    Name,
    Host,
    /// `name@provider` (Traefik's services and routers): the name.
    Qualified,
}

/// The unit of `latency_ms`'s value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LatencyUnit {
    Ns,
    Us,
    Ms,
    S,
    /// Text with a unit (`"0.5s"`, `"12ms"`); a bare number is ms.
    Text,
}

/// How `ts` is written: any supported style, an epoch unit, or a layout.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum TimeUnit {
    Auto,
    S,
    Ms,
    Us,
    Ns,
    /// A chrono `strftime` layout (`%d/%b/%Y:%H:%M:%S %z`).
    Layout(String),
}

impl From<String> for TimeUnit {
    fn from(s: String) -> TimeUnit {
        match s.as_str() {
            "auto" | "" => TimeUnit::Auto,
            "s" => TimeUnit::S,
            "ms" => TimeUnit::Ms,
            "us" => TimeUnit::Us,
            "ns" => TimeUnit::Ns,
            _ => TimeUnit::Layout(s),
        }
    }
}

/// `[headers]`: where request and response headers are logged.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderPaths {
    #[serde(default)]
    pub request: Paths,
    #[serde(default)]
    pub response: Paths,
}

/// Parse one format file's text; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<FormatFile, FormatError> {
    let file: FormatFile = toml::from_str(text).map_err(|e| {
        let (line, field, message) = crate::tomlspan::locate(text, &e);
        FormatError {
            path: path.to_path_buf(),
            line,
            field,
            message,
        }
    })?;
    let problem = |field: &str, message: &str| {
        let key = field.rsplit('.').next().unwrap_or(field);
        let line = text
            .lines()
            .position(|l| l.trim_start().starts_with(key))
            .map(|l| l + 1);
        Err(FormatError {
            path: path.to_path_buf(),
            line,
            field: Some(field.to_owned()),
            message: message.to_owned(),
        })
    };
    if file.format.name.trim().is_empty() {
        return problem("format.name", "the format name must not be empty");
    }
    for (path, shape) in &file.format.shape {
        if let Err(message) = shape.check() {
            return problem(&format!("format.shape.{path}"), &message);
        }
    }
    if file.format.detect.iter().all(|d| d.trim().is_empty()) {
        return problem(
            "format.detect",
            "name at least one key that every line of this format has",
        );
    }
    if let Some(r) = &file.format.records {
        if super::super::records::keys(r).is_none() {
            return problem(
                "format.records",
                "expected member names each followed by [], such as logEvents[] or resourceLogs[].scopeLogs[].logRecords[]",
            );
        }
    }
    if let Some(TimeUnit::Layout(l)) = &file.units.ts {
        if !l.contains('%') {
            return problem(
                "units.ts",
                "expected auto, s, ms, us, ns or a strftime layout such as %d/%b/%Y:%H:%M:%S %z",
            );
        }
    }
    Ok(file)
}

/// Parse a built-in format as build.rs converted it to JSON (its TOML was
/// checked when the binary was built, and by the tests).
pub(crate) fn parse_builtin(json: &str, name: &str) -> FormatFile {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("built-in format {name}: {e}"))
}

/// Read and parse one file.
pub fn read(path: &Path) -> Result<FormatFile, FormatError> {
    let text = std::fs::read_to_string(path).map_err(|e| FormatError {
        path: path.to_path_buf(),
        line: None,
        field: None,
        message: format!("cannot read: {e}"),
    })?;
    parse(&text, path)
}
