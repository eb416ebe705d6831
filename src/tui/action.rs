//! action: the vocabulary between the terminal, the worker and the pure
//! [`super::update::update`]. Keys and mouse become [`Action`]s (see
//! [`super::keymap`]); worker results come back as [`Action::Loaded`];
//! `update` answers with at most one [`Effect`] for the app loop to carry out.

use chrono::{DateTime, Utc};
use errtriage::catalog::Reading;
use errtriage::model::{Chain, Event};
use errtriage::query::{Group, GroupBy, Histogram, SearchResult, Side, Stats, TimePage};
use tui_input::InputRequest;

use super::incident::{Answer, Kind};
use super::pivot::PivotField;

/// Everything that can happen to the TUI.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Move the selection (or scroll the open page) by n rows.
    Up(usize),
    Down(usize),
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextView,
    PrevView,
    /// `Enter`: open the selected event or chain, drill into a group.
    Open,
    /// `Esc`: close the page, or go back to where a drill-in started.
    Back,
    /// `q`: close the open page like `Esc`; quit from the top level.
    Close,
    /// A left click at (column, row): selects a row or a view tab.
    Click(u16, u16),
    /// The wheel at (column, row), by n rows (negative: up): scrolls the
    /// pane under the pointer.
    Wheel(isize, u16, u16),
    /// `Ctrl-E`/`Ctrl-Y`: scroll the detail pane by n rows (negative: up).
    ScrollDetail(isize),
    /// `c`: the selected event's retry chain.
    Chain,
    /// `y`: copy the selected request id (OSC 52).
    Copy,
    /// `Y`: copy the case card of the event or chain (as `find --format
    /// markdown`), or the Groups table as Markdown.
    CopyCard,
    /// `K`: copy the idempotency key.
    CopyKey,
    /// `w`: write the case card of the event or chain to a file (opens the
    /// path prompt).
    SaveCard,
    /// `b`: group by the next field.
    CycleGroupBy,
    /// `B`: group by the previous field.
    CycleGroupByBack,
    /// `d`: add (or change, or drop) a second field to group by.
    CycleSecondBy,
    /// `f`: chains — every chain, or flagged ones only.
    ToggleFlagged,
    /// `=` (narrow) or `-` (exclude): the field menu for the selection.
    Pivot {
        exclude: bool,
    },
    /// A field picked in the pivot menu (its key).
    PickPivot(PivotField),
    /// `u` (or `Backspace` on an empty query bar): undo the last pivot.
    UndoPivot,
    /// `Tab` in the query bar: complete a field name or value.
    Complete,
    /// `i` impact, `T` client timeline, `a` lines around: of the selected event.
    Incident(Kind),
    /// `s`: the Chains view's next order (worst first, newest, most attempts).
    SortChains,
    /// `[`/`]`: move the histogram's cursor by n columns.
    HistMove(isize),
    /// `v`: mark (or unmark) a span on the histogram at its cursor.
    HistMark,
    /// `Backspace` (and `-` on the focused histogram): undo the last zoom
    /// (back to the query before it).
    ZoomOut,
    /// `:` or `t`: the go-to-time prompt.
    GoTo,
    /// `!`: the problems the ingest found.
    ShowProblems,
    /// `?`: show or hide the key help.
    Help,
    Quit,
    /// `/`: start editing the query.
    EditQuery,
    /// A keystroke for the query bar.
    Input(InputRequest),
    /// Pasted text (one line): typed into the query bar, opening it if need be.
    Paste(String),
    /// `Ctrl-U` in the query bar.
    ClearQuery,
    /// `Enter` in the query bar.
    ApplyQuery,
    /// `Esc` in the query bar.
    CancelQuery,
    /// The typing pause is over: run what is in the query bar.
    RunPreview,
    /// The terminal's size, at start and on every resize.
    Resize(u16, u16),
    /// First action of a session: run the initial query.
    Start,
    /// Another process committed to the index.
    IndexChanged,
    /// The index that appeared cannot be opened (why, and when it is tried
    /// again); shown in the status bar.
    IndexUnavailable(String),
    /// The problems of the ingest behind the TUI so far (`--follow` sends
    /// them again after each tick that found more).
    Problems(super::problems::Problems),
    /// A worker result.
    Loaded(Box<Loaded>),
}

/// What `update` asks the app loop to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Submit these jobs to the worker (each replaces any pending job of its slot).
    Fetch(Vec<Job>),
    /// Dispatch this action after a short pause, unless another debounce replaces it.
    Debounce(Action),
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
    Quit,
}

