//! formats: log formats as data (DESIGN "Log formats"). A format says how
//! to recognise a line ([`spec::Header::detect`], `shape`) and where each
//! Event field lives, in which units ([`read`]). Built-ins are TOML files
//! in `builtin/` (include_str!); users add their own
//! (`~/.config/errtriage/formats/*.toml`, `--formats FILE`), which win.
//!
//! Detection costs a bit test per top-level key and a hash lookup for the
//! few keys that pass it: each format is filed under the first key it
//! requires, so a line only tries the formats whose anchor key it has; a
//! line no format claims is read by the generic probe alone.

mod layout;
pub(crate) mod read;
pub mod spec;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use layout::Layout;
pub use spec::{FormatError, FormatFile};

use super::fields::Fnv;
use super::value::{self, J, Obj};

/// One log format, ready to read lines.
#[derive(Debug, Clone)]
pub struct Format {
    pub file: FormatFile,
    /// Where it came from: `builtin` or a file path.
    pub origin: String,
}

impl Format {
    pub fn name(&self) -> &str {
        &self.file.format.name
    }

    /// Whether `obj` is a line of this format: every `detect` path present
    /// and every `shape` matched.
    /// The paths are followed with `value::get` directly when `plain` says
    /// none of them holds `[]` or `{}` (decided once per format, in
    /// [`Formats::from_list`], not per line).
    fn claims(&self, obj: &Obj, plain: bool) -> bool {
        let follow = |p: &str| {
            if plain {
                value::get(obj, p)
            } else {
                read::get(obj, p)
            }
        };
        let h = &self.file.format;
        h.detect
            .iter()
            .all(|p| follow(p).is_some_and(|v| !matches!(v, J::Null)))
            && h.shape.iter().all(|(p, re)| {
                follow(p).is_some_and(|v| match v.unwrap_any() {
                    J::Str(s) => re.regex().is_match(s),
                    J::Num(n) => re.regex().is_match(&n.to_string()),
                    J::Bool(b) => re.regex().is_match(if *b { "true" } else { "false" }),
                    _ => false,
                })
            })
    }

    /// Whether every detect and shape path is a plain dotted path.
    fn plain_paths(&self) -> bool {
        let h = &self.file.format;
        let plain = |p: &String| !p.contains("[]") && !p.contains('{');
        h.detect.iter().all(plain) && h.shape.keys().all(plain)
    }
}

/// The built-in format files, most specific first: `BUILTIN` holds each
/// name with its JSON as build.rs wrote it from `builtin/<name>.toml` (read
/// without a TOML parser at start: BENCHMARKS.md, "One-shot start-up
/// work"); the tests also see the TOML.
macro_rules! builtin_formats {
    ($($name:literal),* $(,)?) => {
        const BUILTIN: &[(&str, &str)] = &[$((
            $name,
            include_str!(concat!(env!("OUT_DIR"), "/src/normalize/formats/builtin/", $name, ".json")),
        )),*];
        #[cfg(test)]
        const BUILTIN_TOML: &[&str] = &[$(include_str!(concat!("builtin/", $name, ".toml"))),*];
    };
}

builtin_formats![
    "gcp",
    "gcp-structured",
    "cloudflare",
    "apigateway",
    "envoy",
    "traefik",
    "caddy",
    "kong",
    "haproxy",
    "azure",
    "serilog",
    "serilog-json",
    "dotnet",
    "bunyan",
    "pino",
    "zap",
    "journald",
    "datadog",
    "kubernetes",
    "docker",
    "cloudwatch",
    "cloudwatch-subscription",
    "cloudwatch-events",
    "otlp",
    "logstash",
    "gelf",
    "log4j2",
    "logback",
    "lograge",
    "monolog",
    "structlog",
    "python",
    "slog",
];

/// [`Formats::fingerprint`] of the built-in formats alone: what every index
/// ingested without user formats records, known without parsing them on
/// every start (a one-shot command that rebuilds no event never parses
/// them). A test recomputes it; a change to a built-in format (or to how a
/// format prints) must update it.
const BUILTIN_FINGERPRINT: u64 = 0x28db_6b9d_fd4a_527f;

/// A set of formats, user formats first, with the detection index.
#[derive(Debug, Clone)]
pub struct Formats {
    list: Vec<Format>,
    /// Lower-cased first segment of a format's first detect path → formats.
    anchors: HashMap<String, Vec<usize>, Fnv>,
    /// A bit per anchor's [`signature`]: a key whose bit is clear is no
    /// anchor, so nearly every key of a line is rejected before any lookup.
    anchor_sigs: [u64; 16],
    /// Per format: its detect and shape paths are all plain dotted paths.
    plain: Vec<bool>,
    /// The built-ins and nothing else (the fingerprint is known).
    builtin_only: bool,
}

