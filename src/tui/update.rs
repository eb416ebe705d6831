//! update: the pure heart of the TUI (STYLE habit 3). `update(state, action)`
//! changes the [`State`] and returns at most one [`Effect`] — jobs for the
//! worker, a debounce, a clipboard copy, or quit. No terminal, no index, no
//! clock: every key is tested in `update_tests.rs` without either.

use errtriage::query::GroupBy;
use tui_input::{Input, InputRequest};

use super::action::{Action, Data, Effect, Job, JobKind, Slot};
use super::keymap::Mode;
use super::state::{ChainTarget, MAX_REFRESH, MORE_MARGIN, PAGE, Page, Return, State, View};
use super::{complete, goto, handoff, incident, loaded, pivot, save, second, zoom};
use errtriage::query::Side;

/// Apply `action` to `s`.
pub fn update(s: &mut State, action: Action) -> Option<Effect> {
    match action {
        Action::Loaded(l) => match l.result {
            Ok(Data::Card { id, text }) if s.pending[Slot::Card.index()] == Some(l.generation) => {
                s.pending[Slot::Card.index()] = None;
                handoff::clip(s, &format!("the case card of {id}"), &text)
            }
            _ => fetch(loaded::on_loaded(s, *l)),
        },
        Action::Resize(w, h) => fetch(on_resize(s, w, h)),
        Action::Start => {
            let mut jobs = run_query(s, s.applied.clone(), false);
            jobs.push(s.job(JobKind::Stats));
            fetch(jobs)
        }
        Action::IndexChanged => fetch(on_index_changed(s)),
        Action::Problems(p) => {
            s.problems = p;
            None
        }
        Action::IndexUnavailable(why) => {
            s.index_error = Some(why);
            None
        }
        Action::RunPreview => {
            let text = s.input.value().to_string();
            if s.editing && !same_query(&text, &s.running) {
                fetch(run_query(s, text, false))
            } else {
                None
            }
        }
        Action::Quit => Some(Effect::Quit),
        key => {
            s.flash = None;
            match s.mode() {
                Mode::Help => help(s, key),
                Mode::Save => save::key(s, key),
                Mode::Pivot => fetch(pivot::menu_key(s, key)),
                Mode::Query => query_bar(s, key),
                Mode::Goto => fetch(goto::key(s, key)),
                Mode::Histogram => match zoom::key(s, key) {
                    Ok(jobs) => fetch(jobs),
                    Err(key) => normal(s, key),
                },
                Mode::Normal => normal(s, key),
            }
        }
    }
}

/// Whether two query texts ask the same: they differ at most in the
/// spaces around them (typing the space before the next term does not
/// search again).
fn same_query(a: &str, b: &str) -> bool {
    a.trim() == b.trim()
}

fn fetch(jobs: Vec<Job>) -> Option<Effect> {
    (!jobs.is_empty()).then_some(Effect::Fetch(jobs))
}

fn help(s: &mut State, action: Action) -> Option<Effect> {
    match action {
        Action::Down(n) => s.help_scroll = s.help_scroll.saturating_add(n),
        Action::Up(n) => s.help_scroll = s.help_scroll.saturating_sub(n),
        Action::Help | Action::Back => s.help = false,
        _ => {}
    }
    None
}

fn query_bar(s: &mut State, action: Action) -> Option<Effect> {
    if action != Action::Complete {
        s.completion = None;
    }
    match action {
        Action::Complete => complete::tab(s),
        Action::Input(InputRequest::DeletePrevChar)
            if s.input.value().is_empty() && !s.pivots.is_empty() =>
        {
            fetch(pivot::undo(s))
        }
        Action::Input(req) => {
            let changed = s.input.handle(req).is_some_and(|c| c.value);
            changed.then_some(Effect::Debounce(Action::RunPreview))
        }
        Action::Paste(text) => {
            for c in text.chars() {
                s.input.handle(InputRequest::InsertChar(c));
            }
            Some(Effect::Debounce(Action::RunPreview))
        }
        Action::ClearQuery => {
            s.input.reset();
            Some(Effect::Debounce(Action::RunPreview))
        }
        Action::ApplyQuery => {
            s.editing = false;
            s.applied = s.input.value().to_string();
            if !same_query(&s.applied, &s.running) || s.query_error.is_some() {
                return fetch(run_query(s, s.applied.clone(), false));
            }
            None
        }
        Action::CancelQuery => {
            s.editing = false;
            s.input = Input::new(s.applied.clone());
            if !same_query(&s.applied, &s.running) || s.query_error.is_some() {
                return fetch(run_query(s, s.applied.clone(), false));
            }
            None
        }
        _ => None,
    }
}

