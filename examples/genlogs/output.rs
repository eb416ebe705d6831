//! Where lines go: the bundled layout (named files per wrapper, a gzipped
//! rotated gateway log, a zstd daily archive) or `--files K` numbered parts
//! for benchmarks. Each file is written through one buffered sink.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::mpsc;
use std::thread;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::apis::Service;
use super::record::{Record, Style};

enum Sink {
    Plain(BufWriter<File>),
    /// A compressed file: lines are batched and compressed on a thread of
    /// its own, so gzip does not halve the generator's speed.
    Compressed(Compressor),
}

struct Compressor {
    batch: Vec<u8>,
    tx: mpsc::SyncSender<Vec<u8>>,
    thread: thread::JoinHandle<io::Result<()>>,
}

const BATCH: usize = 1 << 18;

impl Compressor {
    fn spawn(mut w: Box<dyn Encoder>) -> Compressor {
        let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(4);
        let thread = thread::spawn(move || {
            for batch in rx {
                w.write_all(&batch)?;
            }
            w.finish_boxed()
        });
        Compressor {
            batch: Vec::with_capacity(BATCH),
            tx,
            thread,
        }
    }

    fn send(&mut self) -> io::Result<()> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx
            .send(batch)
            .map_err(|_| io::Error::other("compressor thread stopped"))
    }
}

/// An encoder that can be finished through a box (gzip or zstd).
trait Encoder: Write + Send {
    fn finish_boxed(self: Box<Self>) -> io::Result<()>;
}

impl Encoder for GzEncoder<BufWriter<File>> {
    fn finish_boxed(self: Box<Self>) -> io::Result<()> {
        self.finish()?.flush()
    }
}

impl Encoder for zstd::Encoder<'static, BufWriter<File>> {
    fn finish_boxed(self: Box<Self>) -> io::Result<()> {
        self.finish()?.flush()
    }
}

impl Sink {
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.write_all(buf),
            Sink::Compressed(c) => {
                c.batch.extend_from_slice(buf);
                if c.batch.len() >= BATCH {
                    c.send()
                } else {
                    Ok(())
                }
            }
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Sink::Plain(mut w) => w.flush(),
            Sink::Compressed(mut c) => {
                if !c.batch.is_empty() {
                    c.send()?;
                }
                drop(c.tx);
                c.thread
                    .join()
                    .map_err(|_| io::Error::other("compressor thread panicked"))?
            }
        }
    }
}

/// One output file and what was written to it.
pub struct OutFile {
    /// Path relative to the output directory, `/`-separated.
    pub rel: String,
    pub style: &'static str,
    pub compression: &'static str,
    sink: Option<Sink>,
    pub lines: u64,
    /// Uncompressed bytes.
    pub bytes: u64,
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
}

enum Layout {
    /// The bundled sample layout; times at which files rotate.
    Named { rotate_us: i64, archive_us: i64 },
    /// `k` numbered files; per style, its files and a round-robin cursor.
    Numbered {
        by_style: Vec<Vec<usize>>,
        next: Vec<usize>,
    },
}

pub struct Output {
    pub files: Vec<OutFile>,
    layout: Layout,
}

/// The bundled layout: (path, style label, compression).
const NAMED: [(&str, &str, &str); 10] = [
    ("gateway/access.log.1.gz", "gateway", "gzip"),
    ("gateway/access.log", "gateway", "none"),
    ("ecs/member-api.json", "ecs", "none"),
    ("ecs/availengine-2026-05-12.json.zst", "ecs", "zstd"),
    ("ecs/availengine.json", "ecs", "none"),
    ("otel/collector.jsonl", "otel", "none"),
    ("nginx/access.json.log", "nginx", "none"),
    ("app/integrations.log", "epoch_ms", "none"),
    ("app/admin-api.log", "log4j", "none"),
    ("app/admin-api-eu.log", "offset_0200", "none"),
];

fn numbered_name(style: Style, i: usize) -> String {
    match style {
        Style::Gateway => format!("gateway/access-{i:04}.log"),
        Style::Ecs => format!("ecs/service-{i:04}.ndjson"),
        Style::Otel => format!("otel/collector-{i:04}.jsonl"),
        Style::Nginx => format!("nginx/access-{i:04}.json.log"),
        Style::EpochMs => format!("app/integrations-{i:04}.log"),
        Style::Log4j => format!("app/admin-api-{i:04}.log"),
        Style::Offset0200 => format!("app/admin-api-eu-{i:04}.log"),
    }
}

