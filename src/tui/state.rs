//! state: everything the TUI shows, as plain data. Only
//! [`super::update::update`] changes it (plus the render pass, which records
//! how many rows fit and clamps scroll offsets, as ratatui's `TableState`
//! does). Data from the worker is accepted only if its generation is the
//! one its slot is waiting for, so a slow stale answer never overwrites a
//! newer one.

use errtriage::model::{Chain, Event, Outcome, Source};
use errtriage::query::{Group, GroupBy, Histogram, Stats};
use std::sync::Arc;

use ratatui::layout::Rect;
use tui_input::Input;

use super::action::{Detail, Job, JobKind, Slot};
use super::complete::Completion;
use super::incident::IncidentPage;
use super::keymap::Mode;
use super::pivot::PivotMenu;
use super::problems::Problems;
use super::save::SavePrompt;
use super::view::detail::WrappedLines;

/// Events fetched per page (newest first); more are fetched near the end.
pub const PAGE: usize = 200;
/// Fetch the next page when the selection is this close to the end.
pub const MORE_MARGIN: usize = 50;
/// On a live refresh, reload at most this many events to keep the selection.
pub const MAX_REFRESH: usize = 2_000;
pub const GROUPS_LIMIT: usize = 200;
pub const CHAINS_LIMIT: usize = 500;

/// The three views Tab cycles through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Events,
    Groups,
    Chains,
}

impl View {
    pub const ALL: [View; 3] = [View::Events, View::Groups, View::Chains];

    pub fn title(self) -> &'static str {
        match self {
            View::Events => "Events",
            View::Groups => "Groups",
            View::Chains => "Chains",
        }
    }

    pub fn next(self) -> View {
        View::ALL[(self as usize + 1) % View::ALL.len()]
    }

    pub fn prev(self) -> View {
        View::ALL[(self as usize + View::ALL.len() - 1) % View::ALL.len()]
    }
}

/// A page opened over the view with `Enter` or `c`; `Esc` closes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Page {
    /// The selected event, full height.
    Event,
    /// A chain timeline; `j`/`k` move its marker, `Enter` opens the attempt.
    Chain(ChainTarget),
    /// Impact, client timeline or lines around an event (see `incident`).
    Incident,
    /// One attempt of a chain, opened from the chain page.
    Attempt(Box<Event>),
    /// The ingest's problems (`!`).
    Problems,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChainTarget {
    /// The chain selected in the Chains view.
    Selected,
    /// The chain this event is an attempt of (arrives with its detail).
    OfEvent(Source),
}

/// How the Chains view is ordered (`s` cycles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainOrder {
    /// Most findings first, then failed before recovered, then newest.
    Worst,
    Newest,
    /// Most attempts first.
    Attempts,
}

impl ChainOrder {
    pub fn next(self) -> ChainOrder {
        match self {
            ChainOrder::Worst => ChainOrder::Newest,
            ChainOrder::Newest => ChainOrder::Attempts,
            ChainOrder::Attempts => ChainOrder::Worst,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChainOrder::Worst => "worst first",
            ChainOrder::Newest => "newest first",
            ChainOrder::Attempts => "most attempts first",
        }
    }

    /// Sort `chains` in this order (stable: ties keep the index's order).
    pub fn sort(self, chains: &mut [Chain]) {
        use std::cmp::Reverse;
        let first = |c: &Chain| c.attempts.first().map(|a| a.ts);
        match self {
            ChainOrder::Worst => chains.sort_by_key(|c| {
                let outcome = match c.outcome {
                    Outcome::Failed => 0,
                    Outcome::Recovered => 1,
                    Outcome::Succeeded => 2,
                };
                (Reverse(c.flags.len()), outcome, Reverse(first(c)))
            }),
            ChainOrder::Newest => chains.sort_by_key(|c| Reverse(first(c))),
            ChainOrder::Attempts => {
                chains.sort_by_key(|c| (Reverse(c.attempts.len()), Reverse(first(c))))
            }
        }
    }
}

/// Where `Esc` returns to after drilling into a group.
#[derive(Debug, Clone, PartialEq)]
pub struct Return {
    pub view: View,
    pub query: String,
    pub selected: usize,
}

/// A list with a selection and a scroll offset (the offset is the render's).
#[derive(Debug, Clone, PartialEq)]
pub struct List<T> {
    pub items: Vec<T>,
    pub selected: usize,
    pub offset: usize,
    /// False until the first answer arrives.
    pub loaded: bool,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List {
            items: Vec::new(),
            selected: 0,
            offset: 0,
            loaded: false,
        }
    }
}

impl<T> List<T> {
    pub fn selected_item(&self) -> Option<&T> {
        self.items.get(self.selected)
    }

