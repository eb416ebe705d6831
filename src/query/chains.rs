//! chains: group events by idempotency key (per service/client), order them,
//! and judge each chain against its API's retry policy (DESIGN "Retry chains").
//! Pure: the index hands in events, this hands back Chains.

use crate::catalog::Catalogs;
use crate::model::{Chain, Event};

/// Build every chain the events form (events without a key are ignored),
/// flagged chains first.
pub fn build_chains(events: Vec<Event>, catalogs: &Catalogs) -> Vec<Chain> {
    let _ = (events, catalogs);
    todo!("chains")
}
