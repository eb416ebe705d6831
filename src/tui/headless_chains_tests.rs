//! Slow answers never block the TUI: chains, and a request's impact and
//! client timeline, are built by the worker while the screen keeps drawing
//! and the events list keeps answering, and the view says it is waiting.
//! The store here holds every `chains` (or `impact` and `timeline`) answer
//! until the test lets it go.

use std::sync::{Arc, Condvar, Mutex};

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use errtriage::catalog::Catalogs;
use errtriage::error::Result;
use errtriage::model::Event;
use errtriage::query::context::ContextLine;
use errtriage::query::impact::ImpactResult;
use errtriage::query::timeline::{NoTimeline, TimelineResult};
use errtriage::query::{
    ChainSort, ChainsResult, FindResult, GroupBy, GroupSort, GroupsResult, Histogram, Query,
    SearchResult, Side, Stats, TimePage,
};
use errtriage::store::{Store, StoreInfo};

use super::action::Slot;
use super::event::Input;
use super::headless_tests::Headless;
use super::state::View;
use super::walk_tests::chains_corpus;

/// Which answers the gate holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    Chains,
    /// `impact` and `timeline`.
    Incident,
}

/// A store whose `held` answers wait for the gate to open.
struct Gated {
    inner: Arc<dyn Store>,
    open: Arc<(Mutex<bool>, Condvar)>,
    held: Held,
}

impl Gated {
    fn wait(&self, which: Held) {
        if which != self.held {
            return;
        }
        let (lock, cv) = &*self.open;
        let mut open = lock.lock().unwrap();
        while !*open {
            open = cv.wait(open).unwrap();
        }
    }
}

impl Store for Gated {
    fn chains_sorted(
        &self,
        q: &Query,
        flagged_only: bool,
        sort: ChainSort,
        limit: usize,
    ) -> Result<ChainsResult> {
        self.wait(Held::Chains);
        self.inner.chains_sorted(q, flagged_only, sort, limit)
    }

