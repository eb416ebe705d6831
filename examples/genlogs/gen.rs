//! genlogs: a seeded generator of realistic API logs, the independent ground
//! truth for errtriage's tests and benchmarks (it never uses the errtriage
//! library). Random traffic from four seed APIs and two misc services is
//! merged in time order with planned lines: the README's story request, retry
//! chains for every DESIGN rule, every documented code, hostile and broken
//! lines. Memory stays bounded: only pending planned lines and retries wait.
//!
//! Reuse from another example or test:
//! `#[allow(dead_code)] #[path = "../genlogs/gen.rs"] mod generator;`
//! (`gen` is a reserved word in edition 2024, hence another module name).

#[path = "apis.rs"]
mod apis;
#[path = "chains.rs"]
mod chains;
#[path = "endpoints.rs"]
mod endpoints;
#[path = "formats.rs"]
pub mod formats;
#[path = "manifest.rs"]
mod manifest;
#[path = "misc.rs"]
mod misc;
#[path = "output.rs"]
mod output;
#[path = "record.rs"]
mod record;
#[path = "render.rs"]
mod render;
#[path = "scenarios.rs"]
mod scenarios;
#[path = "scenarios_more.rs"]
mod scenarios_more;
#[path = "text.rs"]
mod text;
#[path = "traffic.rs"]
mod traffic;

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::io;
use std::path::Path;

use rand::Rng;

use manifest::{Landing, Manifest};
use output::Output;
use record::{Broken, Kind, Record, Tag};
use traffic::{Shape, Timeline, Traffic};

/// The request id the README walks through.
pub const STORY_REQUEST_ID: &str = "req_2N7s8x9KqR";
/// The seed of the bundled `sample-logs/`.
pub const DEFAULT_SEED: u64 = 20_260_514;
/// The line count of the bundled `sample-logs/`.
pub const SAMPLE_LINES: u64 = 7_000;
/// Lines per log format in the bundled layout's `formats/` (on top of `--lines`).
pub const FORMAT_LINES: usize = 60;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    /// Total lines, broken ones included.
    pub lines: u64,
    pub seed: u64,
    /// `None`: the bundled named layout; `Some(k)`: `k` numbered plain files.
    pub files: Option<usize>,
}

/// The many-keys corpus (`chains` at scale): how many distinct idempotency
/// keys the random traffic carries and how many of them are retried. The
/// default (`keys: 0`) leaves the traffic as it is: keys only on writes of
/// clients that send them, retried only after retryable failures.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyMix {
    /// Distinct keys to spread evenly over the corpus (on seed-API access
    /// lines; a write that carries a key of its own counts as one).
    pub keys: u64,
    /// Share of keyed requests retried (1–3 more attempts, some too soon,
    /// some after a success), in percent.
    pub retried_pct: u32,
}

/// Traffic spans 2026-05-12 00:00 to 2026-05-16 00:00 UTC.
fn span() -> (i64, i64) {
    (
        text::epoch_us(2026, 5, 12, 0, 0, 0),
        text::epoch_us(2026, 5, 16, 0, 0, 0),
    )
}

/// Gateway logs rotate (and availengine archives) at midnight starting May 13.
fn rotation() -> i64 {
    text::epoch_us(2026, 5, 13, 0, 0, 0)
}

/// Generate the corpus into `dir` and return its manifest.
pub fn generate(cfg: &Config, dir: &Path) -> io::Result<serde_json::Value> {
    generate_with(cfg, KeyMix::default(), dir, "none")
}

