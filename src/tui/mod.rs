//! tui: the interactive front end (built in its own change).

use anyhow::Result;

use crate::cli::Context;

/// Open the TUI over `query`.
pub fn run(_ctx: &Context, _query: &str) -> Result<crate::cli::Status> {
    anyhow::bail!("the TUI is not built yet; use the one-shot commands (errtriage --help)")
}
