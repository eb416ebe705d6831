//! Log content is untrusted. No control character, ANSI/OSC escape or bidi
//! override from a log reaches the terminal through any output; `--json`
//! stays valid with the characters escaped by the encoder; secrets are
//! redacted everywhere (`--json` included) unless `--no-redact`, and no
//! indexed term holds one.

mod common;

use common::{Env, stdout};
use errtriage::query::{FindResult, SearchResult};

const EVIL_CODE: &str = "\u{1b}[31mEVIL\u{1b}[0m";
const EVIL_ID: &str = "req_\u{1b}[1mBOLD";

/// Bytes that must never reach a terminal from a log.
fn dangerous(text: &str) -> Vec<String> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

fn hostile_env() -> Env {
    let env = Env::new();
    let line = serde_json::json!({
        "timestamp": "2026-05-14T10:00:00Z",
        "service": "svc\u{7}",
        "method": "POST",
        "path": "/v1/\u{1b}[2Jclear",
        "status": 409,
        "request_headers": {"Idempotency-Key": "key-\u{1b}]0;title\u{7}"},
        "response_body": {"error": {
            "code": EVIL_CODE,
            "message": "\u{1b}]52;c;ZXZpbA==\u{7} copied \u{9b}2J \u{202e}evil\u{202c} done",
            "request_id": EVIL_ID,
        }},
    });
    let retry = serde_json::json!({
        "timestamp": "2026-05-14T10:00:01Z", "service": "svc\u{7}", "method": "POST", "path": "/v1/\u{1b}[2Jclear",
        "status": 409, "request_headers": {"Idempotency-Key": "key-\u{1b}]0;title\u{7}"},
        "response_body": {"error": {"code": EVIL_CODE, "message": "again", "request_id": "req_SECOND"}},
    });
    let mut text = format!("{line}\n{retry}\n").into_bytes();
    text.extend(b"not json \x1b[5mblink\x07\n");
    env.write("evil.log", text);
    env
}

#[test]
fn no_log_escape_reaches_the_terminal_in_any_human_output() {
    let env = hostile_env();
    let ingest = env.run(&["ingest", env.path("evil.log").to_str().unwrap()]);
    let mut outputs = vec![("ingest", stdout(&ingest))];
    for (name, args) in [
        ("find", vec!["find", EVIL_ID]),
        (
            "find markdown",
            vec!["find", EVIL_ID, "--format", "markdown"],
        ),
        ("search", vec!["search"]),
        ("groups", vec!["groups"]),
        ("groups path", vec!["groups", "--by", "path"]),
        ("chains", vec!["chains"]),
    ] {
        let out = env.run(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            common::stderr(&out)
        );
        outputs.push((name, stdout(&out) + &common::stderr(&out)));
    }
    for (name, text) in &outputs {
        assert!(
            dangerous(text).is_empty(),
            "{name} leaked {:?}:\n{text}",
            dangerous(text)
        );
    }
    let find = &outputs[1].1;
    assert!(
        find.contains("\\x1b[31mEVIL\\x1b[0m"),
        "escaped, visible: {find}"
    );
    assert!(find.contains("\\x1b]52;c;"), "{find}");
    assert!(
        find.contains("\\x9b2J") && find.contains("\\u{202e}evil"),
        "{find}"
    );
    assert!(
        outputs[0].1.contains("\\x1b[5mblink\\x07"),
        "bad-line excerpt escaped: {}",
        outputs[0].1
    );
}

#[test]
fn json_keeps_the_original_characters_escaped_by_the_encoder() {
    let env = hostile_env();
    env.ingest(&[&env.path("evil.log")]);
    let out = env.run(&["find", EVIL_ID, "--json"]);
    let text = stdout(&out);
    assert!(
        dangerous(&text).is_empty(),
        "raw control bytes in JSON: {:?}",
        dangerous(&text)
    );
    assert!(text.contains("\\u001b[31mEVIL"), "{text}");
    assert!(
        text.contains("\\u009b2J") && text.contains("\\u202eevil"),
        "{text}"
    );
    let r: FindResult = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r.events[0].code.as_deref(),
        Some(EVIL_CODE),
        "decodes to the original"
    );
    assert_eq!(r.events[0].request_id, EVIL_ID);
    assert_eq!(r.chains.len(), 1);
    assert_eq!(r.chains[0].attempts.len(), 2);
}

fn secret_env() -> Env {
    let env = Env::new();
    let line = serde_json::json!({
        "timestamp": "2026-05-14T10:00:00Z", "service": "availengine", "method": "POST", "path": "/v1/bookings/",
        "status": 401, "client_id": "avail_live_ZZZsecret123",
        "request_headers": {
            "Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig",
            "Cookie": "session=supersecretcookie",
            "X-Request-Id": "req_SECRET01",
        },
        "response_headers": {"Set-Cookie": "sid=setcookiesecret; HttpOnly"},
        "response_body": {"error": {"code": "invalid_token",
            "message": "key sk_live_4eC39HqLyjWDarjtT1zdp7dc rejected for Bearer abcdefghijkl"}},
    });
    env.write("secret.log", format!("{line}\n"));
    env
}

const SECRETS: [&str; 6] = [
    "eyJhbGciOiJIUzI1NiJ9",
    "supersecretcookie",
    "setcookiesecret",
    "4eC39HqLyjWDarjtT1zdp7dc",
    "abcdefghijkl",
    "ZZZsecret123",
];

#[test]
fn secrets_are_redacted_in_every_output_and_never_indexed() {
    let env = secret_env();
    env.ingest(&[&env.path("secret.log")]);
    for args in [
        vec!["find", "req_SECRET01"],
        vec!["find", "req_SECRET01", "--json"],
        vec!["find", "req_SECRET01", "--format", "markdown"],
        vec!["search"],
        vec!["search", "--json"],
        vec!["groups", "--by", "client", "--json"],
    ] {
        let out = env.run(&args);
        let text = stdout(&out);
        for s in SECRETS {
            assert!(!text.contains(s), "{args:?} leaked {s}:\n{text}");
        }
        if args[0] == "find" {
            assert!(text.contains("REDACTED"), "{args:?}: {text}");
        }
    }
    for s in SECRETS {
        let r: SearchResult = env.json_any(&["search", s, "--json"]);
        assert_eq!(r.total, 0, "{s} is an indexed term");
    }
    let r: SearchResult = env.json_any(&["search", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "--json"]);
    assert_eq!(r.total, 0);
}

#[test]
fn no_redact_shows_the_original_to_those_entitled() {
    let env = secret_env();
    env.ingest(&[&env.path("secret.log")]);
    let text = stdout(&env.run(&["--no-redact", "find", "req_SECRET01", "--json"]));
    for s in SECRETS {
        assert!(text.contains(s), "--no-redact hides {s}");
    }
}
