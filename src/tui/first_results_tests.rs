//! What a user waits on, on the screen (issue 15 item 5): the events list
//! is asked alone and painted before the histogram fills; a query overtaken
//! by a newer one never paints; a space typed after a term does not search
//! again. The worker is played by hand here, answering one job at a time,
//! so the frame between two answers can be looked at.

use super::action::{Action, Effect, Job, JobKind, Slot};
use super::fixtures::{answer_job, draw, events, screen_text, session};
use super::state::State;
use super::update::update;
use super::update_tests::{fresh, type_text};

/// The jobs of an effect (none for anything else).
fn jobs(effect: Option<Effect>) -> Vec<Job> {
    match effect {
        Some(Effect::Fetch(jobs)) => jobs,
        _ => Vec::new(),
    }
}

/// Answer `job` from the fixture corpus; the jobs its answer asks for.
fn answer(s: &mut State, job: &Job) -> Vec<Job> {
    let loaded = answer_job(&events(), job);
    jobs(update(s, Action::Loaded(Box::new(loaded))))
}

fn kinds(jobs: &[Job]) -> Vec<Slot> {
    jobs.iter().map(|j| j.kind.slot()).collect()
}

fn screen(s: &mut State) -> String {
    screen_text(&draw(s))
}

#[test]
fn the_first_frame_with_results_shows_events_before_the_histogram_fills() {
    let mut s = State::new("", false, "/idx");
    update(&mut s, Action::Resize(100, 30));
    let start = jobs(update(&mut s, Action::Start));
    assert_eq!(
        kinds(&start),
        [Slot::Events, Slot::Stats],
        "the events list starts alone, not beside the histogram's pass over every event"
    );
    let before = screen(&mut s);
    assert!(
        before.contains("histogram…") && !before.contains("req_c2"),
        "{before}"
    );

    let events_job = start.iter().find(|j| j.kind.slot() == Slot::Events);
    let after_events = answer(&mut s, events_job.expect("an events job"));
    let first = screen(&mut s);
    assert!(
        first.contains("req_c2") && first.contains("req_a1"),
        "the first frame with results lists the newest and the oldest event:\n{first}"
    );
    assert!(
        first.contains("histogram…"),
        "the histogram is still coming:\n{first}"
    );

    let hist: Vec<&Job> = after_events
        .iter()
        .filter(|j| matches!(j.kind, JobKind::Histogram { buckets: 100 }))
        .collect();
    assert_eq!(
        hist.len(),
        1,
        "the events' answer asks for the histogram, one bucket per column: {after_events:?}"
    );
    answer(&mut s, hist[0]);
    let filled = screen(&mut s);
    assert!(
        !filled.contains("histogram…") && filled.contains("req_c2"),
        "{filled}"
    );
    assert!(s.histogram.is_some() && !s.histogram_after_events);
}

#[test]
fn a_query_overtaken_by_a_newer_one_never_paints() {
    let (mut s, c) = fresh();
    s.size = (100, 30);
    update(&mut s, Action::EditQuery);
    type_text(&mut s, &c, "req_a1");
    let old = jobs(update(&mut s, Action::RunPreview));
    s.input = tui_input::Input::new("req_b1".into());
    let new = jobs(update(&mut s, Action::RunPreview));
    assert_eq!(kinds(&old), [Slot::Events]);
    assert_eq!(kinds(&new), [Slot::Events]);

    // The older query's answers land first: nothing of them is shown, and
    // they ask for nothing (no histogram of a query no one is typing).
    let old_asks = answer(&mut s, &old[0]);
    assert!(old_asks.is_empty(), "{old_asks:?}");
    let between = screen(&mut s);
    assert_eq!((s.shown.as_str(), s.events.total), ("", 10));
    assert!(
        between.contains("10 matching"),
        "still the list before: {between}"
    );

    let new_asks = answer(&mut s, &new[0]);
    let shown = screen(&mut s);
    assert!(
        shown.contains("req_b1") && !shown.contains("req_a1"),
        "{shown}"
    );
    for job in &new_asks {
        answer(&mut s, job);
    }
    // A late histogram of the older query is dropped too.
    let stale_hist = Job {
        generation: old[0].generation,
        query: "req_a1".into(),
        kind: JobKind::Histogram { buckets: 100 },
    };
    let before = s.histogram.clone();
    answer(&mut s, &stale_hist);
    assert_eq!(s.histogram, before);
    assert_eq!((s.shown.as_str(), s.events.total), ("req_b1", 1));
}

#[test]
fn a_space_after_a_term_does_not_search_again() {
    let corpus = events();
    let mut s = session(&corpus, 100, 30);
    update(&mut s, Action::EditQuery);
    type_text(&mut s, &corpus, "code:slot_unavailable");
    let searched = jobs(update(&mut s, Action::RunPreview));
    assert_eq!(kinds(&searched), [Slot::Events]);
    for job in &searched {
        for next in answer(&mut s, job) {
            answer(&mut s, &next);
        }
    }
    assert_eq!(s.events.total, 3);

    type_text(&mut s, &corpus, " ");
    assert_eq!(
        update(&mut s, Action::RunPreview),
        None,
        "the same query with a space after it"
    );
    assert!(screen(&mut s).contains("slot_unavailable"));
    type_text(&mut s, &corpus, "status:409");
    assert_eq!(
        kinds(&jobs(update(&mut s, Action::RunPreview))),
        [Slot::Events],
        "the next term searches"
    );
    // Enter on the query with a trailing space keeps what is shown.
    let mut t = session(&corpus, 100, 30);
    update(&mut t, Action::EditQuery);
    type_text(&mut t, &corpus, "req_a1 ");
    for job in jobs(update(&mut t, Action::RunPreview)) {
        answer(&mut t, &job);
    }
    assert_eq!(update(&mut t, Action::ApplyQuery), None);
    assert_eq!((t.applied.as_str(), t.events.total), ("req_a1 ", 1));
}