impl Formats {
    /// The built-in formats.
    pub fn builtin() -> Formats {
        let list = BUILTIN
            .iter()
            .map(|(name, text)| Format {
                file: spec::parse_builtin(text, name),
                origin: "builtin".into(),
            })
            .collect();
        Formats {
            builtin_only: true,
            ..Formats::from_list(list)
        }
    }

    /// A hash of every format in the set, in order (what reading a line
    /// depends on): recorded with the index so a changed set is noticed.
    pub fn fingerprint(&self) -> u64 {
        if self.builtin_only {
            return BUILTIN_FINGERPRINT;
        }
        self.hash_list()
    }

    fn hash_list(&self) -> u64 {
        // The specs hold ordered data only, so the Debug text is stable.
        xxhash_rust::xxh3::xxh3_64(format!("{:?}", self.list).as_bytes())
    }

    /// Whether [`Formats::load`] would read any user format file (`files`,
    /// or a `*.toml` in `dir`); without one it gives the built-ins alone.
    pub fn any_user(files: &[PathBuf], dir: Option<&Path>) -> Result<bool, FormatError> {
        let in_dir = match dir {
            Some(d) => !toml_files(d)?.is_empty(),
            None => false,
        };
        Ok(in_dir || !files.is_empty())
    }

    /// No formats: every line is read by the generic probe alone.
    pub fn none() -> Formats {
        Formats::from_list(Vec::new())
    }

    /// The user's formats — `dir/*.toml` (sorted), then `files` — ahead of
    /// the built-ins. A file naming a built-in replaces it.
    pub fn load(files: &[PathBuf], dir: Option<&Path>) -> Result<Formats, FormatError> {
        let mut paths = match dir {
            Some(d) => toml_files(d)?,
            None => Vec::new(),
        };
        paths.extend(files.iter().cloned());
        if paths.is_empty() {
            return Ok(Formats::builtin());
        }
        let mut list = Vec::new();
        for p in &paths {
            list.push(Format {
                file: spec::read(p)?,
                origin: p.display().to_string(),
            });
        }
        // A later file (an explicit --formats) wins over an earlier one.
        list.reverse();
        let mut seen = std::collections::HashSet::new();
        list.retain(|f: &Format| seen.insert(f.name().to_owned()));
        list.extend(
            Formats::builtin()
                .list
                .into_iter()
                .filter(|b| !seen.contains(b.name())),
        );
        Ok(Formats::from_list(list))
    }

    fn from_list(list: Vec<Format>) -> Formats {
        let mut anchors: HashMap<String, Vec<usize>, Fnv> = HashMap::default();
        let mut anchor_sigs = [0u64; 16];
        for (i, f) in list.iter().enumerate() {
            if let Some(first) = f.file.format.detect.first() {
                let anchor = first
                    .split('.')
                    .next()
                    .unwrap_or(first)
                    .to_ascii_lowercase();
                if let Some(sig) = signature(anchor.as_bytes()) {
                    anchor_sigs[sig / 64] |= 1 << (sig % 64);
                }
                anchors.entry(anchor).or_default().push(i);
            }
        }
        let plain = list.iter().map(Format::plain_paths).collect();
        Formats {
            list,
            anchors,
            anchor_sigs,
            plain,
            builtin_only: false,
        }
    }

    /// Every format, in the order they are tried.
    pub fn list(&self) -> &[Format] {
        &self.list
    }

    /// The format that claims `obj`: of those whose anchor key the line has,
    /// the first in order that claims it.
    pub(crate) fn detect(&self, obj: &Obj) -> Option<&Format> {
        let mut best = usize::MAX;
        self.anchored(obj, |i| {
            if i < best && self.claims(i, obj) {
                best = i;
            }
        });
        self.list.get(best)
    }

    /// [`Formats::detect`] for a line of the file `layout` follows: a line
    /// with the previous line's keys skips the anchor scan and tries the
    /// previous candidates, in order.
    pub(crate) fn detect_in(&self, obj: &Obj, layout: &mut Layout) -> Option<&Format> {
        let candidates = match layout.candidates_for(obj) {
            Some(c) => c,
            None => layout.remember(obj, |out| self.anchored(obj, |i| out.push(i))),
        };
        let found = candidates.iter().find(|&&i| self.claims(i, obj))?;
        self.list.get(*found)
    }

    /// Whether format `i` claims `obj`.
    fn claims(&self, i: usize, obj: &Obj) -> bool {
        self.list[i].claims(obj, self.plain[i])
    }