impl Output {
    /// The bundled layout under `dir`; gateway lines before `rotate_us` go to
    /// the gzipped rotated file, availengine ECS lines before `archive_us` to
    /// the zstd archive.
    pub fn named(dir: &Path, rotate_us: i64, archive_us: i64) -> io::Result<Output> {
        let files = NAMED
            .iter()
            .map(|(rel, style, comp)| open(dir, rel, style, comp, ARCHIVE_ZSTD_LEVEL))
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Output {
            files,
            layout: Layout::Named {
                rotate_us,
                archive_us,
            },
        })
    }

    /// `k` files, plain or written through `compression` (`.zst`, `.gz`
    /// appended); with `k ≥ 7` each holds one style, else styles mix.
    pub fn numbered(dir: &Path, k: usize, compression: &'static str) -> io::Result<Output> {
        let suffix = match compression {
            "zstd" => ".zst",
            "gzip" => ".gz",
            _ => "",
        };
        let mut files = Vec::with_capacity(k);
        let mut by_style = vec![Vec::new(); Style::ALL.len()];
        for i in 0..k {
            if k >= Style::ALL.len() {
                let style = Style::ALL[i % Style::ALL.len()];
                let rel = format!("{}{suffix}", numbered_name(style, i));
                files.push(open(
                    dir,
                    &rel,
                    style.name(),
                    compression,
                    BENCH_ZSTD_LEVEL,
                )?);
                by_style[i % Style::ALL.len()].push(i);
            } else {
                let rel = format!("mixed/part-{i:04}.jsonl{suffix}");
                files.push(open(dir, &rel, "mixed", compression, BENCH_ZSTD_LEVEL)?);
            }
        }
        if k < Style::ALL.len() {
            for (s, list) in by_style.iter_mut().enumerate() {
                list.push(s % k);
            }
        }
        let next = vec![0; Style::ALL.len()];
        Ok(Output {
            files,
            layout: Layout::Numbered { by_style, next },
        })
    }

    /// The file `rec` belongs in.
    pub fn route(&mut self, rec: &Record) -> usize {
        match &mut self.layout {
            Layout::Named {
                rotate_us,
                archive_us,
            } => match rec.style {
                Style::Gateway if rec.ts_us < *rotate_us => 0,
                Style::Gateway => 1,
                Style::Ecs if rec.service == Service::Member => 2,
                Style::Ecs if rec.ts_us < *archive_us => 3,
                Style::Ecs => 4,
                Style::Otel => 5,
                Style::Nginx => 6,
                Style::EpochMs => 7,
                Style::Log4j => 8,
                Style::Offset0200 => 9,
            },
            Layout::Numbered { by_style, next } => {
                let s = Style::ALL
                    .iter()
                    .position(|&s| s == rec.style)
                    .expect("every style is listed");
                let list = &by_style[s];
                let i = list[next[s] % list.len()];
                next[s] += 1;
                i
            }
        }
    }

    /// Write one line (with its newline) to file `f`; returns its 1-based line number.
    pub fn write(&mut self, f: usize, line: &[u8], ts_us: i64) -> io::Result<u64> {
        let file = &mut self.files[f];
        file.sink.as_mut().expect("not finished").write_all(line)?;
        file.lines += 1;
        file.bytes += line.len() as u64;
        file.first_ts.get_or_insert(ts_us);
        file.last_ts = Some(ts_us);
        Ok(file.lines)
    }

    pub fn finish(&mut self) -> io::Result<()> {
        for f in &mut self.files {
            if let Some(sink) = f.sink.take() {
                sink.finish()?;
            }
        }
        Ok(())
    }
}

/// The bundled zstd archive's level (its bytes are checked in).
const ARCHIVE_ZSTD_LEVEL: i32 = 9;
/// Numbered benchmark files: level 3 compresses the generated mix 6× at
/// ~150 MB/s a core, level 9 only 10% smaller at a fifth of the speed.
const BENCH_ZSTD_LEVEL: i32 = 3;

fn open(
    dir: &Path,
    rel: &str,
    style: &'static str,
    compression: &'static str,
    zstd_level: i32,
) -> io::Result<OutFile> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let w = BufWriter::with_capacity(1 << 18, File::create(&path)?);
    let sink = match compression {
        "gzip" => Sink::Compressed(Compressor::spawn(Box::new(GzEncoder::new(
            w,
            Compression::new(6),
        )))),
        "zstd" => Sink::Compressed(Compressor::spawn(Box::new(zstd::Encoder::new(
            w, zstd_level,
        )?))),
        _ => Sink::Plain(w),
    };
    Ok(OutFile {
        rel: rel.to_string(),
        style,
        compression,
        sink: Some(sink),
        lines: 0,
        bytes: 0,
        first_ts: None,
        last_ts: None,
    })
}