/// [`generate`], with `mix` deciding the idempotency keys of random traffic
/// and numbered files written straight through `compression` (`"none"`,
/// `"zstd"` or `"gzip"`), so a corpus larger than the disk's free space can
/// exist at all. The bundled layout ignores the compression.
pub fn generate_with(
    cfg: &Config,
    mix: KeyMix,
    dir: &Path,
    compression: &'static str,
) -> io::Result<serde_json::Value> {
    let (start, end) = span();
    let mut traffic = Traffic::new(cfg.seed);
    let plan = scenarios::plan(&mut traffic, start, rotation(), cfg.lines / 2_000_000);
    let contexts = plan
        .records
        .iter()
        .filter(|r| scenarios_more::context_for(r).is_some())
        .count();
    let reserved = (plan.records.len() + contexts) as u64;
    if cfg.lines < reserved + 100 {
        let msg = format!(
            "--lines must be at least {} (the planned lines alone are {reserved})",
            reserved + 100
        );
        return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
    }
    let (out, layout) = match cfg.files {
        None => (Output::named(dir, rotation(), rotation())?, "named"),
        Some(0) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "--files must be at least 1",
            ));
        }
        Some(k) => (Output::numbered(dir, k, compression)?, "numbered"),
    };
    let mut w = Writer {
        out,
        manifest: Manifest::new(cfg.seed, cfg.lines, layout, plan.chains),
        queue: BinaryHeap::new(),
        seq: 0,
        written: 0,
        planned_left: reserved,
        buf: Vec::with_capacity(4096),
        mix,
        keys_made: 0,
        lines: cfg.lines,
        mix_formats: cfg.files.is_some(),
        codes: HashMap::new(),
    };
    for rec in plan.records {
        w.enqueue(rec, true, 1);
    }
    let timeline = Timeline::new(start, end);
    while w.written < cfg.lines {
        if w.written + w.planned_left >= cfg.lines {
            w.drain_planned()?;
            break;
        }
        let t = timeline.at(w.written, cfg.lines, traffic.ctx.rng.random());
        if w.queue.peek().is_some_and(|Reverse(p)| p.rec.ts_us <= t) {
            let Reverse(p) = w.queue.pop().expect("peeked");
            w.emit(&mut traffic, p)?;
            continue;
        }
        let rec = traffic.random(t);
        w.emit(
            &mut traffic,
            Pending {
                seq: 0,
                planned: false,
                attempt: 1,
                rec,
            },
        )?;
    }
    w.out.finish()?;
    let mut manifest = w.manifest.finish(&w.out.files);
    if cfg.files.is_none() {
        manifest["formats"] = formats::write_all(
            dir,
            cfg.seed,
            start,
            &formats::Format::BUNDLED,
            FORMAT_LINES,
        )?;
    }
    Ok(manifest)
}

/// `per_format` lines in every log format the generator writes (OTLP
/// included) under `dir/formats/`, and their manifest section.
pub fn generate_formats(dir: &Path, seed: u64, per_format: usize) -> io::Result<serde_json::Value> {
    formats::write_all(dir, seed, span().0, &formats::Format::ALL, per_format)
}

/// A line waiting for its time: planned, a retry, or a context line.
struct Pending {
    seq: u64,
    planned: bool,
    attempt: u8,
    rec: Record,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pending {}

impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.rec.ts_us, self.seq).cmp(&(other.rec.ts_us, other.seq))
    }
}

struct Writer {
    out: Output,
    manifest: Manifest,
    queue: BinaryHeap<Reverse<Pending>>,
    seq: u64,
    written: u64,
    /// Planned lines not yet written (they are never dropped).
    planned_left: u64,
    buf: Vec<u8>,
    mix: KeyMix,
    /// Keyed first attempts of random traffic written so far.
    keys_made: u64,
    lines: u64,
    /// The numbered corpora write a share of random requests in other
    /// software's log formats (the bundled layout keeps them in `formats/`).
    mix_formats: bool,
    /// The codes those formats log (`http_409`, Envoy's `UT`), interned.
    codes: HashMap<String, &'static str>,
}

/// Percent of eligible random requests the numbered corpora write in a log
/// format (about a tenth of the lines).
const MIXED_FORMATS_PCT: u32 = 12;

impl Writer {
    fn enqueue(&mut self, rec: Record, planned: bool, attempt: u8) {
        self.seq += 1;
        self.queue.push(Reverse(Pending {
            seq: self.seq,
            planned,
            attempt,
            rec,
        }));
    }

