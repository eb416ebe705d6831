//! `search` pages bounded by `since:`/`until:` (answered by
//! [`super::newest`]) against tantivy's own sort over the whole query
//! (what every page was before): same events in the same order, same
//! total, at every offset, over several segments with tied milliseconds.

use chrono::Utc;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tantivy::collector::{Count, TopDocs};
use tantivy::{DateTime as TDate, Order};

use super::Query;
use super::grouping_tests::{generate, ingest};
use super::newest::split_time;
use crate::index::LocalStore;
use crate::index::translate::to_tantivy;

/// The page as tantivy's `order_by_fast_field` gives it: request ids, total.
fn sorted_whole(store: &LocalStore, q: &Query, offset: usize, limit: usize) -> (Vec<String>, u64) {
    let searcher = store.searcher();
    let top = TopDocs::with_limit(limit)
        .and_offset(offset)
        .order_by_fast_field::<TDate>("ts", Order::Desc);
    let query = to_tantivy(&q.expr).unwrap();
    let (hits, total) = searcher.search(&*query, &(top, Count)).unwrap();
    let ids = hits
        .into_iter()
        .map(|(_, a)| store.event_at(&searcher, a).unwrap().request_id)
        .collect();
    (ids, total as u64)
}

#[test]
fn bounded_pages_equal_tantivys_sort_over_the_whole_query() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    // Two hours of events in 3,000 ms: ties on the same millisecond.
    let events = generate(&mut rng, 3_000, 40);
    let store = ingest(
        dir.path(),
        &[&events[..1_000], &events[1_000..2_200], &events[2_200..]],
    );
    assert!(store.searcher().segment_readers().len() > 1);
    let queries = [
        "status:4xx since:2026-05-14T10:30:00Z",
        "service:svc1 until:2026-05-14T11:00:00.250Z",
        "code:rate_limited since:2026-05-14T10:15:00Z AND NOT service:svc2",
        "status:[200 TO 599] ts:[2026-05-14T10:20:00Z TO 2026-05-14T10:40:00Z}",
        "service:svc3 since:2026-05-14T11:59:59Z",
    ];
    for text in queries {
        let q = Query::parse(text, Utc::now()).unwrap();
        assert!(
            split_time(&q.expr).is_some(),
            "{text} takes the column path"
        );
        for (offset, limit) in [(0, 1), (0, 50), (7, 10), (40, 100), (0, 5_000)] {
            let page = store.search_page(&q, offset, limit).unwrap();
            let ids: Vec<String> = page.events.into_iter().map(|e| e.request_id).collect();
            let (want, total) = sorted_whole(&store, &q, offset, limit);
            assert_eq!(
                (ids, page.total),
                (want, total),
                "{text} at {offset}+{limit}"
            );
        }
    }
}
