//! cli: the command line (clap derive). Each subcommand is a short file that
//! calls the library and hands the result to a printer.

mod chains;
mod explain;
mod find;
mod groups;
mod impact;
mod ingest;
mod reindex;
mod search;
mod stats;
mod store;
mod timeline;

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use errtriage::store::StoreChoice;

use crate::context::config_dir;
pub use crate::context::{Context, Status};

#[derive(Debug, Parser)]
#[command(
    name = "errtriage",
    version,
    about = "Triage API errors by request id: what happened, what the code means, and whether the client retried right",
    after_help = "Run `errtriage` with no command on a terminal to open the TUI.\nQuick start: errtriage tui sample-logs/"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Index directory [default: the user data dir, e.g. ~/.local/share/errtriage/index]
    #[arg(long, global = true, env = "ERRTRIAGE_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// The store to use instead of the local index:
    /// clickhouse://[user[:password]@]host:port/database[?cluster=NAME], or
    /// `local`. Else ERRTRIAGE_STORE, else `store = "…"` in
    /// ~/.config/errtriage/config.toml, else the index in --index DIR.
    #[arg(long, global = true, value_name = "URL")]
    pub store: Option<String>,
    /// Colour the output (NO_COLOR is honoured by `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// An extra error catalog (TOML); may be repeated. Catalogs in the user
    /// config dir (e.g. ~/.config/errtriage/catalogs/*.toml) load too.
    #[arg(long = "catalog", global = true, value_name = "FILE")]
    pub catalogs: Vec<PathBuf>,
    /// An extra log format (TOML); may be repeated, and wins over a built-in
    /// of the same name. Formats in the user config dir (e.g.
    /// ~/.config/errtriage/formats/*.toml) load too.
    #[arg(long = "formats", global = true, value_name = "FILE")]
    pub formats: Vec<PathBuf>,
    /// Show secrets (Authorization, cookies, API keys) instead of redacting them
    #[arg(long, global = true)]
    pub no_redact: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index log files, directories (recursively, .gz/.zst too) or stdin (-)
    Ingest(ingest::IngestArgs),
    /// Show one request (id, unique id prefix, idempotency key or trace id) and its retry chain
    Find(find::FindArgs),
    /// Events matching a query, newest first
    Search(search::SearchArgs),
    /// Count events by code, class, status, service, path or client
    Groups(groups::GroupsArgs),
    /// Retry chains (requests sharing an Idempotency-Key) and the rules they broke
    Chains(chains::ChainsArgs),
    /// What the index holds
    Stats(stats::StatsArgs),
    /// How each file is read: its format, where each field was found, what was not
    Explain(explain::ExplainArgs),
    /// The store itself: `store init` creates its schema
    Store(store::StoreArgs),
    /// Re-derive the indexed fields from the stored lines with the current catalogs
    Reindex(reindex::ReindexArgs),
    /// Is it just this client or everyone: clients, routes and onset of an event's code
    Impact(impact::ImpactArgs),
    /// Every request of one client around a moment, successes included
    Timeline(timeline::TimelineArgs),
    /// Open the TUI over a query, or ingest PATHs first and then open it
    Tui(TuiArgs),
    /// Time the TUI headless: type QUERY key by key, print JSON (benchmarks)
    #[command(hide = true)]
    BenchTui {
        /// The text typed into the query bar
        query: String,
    },
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// A query, or files/directories to ingest before opening
    #[arg(value_name = "QUERY|PATH")]
    pub args: Vec<String>,
    /// With PATHs: keep tailing them while the TUI is open (new events and
    /// new problems show live)
    #[arg(long)]
    pub follow: bool,
}

/// The invocation's [`Context`], from the global flags and the environment.
fn context(g: &Global) -> Result<Context> {
    let index_dir = match &g.index {
        Some(dir) => dir.clone(),
        None => default_index_dir()
            .context("no home directory: pass --index DIR or set ERRTRIAGE_INDEX")?,
    };
    let env = std::env::var(errtriage::store::open::STORE_ENV).ok();
    let store = StoreChoice::resolve(
        g.store.as_deref(),
        env.as_deref(),
        config_dir().as_deref(),
        &index_dir,
    )?;
    let color = match g.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    Ok(Context {
        index_dir,
        store,
        color,
        redact: !g.no_redact,
        catalog_files: g.catalogs.clone(),
        format_files: g.formats.clone(),
    })
}