    fn describe(&self) -> StoreInfo {
        self.inner.describe()
    }
    fn catalogs(&self) -> &Catalogs {
        self.inner.catalogs()
    }
    fn reload(&self) -> Result<()> {
        self.inner.reload()
    }
    fn generation(&self) -> u64 {
        self.inner.generation()
    }
    fn is_stale(&self) -> bool {
        self.inner.is_stale()
    }
    fn num_events(&self) -> u64 {
        self.inner.num_events()
    }
    fn find(&self, id: &str) -> Result<FindResult> {
        self.inner.find(id)
    }
    fn suggest(&self, id: &str, limit: usize) -> Result<Vec<String>> {
        self.inner.suggest(id, limit)
    }
    fn search_page(&self, q: &Query, offset: usize, limit: usize) -> Result<SearchResult> {
        self.inner.search_page(q, offset, limit)
    }
    fn count(&self, q: &Query) -> Result<u64> {
        self.inner.count(q)
    }
    fn search_at(&self, q: &Query, at: DateTime<Utc>, per_side: usize) -> Result<TimePage> {
        self.inner.search_at(q, at, per_side)
    }
    fn search_beside(
        &self,
        q: &Query,
        at: DateTime<Utc>,
        side: Side,
        limit: usize,
    ) -> Result<SearchResult> {
        self.inner.search_beside(q, at, side, limit)
    }
    fn groups_by(
        &self,
        q: &Query,
        by: &[GroupBy],
        sort: GroupSort,
        limit: usize,
    ) -> Result<GroupsResult> {
        self.inner.groups_by(q, by, sort, limit)
    }
    fn stats(&self) -> Result<Stats> {
        self.inner.stats()
    }
    fn histogram(&self, q: &Query, buckets: usize) -> Result<Histogram> {
        self.inner.histogram(q, buckets)
    }
    fn impact(
        &self,
        target: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<ImpactResult>> {
        self.wait(Held::Incident);
        self.inner.impact(target, window, now)
    }
    fn timeline(
        &self,
        target: &str,
        around: Option<DateTime<Utc>>,
        window: Duration,
    ) -> Result<std::result::Result<TimelineResult, NoTimeline>> {
        self.wait(Held::Incident);
        self.inner.timeline(target, around, window)
    }
    fn context(&self, found: &[Event], span: Duration) -> Result<Vec<ContextLine>> {
        self.inner.context(found, span)
    }
    fn complete(&self, field: &str, prefix: &str, limit: usize) -> Result<Vec<String>> {
        self.inner.complete(field, prefix, limit)
    }
}

fn let_go(gate: &(Mutex<bool>, Condvar), open: bool) {
    *gate.0.lock().unwrap() = open;
    gate.1.notify_all();
}

fn chains_pending(h: &Headless) -> bool {
    h.app.state.pending[Slot::Chains.index()].is_some()
}

#[test]
fn chains_are_built_off_the_screen_and_the_view_says_so_meanwhile() {
    let gate = Arc::new((Mutex::new(false), Condvar::new()));
    let open = gate.clone();
    let mut h = Headless::wrapped(&chains_corpus(), 100, 24, move |inner| {
        let held = Held::Chains;
        Arc::new(Gated { inner, open, held })
    });
    let all = h.app.state.events.total;
    assert!(all > 4, "{all} events");

    // To the Chains view: its answer is held, yet the screen draws.
    h.keys_now(&[KeyCode::Tab, KeyCode::Tab]);
    assert_eq!(h.app.state.view, View::Chains);
    h.pump_until("the chains job to be asked", chains_pending);
    let screen = h.screen();
    assert!(screen.contains("building chains…"), "{screen}");
    assert!(h.app.state.chains.list.items.is_empty());

    // The events list still answers a new query while chains wait.
    h.keys_now(&[KeyCode::Char('/')]);
    h.type_now("status:503");
    h.keys_now(&[KeyCode::Enter]);
    h.pump_until("the events of the new query", |h| {
        h.app.state.shown == "status:503" && h.app.state.events.total < all
    });
    assert!(chains_pending(&h), "the chains answer is still held");

    // Let it go: the chains arrive and the marker goes.
    let_go(&gate, true);
    h.settle();
    let s = &h.app.state;
    assert!(!chains_pending(&h));
    assert!(!s.chains.list.items.is_empty());
    assert!(
        s.chains
            .list
            .items
            .iter()
            .all(|c| c.attempts.iter().any(|a| a.status == Some(503)))
    );
    let screen = h.screen();
    assert!(!screen.contains("building chains…"), "{screen}");

    // A new query while rows are shown: they stay, marked as waiting.
    let_go(&gate, false);
    h.keys_now(&[KeyCode::Char('/')]);
    h.type_now(" OR status:201");
    h.keys_now(&[KeyCode::Enter]);
    h.pump_until("the chains job of the wider query", |h| {
        chains_pending(h) && h.app.state.shown.contains("OR")
    });
    let screen = h.screen();
    assert!(
        screen.contains("building chains…") && !h.app.state.chains.list.items.is_empty(),
        "{screen}"
    );
    let_go(&gate, true);
    h.settle();
    assert!(!h.screen().contains("building chains…"));
}

fn incident_pending(h: &Headless) -> bool {
    h.app.state.pending[Slot::Incident.index()].is_some()
}

#[test]
fn impact_and_timeline_load_off_the_screen_and_the_page_says_so_meanwhile() {
    let gate = Arc::new((Mutex::new(false), Condvar::new()));
    let open = gate.clone();
    let corpus = super::headless_incident_tests::corpus().lines.join("\n") + "\n";
    let mut h = Headless::wrapped(&corpus, 120, 40, move |inner| {
        let held = Held::Incident;
        Arc::new(Gated { inner, open, held })
    });
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("req_2N7s8x9KqR");
    h.keys(&[KeyCode::Enter]);
    let all = h.app.state.events.total;

    // `T`: the timeline is held, yet the page draws and says it is asking.
    h.keys_now(&[KeyCode::Char('T')]);
    h.pump_until("the timeline job to be asked", incident_pending);
    let screen = h.screen();
    assert!(
        screen.contains("Client timeline") && screen.contains("asking the index…"),
        "{screen}"
    );
    // Keys still work: leave the page and ask the events list something else.
    h.keys_now(&[KeyCode::Esc, KeyCode::Char('/')]);
    let clear = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.app.input(&Input::Key(clear));
    h.type_now("client:partner_fitlink");
    h.keys_now(&[KeyCode::Enter]);
    h.pump_until("the events of the new query", |h| {
        h.app.state.shown == "client:partner_fitlink" && h.app.state.events.total != all
    });
    assert!(incident_pending(&h), "the timeline is still held");
    let_go(&gate, true);
    h.settle();
    assert!(!incident_pending(&h));

    // `i` on the selected event, held again: the impact page waits, then answers.
    let_go(&gate, false);
    h.keys_now(&[KeyCode::Char('i')]);
    h.pump_until("the impact job to be asked", incident_pending);
    let screen = h.screen();
    assert!(
        screen.contains("Impact") && screen.contains("asking the index…"),
        "{screen}"
    );
    let_go(&gate, true);
    h.settle();
    let screen = h.screen();
    assert!(
        !screen.contains("asking the index…") && screen.contains("partner_fitlink"),
        "{screen}"
    );
}
