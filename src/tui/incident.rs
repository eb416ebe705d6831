//! incident: from one request to the whole incident. On the selected event,
//! `i` asks for its impact (just this client, or everyone?), `T` for its
//! client's timeline (every request around it, successes included) and `a`
//! for the lines around it (±2 min on the same service or trace, app lines
//! without a status included). The worker answers with the library's
//! `Store::impact`, `timeline` and `context` — the CLI's own answers — and
//! each shows as a page; in a timeline or around page `j`/`k` move a marker
//! and `Enter` opens the marked request. Pure, like `update`.

use chrono::Duration;
use errtriage::model::Event;
use errtriage::query::complete::term;
use errtriage::query::context::ContextLine;
use errtriage::query::impact::ImpactResult;
use errtriage::query::timeline::TimelineResult;
use tui_input::Input;

use super::action::{Action, Job, JobKind};
use super::state::{Page, Return, State, View};
use super::update::run_query;

/// How far either side of the event impact looks (the CLI's default).
pub fn impact_window() -> Duration {
    Duration::minutes(30)
}

/// How far either side of the event the timeline reaches (the CLI's default).
pub fn timeline_window() -> Duration {
    Duration::hours(1)
}

/// How far either side of the event `a` shows lines (`find --context 2m`).
pub fn around_span() -> Duration {
    Duration::minutes(2)
}

/// Which incident page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Impact,
    Timeline,
    Around,
}

impl Kind {
    pub fn title(self) -> &'static str {
        match self {
            Kind::Impact => "Impact",
            Kind::Timeline => "Client timeline",
            Kind::Around => "Around this event",
        }
    }
}

/// The worker's answer for one page.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// `None`: nothing matched the request.
    Impact(Option<Box<ImpactResult>>),
    /// `Err`: why there is no timeline (no client on the event, …).
    Timeline(Result<Box<TimelineResult>, String>),
    Around(Vec<ContextLine>),
}

/// The open incident page: for which request (and its event, when opened
/// on one rather than on a group's sample), its answer once here, and the
/// marked row (timeline and around).
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentPage {
    pub kind: Kind,
    pub request_id: String,
    pub event: Option<Event>,
    pub answer: Option<Answer>,
    pub cursor: usize,
}

impl IncidentPage {
    /// Whether `e` is the request the page is about.
    pub fn is_subject(&self, e: &Event) -> bool {
        match &self.event {
            Some(ev) => ev.source == e.source,
            None => !e.request_id.is_empty() && e.request_id == self.request_id,
        }
    }

    /// The rows `j`/`k` move over: a timeline's or around page's events.
    pub fn rows(&self) -> Vec<&Event> {
        match &self.answer {
            Some(Answer::Timeline(Ok(t))) => t.events.iter().collect(),
            Some(Answer::Around(lines)) => lines.iter().map(|l| &l.event).collect(),
            _ => Vec::new(),
        }
    }
}

/// `i`, `T`, `a`: open the page for the selected event (in Groups, `i`
/// and `T` take the group's sample request) and ask the worker.
pub fn open(s: &mut State, kind: Kind) -> Vec<Job> {
    let subject = match (&s.page, s.view) {
        (None, View::Events) | (Some(Page::Event), _) => s
            .selected_event()
            .map(|e| (e.request_id.clone(), Some(e.clone()))),
        (None, View::Groups) if kind != Kind::Around => s
            .groups
            .list
            .selected_item()
            .map(|g| (g.sample_request_id.clone(), None)),
        _ => None,
    };
    let Some((request_id, event)) = subject else {
        s.flash = Some(format!(
            "{} is for an event: select one in Events (Tab)",
            kind.title()
        ));
        return Vec::new();
    };
    if kind != Kind::Around && request_id.is_empty() {
        s.flash = Some("this line has no request id".into());
        return Vec::new();
    }
    s.page_under.extend(s.page.take());
    s.page = Some(Page::Incident);
    s.page_scroll = 0;
    s.incident = Some(IncidentPage {
        kind,
        request_id: request_id.clone(),
        event: event.clone(),
        answer: None,
        cursor: 0,
    });
    vec![s.job(JobKind::Incident {
        kind,
        request_id,
        event: event.map(Box::new),
    })]
}

/// The worker's answer, if it is for the page still open.
pub fn on_answer(s: &mut State, request_id: &str, kind: Kind, answer: Answer) {
    let Some(page) = s.incident.as_mut() else {
        return;
    };
    if page.kind != kind || page.request_id != request_id {
        return;
    }
    page.answer = Some(answer);
    // Start the marker on the request itself.
    page.cursor = page
        .rows()
        .iter()
        .position(|e| page.is_subject(e))
        .unwrap_or(0);
}

/// Keys on an open incident page: `j`/`k` move the marker, `Enter` opens
/// the marked request. `None`: not an incident page's key.
pub fn key(s: &mut State, action: &Action) -> Option<Vec<Job>> {
    if s.page != Some(Page::Incident) {
        return None;
    }
    let page = s.incident.as_mut()?;
    let rows = page.rows().len();
    if rows == 0 {
        return None;
    }
    match action {
        Action::Down(n) => page.cursor = (page.cursor + n).min(rows - 1),
        Action::Up(n) => page.cursor = page.cursor.saturating_sub(*n),
        Action::Top => page.cursor = 0,
        Action::Bottom => page.cursor = rows - 1,
        Action::Open => return Some(open_marked(s)),
        _ => return None,
    }
    Some(Vec::new())
}

/// The marked request, opened: the query becomes its request id (`Esc`
/// comes back to the query before).
fn open_marked(s: &mut State) -> Vec<Job> {
    let Some(page) = &s.incident else {
        return Vec::new();
    };
    let Some(event) = page.rows().get(page.cursor).map(|e| (*e).clone()) else {
        return Vec::new();
    };
    if event.request_id.is_empty() {
        s.flash = Some("this line has no request id to open".into());
        return Vec::new();
    }
    s.back.push(Return {
        view: s.view,
        query: s.applied.clone(),
        selected: s.events.list.selected,
    });
    let text = term("request_id", &event.request_id);
    s.applied = text.clone();
    s.input = Input::new(text.clone());
    s.view = View::Events;
    let jobs = run_query(s, text, false);
    s.page = Some(Page::Event);
    jobs
}