fn default_index_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "errtriage").map(|d| d.data_dir().join("index"))
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<Status> {
    let ctx = context(&cli.global)?;
    if !matches!(cli.command, Some(Command::Completions { .. })) {
        // Every line read from here on (ingest, and `find` rebuilding
        // events from their raw lines) is read with the user's formats.
        if let Some(formats) = ctx.user_formats()? {
            errtriage::normalize::formats::install(formats);
        }
    }
    match cli.command {
        Some(Command::Ingest(a)) => ingest::run(&ctx, a),
        Some(Command::Find(a)) => find::run(&ctx, a),
        Some(Command::Search(a)) => search::run(&ctx, a),
        Some(Command::Groups(a)) => groups::run(&ctx, a),
        Some(Command::Chains(a)) => chains::run(&ctx, a),
        Some(Command::Stats(a)) => stats::run(&ctx, a),
        Some(Command::Explain(a)) => explain::run(&ctx, a),
        Some(Command::Reindex(a)) => reindex::run(&ctx, a),
        Some(Command::Store(a)) => store::run(&ctx, a),
        Some(Command::Impact(a)) => impact::run(&ctx, a),
        Some(Command::Timeline(a)) => timeline::run(&ctx, a),
        Some(Command::Tui(a)) => tui_command(&ctx, a),
        Some(Command::BenchTui { query }) => crate::tui::bench::run(&ctx, &query, (160, 48)),
        Some(Command::Completions { shell }) => {
            // clap_complete panics on a write error; a closed pipe
            // (`completions bash | head`) must not, so write it ourselves.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "errtriage", &mut script);
            std::io::Write::write_all(&mut std::io::stdout().lock(), &script)?;
            Ok(Status::Done)
        }
        None if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() => {
            crate::tui::run(&ctx, "")
        }
        None => {
            Cli::command().print_help()?;
            Ok(Status::Done)
        }
    }
}

/// `errtriage tui PATH…` ingests first; `errtriage tui QUERY` opens on a query.
fn tui_command(ctx: &Context, a: TuiArgs) -> Result<Status> {
    let paths: Vec<PathBuf> = a.args.iter().map(PathBuf::from).collect();
    if !paths.is_empty() && paths.iter().all(|p| p.exists()) {
        // The ingest's report shows inside the TUI (`!`), not behind it.
        return crate::tui::open_paths(ctx, &paths, a.follow);
    }
    if a.follow {
        anyhow::bail!(
            "--follow needs files or directories that exist: `errtriage tui --follow PATH…`"
        );
    }
    crate::tui::run(ctx, &a.args.join(" "))
}

/// Current time, for relative query times.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// Parse a query or fail with the parser's message (exit 2).
pub fn parse_query(text: &str) -> Result<errtriage::query::Query> {
    errtriage::query::Query::parse(text, now()).map_err(|e| anyhow::anyhow!("bad query: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    fn arg() -> impl Strategy<Value = String> {
        let words = [
            "ingest",
            "find",
            "search",
            "groups",
            "chains",
            "stats",
            "tui",
            "bench-tui",
            "completions",
            "zsh",
            "--json",
            "--limit",
            "-n",
            "--rebuild",
            "--follow",
            "--by",
            "status",
            "--flagged",
            "--color",
            "never",
            "--no-redact",
            "--catalog",
            "--index",
            "--help",
            "-h",
            "--version",
            "-V",
            "-",
            "--",
            "=",
            "--limit=-1",
            "18446744073709551616",
            "-0",
            "NaN",
        ];
        prop_oneof![
            3 => proptest::sample::select(words.to_vec()).prop_map(str::to_string),
            1 => "\\PC{0,16}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// clap on arbitrary argument vectors: parsed, or an error to print.
        #[test]
        fn any_argument_vector_parses_or_is_a_usage_error(
            args in proptest::collection::vec(arg(), 0..8)
        ) {
            let argv = std::iter::once("errtriage".to_string()).chain(args);
            if let Err(e) = Cli::try_parse_from(argv) {
                prop_assert!(!e.render().to_string().is_empty());
            }
        }
    }
}
