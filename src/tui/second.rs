//! second: `d` in the Groups view adds a second dimension to the grouping
//! — one row per pair, as `errtriage groups --by code,service` prints —
//! cycling through the other fields and back to one dimension. `update`
//! calls [`cycle`]; the worker groups by both; `Enter` on a pair drills
//! into the events with both values ([`drill_clause`]).

use errtriage::query::{Group, GroupBy};

use super::action::{Job, JobKind};
use super::state::{State, View};
use super::update::group_clause;

/// The fields a second dimension cycles through after `by` (never `by`).
fn choices(by: GroupBy) -> Vec<GroupBy> {
    let order = [
        GroupBy::Service,
        GroupBy::Route,
        GroupBy::Client,
        GroupBy::Code,
        GroupBy::Status,
        GroupBy::Class,
        GroupBy::Path,
    ];
    order.into_iter().filter(|g| *g != by).collect()
}

/// `d`: the next second dimension (after the last one: none).
pub fn cycle(s: &mut State) -> Option<Job> {
    if s.view != View::Groups || s.page.is_some() {
        s.flash = Some("d adds a second field to group by in the Groups view (Tab)".into());
        return None;
    }
    let all = choices(s.groups.by);
    s.groups.then = match s.groups.then {
        None => all.first().copied(),
        Some(g) => all
            .iter()
            .position(|c| *c == g)
            .and_then(|i| all.get(i + 1))
            .copied(),
    };
    s.groups.rev = Some(s.rev);
    s.groups.list.selected = 0;
    Some(s.job(JobKind::Groups {
        by: s.groups.by,
        then: s.groups.then,
    }))
}

/// The query clause of a group row: its one value, or both of a pair.
pub fn drill_clause(by: GroupBy, then: Option<GroupBy>, row: &Group) -> String {
    match (then, row.keys.as_slice()) {
        (Some(then), [first, second, ..]) => format!(
            "{} AND {}",
            group_clause(by, first),
            group_clause(then, second)
        ),
        _ => group_clause(by, &row.key),
    }
}

/// The grouping as the view's title says it: `code` or `code · service`.
pub fn label(by: GroupBy, then: Option<GroupBy>) -> String {
    match then {
        Some(t) => format!("{} · {}", by.as_str(), t.as_str()),
        None => by.as_str().to_string(),
    }
}