    /// Call `each` with every format whose anchor is one of `obj`'s keys.
    fn anchored(&self, obj: &Obj, mut each: impl FnMut(usize)) {
        let mut buf = [0u8; 63];
        for (key, _) in obj {
            let key = key.as_bytes();
            let seg = memchr::memchr(b'.', key).map_or(key, |dot| &key[..dot]);
            let Some(sig) = signature(seg) else { continue };
            if seg.len() > buf.len() || self.anchor_sigs[sig / 64] & (1 << (sig % 64)) == 0 {
                continue;
            }
            let lower = &mut buf[..seg.len()];
            lower.copy_from_slice(seg);
            lower.make_ascii_lowercase();
            let Ok(lower) = std::str::from_utf8(lower) else {
                continue;
            };
            self.anchors
                .get(lower)
                .into_iter()
                .flatten()
                .for_each(|&i| each(i));
        }
    }
}

/// A key's bit (0..1024) from its length and its first and last bytes, any
/// ASCII case: equal keys (ignoring case) have equal bits. `None` when empty.
fn signature(key: &[u8]) -> Option<usize> {
    let (first, last) = (key.first()?, key.last()?);
    let mixed = (key.len() as u32) << 16
        | u32::from(first.to_ascii_lowercase()) << 8
        | u32::from(last.to_ascii_lowercase());
    Some((mixed.wrapping_mul(0x9E37_79B1) >> 22) as usize)
}

/// Every `*.toml` directly in `dir`, sorted; none when it does not exist.
fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, FormatError> {
    crate::tomlspan::toml_files_in(dir).map_err(|e| FormatError {
        path: dir.to_path_buf(),
        line: None,
        field: None,
        message: format!("cannot list the formats directory: {e}"),
    })
}

static INSTALLED: OnceLock<Formats> = OnceLock::new();

/// Make `formats` the set [`crate::normalize::normalize`] reads with, for
/// the rest of the process (the binary does this once, after loading the
/// user's formats). False if a set was already in use.
pub fn install(formats: Formats) -> bool {
    INSTALLED.set(formats).is_ok()
}

/// The installed formats (the built-ins unless [`install`] was called),
/// parsed on first use.
pub fn installed() -> &'static Formats {
    INSTALLED.get_or_init(Formats::builtin)
}

/// [`Formats::fingerprint`] of the installed formats, without parsing the
/// built-ins when they are what is installed.
pub fn installed_fingerprint() -> u64 {
    INSTALLED
        .get()
        .map_or(BUILTIN_FINGERPRINT, Formats::fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pinned fingerprint is the built-ins' own: indexes written before
    /// it was pinned, and after, read as derived with these formats.
    #[test]
    fn the_builtin_fingerprint_is_the_hash_of_the_builtins() {
        let builtin = Formats::builtin();
        let hashed = builtin.hash_list();
        assert_eq!(
            hashed, BUILTIN_FINGERPRINT,
            "a built-in format changed: set BUILTIN_FINGERPRINT to {hashed:#x}"
        );
        assert_eq!(Formats::load(&[], None).unwrap().fingerprint(), hashed);
        assert_ne!(Formats::none().fingerprint(), hashed);
    }

    /// The JSON build.rs wrote reads exactly as the TOML it came from does
    /// when a user's format file is read (checks included).
    #[test]
    fn the_builtin_json_reads_as_its_toml() {
        assert_eq!(BUILTIN.len(), BUILTIN_TOML.len());
        for ((name, json), toml) in BUILTIN.iter().zip(BUILTIN_TOML) {
            let from_toml = spec::parse(toml, Path::new(name)).expect("a built-in format parses");
            let from_json = spec::parse_builtin(json, name);
            assert_eq!(format!("{from_toml:?}"), format!("{from_json:?}"), "{name}");
        }
    }

    /// The signature filter never rejects an anchor, whatever its case, and
    /// rejects most other keys (a generated line's keys stay out of the
    /// lookup).
    #[test]
    fn anchor_signatures_admit_every_anchor_in_any_case() {
        let formats = Formats::builtin();
        let admitted = |key: &str| {
            signature(key.as_bytes())
                .is_some_and(|s| formats.anchor_sigs[s / 64] & (1 << (s % 64)) != 0)
        };
        for anchor in formats.anchors.keys() {
            assert!(admitted(anchor), "{anchor}");
            assert!(admitted(&anchor.to_ascii_uppercase()), "{anchor}");
        }
        let common = [
            "timestamp",
            "service",
            "method",
            "path",
            "query",
            "status",
            "latency_ms",
            "client_id",
            "remote_addr",
            "request_headers",
            "response_headers",
            "response_body",
        ];
        let passed = common.iter().filter(|k| admitted(k)).count();
        assert!(
            passed <= 3,
            "{passed} of {} common keys pass the filter",
            common.len()
        );
    }
}
