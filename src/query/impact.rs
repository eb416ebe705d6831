//! impact: "is it just this client, or everyone?" For a request's code (or
//! a query's events) over a window around it: which clients were hit and
//! their error rates, which services and routes, when it started (the first
//! occurrence after a quiet period), the rate per minute against the same
//! window a day earlier, and a verdict line to paste into a ticket. Three
//! tallies over fast fields ([`super::window`]); no event is loaded except
//! the one the id names.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tantivy::query::Query as TQuery;

use super::Query;
use super::window::{Cell, Kind, Names, Tally};
use crate::error::Result;
use crate::index::LocalStore;
use crate::index::translate::to_tantivy;
use crate::model::{Event, ts_millis};
use crate::store::Store as _;

/// A gap this long without a matching event ends a quiet period: the
/// first matching event after it is the onset.
pub const QUIET: Duration = Duration::minutes(10);

/// How far the impact reaches (DESIGN `impact`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Only the event's own client is hit.
    Client,
    /// Several clients, one route.
    Route,
    /// Several routes of one service.
    Service,
    /// Beyond one service.
    Everyone,
}

/// One client hit, with its error rate over the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientImpact {
    pub client: String,
    /// Matching failures of this client in the window.
    pub errors: u64,
    /// Every request of this client in the window.
    pub requests: u64,
    pub error_rate: f64,
}

/// Matching failures in one minute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Minute {
    #[serde(with = "ts_millis")]
    pub ts: DateTime<Utc>,
    pub count: u64,
}

/// `errtriage impact --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImpactResult {
    pub query: String,
    #[serde(with = "ts_millis")]
    pub from: DateTime<Utc>,
    #[serde(with = "ts_millis")]
    pub to: DateTime<Utc>,
    pub code: Option<String>,
    pub route: Option<String>,
    pub scope: Scope,
    /// The first matching event after a quiet period (RFC 3339).
    pub onset: Option<String>,
    pub verdict: String,
    /// Most errors first.
    pub clients: Vec<ClientImpact>,
    /// Most errors first.
    pub services: Vec<String>,
    /// `METHOD route`, most errors first.
    pub routes: Vec<String>,
    pub per_minute: Vec<Minute>,
    /// The same window a day earlier.
    pub baseline_per_minute: Vec<Minute>,
    /// The request the id named, if it was an id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// What the impact is measured around.
struct Anchor {
    matching: Box<dyn TQuery>,
    at: DateTime<Utc>,
    event: Option<Event>,
}

