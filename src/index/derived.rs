//! derived: what the indexed fields were derived with. Events are
//! normalized and classified again on every read, with the current code and
//! catalogs, while the `code`, `class` and `api` terms and fast fields date
//! from ingest. The normalizer's version and the catalogs' and log formats'
//! fingerprints are recorded with each commit; when they differ from the current ones, a
//! query can say so and `errtriage reindex` re-derives the indexed fields
//! from the stored original lines.

use serde::{Deserialize, Serialize};

use crate::catalog::Catalogs;
use crate::normalize::formats::{self, Formats};

/// Bump whenever a change to `normalize/` changes what an indexed field
/// holds for some line (a new key probed, a code read differently).
pub const NORMALIZER_VERSION: u32 = 1;

/// The normalizer and catalogs an index's fields were derived with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Derivation {
    pub normalizer: u32,
    /// [`Catalogs::fingerprint`], as 16 hex digits.
    pub catalogs: String,
    /// [`Formats::fingerprint`] of the log formats in effect, as 16 hex
    /// digits (empty in indexes written before it was recorded).
    #[serde(default)]
    pub formats: String,
}

impl Derivation {
    /// What this errtriage, with `catalogs` and the installed log formats,
    /// derives.
    /// The formats are not parsed for it when they are the built-ins.
    pub fn current(catalogs: &Catalogs) -> Derivation {
        Derivation::with_fingerprints(catalogs, formats::installed_fingerprint())
    }

    /// What this errtriage derives with `catalogs` and `formats`.
    pub fn current_with(catalogs: &Catalogs, formats: &Formats) -> Derivation {
        Derivation::with_fingerprints(catalogs, formats.fingerprint())
    }

    fn with_fingerprints(catalogs: &Catalogs, formats: u64) -> Derivation {
        Derivation {
            normalizer: NORMALIZER_VERSION,
            catalogs: format!("{:016x}", catalogs.fingerprint()),
            formats: format!("{formats:016x}"),
        }
    }

    /// What to record at the next commit, given what the index recorded
    /// (`recorded`) and whether it holds any event yet: an empty index takes
    /// the current derivation; a non-empty one keeps what it had, so an index
    /// mixing two derivations goes on saying so until it is reindexed.
    pub fn next(
        recorded: Option<&Derivation>,
        empty: bool,
        current: Derivation,
    ) -> Option<Derivation> {
        match recorded {
            _ if empty => Some(current),
            Some(r) => Some(r.clone()),
            None => None,
        }
    }
}

/// The warning a query prints when the index was derived otherwise.
pub const STALE: &str = "this index was built with other catalogs, other log formats or an older normalizer, so `code`, `class` and `api` searches may disagree with what is shown; run `errtriage reindex`";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_catalog_changes_the_fingerprint() {
        let builtin = Derivation::current(&Catalogs::builtin());
        assert_eq!(builtin, Derivation::current(&Catalogs::builtin()));
        let mut user = Catalogs::builtin();
        let toml = "[api]\nname = \"42min\"\n[codes.slot_unavailable]\nclass = \"server\"\n";
        user.add_toml(toml, std::path::Path::new("user.toml"))
            .unwrap();
        assert_ne!(builtin, Derivation::current(&user));
    }

    #[test]
    fn another_set_of_log_formats_changes_the_fingerprint() {
        let catalogs = Catalogs::builtin();
        let builtin = Derivation::current_with(&catalogs, &Formats::builtin());
        assert_eq!(
            builtin,
            Derivation::current_with(&catalogs, &Formats::builtin())
        );
        assert_ne!(
            builtin,
            Derivation::current_with(&catalogs, &Formats::none())
        );
    }

    #[test]
    fn a_mixed_index_keeps_saying_so() {
        let (a, b) = (
            Derivation::current(&Catalogs::builtin()),
            Derivation {
                normalizer: 0,
                catalogs: "x".into(),
                formats: String::new(),
            },
        );
        assert_eq!(Derivation::next(Some(&b), true, a.clone()), Some(a.clone()));
        assert_eq!(Derivation::next(Some(&b), false, a.clone()), Some(b));
        assert_eq!(Derivation::next(None, false, a), None);
    }
}
