//! pivot: `=` narrows the query to one value of the selection, `-` excludes
//! it, `u` undoes the last. Pure, like `update`: which fields a selected
//! event, group or chain offers ([`PivotMenu`]), how a value joins the query
//! ([`narrow`]), and the menu's keys. The query text stays the single truth;
//! the pivot stack in the state only remembers what it was before.

use errtriage::model::{Chain, Event};
use errtriage::query::GroupBy;
use errtriage::query::complete::term;
use tui_input::Input;

use super::action::{Action, Job};
use super::state::{Page, State, View};
use super::update::run_query;

/// A field a pivot can narrow by, with its menu key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PivotField {
    Client,
    Service,
    Route,
    Code,
    Status,
    Api,
    IdempotencyKey,
    Trace,
    Class,
    Path,
}

impl PivotField {
    /// The menu, in order (class and path appear for groups by them).
    pub const ALL: [PivotField; 10] = [
        PivotField::Client,
        PivotField::Service,
        PivotField::Route,
        PivotField::Code,
        PivotField::Status,
        PivotField::Api,
        PivotField::IdempotencyKey,
        PivotField::Trace,
        PivotField::Class,
        PivotField::Path,
    ];

    /// The query field.
    pub fn query_field(self) -> &'static str {
        match self {
            PivotField::Client => "client",
            PivotField::Service => "service",
            PivotField::Route => "route",
            PivotField::Code => "code",
            PivotField::Status => "status",
            PivotField::Api => "api",
            PivotField::IdempotencyKey => "idempotency_key",
            PivotField::Trace => "trace_id",
            PivotField::Class => "class",
            PivotField::Path => "path",
        }
    }

    /// The key that picks it in the menu.
    pub fn key(self) -> char {
        match self {
            PivotField::Client => 'c',
            PivotField::Service => 's',
            PivotField::Route => 'r',
            PivotField::Code => 'o',
            PivotField::Status => 'h',
            PivotField::Api => 'a',
            PivotField::IdempotencyKey => 'i',
            PivotField::Trace => 't',
            PivotField::Class => 'l',
            PivotField::Path => 'p',
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PivotField::Client => "client",
            PivotField::Service => "service",
            PivotField::Route => "route",
            PivotField::Code => "code",
            PivotField::Status => "http status",
            PivotField::Api => "api",
            PivotField::IdempotencyKey => "idempotency key",
            PivotField::Trace => "trace",
            PivotField::Class => "class",
            PivotField::Path => "path",
        }
    }
}

/// The open `=` / `-` menu: the selection's values, one per field.
#[derive(Debug, Clone, PartialEq)]
pub struct PivotMenu {
    /// `-`: exclude the value instead of narrowing to it.
    pub exclude: bool,
    pub options: Vec<(PivotField, String)>,
    pub selected: usize,
}

impl PivotMenu {
    pub fn new(exclude: bool, options: Vec<(PivotField, String)>) -> PivotMenu {
        PivotMenu {
            exclude,
            options,
            selected: 0,
        }
    }

    /// The option `field`, if the selection has a value for it.
    pub fn option(&self, field: PivotField) -> Option<&(PivotField, String)> {
        self.options.iter().find(|(f, _)| *f == field)
    }
}

/// The values an event offers, menu order, empty ones left out.
pub fn event_options(ev: &Event) -> Vec<(PivotField, String)> {
    let status = ev.status.map(|s| s.to_string());
    let values = [
        (PivotField::Client, ev.client.as_deref()),
        (PivotField::Service, ev.service.as_deref()),
        (PivotField::Route, ev.route.as_deref()),
        (PivotField::Code, ev.code.as_deref()),
        (PivotField::Status, status.as_deref()),
        (PivotField::Api, ev.api.as_deref()),
        (PivotField::IdempotencyKey, ev.idempotency_key.as_deref()),
        (PivotField::Trace, ev.trace_id.as_deref()),
    ];
    values
        .into_iter()
        .filter_map(|(f, v)| Some((f, v.filter(|v| !v.is_empty())?.to_string())))
        .collect()
}

/// A chain's values: its key, client and service, then its last attempt's.
pub fn chain_options(chain: &Chain) -> Vec<(PivotField, String)> {
    let mut options = chain.attempts.last().map(event_options).unwrap_or_default();
    options.retain(|(f, _)| *f != PivotField::Trace);
    let own = [
        (PivotField::Client, chain.client.as_deref()),
        (PivotField::Service, chain.service.as_deref()),
        (PivotField::IdempotencyKey, Some(&*chain.idempotency_key)),
    ];
    for (field, value) in own {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            match options.iter_mut().find(|(f, _)| *f == field) {
                Some(slot) => slot.1 = v.to_string(),
                None => options.push((field, v.to_string())),
            }
        }
    }
    options.sort_by_key(|(f, _)| PivotField::ALL.iter().position(|x| x == f));
    options
}