/// One question for the worker. `generation` tags the answer so stale ones are dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub generation: u64,
    /// The query text, parsed by the worker (an empty query is every event).
    pub query: String,
    pub kind: JobKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobKind {
    /// A page of matching events, newest first, and the match count.
    Events {
        offset: usize,
        limit: usize,
    },
    /// The matching events around a time (go to time): up to `per_side`
    /// on each side, the nearest pointed out.
    EventsAt {
        at: DateTime<Utc>,
        per_side: usize,
    },
    /// A page beside the loaded ones of a list anchored at a time: on
    /// `side` of `at` (the loaded end's time, included).
    EventsBeside {
        at: DateTime<Utc>,
        side: Side,
        limit: usize,
    },
    Histogram {
        buckets: usize,
    },
    /// What the index holds (total events, time range); ignores the query.
    Stats,
    Groups {
        by: GroupBy,
        /// A second dimension (`d`): one row per pair.
        then: Option<GroupBy>,
    },
    Chains {
        flagged_only: bool,
    },
    /// The catalog's reading of one event and its retry chain(s); a big
    /// event's original line prepared for display (`--no-redact`: shown).
    Detail {
        event: Box<Event>,
        show_secrets: bool,
    },
    /// Impact, timeline or lines around `event` (ignores the query).
    Incident {
        kind: Kind,
        request_id: String,
        /// The event itself, when asked on one (`a` needs it).
        event: Option<Box<Event>>,
    },
    /// Values of `field` starting with `prefix` (ignores the query).
    Complete {
        field: String,
        prefix: String,
    },
    /// The markdown case card of an id, for the clipboard.
    Card {
        id: String,
    },
    /// The markdown case card of an id, written to a new file at `path`.
    SaveCard {
        id: String,
        path: std::path::PathBuf,
    },
}

/// Each slot runs at most one job at a time and keeps only its latest pending one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Events,
    More,
    /// Newer events above a list anchored at a time.
    Newer,
    Histogram,
    Stats,
    Groups,
    Chains,
    Detail,
    Complete,
    Incident,
    Card,
}

impl Slot {
    pub const ALL: [Slot; 11] = [
        Slot::Events,
        Slot::More,
        Slot::Newer,
        Slot::Histogram,
        Slot::Stats,
        Slot::Groups,
        Slot::Chains,
        Slot::Detail,
        Slot::Complete,
        Slot::Incident,
        Slot::Card,
    ];

    pub fn index(self) -> usize {
        self as usize
    }
}

impl JobKind {
    pub fn slot(&self) -> Slot {
        match self {
            JobKind::Events { offset: 0, .. } => Slot::Events,
            JobKind::Events { .. } => Slot::More,
            JobKind::EventsAt { .. } => Slot::Events,
            JobKind::EventsBeside {
                side: Side::Older, ..
            } => Slot::More,
            JobKind::EventsBeside {
                side: Side::Newer, ..
            } => Slot::Newer,
            JobKind::Histogram { .. } => Slot::Histogram,
            JobKind::Stats => Slot::Stats,
            JobKind::Groups { .. } => Slot::Groups,
            JobKind::Chains { .. } => Slot::Chains,
            JobKind::Detail { .. } => Slot::Detail,
            JobKind::Complete { .. } => Slot::Complete,
            JobKind::Incident { .. } => Slot::Incident,
            JobKind::Card { .. } | JobKind::SaveCard { .. } => Slot::Card,
        }
    }
}

/// A worker's answer to one [`Job`].
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub generation: u64,
    pub slot: Slot,
    pub result: Result<Data, JobError>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    Events {
        offset: usize,
        result: SearchResult,
    },
    /// Go to time: the events around it.
    EventsAt(Box<TimePage>),
    /// A page beside a list anchored at a time.
    EventsBeside {
        at: DateTime<Utc>,
        side: Side,
        result: SearchResult,
    },
    /// Nothing matched the bare query, but it is a unique prefix (as
    /// `errtriage find` accepts) of this request id: search for it instead.
    Expand(String),
    Histogram(Histogram),
    Stats(Stats),
    Groups {
        by: GroupBy,
        then: Option<GroupBy>,
        rows: Vec<Group>,
        /// `Some(bound)` when the groups are approximate (more groups than
        /// a segment keeps): a count may be up to `bound` low.
        low_by: Option<u64>,
    },
    Chains(Vec<Chain>),
    Detail(Box<Detail>),
    Completions {
        field: String,
        prefix: String,
        values: Vec<String>,
    },
    Incident {
        request_id: String,
        kind: Kind,
        answer: Answer,
    },
    /// A case card (markdown) and the id it is for.
    Card {
        id: String,
        text: String,
    },
    /// Where a case card was written, or why not.
    Saved(super::save::Saved),
}

/// The slow half of an event's detail: what its code means, and its chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub event: Event,
    pub reading: Option<Reading>,
    /// The chain(s) the event is an attempt of (usually one, none without a key).
    pub chains: Vec<Chain>,
    /// A big event's original line, ready to show (see [`super::original`]).
    pub original: Option<std::sync::Arc<super::original::Original>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobError {
    /// The query does not parse; shown inline under the query bar.
    Query(String),
    /// The index could not answer.
    Index(String),
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JobError::Query(m) => write!(f, "bad query: {m}"),
            JobError::Index(m) => write!(f, "index error: {m}"),
        }
    }
}