impl LocalStore {
    /// The impact of `target` — a request id (or any id `find` takes) or a
    /// query — over `window` either side of it. `None` when nothing matches.
    pub fn impact(
        &self,
        target: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<ImpactResult>> {
        let Some(anchor) = self.anchor(target, now)? else {
            return Ok(None);
        };
        let (from, to) = (anchor.at - window, anchor.at + window);
        let hits = self.tally(anchor.matching.box_clone(), from, to)?;
        let (clients, services) = hit_names(&hits);
        let traffic = self.tally_named(Names { clients, services }, from, to)?;
        let baseline = self.tally(anchor.matching, from - DAY, to - DAY)?;
        let tallies = Tallies {
            hits,
            traffic,
            baseline,
        };
        Ok(Some(answer(
            target,
            anchor.event.as_ref(),
            (from, to),
            &tallies,
        )))
    }

    /// An id names a failed event: match its code. Anything else is a query:
    /// match it, around its newest event.
    fn anchor(&self, target: &str, now: DateTime<Utc>) -> Result<Option<Anchor>> {
        let found = self.find(target)?;
        if !found.events.is_empty() {
            let event = (found.events.iter().find(|e| e.is_failure()))
                .unwrap_or(&found.events[0])
                .clone();
            let matching = match &event.code {
                Some(code) => self.term(self.fields.code, code),
                None => self.term(self.fields.request_id, &event.request_id),
            };
            return Ok(Some(Anchor {
                matching,
                at: event.ts,
                event: Some(event),
            }));
        }
        let q = Query::parse(target, now).map_err(|e| crate::error::Error::Query(e.0))?;
        let newest = self.search(&q, 1)?;
        let matching = to_tantivy(&q.expr)?;
        Ok(newest.events.into_iter().next().map(|e| Anchor {
            matching,
            at: e.ts,
            event: None,
        }))
    }
}

/// How far back the baseline window lies.
pub(crate) const DAY: Duration = Duration::days(1);

/// What a store tallies for an impact (each store in its own way, see
/// [`super::window`]): the matching events in the window, every event of
/// the hit services and clients in it, and the matching events in the same
/// window a [`DAY`] earlier.
pub(crate) struct Tallies {
    pub hits: Tally,
    pub traffic: Tally,
    pub baseline: Tally,
}

/// The impact of `target` from its tallies over `(from, to)`: the part
/// every store shares.
pub(crate) fn answer(
    target: &str,
    event: Option<&Event>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    t: &Tallies,
) -> ImpactResult {
    let mut r = judge(&t.hits, &t.traffic, event, (from, to));
    r.query = target.trim().to_string();
    r.per_minute = per_minute(&t.hits, from, to);
    r.baseline_per_minute = per_minute(&t.baseline, from - DAY, to - DAY);
    r
}

/// The clients and services of the failures in `hits`: whose traffic the
/// impact counts.
pub(crate) fn hit_names(hits: &Tally) -> (BTreeSet<String>, BTreeSet<String>) {
    let hit = failures(hits);
    let clients = hit.iter().filter_map(|c| c.0.client.clone()).collect();
    let services = hit.iter().filter_map(|c| c.0.service.clone()).collect();
    (clients, services)
}

/// The failed cells of a tally, with their counts and first times.
fn failures(t: &Tally) -> Vec<(&Cell, u64, i64)> {
    let mut v: Vec<_> = t
        .iter()
        .filter(|(c, _)| c.kind == Kind::Failed)
        .map(|(c, (n, first))| (c, *n, *first))
        .collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

/// Sum `n` per key, most first (then by name).
fn ranked(items: impl Iterator<Item = (String, u64)>) -> Vec<(String, u64)> {
    let mut sums: BTreeMap<String, u64> = BTreeMap::new();
    for (k, n) in items {
        *sums.entry(k).or_default() += n;
    }
    let mut v: Vec<_> = sums.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

fn route_label(c: &Cell) -> Option<String> {
    let route = c.route.as_deref()?;
    Some(match &c.method {
        Some(m) => format!("{m} {route}"),
        None => route.to_string(),
    })
}

/// Scope, verdict, clients, services and routes from the tallies.
fn judge(
    hits: &Tally,
    traffic: &Tally,
    event: Option<&Event>,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> ImpactResult {
    let hit = failures(hits);
    let clients = ranked(hit.iter().filter_map(|c| Some((c.0.client.clone()?, c.1))));
    let services = ranked(hit.iter().filter_map(|c| Some((c.0.service.clone()?, c.1))));
    let routes = ranked(hit.iter().filter_map(|c| Some((route_label(c.0)?, c.1))));
    let requests = ranked(traffic.iter().filter_map(|(c, (n, _))| {
        (c.kind != Kind::Context).then(|| Some((c.client.clone()?, *n)))?
    }));
    let requests_of = |client: &str| {
        requests
            .iter()
            .find(|(c, _)| c == client)
            .map_or(0, |(_, n)| *n)
    };
    let client_impacts = clients
        .iter()
        .map(|(client, errors)| {
            let requests = requests_of(client).max(*errors);
            ClientImpact {
                client: client.clone(),
                errors: *errors,
                requests,
                error_rate: *errors as f64 / requests.max(1) as f64,
            }
        })
        .collect();
    let scope = scope(event, clients.len(), (routes.len(), services.len()));
    let onset = onset(&hit, event.map(|e| e.ts));
    let names = |v: &[(String, u64)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    let active = Active::of(traffic, &names(&services));
    let verdict = verdict(
        scope,
        event,
        (&names(&clients), &names(&routes), &names(&services)),
        &active,
        onset,
    );
    ImpactResult {
        query: String::new(),
        from,
        to,
        code: event.and_then(|e| e.code.clone()),
        route: event
            .and_then(|e| e.route.clone())
            .or_else(|| single(&hit, |c| c.0.route.clone()).flatten()),
        scope,
        onset: onset.map(|t| ts_millis::format(&t)),
        verdict,
        clients: client_impacts,
        services: names(&services),
        routes: names(&routes),
        per_minute: Vec::new(),
        baseline_per_minute: Vec::new(),
        request_id: event.map(|e| e.request_id.clone()),
    }
}

/// The one value `f` gives for every cell, if they agree.
fn single<T: PartialEq>(
    hit: &[(&Cell, u64, i64)],
    f: impl Fn(&(&Cell, u64, i64)) -> T,
) -> Option<T> {
    let mut values = hit.iter().map(f);
    let first = values.next()?;
    values.all(|v| v == first).then_some(first)
}

/// Clients and routes with any request on the hit services in the window.
struct Active {
    clients: BTreeSet<String>,
    routes: BTreeSet<String>,
}

impl Active {
    fn of(traffic: &Tally, services: &[String]) -> Active {
        let on_hit = traffic.keys().filter(|c| {
            c.kind != Kind::Context && c.service.as_ref().is_some_and(|s| services.contains(s))
        });
        let mut a = Active {
            clients: BTreeSet::new(),
            routes: BTreeSet::new(),
        };
        for c in on_hit {
            a.clients.extend(c.client.clone());
            a.routes.extend(route_label(c));
        }
        a
    }
}

/// How far the failures reach. `client` only when one client is hit and
/// it is the event's own (or, asked without an event, the only one named):
/// an event that names no client is never "only this client" — with no
/// client named anywhere, its route and service say how far it reaches.
fn scope(event: Option<&Event>, clients: usize, (routes, services): (usize, usize)) -> Scope {
    let unnamed = event.is_some_and(|e| e.client.is_none());
    match (clients, routes, services) {
        (0, 1, _) if unnamed => Scope::Route,
        (0, _, 0 | 1) if unnamed => Scope::Service,
        (0, ..) if unnamed => Scope::Everyone,
        (0 | 1, ..) => Scope::Client,
        (_, 1, _) => Scope::Route,
        (_, _, 0 | 1) => Scope::Service,
        _ => Scope::Everyone,
    }
}

/// The verdict when no failing request names a client: where, not who.
fn unnamed_verdict(scope: Scope, routes: &[String], services: &[String], since: &str) -> String {
    let head = "no client is logged on these failures";
    match (scope, routes, services) {
        (Scope::Route, [route], _) => format!("{head}; they hit {route}{since}"),
        (_, _, [service]) => format!(
            "{head}; they hit {} route(s) of {service}{since}",
            routes.len()
        ),
        _ => format!("{head}; they hit {} services{since}", services.len()),
    }
}

/// The first matching event after a quiet period: walk back from the
/// event's minute (else the last failure's) while failures are less than
/// [`QUIET`] apart.
fn onset(hit: &[(&Cell, u64, i64)], at: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    let mut minutes: BTreeMap<i64, i64> = BTreeMap::new();
    for (c, _, first) in hit {
        let slot = minutes.entry(c.minute).or_insert(i64::MAX);
        *slot = (*slot).min(*first);
    }
    let end = at.map_or(i64::MAX, |t| t.timestamp_millis().div_euclid(60_000));
    let mut run = minutes.range(..=end).rev();
    let (mut minute, mut first) = run.next().map(|(m, f)| (*m, *f))?;
    for (m, f) in run {
        if minute - m > QUIET.num_minutes() {
            break;
        }
        (minute, first) = (*m, *f);
    }
    DateTime::from_timestamp_millis(first)
}

/// The pasteable line: "only this client", "N clients since 09:44 on
/// POST /v2/sessions/{id}/bookings", "every client, all routes of
/// member-api since 09:44".
fn verdict(
    scope: Scope,
    event: Option<&Event>,
    (clients, routes, services): (&[String], &[String], &[String]),
    active: &Active,
    onset: Option<DateTime<Utc>>,
) -> String {
    let since = onset.map_or(String::new(), |t| format!(" since {}", t.format("%H:%M")));
    let n = clients.len();
    let every_client = n > 1 && active.clients.iter().all(|c| clients.contains(c));
    let who = if every_client {
        "every client".to_string()
    } else {
        format!("{n} clients")
    };
    if n == 0 && event.is_some_and(|e| e.client.is_none()) {
        return unnamed_verdict(scope, routes, services, &since);
    }
    match scope {
        Scope::Client => match (event, clients.first()) {
            (Some(e), Some(c)) if e.client.is_none() => {
                format!("only client {c}; this request names no client")
            }
            (Some(_), _) => "only this client".to_string(),
            (None, Some(c)) => format!("only client {c}"),
            (None, None) => "no client named".to_string(),
        },
        Scope::Route => format!("{n} clients{since} on {}", routes[0]),
        Scope::Service => {
            let all_routes = active.routes.iter().all(|r| routes.contains(r));
            let which = if all_routes {
                "all routes".to_string()
            } else {
                format!("{} routes", routes.len())
            };
            format!("{who}, {which} of {}{since}", services[0])
        }
        Scope::Everyone => format!("{who}, {} services{since}", services.len()),
    }
}

/// Matching failures per minute over `[from, to)`.
fn per_minute(t: &Tally, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Minute> {
    let first = from.timestamp_millis().div_euclid(60_000);
    let last = (to.timestamp_millis() - 1).div_euclid(60_000);
    let mut counts = vec![0u64; (last - first + 1).max(0) as usize];
    for (c, n, _) in failures(t) {
        if let Some(slot) = usize::try_from(c.minute - first)
            .ok()
            .and_then(|i| counts.get_mut(i))
        {
            *slot += n;
        }
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| Minute {
            ts: DateTime::from_timestamp((first + i as i64) * 60, 0).unwrap_or_default(),
            count,
        })
        .collect()
}
