//! Issue 13 "Secrets": every credential shape, in every place a log puts
//! it, stays out of every output (`find` human/JSON/markdown, `search`,
//! `groups`, `chains`, the ingest summary human and `--json`, `find`'s
//! closest ids) and out of the index (a search for the raw secret finds
//! nothing). Table-driven: one row per shape.

mod common;

use common::{Env, stderr, stdout};
use errtriage::query::SearchResult;

// SHAPES, `Shape` and `lines`: shared with the TUI's render test.
include!("data/secret_shapes.rs");

fn assert_hidden(what: &str, text: &str) {
    for s in SHAPES {
        assert!(
            !text.contains(s.secret),
            "{what} shows the {} secret {:?}:\n{text}",
            s.name,
            s.secret
        );
    }
}

#[test]
fn every_shape_is_redacted_in_every_output() {
    let env = Env::new();
    let mut log = String::new();
    for (i, s) in SHAPES.iter().enumerate() {
        for l in lines(i, s) {
            log.push_str(&l);
            log.push('\n');
        }
    }
    env.write("keys.log", &log);
    let out = env.run(&["ingest", env.path("keys.log").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));

    let mut runs: Vec<Vec<String>> = vec![
        vec!["search".into(), "--limit".into(), "1000".into()],
        vec![
            "search".into(),
            "--limit".into(),
            "1000".into(),
            "--json".into(),
        ],
        vec!["chains".into(), "--json".into()],
        vec!["chains".into()],
    ];
    for by in ["path", "service", "client", "code"] {
        runs.push(vec![
            "groups".into(),
            "--by".into(),
            by.into(),
            "--json".into(),
        ]);
        runs.push(vec!["groups".into(), "--by".into(), by.into()]);
    }
    for (i, s) in SHAPES.iter().enumerate() {
        let mut ids = vec![format!("req_shape_{i}")];
        if s.token {
            ids.push(format!("req_tok_{i}"));
        }
        for id in ids {
            runs.push(vec!["find".into(), id.clone()]);
            runs.push(vec!["find".into(), id.clone(), "--json".into()]);
            runs.push(vec![
                "find".into(),
                id,
                "--format".into(),
                "markdown".into(),
            ]);
        }
    }
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env.run(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert_hidden(&format!("{args:?}"), &(stdout(&out) + &stderr(&out)));
    }
    // The redacted forms are what a user finds instead.
    let r: SearchResult = env.json(&["search", "--limit", "1000", "--json"]);
    let expected: usize = SHAPES.iter().map(|s| lines(0, s).len()).sum();
    assert_eq!(r.events.len(), expected, "every line indexed");
    assert!(
        r.events
            .iter()
            .any(|e| e.request_id == "sk_live_[REDACTED]")
    );
    assert!(
        r.events
            .iter()
            .any(|e| e.path.as_deref() == Some("/v1/keys/ghp_[REDACTED]/rotate"))
    );
}

#[test]
fn no_raw_secret_is_an_index_term_or_a_suggestion() {
    let env = Env::new();
    let log: Vec<String> = SHAPES
        .iter()
        .enumerate()
        .flat_map(|(i, s)| lines(i, s))
        .collect();
    env.write("keys.log", log.join("\n") + "\n");
    env.ingest(&[&env.path("keys.log")]);
    for s in SHAPES.iter().filter(|s| s.token) {
        let quoted = s.text.replace('\\', "\\\\").replace('"', "\\\"");
        for q in [
            format!("\"{quoted}\""),
            format!("request_id:\"{quoted}\""),
            format!("idempotency_key:\"{quoted}\""),
            format!("trace_id:\"{quoted}\""),
            format!("client:\"{quoted}\""),
            format!("path:\"/v1/keys/{quoted}/rotate\""),
            format!("service:\"svc-{quoted}\""),
            format!("code:\"bad_{quoted}\""),
        ] {
            let r: SearchResult = env.json_any(&["search", &q, "--json"]);
            assert_eq!(r.total, 0, "{}: `{q}` finds the raw secret", s.name);
        }
        // `find` of the raw secret (or a near miss) offers no id in clear.
        let mut near = s.text.to_string();
        near.pop();
        for id in [s.text, near.as_str()] {
            let out = env.run(&["find", id]);
            assert_eq!(out.status.code(), Some(1), "{}: {}", s.name, stderr(&out));
            let hint = stderr(&out)
                .replace(id, "")
                .replace(&*errtriage::sanitize::escape(id), "");
            assert!(
                !hint.contains(s.secret),
                "{}: the hint offers the secret: {hint}",
                s.name
            );
        }
    }
}

