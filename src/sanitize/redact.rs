//! redact: secrets out of log text, before it is indexed or shown.
//!
//! The rules are data (`rules.toml`): names of members/headers/parameters
//! whose values are credentials, and credential shapes taken from gitleaks'
//! and trufflehog's rulesets. As gitleaks does, one Aho-Corasick pass over
//! a text finds the rules' keywords; only the rules whose keywords occur run
//! their regex (compiled on first use). Most texts contain no keyword and
//! cost one automaton pass: an NFA at first (cheap to build for a one-shot
//! command), a DFA once a thread has scanned many texts (ingest).

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Captures, Regex};
use serde::Deserialize;

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// `rules.toml` as build.rs turned it into JSON (no TOML parser at start).
const RULES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/src/sanitize/rules.json"));

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    keys: KeySpec,
    rules: Vec<RuleSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeySpec {
    names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    keywords: Vec<String>,
    regex: String,
    secret: usize,
    #[serde(default)]
    requires: Vec<String>,
}

/// What a rule puts in place of a secret.
#[derive(Clone, Copy)]
enum With {
    /// This text.
    Text(&'static str),
    /// A JSON value: `"[REDACTED]"`, or `["[REDACTED]"]` for an array.
    Json,
    /// A string inside a JSON string, quoted as escaped as the original
    /// (`\"[REDACTED]\"`, `\\\"[REDACTED]\\\"` one level deeper).
    EscapedJson,
}

/// One compiled-on-demand rule: its matches have capture group `secret`
/// replaced.
struct Rule {
    id: String,
    pattern: String,
    re: OnceLock<Regex>,
    secret: usize,
    with: With,
    /// Texts every match contains (`requires` in `rules.toml`).
    requires: Vec<String>,
}

impl Rule {
    fn new(id: &str, pattern: String, secret: usize, with: With) -> Rule {
        Rule {
            id: id.to_owned(),
            pattern,
            re: OnceLock::new(),
            secret,
            with,
            requires: Vec::new(),
        }
    }

    /// Whether `text` holds every text a match of this rule contains; when
    /// not, the rule cannot match and its regex is not compiled.
    fn may_match(&self, text: &str) -> bool {
        self.requires.iter().all(|r| text.contains(r.as_str()))
    }

    fn regex(&self) -> &Regex {
        self.re.get_or_init(|| {
            Regex::new(&self.pattern)
                .unwrap_or_else(|e| panic!("secret rule {}: bad regex: {e}", self.id))
        })
    }