    /// Move the selection by `delta` rows, staying inside the list.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.items.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub fn select(&mut self, i: usize) {
        self.selected = i.min(self.items.len().saturating_sub(1));
    }

    /// Replace the items, keeping the selection in range.
    pub fn set(&mut self, items: Vec<T>) {
        self.items = items;
        self.loaded = true;
        self.select(self.selected);
    }
}

#[derive(Debug, Clone, Default)]
pub struct EventsData {
    pub list: List<Event>,
    /// How many events match the query.
    pub total: u64,
    /// On a live refresh, the event to keep selected.
    pub keep: Option<Source>,
    /// The list was loaded around a time (go to time), not from the
    /// newest: pages above and below it are bounded on time.
    pub anchored: bool,
    /// Matching events newer than the first loaded (only when anchored).
    pub newer_left: u64,
}

#[derive(Debug, Clone, Default)]
pub struct GroupsData {
    pub list: List<Group>,
    pub by: GroupBy,
    /// The second dimension (`d`), if any.
    pub then: Option<GroupBy>,
    /// The query revision the list was asked for.
    pub rev: Option<u64>,
    /// Approximate groups: a count may be up to this much low (see
    /// `GroupsResult::exact`); `None` when exact.
    pub low_by: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct ChainsData {
    pub list: List<Chain>,
    pub flagged_only: bool,
    pub rev: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct DetailData {
    /// The event the detail was asked for.
    pub for_event: Option<Source>,
    pub detail: Option<Detail>,
}

/// Screen areas as last rendered (like `list.offset`, the render's to set).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hits {
    /// The view tabs in the list's title: columns `from..to` on row `y`.
    pub tabs: Vec<(u16, u16, u16, View)>,
    /// The list's first data row and how many rows show.
    pub rows: Rect,
    /// The detail pane (or the open page).
    pub detail: Rect,
}

/// The whole TUI state.
#[derive(Debug, Clone)]
pub struct State {
    pub view: View,
    pub page: Option<Page>,
    pub page_scroll: usize,
    /// The pages `Esc` returns to, innermost last (event → chain → attempt).
    pub page_under: Vec<Page>,
    /// The attempt the chain page's marker is on.
    pub chain_cursor: usize,
    /// The order of the Chains view (`s`).
    pub chain_order: ChainOrder,
    pub help: bool,
    pub help_scroll: usize,
    pub editing: bool,
    /// The query bar while editing.
    pub input: Input,
    /// The query in force (what `Esc` in the query bar returns to).
    pub applied: String,
    /// The query the shown results belong to (the typed one while previewing).
    pub running: String,
    /// The query the shown events belong to (the last one that parsed).
    pub shown: String,
    pub query_error: Option<String>,
    pub index_error: Option<String>,
    /// A one-off message in the status bar; the next key clears it.
    pub flash: Option<String>,
    /// Bumped whenever the query or the index changes.
    pub rev: u64,
    next_gen: u64,
    /// Per slot: the generation of the answer it waits for.
    pub pending: [Option<u64>; Slot::ALL.len()],
    pub events: EventsData,
    pub groups: GroupsData,
    pub chains: ChainsData,
    pub detail: DetailData,
    pub histogram: Option<Histogram>,
    /// The histogram is asked for once the events list of the running
    /// query lands, not beside it: on two cores the two scans shared them,
    /// and the list is what a user reads first (at 10M events with no
    /// query, each is a pass over every event's `ts`).
    pub histogram_after_events: bool,
    pub stats: Option<Stats>,
    pub back: Vec<Return>,
    /// The open `=` / `-` field menu.
    pub pivot: Option<PivotMenu>,
    /// The query before each pivot, latest last (`u` goes back one).
    pub pivots: Vec<String>,
    /// The query bar's `Tab` completion in progress.
    pub completion: Option<Completion>,
    /// The last incident page opened (`i`, `T`, `a`).
    pub incident: Option<IncidentPage>,
    /// Terminal columns and rows.
    pub size: (u16, u16),
    /// Rows of the list and of an open page, as last rendered (for PgUp/PgDn).
    pub list_height: usize,
    pub page_height: usize,
    /// Where the last render put things, for clicks and the wheel.
    pub hits: Hits,
    /// How far the detail pane (not an open page) is scrolled.
    pub detail_scroll: usize,
    /// The detail pane's last event content: (key, title, lines).
    pub detail_cache: Option<(String, String, Arc<WrappedLines>)>,
    /// The histogram's cursor column (`[`/`]`), once moved.
    pub hist_cursor: Option<usize>,
    /// Where `v` marked a span's other end.
    pub hist_mark: Option<usize>,
    /// The histogram has the keys (`h`/`l`, `v`, `Enter`, `-`).
    pub hist_focus: bool,
    /// The go-to-time prompt, while open.
    pub goto: Option<Input>,
    /// The queries before each zoom, innermost last (`Backspace` pops).
    pub zooms: Vec<String>,
    /// What the ingest behind `tui PATH…` found wrong (`!` lists it).
    pub problems: Problems,
    /// The `w` path prompt, while open.
    pub save: Option<SavePrompt>,
    /// `--no-redact`.
    pub show_secrets: bool,
    /// Shown when the index is empty.
    pub index_dir: String,
}

impl State {
    pub fn new(query: &str, show_secrets: bool, index_dir: &str) -> State {
        State {
            view: View::Events,
            page: None,
            page_scroll: 0,
            page_under: Vec::new(),
            chain_cursor: 0,
            chain_order: ChainOrder::Worst,
            help: false,
            help_scroll: 0,
            editing: false,
            input: Input::new(query.to_string()),
            applied: query.to_string(),
            running: query.to_string(),
            shown: query.to_string(),
            query_error: None,
            index_error: None,
            flash: None,
            rev: 0,
            next_gen: 1,
            pending: [None; Slot::ALL.len()],
            events: EventsData::default(),
            groups: GroupsData::default(),
            chains: ChainsData::default(),
            detail: DetailData::default(),
            histogram: None,
            histogram_after_events: false,
            stats: None,
            back: Vec::new(),
            pivot: None,
            pivots: Vec::new(),
            completion: None,
            incident: None,
            size: (80, 24),
            list_height: 10,
            page_height: 10,
            hits: Hits::default(),
            detail_scroll: 0,
            detail_cache: None,
            problems: Problems::default(),
            save: None,
            hist_cursor: None,
            hist_mark: None,
            hist_focus: false,
            goto: None,
            zooms: Vec::new(),
            show_secrets,
            index_dir: index_dir.to_string(),
        }
    }

