// Credential shapes of issue 13, shared by tests/secrets.rs (every CLI
// output, the index) and src/tui/render_tests.rs (the TUI), with `include!`.
// Each is written as a log puts it; `secret` must never be shown.

/// One credential shape: how it appears in a log, and the part that must
/// never be shown. `token` shapes are self-contained values a log may put
/// in an id, path, code, service or client field.
pub struct Shape {
    pub name: &'static str,
    pub text: &'static str,
    pub secret: &'static str,
    pub token: bool,
}

#[rustfmt::skip]
pub const SHAPES: &[Shape] = &[
    Shape { name: "stripe key", text: "sk_live_4eC39HqLyjWDarjtT1zdp7dc", secret: "4eC39HqLyjWDarjtT1zdp7dc", token: true },
    Shape { name: "jwt without Bearer", text: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", secret: "dozjgNryP4J3jVmNHl0w5N", token: true },
    Shape { name: "aws access key id", text: "AKIAIOSFODNN7EXAMPLE", secret: "IOSFODNN7EXAMPLE", token: true },
    Shape { name: "aws temporary key id", text: "ASIAY34FZKBOKMUTVV7A", secret: "Y34FZKBOKMUTVV7A", token: true },
    Shape { name: "github pat", text: "ghp_1234567890abcdefghijABCDEFGHIJ123456", secret: "1234567890abcdefghijABCDEFGHIJ", token: true },
    Shape { name: "github oauth", text: "gho_abcdefghij1234567890ABCDEFGHIJ654321", secret: "abcdefghij1234567890ABCDEFGHIJ", token: true },
    Shape { name: "github fine-grained", text: "github_pat_11ABCDEFG0123456789_abcdefghijklmnop", secret: "11ABCDEFG0123456789_abcdef", token: true },
    Shape { name: "slack bot", text: "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", secret: "AbCdEfGhIjKlMnOpQrStUvWx", token: true },
    Shape { name: "slack user", text: "xoxp-223456789012-2234567890123-ZyXwVuTsRqPoNmLkJiHgFeDc", secret: "ZyXwVuTsRqPoNmLkJiHgFeDc", token: true },
    Shape { name: "stripe webhook secret", text: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", secret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", token: true },
    Shape { name: "google oauth access", text: "ya29.a0AfH6SMBx3fP9kqLmN0pQ2r", secret: "a0AfH6SMBx3fP9kqLmN0pQ2r", token: true },
    Shape { name: "google oauth refresh", text: "1//0gLq2x9ZrTkW3yV5uX7aB9cD1eF3gH5", secret: "gLq2x9ZrTkW3yV5uX7aB9cD1eF3gH5", token: true },
    Shape { name: "Bearer", text: "Bearer abcdefghijkl123", secret: "abcdefghijkl123", token: true },
    Shape { name: "bearer:TOKEN", text: "bearer:tok_abcdef9876", secret: "tok_abcdef9876", token: true },
    Shape { name: "Bearer<TAB>TOKEN", text: "Bearer\tTABTOKEN12345", secret: "TABTOKEN12345", token: true },
    Shape { name: "password in a JSON body string", text: r#"{"user":"ann","password":"hunter2hunter2"}"#, secret: "hunter2hunter2", token: false },
    Shape { name: "password in a URL", text: "https://admin:Pa55w0rdXYZ@db.internal:5432/x", secret: "Pa55w0rdXYZ", token: false },
    Shape { name: "token= parameter", text: "/cb?code=1&token=qtok123456&next=/", secret: "qtok123456", token: false },
    Shape { name: "secret= parameter", text: "/cb?secret=qsec123456", secret: "qsec123456", token: false },
    Shape { name: "password= parameter", text: "/login?user=ann&password=qpw123456", secret: "qpw123456", token: false },
    Shape { name: "X-Auth-Token header", text: "X-Auth-Token: xauth1234567", secret: "xauth1234567", token: false },
    Shape { name: "PEM private key", text: "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----", secret: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", token: false },
    Shape { name: "aws secret key", text: "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", secret: "wJalrXUtnFEMI", token: false },
    Shape { name: "oauth tokens in a body", text: r#"{"access_token":"oat_9f8e7d6c5b4a","refresh_token":"ort_1a2b3c4d5e6f"}"#, secret: "9f8e7d6c5b4a", token: false },
    Shape { name: "api_key=", text: "api_key=ak_0f1e2d3c4b5a", secret: "0f1e2d3c4b5a", token: false },
    Shape { name: "Cookie", text: "Cookie: session=cookiesecret123", secret: "cookiesecret123", token: false },
];

/// The log lines for shape `i`: its text in a message, a body logged as a
/// string and the request headers; a token also as every term field, and
/// as a request id of its own.
pub fn lines(i: usize, s: &Shape) -> Vec<String> {
    let base = serde_json::json!({
        "timestamp": format!("2026-05-14T10:{:02}:00Z", i),
        "service": "keys-api", "method": "POST", "path": "/v1/keys",
        "status": 401,
        "request_headers": {"X-Request-Id": format!("req_shape_{i}"), "X-Auth-Token": s.text},
        "response_body": {"error": {"code": "invalid_token", "message": format!("rejected {}", s.text)}},
        "request_body": format!("{{\"note\":\"{}\"}}", s.text.replace('"', "\\\"")),
    });
    let mut out = vec![base.to_string()];
    if s.token {
        out.push(
            serde_json::json!({
                "timestamp": format!("2026-05-14T11:{:02}:00Z", i),
                "service": format!("svc-{}", s.text), "method": "GET",
                "path": format!("/v1/keys/{}/rotate", s.text),
                "status": 403, "client_id": s.text, "trace_id": s.text,
                "request_headers": {"X-Request-Id": format!("req_tok_{i}"), "Idempotency-Key": s.text},
                "response_body": {"error": {"code": format!("bad_{}", s.text), "message": "no"}},
            })
            .to_string(),
        );
        out.push(
            serde_json::json!({
                "timestamp": format!("2026-05-14T12:{:02}:00Z", i),
                "service": "keys-api", "status": 500,
                "request_headers": {"X-Request-Id": s.text},
            })
            .to_string(),
        );
    }
    out
}

