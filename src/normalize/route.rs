//! route: a path with its ids templated (`/v2/bookings/bkg_XMmGhBgLKg` →
//! `/v2/bookings/{id}`), so requests to one endpoint group together. Pure
//! and per segment: a segment is an id when it is a number, a UUID, a ULID,
//! a prefixed id (`bkg_…`, `ses_…`), or a long hex or base62 token; words
//! (`bookings`, `v2`, `oauth2`, `healthz`) stay. A catalog's named templates
//! win over this heuristic ([`matches_template`]).

/// What an id segment becomes.
pub const ID: &str = "{id}";

/// `path` with every id segment replaced by `{id}`.
pub fn template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(if is_id(seg) { ID } else { seg });
    }
    out
}

/// True when a route template (`/v1/users/{user}/keys`) fits `path`: the
/// same number of segments, literal segments equal, `{…}` any non-empty one.
pub fn matches_template(template: &str, path: &str) -> bool {
    let (mut t, mut p) = (template.split('/'), path.split('/'));
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) => {
                let placeholder = ts.len() > 2 && ts.starts_with('{') && ts.ends_with('}');
                if !(placeholder && !ps.is_empty() || ts == ps) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Whether one path segment is an identifier rather than a word.
fn is_id(seg: &str) -> bool {
    if seg.is_empty() {
        return false;
    }
    let b = seg.as_bytes();
    is_secret(seg)
        || b.iter().all(u8::is_ascii_digit)
        || is_uuid(b)
        || is_ulid(b)
        || is_prefixed(seg)
        || is_hex_token(b)
        || is_base62_token(b)
}

/// A credential in a path (`sk_live_…`, `rk_test_…`, a JWT): templated
/// like an id, so a route (an indexed, grouped, exported value) never
/// carries one.
fn is_secret(seg: &str) -> bool {
    seg.contains("_live_") || seg.contains("_test_") || seg.starts_with("eyJ") && seg.len() >= 20
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// 26 Crockford base32 characters starting with 0–7, with a digit.
fn is_ulid(b: &[u8]) -> bool {
    let crockford = |c: &u8| c.is_ascii_alphanumeric() && !b"ILOUilou".contains(c);
    b.len() == 26
        && (b'0'..=b'7').contains(&b[0])
        && b.iter().all(crockford)
        && b.iter().filter(|c| c.is_ascii_digit()).count() >= 2
}

/// `bkg_XMmGhBgLKg`, `ses_4kX9mQ2p`, `cus-9fz2k1`: a short lower-case prefix,
/// `_` or `-`, then a token of 6+ characters that has a digit, mixed case
/// or only capitals; after `_` and a prefix of at most 5 letters, any
/// 8+ letters (`ses_okadqfug`: random ids are sometimes all lower case).
/// `user_profile`, `check-in` and `event-types` stay words.
fn is_prefixed(seg: &str) -> bool {
    let Some(i) = seg.find(['_', '-']) else {
        return false;
    };
    let (prefix, rest) = (&seg[..i], &seg.as_bytes()[i + 1..]);
    let stripe_like = seg.as_bytes()[i] == b'_' && prefix.len() <= 5 && rest.len() >= 8;
    (1..=8).contains(&prefix.len())
        && prefix.bytes().all(|c| c.is_ascii_lowercase())
        && rest.len() >= 6
        && rest.iter().all(u8::is_ascii_alphanumeric)
        && (token_like(rest) || stripe_like || !rest.iter().any(u8::is_ascii_lowercase))
}

/// 12+ hex digits with at least one digit and one letter, or 16+ digits
/// and letters in any mix (hashes, object ids).
fn is_hex_token(b: &[u8]) -> bool {
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    b.len() >= 12 && b.iter().all(u8::is_ascii_hexdigit) && digits > 0 && digits < b.len()
}

/// 10+ alphanumerics with a digit, or 16+ with mixed case: random tokens.
fn is_base62_token(b: &[u8]) -> bool {
    b.len() >= 10 && b.iter().all(u8::is_ascii_alphanumeric) && token_like(b)
        || b.len() >= 16 && b.iter().all(u8::is_ascii_alphanumeric) && mixed_case(b)
}

/// A digit among letters, or upper and lower case mixed (`XMmGhBgLKg`).
fn token_like(b: &[u8]) -> bool {
    b.iter().any(u8::is_ascii_digit) && b.iter().any(u8::is_ascii_alphabetic) || mixed_case(b)
}

fn mixed_case(b: &[u8]) -> bool {
    b.iter().any(u8::is_ascii_uppercase) && b.iter().any(u8::is_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_templated() {
        for (path, route) in [
            ("/v2/bookings/bkg_XMmGhBgLKg", "/v2/bookings/{id}"),
            (
                "/v2/sessions/ses_4kX9mQ2p/bookings",
                "/v2/sessions/{id}/bookings",
            ),
            (
                "/v1/availability/c939f71a-a1a6-4f8f-afce-bf7da98b2a0a",
                "/v1/availability/{id}",
            ),
            ("/v1/events/01KRGC2EFRH2SX118QT533GKEB", "/v1/events/{id}"),
            ("/v1/orders/12345/items/7", "/v1/orders/{id}/items/{id}"),
            ("/v1/blobs/9f86d081884c7d659a2feaa0", "/v1/blobs/{id}"),
            ("/v1/bookings/pITw3YVJvL07Qs7jVNbFdX", "/v1/bookings/{id}"),
            ("/v1/keys/Ab3dEf9hIj", "/v1/keys/{id}"),
            ("/v2/bookings/bkg_bajqszzltc", "/v2/bookings/{id}"),
            (
                "/v1/hooks/sk_live_4eC39HqLyjWDarjtT1zdp7dc/ping",
                "/v1/hooks/{id}/ping",
            ),
            ("/v1/hooks/rk_test_x/ping", "/v1/hooks/{id}/ping"),
            (
                "/v1/auth/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
                "/v1/auth/{id}",
            ),
            (
                "/v2/sessions/ses_BNXJFFTV/bookings",
                "/v2/sessions/{id}/bookings",
            ),
        ] {
            assert_eq!(template(path), route, "{path}");
        }
    }

    #[test]
    fn words_stay() {
        for path in [
            "/v2/bookings",
            "/v1/bookings/",
            "/oauth2/token",
            "/healthz",
            "/v1/users/me/check-in",
            "/v1/user_profile",
            "/v1/event-types",
            "/v1/check-availability",
            "/v1/time-slots/by-day",
            "/",
            "/v1/availability/search",
            "/api/v10/graphql",
            "/v1/deadbeef",
        ] {
            assert_eq!(template(path), path);
        }
    }

    #[test]
    fn templates_match_segment_by_segment() {
        assert!(matches_template(
            "/v1/users/{user}/keys",
            "/v1/users/alice/keys"
        ));
        assert!(!matches_template(
            "/v1/users/{user}/keys",
            "/v1/users//keys"
        ));
        assert!(!matches_template(
            "/v1/users/{user}/keys",
            "/v1/users/alice"
        ));
        assert!(!matches_template(
            "/v1/users/{user}",
            "/v1/users/alice/keys"
        ));
        assert!(!matches_template("/v1/teams/{t}", "/v1/users/alice"));
    }
}