    /// Close every open page.
    pub fn close_pages(&mut self) {
        self.page = None;
        self.page_under.clear();
    }

    /// Which key bindings are in force.
    pub fn mode(&self) -> Mode {
        if self.help {
            Mode::Help
        } else if self.save.is_some() {
            Mode::Save
        } else if self.pivot.is_some() {
            Mode::Pivot
        } else if self.goto.is_some() {
            Mode::Goto
        } else if self.editing {
            Mode::Query
        } else if self.hist_focus {
            Mode::Histogram
        } else {
            Mode::Normal
        }
    }

    /// A job for the worker, and the slot now waits for its answer only.
    pub fn job(&mut self, kind: JobKind) -> Job {
        let generation = self.next_gen;
        self.next_gen += 1;
        self.pending[kind.slot().index()] = Some(generation);
        Job {
            generation,
            query: self.running.clone(),
            kind,
        }
    }

    pub fn is_pending(&self, slot: Slot) -> bool {
        self.pending[slot.index()].is_some()
    }

    /// Anything the current view waits for.
    pub fn is_loading(&self) -> bool {
        let slot = match self.view {
            View::Events => Slot::Events,
            View::Groups => Slot::Groups,
            View::Chains => Slot::Chains,
        };
        self.is_pending(slot) || self.is_pending(Slot::Events)
    }

    /// Histogram buckets: one per column of the histogram.
    pub fn buckets(&self) -> usize {
        usize::from(self.size.0).max(10)
    }

    pub fn selected_event(&self) -> Option<&Event> {
        self.events.list.selected_item()
    }

    /// The chain an open chain page shows, if it has arrived.
    pub fn page_chain(&self) -> Option<&Chain> {
        match &self.page {
            Some(Page::Chain(ChainTarget::Selected)) => self.chains.list.selected_item(),
            Some(Page::Chain(ChainTarget::OfEvent(src))) => self.chain_of(src),
            _ => None,
        }
    }

    /// The chain `src` is an attempt of, from the loaded detail.
    pub fn chain_of(&self, src: &Source) -> Option<&Chain> {
        let detail = self
            .detail
            .detail
            .as_ref()
            .filter(|d| &d.event.source == src)?;
        detail
            .chains
            .iter()
            .find(|c| c.attempts.iter().any(|a| &a.source == src))
    }

    /// The event the detail pane or the open page is about: the attempt
    /// opened from a chain, else the selected event.
    pub fn focused_event(&self) -> Option<&Event> {
        match &self.page {
            Some(Page::Attempt(e)) => Some(e),
            _ => self.selected_event(),
        }
    }

    /// The detail of the focused event, once loaded.
    pub fn selected_detail(&self) -> Option<&Detail> {
        let ev = self.focused_event()?;
        self.detail
            .detail
            .as_ref()
            .filter(|d| d.event.source == ev.source)
    }

    /// True when the index holds no events at all.
    pub fn index_is_empty(&self) -> bool {
        self.stats.as_ref().is_some_and(|s| s.events == 0)
    }
}