fn normal(s: &mut State, action: Action) -> Option<Effect> {
    if let Some(jobs) = incident::key(s, &action) {
        return fetch(jobs);
    }
    match action {
        Action::Up(n) => fetch(move_by(s, -(n as isize))),
        Action::Down(n) => fetch(move_by(s, n as isize)),
        Action::PageUp => fetch(page_by(s, -1)),
        Action::PageDown => fetch(page_by(s, 1)),
        Action::Top => fetch(move_by(s, isize::MIN)),
        Action::Bottom => fetch(move_by(s, isize::MAX)),
        Action::NextView => fetch(switch_view(s, s.view.next())),
        Action::PrevView => fetch(switch_view(s, s.view.prev())),
        Action::Open if s.hist_mark.is_some() => fetch(zoom::zoom_in(s)),
        Action::Open => fetch(open(s)),
        Action::HistMove(n) => {
            zoom::move_cursor(s, n);
            None
        }
        Action::HistMark => {
            zoom::mark(s);
            None
        }
        Action::ZoomOut => fetch(zoom::zoom_out(s)),
        Action::GoTo => {
            goto::open(s);
            None
        }
        Action::Back => fetch(back(s)),
        Action::Close if s.page.is_some() => fetch(back(s)),
        Action::Close => Some(Effect::Quit),
        Action::Click(x, y) => fetch(click(s, x, y)),
        Action::Wheel(n, x, y) if s.page.is_none() && s.hits.detail.contains((x, y).into()) => {
            scroll_detail(s, n);
            None
        }
        Action::Wheel(n, _, _) => fetch(move_by(s, n)),
        Action::ScrollDetail(n) => {
            scroll_detail(s, n);
            None
        }
        Action::Chain => fetch(chain(s)),
        Action::Copy => handoff::copy_id(s),
        Action::CopyCard => handoff::copy_card(s),
        Action::CopyKey => handoff::copy_key(s),
        Action::SaveCard => save::open(s),
        Action::CycleGroupBy => fetch(cycle_group_by(s, 1)),
        Action::CycleGroupByBack => fetch(cycle_group_by(s, -1)),
        Action::CycleSecondBy => fetch(second::cycle(s).into_iter().collect()),
        Action::ToggleFlagged => fetch(toggle_flagged(s)),
        Action::Pivot { exclude } => {
            pivot::open(s, exclude);
            None
        }
        Action::UndoPivot => fetch(pivot::undo(s)),
        Action::Incident(kind) => fetch(incident::open(s, kind)),
        Action::ShowProblems => {
            s.close_pages();
            s.page = Some(Page::Problems);
            s.page_scroll = 0;
            None
        }
        Action::SortChains => {
            sort_chains(s);
            None
        }
        Action::Help => {
            s.help = true;
            s.help_scroll = 0;
            None
        }
        Action::EditQuery => {
            s.editing = true;
            s.close_pages();
            s.input = Input::new(s.applied.clone());
            None
        }
        Action::Paste(text) => {
            s.editing = true;
            s.close_pages();
            s.input = Input::new(text);
            Some(Effect::Debounce(Action::RunPreview))
        }
        _ => None,
    }
}

/// `PgDn`/`PgUp`: an open page scrolls by its height less one line of
/// context; a list moves its selection and its window by a whole page, so
/// the first `PgDn` shows the next page instead of going to this one's end.
fn page_by(s: &mut State, dir: isize) -> Vec<Job> {
    if s.page.is_some() {
        return move_by(s, dir * (s.page_height.max(2) - 1) as isize);
    }
    let rows = s.list_height.max(1);
    let list_offset = match s.view {
        View::Events => &mut s.events.list.offset,
        View::Groups => &mut s.groups.list.offset,
        View::Chains => &mut s.chains.list.offset,
    };
    *list_offset = list_offset.saturating_add_signed(dir * rows as isize);
    move_by(s, dir * rows as isize)
}