    /// `text` with every match's secret group replaced.
    fn apply<'t>(&self, text: &'t str) -> Cow<'t, str> {
        self.regex().replace_all(text, |c: &Captures| {
            let whole = c.get(0).expect("group 0");
            let secret = c.get(self.secret).unwrap_or(whole);
            let mut out = String::with_capacity(whole.len());
            out.push_str(&text[whole.start()..secret.start()]);
            match self.with {
                With::Text(t) => out.push_str(t),
                With::Json if secret.as_str().starts_with('[') => out.push_str(r#"["[REDACTED]"]"#),
                With::Json => out.push_str(r#""[REDACTED]""#),
                With::EscapedJson => {
                    let quote = &secret.as_str()[..=secret.as_str().find('"').unwrap_or(0)];
                    out.push_str(quote);
                    out.push_str(REDACTED);
                    out.push_str(quote);
                }
            }
            out.push_str(&text[secret.end()..whole.end()]);
            out
        })
    }
}

/// How many texts a thread scans with the NFA before it builds (once per
/// process) and uses the DFA: a one-shot command redacts a few hundred
/// texts, ingest millions.
const DFA_AFTER: u32 = 20_000;

/// Every rule, and the automaton over their keywords.
struct Rules {
    rules: Vec<Rule>,
    /// The keywords as a contiguous NFA: ~10× cheaper to build than the
    /// DFA (a DFA build was a fifth of a one-shot `find`'s instructions),
    /// a little slower to scan.
    keywords: AhoCorasick,
    /// The same keywords as a DFA, the fastest scan, built once a thread
    /// has scanned [`DFA_AFTER`] texts.
    keywords_dfa: OnceLock<AhoCorasick>,
    /// The keywords (automaton pattern ids index this).
    patterns: Vec<String>,
    /// For each keyword (automaton pattern id), the rules it selects.
    selects: Vec<u64>,
    /// Every rule that has a keyword.
    all: u64,
    /// Spellings of the names of members that hold credentials (lower
    /// case): a member named so, or ending so, is one.
    key_names: Vec<String>,
    /// The same test as a regex, for the rare names where Unicode case
    /// folding differs from ASCII's (compiled on first use).
    key_name: OnceLock<Regex>,
}

static RULES: LazyLock<Rules> = LazyLock::new(|| {
    Rules::load(serde_json::from_str(RULES_JSON).expect("valid src/sanitize/rules.toml"))
});

impl Rules {
    fn load(file: RuleFile) -> Rules {
        let variants: Vec<String> = file.keys.names.iter().flat_map(|n| spellings(n)).collect();
        let names = variants
            .iter()
            .map(|v| regex::escape(v))
            .collect::<Vec<_>>()
            .join("|");
        let mut rules = key_rules(&names);
        let mut keywords: Vec<(String, usize)> = Vec::new();
        for i in 0..rules.len() {
            keywords.extend(variants.iter().map(|v| (v.clone(), i)));
        }
        for spec in file.rules {
            let i = rules.len();
            keywords.extend(spec.keywords.iter().map(|k| (k.to_ascii_lowercase(), i)));
            let mut rule = Rule::new(&spec.id, spec.regex, spec.secret, With::Text(REDACTED));
            rule.requires = spec.requires;
            rules.push(rule);
        }
        assert!(rules.len() <= 64, "at most 64 secret rules");
        let mut uniq: Vec<String> = Vec::new();
        let mut selects: Vec<u64> = Vec::new();
        for (k, rule) in keywords {
            match uniq.iter().position(|u| *u == k) {
                Some(p) => selects[p] |= 1 << rule,
                None => {
                    uniq.push(k);
                    selects.push(1 << rule);
                }
            }
        }
        let all = selects.iter().fold(0, |a, s| a | s);
        Rules {
            rules,
            keywords: automaton(&uniq, AhoCorasickKind::ContiguousNFA),
            keywords_dfa: OnceLock::new(),
            patterns: uniq,
            selects,
            all,
            key_names: variants,
            key_name: OnceLock::new(),
        }
    }

    /// Whether `key` ends with one of the credential names, in any case.
    /// An ASCII comparison, except where a name could hold `ſ` or `K`
    /// (which fold to `s` and `k`): there the anchored regex decides.
    fn is_key_name(&self, key: &str) -> bool {
        if !key.is_ascii() && key.contains(['\u{17f}', '\u{212a}']) {
            let re = self.key_name.get_or_init(|| {
                let names: Vec<String> = self.key_names.iter().map(|v| regex::escape(v)).collect();
                Regex::new(&format!("(?i)(?:{})$", names.join("|"))).expect("key-name regex")
            });
            return re.is_match(key);
        }
        let key = key.as_bytes();
        self.key_names.iter().any(|name| {
            key.len() >= name.len()
                && key[key.len() - name.len()..].eq_ignore_ascii_case(name.as_bytes())
        })
    }

    /// The keyword automaton to scan with: the DFA once built, else the
    /// NFA until this thread has scanned [`DFA_AFTER`] texts. Both find
    /// the same keywords.
    fn automaton(&self) -> &AhoCorasick {
        if let Some(dfa) = self.keywords_dfa.get() {
            return dfa;
        }
        thread_local!(static SCANS: Cell<u32> = const { Cell::new(0) });
        let scans = SCANS.with(|c| {
            c.set(c.get() + 1);
            c.get()
        });
        if scans < DFA_AFTER {
            return &self.keywords;
        }
        self.keywords_dfa
            .get_or_init(|| automaton(&self.patterns, AhoCorasickKind::DFA))
    }

