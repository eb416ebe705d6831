//! Which API wrote a line: by service name first, else by envelope shape plus
//! membership of the code in the API's table. A code that is only `http_<status>`
//! says nothing about the API, so it never recognises one on its own.

use super::api::{ApiCatalog, canonical_words};
use crate::model::Envelope;

/// The API whose service names or patterns match `service` best: a regex
/// match beats a name match, a longer name beats a shorter one, and among
/// equals the catalog loaded last (a user's) wins.
pub(crate) fn by_service<'a>(apis: &'a [ApiCatalog], service: &str) -> Option<&'a ApiCatalog> {
    let (canon, n) = canonical_words(service);
    if n == 0 {
        return None;
    }
    let mut best: Option<(usize, &ApiCatalog)> = None;
    for api in apis.iter().rev() {
        let Some(score) = service_score(api, service, &canon) else {
            continue;
        };
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, api));
        }
    }
    best.map(|(_, api)| api)
}

/// How well an API's names match a service: the number of words matched, or
/// a large number for a pattern; `None` for no match.
fn service_score(api: &ApiCatalog, service: &str, canon: &str) -> Option<usize> {
    if api.service_patterns.iter().any(|p| p.is_match(service)) {
        return Some(1000);
    }
    api.service_keys
        .iter()
        .filter(|(key, _)| canon.contains(key.as_str()))
        .map(|(_, words)| *words)
        .max()
}

/// The API whose table holds `code` and whose envelopes include `envelope`;
/// an API whose main envelope it is beats one that merely allows it.
pub(crate) fn by_envelope<'a>(
    apis: &'a [ApiCatalog],
    envelope: Envelope,
    code: &str,
) -> Option<&'a ApiCatalog> {
    if envelope == Envelope::None || is_status_code(code) {
        return None;
    }
    let mut fits = apis
        .iter()
        .rev()
        .filter(|api| api.envelopes.contains(&envelope) && api.code(code).is_some());
    let first = fits.next()?;
    if first.envelopes.first() == Some(&envelope) {
        return Some(first);
    }
    Some(
        fits.find(|api| api.envelopes.first() == Some(&envelope))
            .unwrap_or(first),
    )
}

/// `http_404` and friends: codes normalization made up from the status.
pub fn is_status_code(code: &str) -> bool {
    code.strip_prefix("http_")
        .is_some_and(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(name: &str, services: &[&str]) -> ApiCatalog {
        let mut a = ApiCatalog::new(name);
        a.set_services(services.iter().map(|s| s.to_string()).collect());
        a
    }

    #[test]
    fn service_names_match_as_words_in_any_case() {
        let apis = [api("42min", &["42min-api"]), api("availengine", &[])];
        let name = |s| by_service(&apis, s).map(|a| a.name.as_str());
        assert_eq!(name("42min-api"), Some("42min"));
        assert_eq!(name("42MIN"), Some("42min"));
        assert_eq!(name("42min-api-eu"), Some("42min"));
        assert_eq!(name("AvailEngine-prod"), Some("availengine"));
        assert_eq!(name("not-availengines"), None);
        assert_eq!(name("api"), None);
        assert_eq!(name(""), None);
    }

    #[test]
    fn longer_names_win() {
        let apis = [api("members", &["member"]), api("member-api", &[])];
        assert_eq!(
            by_service(&apis, "member-api-v2").unwrap().name,
            "member-api"
        );
    }

    #[test]
    fn status_codes_are_recognised() {
        assert!(is_status_code("http_502"));
        assert!(!is_status_code("http_5022"));
        assert!(!is_status_code("HTTP_ERROR"));
    }
}