/// Scroll the detail pane (or the open page) by `n` rows.
fn scroll_detail(s: &mut State, n: isize) {
    if s.page.is_some() {
        s.page_scroll = s.page_scroll.saturating_add_signed(n);
    } else {
        s.detail_scroll = s.detail_scroll.saturating_add_signed(n);
    }
}

/// A click: on a view tab switches to it, on a list row selects it.
fn click(s: &mut State, x: u16, y: u16) -> Vec<Job> {
    if s.page.is_some() {
        return Vec::new();
    }
    let tab = s
        .hits
        .tabs
        .iter()
        .find(|t| t.2 == y && (t.0..t.1).contains(&x));
    if let Some(&(_, _, _, view)) = tab {
        return switch_view(s, view);
    }
    let rows = s.hits.rows;
    if !rows.contains((x, y).into()) {
        return Vec::new();
    }
    let list_offset = match s.view {
        View::Events => s.events.list.offset,
        View::Groups => s.groups.list.offset,
        View::Chains => s.chains.list.offset,
    };
    let row = list_offset + usize::from(y - rows.y);
    let current = match s.view {
        View::Events => s.events.list.selected,
        View::Groups => s.groups.list.selected,
        View::Chains => s.chains.list.selected,
    };
    move_by(s, row as isize - current as isize)
}

/// Move the selection (or scroll the open page) by `delta` rows.
fn move_by(s: &mut State, delta: isize) -> Vec<Job> {
    if let Some(Page::Chain(_)) = s.page {
        let last = s
            .page_chain()
            .map_or(0, |c| c.attempts.len().saturating_sub(1));
        s.chain_cursor = chain_cursor(s).saturating_add_signed(delta).min(last);
        return Vec::new();
    }
    if s.page.is_some() {
        s.page_scroll = s.page_scroll.saturating_add_signed(delta);
        return Vec::new();
    }
    s.detail_scroll = 0;
    match s.view {
        View::Events => s.events.list.move_by(delta),
        View::Groups => s.groups.list.move_by(delta),
        View::Chains => s.chains.list.move_by(delta),
    }
    let mut jobs: Vec<Job> = more_events(s).into_iter().collect();
    jobs.extend(goto::newer_job(s));
    jobs.extend(sync_detail(s));
    jobs
}

/// The next page of events, when the selection nears the end of those loaded.
pub(super) fn more_events(s: &mut State) -> Option<Job> {
    let list = &s.events.list;
    let near_end = list.selected + MORE_MARGIN >= list.items.len();
    let more = s.events.newer_left + (list.items.len() as u64) < s.events.total;
    if s.view != View::Events
        || !near_end
        || !more
        || s.is_pending(Slot::More)
        || s.is_pending(Slot::Events)
    {
        return None;
    }
    if s.events.anchored {
        return goto::page_job(s, Side::Older);
    }
    let offset = list.items.len();
    Some(s.job(JobKind::Events {
        offset,
        limit: PAGE,
    }))
}

/// Where the chain page's marker is: where `j`/`k` put it, else on the
/// attempt the page was opened from.
pub fn chain_cursor(s: &State) -> usize {
    if s.chain_cursor != usize::MAX {
        return s.chain_cursor;
    }
    let from = match &s.page {
        Some(Page::Chain(ChainTarget::OfEvent(src))) => src,
        _ => return 0,
    };
    s.page_chain()
        .and_then(|c| c.attempts.iter().position(|a| &a.source == from))
        .unwrap_or(0)
}

/// Ask for the focused event's reading and chain if not asked yet.
pub(super) fn sync_detail(s: &mut State) -> Option<Job> {
    if s.view != View::Events && !matches!(s.page, Some(Page::Attempt(_))) {
        return None;
    }
    let ev = s.focused_event()?.clone();
    if s.detail.for_event.as_ref() == Some(&ev.source) {
        return None;
    }
    s.detail.for_event = Some(ev.source.clone());
    s.detail.detail = None;
    Some(s.job(JobKind::Detail {
        event: Box::new(ev),
        show_secrets: s.show_secrets,
    }))
}