    /// Write what is left of the plan; pending random retries are dropped
    /// (their clients gave up).
    fn drain_planned(&mut self) -> io::Result<()> {
        while let Some(Reverse(p)) = self.queue.pop() {
            if p.planned {
                self.write(p.rec, false, None)?;
                self.planned_left -= 1;
            }
        }
        Ok(())
    }

    fn emit(&mut self, traffic: &mut Traffic, mut p: Pending) -> io::Result<()> {
        if p.planned {
            self.planned_left -= 1;
        } else if p.attempt == 2 {
            self.manifest.bulk_retry();
        }
        let retry = if self.mix.keys == 0 {
            (!p.planned && p.attempt < 3)
                .then(|| bulk_retry(traffic, &p.rec))
                .flatten()
        } else {
            self.many_keys(traffic, &mut p)
        };
        let planned = p.planned;
        let format = self.format_for(traffic, &mut p);
        let rec = self.write(p.rec, !planned, format)?;
        if let Some(ctx) = scenarios_more::context_for(&rec) {
            self.enqueue(ctx, planned, 1);
        }
        if let Some(next) = retry {
            self.enqueue(next, false, p.attempt + 1);
        }
        Ok(())
    }

    /// The many-keys mix: give a random first attempt a key when the corpus
    /// is behind its share of keys, and pick the next attempt of a keyed
    /// random request.
    fn many_keys(&mut self, t: &mut Traffic, p: &mut Pending) -> Option<Record> {
        let eligible = !p.planned && p.rec.misc.is_none() && p.rec.kind == Kind::Access;
        if !eligible {
            return None;
        }
        if p.attempt == 1 {
            let due = self.mix.keys.saturating_mul(self.written + 1) / self.lines.max(1);
            if p.rec.key.is_none() && self.keys_made < due {
                p.rec.key = Some(t.ctx.uuid());
            }
            if p.rec.key.is_some() {
                self.keys_made += 1;
            }
        }
        let more = match p.attempt {
            1 => self.mix.retried_pct,
            2 | 3 => 35,
            _ => 0,
        };
        (p.rec.key.is_some() && t.ctx.pct(more)).then(|| many_retry(t, &p.rec))
    }

    /// Whether this random first attempt is written in a log format (then
    /// adapted to it: the request id its software assigns). Planned lines,
    /// retries, keyed requests and lines with context keep the API's own
    /// wrapper, so every planned truth of the manifest stays as it is.
    fn format_for(&mut self, t: &mut Traffic, p: &mut Pending) -> Option<formats::Format> {
        let rec = &p.rec;
        let eligible = self.mix_formats
            && !p.planned
            && p.attempt == 1
            && rec.misc.is_none()
            && rec.kind == Kind::Access
            && rec.key.is_none()
            && matches!(rec.tag, Tag::None)
            && scenarios_more::context_for(rec).is_none();
        if !eligible || !t.ctx.pct(MIXED_FORMATS_PCT) {
            return None;
        }
        let all = formats::Format::MIXED;
        let f = all[t.ctx.range(0, all.len() as u64 - 1) as usize];
        formats::adapt(f, &mut t.ctx, &mut p.rec);
        Some(f)
    }

    fn write(
        &mut self,
        mut rec: Record,
        bulk: bool,
        format: Option<formats::Format>,
    ) -> io::Result<Record> {
        rec.has_context = scenarios_more::context_for(&rec).is_some();
        self.buf.clear();
        match format {
            Some(f) => formats::render(f, &rec, &mut self.buf),
            None => render::render(&rec, &mut self.buf),
        }
        if let Tag::Broken(kind) = rec.tag {
            damage(kind, &mut self.buf);
        }
        self.buf.push(b'\n');
        let f = self.out.route(&rec);
        let line = self.out.write(f, &self.buf, rec.ts_us)?;
        let at = Landing {
            file: &self.out.files[f].rel,
            line,
            ordinal: self.written,
            // A format line is no sample or needle: those expect the API's
            // own wrapper.
            bulk: bulk && format.is_none(),
        };
        match format {
            Some(fmt) => {
                // The manifest counts the code the format logs.
                let mut seen = rec.clone();
                seen.code = formats::code_as_logged(fmt, &rec).map(|c| intern(&mut self.codes, c));
                self.manifest.observe(&seen, &at);
                self.manifest.mixed_format(fmt.name());
            }
            None => self.manifest.observe(&rec, &at),
        }
        self.written += 1;
        Ok(rec)
    }
}

