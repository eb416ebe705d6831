//! `errtriage find ID`: one request, what its code means, and its chain.

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct FindArgs {
    /// A request id (or a unique prefix of 8+ characters), idempotency key or trace id
    pub id: String,
    /// Print JSON (same as --format json)
    #[arg(long)]
    pub json: bool,
    /// Output format; `markdown` prints a case card to paste into a ticket
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also show every line within this long either side on the same service or trace (e.g. 2m)
    #[arg(long, value_name = "SPAN", value_parser = super::impact::parse_window)]
    pub context: Option<chrono::Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Markdown,
}

pub fn run(ctx: &Context, a: FindArgs) -> Result<Status> {
    if a.id.trim().is_empty() {
        anyhow::bail!(
            "find needs an id: a request id (or 8+ characters of one), an idempotency key or a trace id"
        );
    }
    let store = ctx.store()?;
    let result = match a.context {
        Some(span) => {
            let (mut found, lines) = store.around(&a.id, span)?;
            found.context = lines;
            found
        }
        None => store.find(&a.id)?,
    };
    let format = if a.json { Format::Json } else { a.format };
    if result.events.is_empty() {
        let hint = if !result.candidates.is_empty() {
            format!(
                "`{}` is ambiguous: it starts {} ids, e.g. {}",
                a.id,
                result.candidates.len(),
                result.candidates.join(", ")
            )
        } else if store.num_events() == 0 {
            "the index is empty: run `errtriage ingest PATH…` first".to_string()
        } else {
            match store.suggest(&a.id, 5)?.as_slice() {
                [] => format!(
                    "no request id, idempotency key or trace id `{}` in {} events",
                    a.id,
                    store.num_events()
                ),
                close => format!("no `{}`; closest ids: {}", a.id, close.join(", ")),
            }
        };
        if format == Format::Json {
            ctx.printer(true).find(&result, store.catalogs())?;
        }
        eprintln!(
            "errtriage: {}",
            errtriage::sanitize::display(&hint, !ctx.redact)
        );
        return Ok(Status::NotFound);
    }
    if result.omitted > 0 {
        eprintln!(
            "errtriage: {} more event(s) match `{}`; showing the newest {}",
            result.omitted,
            errtriage::sanitize::escape(&a.id),
            result.events.len()
        );
    }
    match format {
        Format::Markdown => crate::print::markdown::case_card(
            &mut std::io::stdout().lock(),
            &result,
            store.catalogs(),
            ctx.redact,
            crate::print::markdown::impact_verdict(store.as_ref(), &a.id).as_deref(),
        )?,
        f => ctx
            .printer(f == Format::Json)
            .find(&result, store.catalogs())?,
    }
    Ok(Status::Done)
}