/// Run `text` as the query of every view. A new query starts at the top;
/// a refresh (`keep`) keeps the selection on the same event.
pub fn run_query(s: &mut State, text: String, keep: bool) -> Vec<Job> {
    s.running = text;
    s.rev += 1;
    s.pending[Slot::More.index()] = None;
    s.pending[Slot::Newer.index()] = None;
    let limit = if keep {
        s.events.keep = s.selected_event().map(|e| e.source.clone());
        s.events.list.items.len().clamp(PAGE, MAX_REFRESH)
    } else {
        s.events.keep = None;
        s.events.list.selected = 0;
        s.groups.list.selected = 0;
        s.chains.list.selected = 0;
        s.close_pages();
        PAGE
    };
    // The histogram waits for the events list (see `histogram_after_events`).
    s.pending[Slot::Histogram.index()] = None;
    s.histogram_after_events = true;
    let mut jobs = vec![s.job(JobKind::Events { offset: 0, limit })];
    jobs.extend(ensure_view(s));
    jobs
}

/// Ask for the current view's data if it is not for the current query.
fn ensure_view(s: &mut State) -> Option<Job> {
    match s.view {
        View::Groups if s.groups.rev != Some(s.rev) => {
            s.groups.rev = Some(s.rev);
            Some(s.job(JobKind::Groups {
                by: s.groups.by,
                then: s.groups.then,
            }))
        }
        View::Chains if s.chains.rev != Some(s.rev) => {
            s.chains.rev = Some(s.rev);
            Some(s.job(JobKind::Chains {
                flagged_only: s.chains.flagged_only,
            }))
        }
        _ => None,
    }
}

fn switch_view(s: &mut State, view: View) -> Vec<Job> {
    s.close_pages();
    s.detail_scroll = 0;
    s.view = view;
    ensure_view(s).into_iter().chain(sync_detail(s)).collect()
}

fn on_resize(s: &mut State, w: u16, h: u16) -> Vec<Job> {
    let before = s.buckets();
    s.size = (w, h);
    if s.buckets() != before && s.rev > 0 {
        return vec![s.job(JobKind::Histogram {
            buckets: s.buckets(),
        })];
    }
    Vec::new()
}

fn on_index_changed(s: &mut State) -> Vec<Job> {
    // The chain of the selected event may have grown: ask again.
    s.detail.for_event = None;
    let mut jobs = run_query(s, s.running.clone(), true);
    goto::refresh(s, &mut jobs);
    jobs.push(s.job(JobKind::Stats));
    jobs
}

/// `Enter`: open the event or chain; drill into the group; on a chain
/// page, open the attempt under the marker.
fn open(s: &mut State) -> Vec<Job> {
    if let Some(Page::Chain(_)) = &s.page {
        let at = chain_cursor(s);
        let Some(attempt) = s.page_chain().and_then(|c| c.attempts.get(at)).cloned() else {
            return Vec::new();
        };
        s.chain_cursor = at;
        s.page_under.extend(s.page.take());
        s.page = Some(Page::Attempt(Box::new(attempt)));
        s.page_scroll = 0;
        return sync_detail(s).into_iter().collect();
    }
    if s.page.is_some() {
        return Vec::new();
    }
    match s.view {
        View::Events if s.selected_event().is_some() => {
            s.page = Some(Page::Event);
            s.page_scroll = 0;
        }
        View::Chains if s.chains.list.selected_item().is_some() => {
            s.page = Some(Page::Chain(ChainTarget::Selected));
            s.page_scroll = 0;
            s.chain_cursor = 0;
        }
        View::Groups => return drill(s),
        _ => {}
    }
    Vec::new()
}

/// The events of the selected group: the query narrowed to the group's key.
fn drill(s: &mut State) -> Vec<Job> {
    let Some(row) = s.groups.list.selected_item() else {
        return Vec::new();
    };
    let clause = second::drill_clause(s.groups.by, s.groups.then, row);
    let text = match s.applied.trim() {
        "" => clause,
        q => format!("({q}) AND {clause}"),
    };
    s.back.push(Return {
        view: View::Groups,
        query: s.applied.clone(),
        selected: s.groups.list.selected,
    });
    s.applied = text.clone();
    s.input = Input::new(text.clone());
    s.view = View::Events;
    run_query(s, text, false)
}