/// `code` as a `&'static str`, leaked once per distinct code (a few dozen).
fn intern(codes: &mut HashMap<String, &'static str>, code: String) -> &'static str {
    if let Some(c) = codes.get(&code) {
        return c;
    }
    let leaked: &'static str = Box::leak(code.clone().into_boxed_str());
    codes.insert(code, leaked);
    leaked
}

/// The next attempt of a keyed request in the many-keys mix: mostly after a
/// growing wait, sometimes at once (too soon after a Retry-After, or a
/// retry after a success the client never saw); 60% succeed.
fn many_retry(t: &mut Traffic, prev: &Record) -> Record {
    let wait_ms = if t.ctx.pct(25) {
        t.ctx.range(20, 200)
    } else {
        t.ctx.range(400, 6_000)
    };
    let ts = prev.end_us() + (wait_ms * 1000) as i64;
    let ep = apis::endpoint(prev.service, prev.method, prev.route);
    let client = apis::client(prev.service, prev.client);
    let retryable: Vec<&apis::ErrorSpec> = apis::errors(prev.service)
        .iter()
        .filter(|e| matches!(e.status, 429 | 500 | 502 | 503 | 504))
        .collect();
    let err = if t.ctx.pct(60) || retryable.is_empty() {
        None
    } else {
        Some(*t.ctx.pick(&retryable))
    };
    let shape = retry_shape(prev);
    t.build(prev.service, ep, client, ts, err, shape)
}

/// Break a rendered line the way real logs break.
fn damage(kind: Broken, buf: &mut Vec<u8>) {
    match kind {
        Broken::NotJson => {}
        Broken::Truncated => {
            let mut cut = buf.len() * 55 / 100;
            while cut > 0 && (buf[cut] & 0xC0) == 0x80 {
                cut -= 1;
            }
            buf.truncate(cut);
        }
        Broken::InvalidUtf8 => {
            let at = buf
                .windows(2)
                .position(|w| w == "ë".as_bytes())
                .expect("the line holds an ë");
            buf.splice(at..at + 2, [0xEB]);
        }
    }
}

/// A well-behaved client's next attempt after a retryable failure of a
/// random write: honours Retry-After, else backs off with jitter; never more
/// than two retries, so none of the chain rules can fire.
fn bulk_retry(t: &mut Traffic, prev: &Record) -> Option<Record> {
    let retryable = matches!(prev.status, 429 | 500 | 502 | 503 | 504);
    let seed_api = prev.misc.is_none() && prev.kind == Kind::Access;
    if !retryable || !seed_api || prev.key.is_none() || !t.ctx.pct(55) {
        return None;
    }
    let wait_ms = match prev.retry_after {
        Some(ra) => u64::from(ra) * 1000 + t.ctx.range(60, 1500),
        None => t.ctx.range(300, 4_000),
    };
    let ts = prev.end_us() + (wait_ms * 1000) as i64;
    let ep = apis::endpoint(prev.service, prev.method, prev.route);
    let client = apis::client(prev.service, prev.client);
    let err = if t.ctx.pct(70) {
        None
    } else {
        apis::errors(prev.service).iter().find(|s| {
            s.status == prev.status && Some(apis::expected_code(prev.service, s)) == prev.code
        })
    };
    let shape = retry_shape(prev);
    Some(t.build(prev.service, ep, client, ts, err, shape))
}

/// A retry goes out as its previous attempt did: same wrapper, key, path
/// and query.
fn retry_shape(prev: &Record) -> Shape {
    Shape {
        style: Some(prev.style),
        key: Some(prev.key.clone()),
        path: Some(prev.path.clone()),
        query: Some(prev.query.clone()),
        ..Shape::default()
    }
}
