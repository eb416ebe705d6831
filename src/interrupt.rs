//! interrupt: Ctrl-C while an ingest runs, shared by `errtriage ingest` and
//! the ingest behind `errtriage tui PATH…` (the two front ends stand side by
//! side, so this lives beside them, not in either). The first Ctrl-C sets a
//! flag the ingest checks between batches — it stops and commits what it
//! read, so running it again continues exactly once; a second exits at once
//! (committed data is safe either way).

use std::sync::atomic::{AtomicBool, Ordering};

/// The flag the first Ctrl-C sets; installs the handler on first use.
pub fn stop_flag() -> &'static AtomicBool {
    static STOP: AtomicBool = AtomicBool::new(false);
    static HANDLER: std::sync::Once = std::sync::Once::new();
    HANDLER.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            if STOP.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    });
    &STOP
}
