//! errtriage binary: parse args → run → exit code, in one place.
//! 0 success, 1 nothing found, 2 usage or index error; a closed pipe
//! (`errtriage search … | head`) is success; an ingest stopped by Ctrl-C
//! exits 130 after committing what it read.
#![forbid(unsafe_code)]

mod cli;
mod context;
mod interrupt;
mod print;
mod tui;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;

/// jemalloc: ingest allocates and frees per line on every core, where
/// glibc's malloc spent ~10% of the CPU (ingest 12.6 → 11.1 s at 1M lines).
/// mimalloc was faster still at ingest but added ~2 ms to every `find`
/// (it touches fresh pages eagerly; BENCHMARKS.md).
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    if version_only() {
        // What clap prints for `--version`, without building the command
        // tree of every subcommand first (BENCHMARKS.md, "The process
        // floor"). A closed stdout is success, as it is for clap.
        let _ = writeln!(std::io::stdout(), "{VERSION}");
        return ExitCode::SUCCESS;
    }
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(cli::Status::Done) => ExitCode::SUCCESS,
        Ok(cli::Status::NotFound) => ExitCode::from(1),
        Ok(cli::Status::Interrupted) => ExitCode::from(130),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("errtriage: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// `errtriage --version`, as clap renders it.
const VERSION: &str = concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION"));

/// Whether the whole command line is `--version` or `-V`; with anything
/// else beside it, clap decides.
fn version_only() -> bool {
    let mut args = std::env::args_os().skip(1);
    matches!((args.next(), args.next()), (Some(a), None) if a == "--version" || a == "-V")
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
