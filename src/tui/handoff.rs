//! handoff: what leaves the TUI for a ticket or a chat — the request id
//! (`y`), the case card of an event or chain (`Y`, the text of `errtriage
//! find ID --format markdown`, built by the worker), the idempotency key
//! (`K`) and, in Groups, the table as Markdown (`Y`). Every copy goes
//! through [`clip`] and `sanitize::clipboard` (no control characters,
//! secrets redacted), then OSC 52, and the status bar says what and how long.

use errtriage::query::Group;
use errtriage::sanitize;

use super::action::{Effect, JobKind};
use super::state::{ChainTarget, Page, State, View};
use super::view::groups::percent;
use super::view::text::{list_time, thousands};

/// Put `text` on the clipboard through `sanitize::clipboard` (control
/// characters made visible, secrets redacted unless `--no-redact`; the app
/// applies it again to whatever it sends), and say what and how long.
pub fn clip(s: &mut State, what: &str, text: &str) -> Option<Effect> {
    let clean = sanitize::clipboard(text, s.show_secrets);
    let chars = clean.chars().count();
    s.flash = Some(format!(
        "copied {} ({} chars, OSC 52)",
        sanitize::clipboard(what, s.show_secrets),
        thousands(chars as u64)
    ));
    Some(Effect::Copy(clean))
}

/// `Y`: the case card of the focused event or chain (asked of the worker,
/// copied when it arrives), or the Groups table.
pub fn copy_card(s: &mut State) -> Option<Effect> {
    if s.page.is_none() && s.view == View::Groups {
        let by = super::second::label(s.groups.by, s.groups.then);
        let table = groups_table(&by, &s.groups.list.items);
        return clip(s, "the groups table", &table);
    }
    match card_id(s) {
        Some(id) => {
            s.flash = Some("building the case card…".into());
            Some(Effect::Fetch(vec![s.job(JobKind::Card { id })]))
        }
        None => {
            s.flash = Some("no event or chain here to write a case card for".into());
            None
        }
    }
}

/// The id whose case card `Y` copies and `w` writes: the focused chain's
/// key, else the focused event's request id (its key when it has none).
pub fn card_id(s: &State) -> Option<String> {
    let id = match (&s.page, s.view) {
        (Some(Page::Chain(ChainTarget::Selected)), _) | (None, View::Chains) => s
            .chains
            .list
            .selected_item()
            .map(|c| c.idempotency_key.clone()),
        (Some(Page::Chain(ChainTarget::OfEvent(_))), _) => {
            s.page_chain().map(|c| c.idempotency_key.clone())
        }
        _ => s.focused_event().map(|e| {
            if e.request_id.is_empty() {
                e.idempotency_key.clone().unwrap_or_default()
            } else {
                e.request_id.clone()
            }
        }),
    };
    id.filter(|id| !id.is_empty())
}

/// `K`: the idempotency key of the focused event or chain.
pub fn copy_key(s: &mut State) -> Option<Effect> {
    let key = match (&s.page, s.view) {
        (Some(Page::Chain(_)), _) => s.page_chain().map(|c| c.idempotency_key.clone()),
        (None, View::Chains) => s
            .chains
            .list
            .selected_item()
            .map(|c| c.idempotency_key.clone()),
        _ => s.focused_event().and_then(|e| e.idempotency_key.clone()),
    };
    match key.filter(|k| !k.is_empty()) {
        Some(key) => clip(s, &format!("idempotency key {key}"), &key),
        None => {
            s.flash = Some("no Idempotency-Key here".into());
            None
        }
    }
}

/// The Groups view as a Markdown table (with requests, errors and the
/// error rate when the groups have them, as the view shows).
pub fn groups_table(by: &str, groups: &[Group]) -> String {
    let rates = groups.iter().any(|g| g.requests.is_some());
    let mut out = if rates {
        format!(
            "| {by} | count | requests | errors | rate | statuses | first seen | last seen |\n|---|---:|---:|---:|---:|---|---|---|\n"
        )
    } else {
        format!("| {by} | count | statuses | first seen | last seen |\n|---|---:|---|---|---|\n")
    };
    for g in groups {
        let statuses: Vec<String> = g.statuses.iter().map(|(s, n)| format!("{s}×{n}")).collect();
        let rate = match (g.requests, g.errors, g.error_rate) {
            (Some(r), Some(e), Some(rate)) => format!(" {r} | {e} | {} |", percent(rate)),
            _ if rates => " - | - | - |".into(),
            _ => String::new(),
        };
        out.push_str(&format!(
            "| {} | {} |{rate} {} | {} | {} |\n",
            g.key.replace('|', "\\|"),
            g.count,
            statuses.join(" "),
            list_time(&g.first_seen, true),
            list_time(&g.last_seen, true),
        ));
    }
    out
}

/// `y`: the request id under the cursor, to the clipboard.
pub fn copy_id(s: &mut State) -> Option<Effect> {
    let id = match (&s.page, s.view) {
        (Some(Page::Attempt(e)), _) => Some(e.request_id.clone()),
        (Some(Page::Chain(ChainTarget::OfEvent(_))), _)
        | (Some(Page::Event), _)
        | (None, View::Events) => s.selected_event().map(|e| e.request_id.clone()),
        (_, View::Chains) => s
            .chains
            .list
            .selected_item()
            .and_then(|c| c.attempts.last())
            .map(|a| a.request_id.clone()),
        (_, View::Groups) => s
            .groups
            .list
            .selected_item()
            .map(|g| g.sample_request_id.clone()),
        _ => None,
    };
    match id.filter(|id| !id.is_empty()) {
        Some(id) => clip(s, &format!("request id {id}"), &id),
        None => {
            s.flash = Some("no request id to copy here".into());
            None
        }
    }
}
