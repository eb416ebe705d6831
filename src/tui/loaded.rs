//! loaded: how a worker's answer lands in the [`State`]. The worker sends
//! [`Loaded`] back through [`super::update::update`], which hands it here;
//! the answer is dropped unless its slot still waits for it, then applied
//! (lists, histogram, stats, detail…) and may ask for follow-up jobs.

use tui_input::Input;

use super::action::{Data, Job, JobError, JobKind, Loaded};
use super::state::State;
use super::update::{more_events, run_query, sync_detail};
use super::{complete, goto, incident, save};

/// A worker's answer: dropped unless its slot waits for exactly this generation.
pub(super) fn on_loaded(s: &mut State, l: Loaded) -> Vec<Job> {
    let slot = l.slot.index();
    if s.pending[slot] != Some(l.generation) {
        return Vec::new();
    }
    s.pending[slot] = None;
    let data = match l.result {
        Ok(data) => data,
        Err(JobError::Query(m)) => {
            s.query_error = Some(m);
            return Vec::new();
        }
        Err(e @ JobError::Index(_)) => {
            s.index_error = Some(e.to_string());
            return Vec::new();
        }
    };
    match data {
        Data::Expand(full) => {
            s.flash = Some(format!("{} is the start of {}", s.running, full));
            if !s.editing {
                s.applied = full.clone();
                s.input = Input::new(full.clone());
            }
            return run_query(s, full, false);
        }
        Data::Events { offset: 0, result } => {
            s.shown = s.running.clone();
            s.query_error = None;
            s.index_error = None;
            let keep = s.events.keep.take();
            let at = keep.and_then(|src| result.events.iter().position(|e| e.source == src));
            s.events.total = result.total;
            s.events.anchored = false;
            s.events.newer_left = 0;
            s.events.list.set(result.events);
            if let Some(i) = at {
                s.events.list.selected = i;
            }
            let more = more_events(s).into_iter().chain(sync_detail(s));
            return more.chain(histogram_after_events(s)).collect();
        }
        Data::EventsAt(page) => {
            goto::landed(s, *page);
            let more = more_events(s).into_iter().chain(goto::newer_job(s));
            let more = more.chain(sync_detail(s));
            return more.chain(histogram_after_events(s)).collect();
        }
        Data::EventsBeside { at, side, result } => goto::on_beside(s, at, side, result),
        Data::Events { offset, result } => {
            if offset == s.events.list.items.len() && !s.events.anchored {
                s.events.total = result.total;
                s.events.list.items.extend(result.events);
            }
        }
        Data::Histogram(h) => s.histogram = Some(h),
        Data::Stats(st) => s.stats = Some(st),
        Data::Groups {
            by,
            then,
            rows,
            low_by,
        } if (by, then) == (s.groups.by, s.groups.then) => {
            s.groups.list.set(rows);
            s.groups.low_by = low_by;
        }
        Data::Groups { .. } => {}
        Data::Chains(mut chains) => {
            s.chain_order.sort(&mut chains);
            s.chains.list.set(chains);
        }
        Data::Card { .. } => {}
        Data::Saved(saved) => save::on_saved(s, saved),
        Data::Completions {
            field,
            prefix,
            values,
        } => {
            if complete::on_values(s, &field, &prefix, values)
                && s.editing
                && s.input.value() != s.running
            {
                return run_query(s, s.input.value().to_string(), false);
            }
        }
        Data::Incident {
            request_id,
            kind,
            answer,
        } => incident::on_answer(s, &request_id, kind, answer),
        Data::Detail(d) => {
            if s.detail.for_event.as_ref() == Some(&d.event.source) {
                s.detail.detail = Some(*d);
            }
        }
    }
    Vec::new()
}

/// The histogram of the running query, once its events list has landed.
fn histogram_after_events(s: &mut State) -> Option<Job> {
    if !std::mem::take(&mut s.histogram_after_events) {
        return None;
    }
    Some(s.job(JobKind::Histogram {
        buckets: s.buckets(),
    }))
}