#[test]
fn ingest_summaries_redact_bad_line_excerpts_human_and_json() {
    // Bad-line excerpts are the first characters of a line: each shape
    // starts one (ten examples per run are reported, so several runs).
    for (batch, shapes) in SHAPES.chunks(10).enumerate() {
        let env = Env::new();
        let bad: String = shapes
            .iter()
            .map(|s| format!("{} not json\n", s.text.replace('\n', "\\n")))
            .collect();
        env.write("bad.log", &bad);
        let json = env.run(&["ingest", "--json", env.path("bad.log").to_str().unwrap()]);
        assert!(json.status.success(), "{}", stderr(&json));
        let summary: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(
            summary["bad_examples"].as_array().map(Vec::len),
            Some(shapes.len()),
            "batch {batch}"
        );
        assert_hidden("ingest --json", &stdout(&json));
        let human = env.run_stdin(&["ingest", "-"], bad.as_bytes());
        assert!(human.status.success(), "{}", stderr(&human));
        assert_hidden("ingest", &(stdout(&human) + &stderr(&human)));
    }
}

/// A case card over hostile log text: what the ticket renders, parsed as
/// CommonMark (GFM tables on).
fn rendered(card: &str) -> (Vec<String>, String, String) {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let mut bad = Vec::new();
    let (mut code_blocks, mut text) = (String::new(), String::new());
    let mut in_block = false;
    for ev in Parser::new_ext(card, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::Link { dest_url, .. }) => bad.push(format!("link to {dest_url}")),
            Event::Start(Tag::Image { dest_url, .. }) => bad.push(format!("image {dest_url}")),
            Event::Start(Tag::Heading { .. }) if in_block => bad.push("heading".into()),
            Event::Html(h) | Event::InlineHtml(h)
                if !h.starts_with("<details") && !h.starts_with("</details") =>
            {
                bad.push(format!("html {h}"))
            }
            Event::Start(Tag::CodeBlock(_)) => in_block = true,
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_block = false,
            Event::Text(t) | Event::Code(t) if in_block => code_blocks.push_str(&t),
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            _ => {}
        }
    }
    (bad, code_blocks, text)
}

#[test]
fn markdown_card_renders_log_text_as_text() {
    let env = Env::new();
    let evil = "see [click](https://evil.example/x) ![img](https://evil.example/p.png) \
                <img src=x onerror=alert(1)> <b>bold</b> **strong** www.evil.example \
                ann@evil.example\n```\n# injected heading\n[link](https://evil.example/2)\n````";
    let line = |t: &str, rid: &str, status: u16| {
        serde_json::json!({
            "timestamp": t, "service": "svc<b>", "method": "POST",
            "path": "/v1/[x](https://evil.example/path)`",
            "status": status,
            "idempotency_key": "key_[k](https://evil.example/key)",
            "response_body": {"error": {
                "code": "E``1 [c](https://evil.example/code)|x",
                "message": evil, "request_id": rid}},
        })
        .to_string()
    };
    let log = [
        line("2026-05-14T10:00:00Z", "req_md_1", 409),
        line("2026-05-14T10:00:01Z", "req_md_2", 409),
    ]
    .join("\n");
    env.write("md.log", log + "\n");
    env.ingest(&[&env.path("md.log")]);
    let out = env.run(&["find", "req_md_1", "--format", "markdown"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let card = stdout(&out);
    let (bad, code_blocks, text) = rendered(&card);
    assert!(bad.is_empty(), "log text became {bad:?}:\n{card}");
    // The source line stays inside its fence: the log's ``` and ```` do
    // not close it.
    assert!(
        code_blocks.contains("# injected heading")
            && code_blocks.contains("https://evil.example/2"),
        "fence closed early:\n{card}"
    );
    // What a reader sees is the log's text, verbatim.
    assert!(text.contains("[click](https://evil.example/x)"), "{text}");
    assert!(
        text.contains("E``1 [c](https://evil.example/code)|x"),
        "{text}"
    );
    assert!(
        text.contains("/v1/[x](https://evil.example/path)`"),
        "{text}"
    );
}

#[test]
fn markdown_card_prose_stays_readable() {
    let env = Env::new();
    let line = serde_json::json!({
        "timestamp": "2026-05-14T10:00:00Z", "service": "42min-api", "method": "POST", "path": "/v1/bookings",
        "status": 409, "request_id": "req_plain_1",
        "error": {"code": "slot_unavailable", "message": "Slot 10:00-10:30 (room #4) is taken; pick another."},
    });
    env.write("plain.log", format!("{line}\n"));
    env.ingest(&[&env.path("plain.log")]);
    let card = stdout(&env.run(&["find", "req_plain_1", "--format", "markdown"]));
    assert!(
        card.contains("- **Message:** Slot 10:00-10:30 (room #4) is taken; pick another."),
        "{card}"
    );
}
