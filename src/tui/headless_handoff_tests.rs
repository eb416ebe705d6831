//! Issue 12, item 3, over a real index and the real worker: `w` writes the
//! case card to a file (path prompt with a default, never overwriting, an
//! unwritable place said inline), `K` copies the idempotency key, and the
//! detail pane scrolls on `Ctrl-E`/`Ctrl-Y` instead.

use crossterm::event::{KeyCode, KeyModifiers};

use super::headless_tests::Headless;
use super::keymap::Mode;
use super::walk_tests::{chains_corpus, press_effect};

/// Open the chain of req_B2 (idem-bad) in the Events view.
fn on_req_b2() -> Headless {
    let mut h = Headless::with(&chains_corpus(), 80, 24);
    h.keys(&[KeyCode::Char('/')]);
    h.type_text("req_B2");
    h.keys(&[KeyCode::Enter]);
    h
}

/// `w`, the prompt cleared, `path` typed, `Enter`.
fn write_to(h: &mut Headless, path: &std::path::Path) {
    h.keys(&[KeyCode::Char('w')]);
    press_effect(h, KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.type_text(&path.display().to_string());
    h.keys(&[KeyCode::Enter]);
}

#[test]
fn w_writes_the_case_card_to_a_new_file_and_says_where() {
    let mut h = on_req_b2();
    h.keys(&[KeyCode::Char('w')]);
    assert_eq!(h.app.state.mode(), Mode::Save);
    let screen = h.screen();
    assert!(
        screen.contains("write case card to: ./case-req_B2.md"),
        "the prompt offers a default in the current directory:\n{screen}"
    );
    h.keys(&[KeyCode::Esc]);
    assert_eq!(h.app.state.mode(), Mode::Normal);
    assert_eq!(h.app.state.flash.as_deref(), Some("case card not written"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ticket.md");
    write_to(&mut h, &path);
    let card = std::fs::read_to_string(&path).expect("the card was written");
    assert!(card.starts_with("## errtriage case: `req_B2`"), "{card}");
    assert!(card.contains("Retry chain `idem-bad`"), "{card}");
    assert!(card.contains("**Impact** "), "the impact verdict: {card}");
    let flash = h.app.state.flash.clone().unwrap();
    assert!(
        flash.starts_with("case card written to /") && flash.ends_with("ticket.md"),
        "{flash}"
    );
    let screen = h.screen();
    let status = screen.lines().last().unwrap_or_default();
    assert!(
        status.contains(&path.display().to_string()),
        "at 80 columns the whole path shows: {status:?}"
    );

    // The same path again: the first card is kept, a new name is picked.
    std::fs::write(&path, "notes the user added").unwrap();
    write_to(&mut h, &path);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "notes the user added"
    );
    let again = dir.path().join("ticket-2.md");
    assert!(std::fs::read_to_string(&again).unwrap().contains("req_B2"));
    let flash = h.app.state.flash.clone().unwrap();
    assert!(
        flash.contains("ticket-2.md") && flash.contains("kept the existing ticket.md"),
        "{flash}"
    );
}

#[test]
fn an_unwritable_path_is_said_inline_and_the_tui_carries_on() {
    let mut h = on_req_b2();
    let dir = tempfile::tempdir().unwrap();
    write_to(&mut h, &dir.path().join("no/such/dir/card.md"));
    let flash = h.app.state.flash.clone().unwrap();
    assert!(
        flash.starts_with("case card not written:") && flash.contains("no/such/dir/card.md"),
        "{flash}"
    );
    let screen = h.screen();
    assert!(screen.contains("case card not written"), "{screen}");
    assert_eq!(h.app.state.mode(), Mode::Normal);
    h.keys(&[KeyCode::Char('j')]);
    assert!(!h.app.quit);
}

#[test]
fn a_chain_page_writes_the_chains_card() {
    let mut h = Headless::with(&chains_corpus(), 80, 24);
    h.keys(&[KeyCode::Tab, KeyCode::Tab, KeyCode::Enter]);
    let key = h
        .app
        .state
        .chains
        .list
        .selected_item()
        .unwrap()
        .idempotency_key
        .clone();
    h.keys(&[KeyCode::Char('w')]);
    let prompt = h.app.state.save.as_ref().expect("the prompt is open");
    assert_eq!(prompt.input.value(), format!("./case-{key}.md"));
    let dir = tempfile::tempdir().unwrap();
    write_to(&mut h, dir.path());
    let written = dir.path().join(format!("case-{key}.md"));
    let card = std::fs::read_to_string(&written).expect("written inside the directory");
    assert!(card.contains(&format!("`{key}`")), "{card}");
}

#[test]
fn shift_k_copies_the_key_and_ctrl_e_ctrl_y_scroll_the_detail_pane() {
    let mut h = on_req_b2();
    press_effect(&mut h, KeyCode::Char('K'), KeyModifiers::SHIFT);
    assert_eq!(h.app.clipboard.pop().as_deref(), Some("idem-bad"));
    assert_eq!(h.app.state.detail_scroll, 0);
    press_effect(&mut h, KeyCode::Char('e'), KeyModifiers::CONTROL);
    press_effect(&mut h, KeyCode::Char('e'), KeyModifiers::CONTROL);
    assert_eq!(h.app.state.detail_scroll, 2);
    press_effect(&mut h, KeyCode::Char('y'), KeyModifiers::CONTROL);
    assert_eq!(h.app.state.detail_scroll, 1);
    assert!(
        h.app.clipboard.is_empty(),
        "Ctrl-Y scrolls, it copies nothing"
    );
}