/// A group's value: its key, for the field grouped by.
pub fn group_options(by: GroupBy, key: &str) -> Vec<(PivotField, String)> {
    let field = match by {
        GroupBy::Code => PivotField::Code,
        GroupBy::Class => PivotField::Class,
        GroupBy::Status if key.chars().all(|c| c.is_ascii_digit()) => PivotField::Status,
        GroupBy::Status => return Vec::new(),
        GroupBy::Service => PivotField::Service,
        GroupBy::Route => PivotField::Route,
        GroupBy::Path => PivotField::Path,
        GroupBy::Client => PivotField::Client,
    };
    if key.is_empty() {
        return Vec::new();
    }
    vec![(field, key.to_string())]
}

/// `query` narrowed to `field` = `value` (or, `exclude`, to everything
/// but it): `query AND client:"acme"`, `query AND NOT client:"acme"`.
/// A query with a top-level `OR` is put in parentheses first.
pub fn narrow(query: &str, field: PivotField, value: &str, exclude: bool) -> String {
    let clause = term(field.query_field(), value);
    let clause = if exclude {
        format!("NOT {clause}")
    } else {
        clause
    };
    match query.trim() {
        "" => clause,
        q if q.contains(" OR ") => format!("({q}) AND {clause}"),
        q => format!("{q} AND {clause}"),
    }
}

/// `=` / `-`: the field menu for what is selected (an event, a chain, a
/// group); a flash when nothing there has a value.
pub fn open(s: &mut State, exclude: bool) {
    let options = selection_options(s);
    if options.is_empty() {
        s.flash = Some("nothing selected to pivot on".into());
        return;
    }
    s.pivot = Some(PivotMenu::new(exclude, options));
}

fn selection_options(s: &State) -> Vec<(PivotField, String)> {
    match (&s.page, s.view) {
        (Some(Page::Chain(_)), _) | (None, View::Chains) => {
            let chain = match s.page {
                Some(_) => s.page_chain(),
                None => s.chains.list.selected_item(),
            };
            chain.map(chain_options).unwrap_or_default()
        }
        (Some(Page::Incident), _) => s
            .incident
            .as_ref()
            .and_then(|p| p.rows().get(p.cursor).copied().or(p.event.as_ref()))
            .map(event_options)
            .unwrap_or_default(),
        (Some(Page::Attempt(e)), _) => event_options(e),
        (Some(Page::Problems), _) => Vec::new(),
        (Some(Page::Event), _) | (None, View::Events) => {
            s.selected_event().map(event_options).unwrap_or_default()
        }
        (None, View::Groups) => s
            .groups
            .list
            .selected_item()
            .map(|g| group_options(s.groups.by, g.keys.first().unwrap_or(&g.key)))
            .unwrap_or_default(),
    }
}

/// A key in the open menu: move, pick, or close.
pub fn menu_key(s: &mut State, action: Action) -> Vec<Job> {
    let Some(menu) = s.pivot.as_mut() else {
        return Vec::new();
    };
    let picked = match action {
        Action::Down(_) => {
            menu.selected = (menu.selected + 1).min(menu.options.len().saturating_sub(1));
            return Vec::new();
        }
        Action::Up(_) => {
            menu.selected = menu.selected.saturating_sub(1);
            return Vec::new();
        }
        Action::Open => menu.options.get(menu.selected).cloned(),
        Action::PickPivot(field) => match menu.option(field) {
            Some(option) => Some(option.clone()),
            None => {
                s.flash = Some(format!("the selection has no {}", field.label()));
                return Vec::new();
            }
        },
        Action::Back => None,
        _ => return Vec::new(),
    };
    let exclude = menu.exclude;
    s.pivot = None;
    match picked {
        Some((field, value)) => apply(s, field, &value, exclude),
        None => Vec::new(),
    }
}

/// Narrow (or exclude) the applied query, remembering it for `u`.
fn apply(s: &mut State, field: PivotField, value: &str, exclude: bool) -> Vec<Job> {
    let before = s.applied.clone();
    let text = narrow(&before, field, value, exclude);
    s.pivots.push(before);
    set_query(s, text)
}

/// `u`: back to the query before the last pivot.
pub fn undo(s: &mut State) -> Vec<Job> {
    match s.pivots.pop() {
        Some(before) => set_query(s, before),
        None => {
            s.flash = Some("no pivot to undo (= narrows, - excludes)".into());
            Vec::new()
        }
    }
}

fn set_query(s: &mut State, text: String) -> Vec<Job> {
    s.applied = text.clone();
    s.input = Input::new(text.clone());
    s.completion = None;
    run_query(s, text, false)
}