    /// The rules whose keywords occur in `text` (a bit per rule).
    fn candidates(&self, text: &str) -> u64 {
        // Case-insensitive regexes fold two non-ASCII letters to ASCII ones
        // (ſ is s, K is k) that the ASCII automaton does not: run every rule.
        if !text.is_ascii() && text.contains(['\u{17f}', '\u{212a}']) {
            return u64::MAX;
        }
        let mut found = 0;
        for m in self.automaton().find_overlapping_iter(text) {
            found |= self.selects[m.pattern().as_usize()];
            if found == self.all {
                break;
            }
        }
        found
    }
}

/// An automaton of `kind` over the keywords, ASCII case ignored.
fn automaton(patterns: &[String], kind: AhoCorasickKind) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(kind))
        .build(patterns)
        .expect("keyword automaton")
}

/// `x-auth-token` → `x-auth-token`, `x_auth_token`, `x.auth.token`,
/// `xauthtoken` (lower case; the automaton and regexes ignore case).
fn spellings(name: &str) -> Vec<String> {
    let name = name.to_ascii_lowercase();
    if !name.contains('-') {
        return vec![name];
    }
    ["-", "_", ".", ""]
        .iter()
        .map(|sep| name.replace('-', sep))
        .collect()
}

/// The rules for values of members named like credentials: JSON members
/// (also inside a JSON string, one level of escaping), header pairs,
/// `Name: value` text and `name=value` parameters.
fn key_rules(names: &str) -> Vec<Rule> {
    let string = r#""(?:[^"\\]|\\.)*""#;
    let value = format!(r#"(?:{string}|\{{[^{{}}]*\}}|\[[^\[\]]*\])"#);
    vec![
        Rule::new(
            "json-member",
            format!(r#"(?i)("[^"]*?(?:{names})"\s*:\s*)({value})"#),
            2,
            With::Json,
        ),
        Rule::new(
            "escaped-json-member",
            format!(r#"(?i)(\\+"[^"\\]*?(?:{names})\\+"\s*:\s*)(\\+"(?:[^"\\]|\\+[^"\\])*\\+")"#),
            2,
            With::EscapedJson,
        ),
        Rule::new(
            "header-pair",
            format!(r#"(?i)(\[\s*"[^"]*?(?:{names})"\s*,\s*)({string})"#),
            2,
            With::Json,
        ),
        Rule::new(
            "header-text",
            format!(r#"(?i)((?:{names})[ \t]*:[ \t]*)((?:[^"\\\r\n]|\\[^"])+)"#),
            2,
            With::Text(REDACTED),
        ),
        Rule::new(
            "parameter",
            format!(r#"(?i)((?:{names})[ \t]*=[ \t]*(?:\\?["'])?)([^&\s"'\\,;]+)"#),
            2,
            With::Text(REDACTED),
        ),
    ]
}

/// Replace secrets — credential members and headers, bearer tokens, API
/// keys, JWTs, private keys, passwords in URLs — with [`REDACTED`].
/// Applied to everything displayed or exported (unless the user asks for
/// `--no-redact`) and to every indexed text.
pub fn redact(s: &str) -> Cow<'_, str> {
    let rules = &*RULES;
    let mut todo = rules.candidates(s);
    let mut out = Cow::Borrowed(s);
    for (i, rule) in rules.rules.iter().enumerate() {
        if todo & (1 << i) == 0 {
            continue;
        }
        todo &= !(1 << i);
        if !rule.may_match(&out) {
            continue;
        }
        if let Cow::Owned(replaced) = rule.apply(&out) {
            out = Cow::Owned(replaced);
        }
    }
    out
}

/// Whether a member named `key` holds a credential (its whole value is
/// redacted).
pub fn is_secret_key(key: &str) -> bool {
    let rules = &*RULES;
    rules.candidates(key) & 1 != 0 && rules.is_key_name(key)
}

/// Redact every string inside a JSON value, and the whole value of members
/// named like credentials.
pub fn redact_value(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(redact(&s).into_owned()),
        Value::Array(items) => Value::Array(items.into_iter().map(redact_value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if is_secret_key(&k) {
                        Value::String(REDACTED.into())
                    } else {
                        redact_value(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON build.rs wrote reads exactly as `rules.toml` does.
    #[test]
    fn the_rules_json_reads_as_its_toml() {
        let from_toml: RuleFile = toml::from_str(include_str!("rules.toml")).unwrap();
        let from_json: RuleFile = serde_json::from_str(RULES_JSON).unwrap();
        assert_eq!(format!("{from_toml:?}"), format!("{from_json:?}"));
    }

    /// The NFA a one-shot scans with and the DFA ingest switches to find
    /// the same keywords, so which one ran never changes a redaction.
    #[test]
    fn the_nfa_and_the_dfa_find_the_same_keywords() {
        let rules = &*RULES;
        let dfa = automaton(&rules.patterns, AhoCorasickKind::DFA);
        let texts = [
            r#"{"Authorization":"Bearer abc","X-Api-Key":"k"}"#,
            "postgres://user:pw@host/db?password=x&token=y",
            "sk_live_0123456789abcdef ghp_aaaa AKIAABCDEFGHIJKLMNOP",
            "nothing secret here at all",
            "COOKIE: a=b; SESSION=c; x_auth_token=d",
        ];
        for text in texts {
            let scan = |a: &AhoCorasick| -> Vec<_> {
                a.find_overlapping_iter(text)
                    .map(|m| (m.pattern(), m.span()))
                    .collect()
            };
            assert_eq!(scan(&rules.keywords), scan(&dfa), "{text}");
        }
    }

    #[test]
    fn the_shipped_rules_compile_and_fit() {
        let rules = &*RULES;
        for r in &rules.rules {
            let re = r.regex();
            assert!(
                r.secret < re.captures_len(),
                "rule {}: no group {}",
                r.id,
                r.secret
            );
        }
    }

    #[test]
    fn names_match_in_every_spelling() {
        for key in [
            "Authorization",
            "http.request.header.authorization",
            "sent_http_set_cookie",
            "X-Auth-Token",
            "x_auth_token",
            "xAuthToken",
            "refresh_token",
            "aws_secret_access_key",
            "X-API-KEY",
            "apiKey",
            "Cookies",
            "RequestHeaders",
            "client_secret",
            "private_key",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["idempotency_key", "request_id", "token_type", "path", "api"] {
            assert!(!is_secret_key(key), "{key}");
        }
        // Unicode case folding: `ſ` is `s`, `K` is `k` (the regex path).
        for key in ["PAſſWORD", "x_api_\u{212a}ey", "Tö_token"] {
            assert!(is_secret_key(key), "{key}");
        }
        assert!(!is_secret_key("ſession_id"));
    }

    /// A rule with `requires` is skipped (its regex not run) for a text
    /// without them, and applies as before to one with them.
    #[test]
    fn a_rule_is_skipped_when_a_required_text_is_missing() {
        let url = RULES.rules.iter().find(|r| r.id == "url-password").unwrap();
        assert_eq!(url.requires, ["@"]);
        let plain = "GET https://api.example.com/v1/x?a=b:c";
        assert!(!url.may_match(plain));
        assert_eq!(redact(plain), plain);
        let with = "GET https://bob:hunter2@api.example.com/v1/x";
        assert!(url.may_match(with));
        assert_eq!(
            redact(with),
            "GET https://bob:[REDACTED]@api.example.com/v1/x"
        );
    }
}