/// The query clause matching one group's key exactly.
pub fn group_clause(by: GroupBy, key: &str) -> String {
    match by {
        GroupBy::Status => format!("status:{key}"),
        by => format!(
            "{}:\"{}\"",
            by.as_str(),
            key.replace('\\', "\\\\").replace('"', "\\\"")
        ),
    }
}

/// `Esc`: close the page, else return from a drill-in, else clear messages.
fn back(s: &mut State) -> Vec<Job> {
    if s.page.take().is_some() {
        s.page = s.page_under.pop();
        s.page_scroll = 0;
        return sync_detail(s).into_iter().collect();
    }
    let Some(ret) = s.back.pop() else {
        s.index_error = None;
        if s.query_error.take().is_some() && s.applied != s.shown {
            // The bar goes back to the query the list shows.
            s.applied = s.shown.clone();
            s.input = Input::new(s.shown.clone());
            return run_query(s, s.shown.clone(), true);
        }
        return Vec::new();
    };
    s.applied = ret.query.clone();
    s.input = Input::new(ret.query.clone());
    s.view = ret.view;
    let jobs = run_query(s, ret.query, false);
    match ret.view {
        View::Events => s.events.list.selected = ret.selected,
        View::Groups => s.groups.list.selected = ret.selected,
        View::Chains => s.chains.list.selected = ret.selected,
    }
    jobs
}

/// `c`: the retry chain of the selected event.
fn chain(s: &mut State) -> Vec<Job> {
    match (s.view, &s.page) {
        (_, Some(Page::Chain(_) | Page::Attempt(_))) => return back(s),
        (View::Chains, None) => return open(s),
        (View::Events, None | Some(Page::Event)) => {}
        (View::Groups, None) => {
            s.flash =
                Some("c shows an event's chain: Enter lists this group's events first".into());
            return Vec::new();
        }
        _ => return Vec::new(),
    }
    let Some(ev) = s.selected_event() else {
        return Vec::new();
    };
    if ev.idempotency_key.is_none() {
        s.flash = Some("this request has no Idempotency-Key, so it is in no retry chain".into());
        return Vec::new();
    }
    let src = ev.source.clone();
    s.page_under.extend(s.page.take());
    s.page = Some(Page::Chain(ChainTarget::OfEvent(src)));
    s.page_scroll = 0;
    s.chain_cursor = usize::MAX;
    sync_detail(s).into_iter().collect()
}

/// `b` / `B`: group by the next (`dir` 1) or previous (-1) field.
fn cycle_group_by(s: &mut State, dir: isize) -> Vec<Job> {
    if s.view != View::Groups || s.page.is_some() {
        s.flash = Some("b / B pick the field to group by in the Groups view (Tab)".into());
        return Vec::new();
    }
    let all = GroupBy::ALL;
    let i = all.iter().position(|g| *g == s.groups.by).unwrap_or(0);
    s.groups.by = all[(i as isize + dir).rem_euclid(all.len() as isize) as usize];
    if s.groups.then == Some(s.groups.by) {
        s.groups.then = None;
    }
    s.groups.rev = None;
    s.groups.list.selected = 0;
    ensure_view(s).into_iter().collect()
}

/// `s`: the Chains view's next order, keeping the selected chain selected.
fn sort_chains(s: &mut State) {
    if s.view != View::Chains || s.page.is_some() {
        s.flash = Some("s orders the Chains view (Tab)".into());
        return;
    }
    s.chain_order = s.chain_order.next();
    let list = &mut s.chains.list;
    let key = list.selected_item().map(|c| c.idempotency_key.clone());
    s.chain_order.sort(&mut list.items);
    list.selected = key
        .and_then(|k| list.items.iter().position(|c| c.idempotency_key == k))
        .unwrap_or(0);
    s.flash = Some(format!("chains: {}", s.chain_order.label()));
}

fn toggle_flagged(s: &mut State) -> Vec<Job> {
    if s.view != View::Chains || s.page.is_some() {
        s.flash = Some("f filters flagged chains in the Chains view (Tab)".into());
        return Vec::new();
    }
    s.chains.flagged_only = !s.chains.flagged_only;
    s.chains.rev = None;
    s.chains.list.selected = 0;
    ensure_view(s).into_iter().collect()
}
