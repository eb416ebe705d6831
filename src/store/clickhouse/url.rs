//! The store URL, `clickhouse://[user[:password]@]host:port/database?cluster=NAME`,
//! parsed into a [`Target`]: the first thing `--store` becomes, before any
//! byte goes to the server. `port` is the server's HTTP interface.

use percent_encoding::percent_decode_str;

use crate::{Error, Result};

/// The environment variable that holds the password when the URL has none.
pub const PASSWORD_ENV: &str = "ERRTRIAGE_STORE_PASSWORD";

/// Where the ClickHouse store is and who we are there.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    pub database: String,
    /// The cluster (as named in the server's `remote_servers`) when the
    /// store is sharded.
    pub cluster: Option<String>,
}

impl std::fmt::Debug for Target {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

impl Target {
    /// Parses a store URL; the password falls back to [`PASSWORD_ENV`].
    pub fn parse(url: &str) -> Result<Target> {
        Target::parse_env(url).map_err(|why| Error::store("store URL", why))
    }

    /// [`Target::parse`], saying what is wrong in words (the caller says
    /// where the URL came from).
    pub fn parse_env(url: &str) -> std::result::Result<Target, String> {
        let env = std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty());
        Target::parse_with(url, env)
    }

    /// [`Target::parse`] with the environment's password passed in.
    pub fn parse_with(
        url: &str,
        env_password: Option<String>,
    ) -> std::result::Result<Target, String> {
        let bad = |why: &str| {
            format!(
                "{}: {why} (expected clickhouse://[user[:password]@]host:port/database[?cluster=NAME])",
                redact(url)
            )
        };
        let rest = url
            .strip_prefix("clickhouse://")
            .ok_or_else(|| bad("not a clickhouse:// URL"))?;
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, database) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (host, port) = hostport
            .rsplit_once(':')
            .ok_or_else(|| bad("the port of the HTTP interface is missing"))?;
        let port: u16 = port.parse().map_err(|_| {
            bad(&format!(
                "port `{}` is not a number",
                crate::sanitize::escape(port)
            ))
        })?;
        if host.is_empty() {
            return Err(bad("the host is missing"));
        }
        let (user, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((u, p)) => (decode(u), Some(decode(p))),
                None => (decode(u), None),
            },
            None => (String::new(), None),
        };
        let database = decode(database.trim_end_matches('/'));
        if !database.is_empty() && !is_identifier(&database) {
            return Err(bad("the database name must be letters, digits and _"));
        }
        let mut cluster = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("cluster", c)) if is_identifier(&decode(c)) => cluster = Some(decode(c)),
                _ => return Err(bad(&format!("unknown or invalid option `{pair}`"))),
            }
        }
        Ok(Target {
            host: host.trim_matches(['[', ']']).to_string(),
            port,
            user: if user.is_empty() {
                "default".into()
            } else {
                user
            },
            password: password.or(env_password),
            database: if database.is_empty() {
                "default".into()
            } else {
                database
            },
            cluster,
        })
    }

    /// `host:port`, as messages name the server.
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The URL without its password, for `stats` and messages.
    pub fn display(&self) -> String {
        let cluster = match &self.cluster {
            Some(c) => format!("?cluster={c}"),
            None => String::new(),
        };
        format!(
            "clickhouse://{}@{}/{}{cluster}",
            self.user,
            self.server(),
            self.database
        )
    }
}

/// Whether `s` is a plain SQL identifier (names are the one thing that is
/// written into SQL text, so only these are accepted).
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The URL with any password replaced, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_url_parses_and_never_shows_the_password() {
        let t =
            Target::parse_with("clickhouse://ops:p%40ss@ch1:8123/logs?cluster=errs", None).unwrap();
        assert_eq!(t.host, "ch1");
        assert_eq!(t.port, 8123);
        assert_eq!(t.user, "ops");
        assert_eq!(t.password.as_deref(), Some("p@ss"));
        assert_eq!(t.database, "logs");
        assert_eq!(t.cluster.as_deref(), Some("errs"));
        assert_eq!(t.display(), "clickhouse://ops@ch1:8123/logs?cluster=errs");
        assert!(!format!("{t:?}").contains("p@ss"));
    }

    #[test]
    fn defaults_and_env_password() {
        let t = Target::parse_with("clickhouse://127.0.0.1:8123", Some("envpw".into())).unwrap();
        assert_eq!(t.user, "default");
        assert_eq!(t.database, "default");
        assert_eq!(t.password.as_deref(), Some("envpw"));
        assert_eq!(t.cluster, None);
    }

    #[test]
    fn bad_urls_say_what_is_wrong_without_the_password() {
        for (url, why) in [
            ("http://h:1/db", "not a clickhouse://"),
            ("clickhouse://h/db", "port"),
            ("clickhouse://u:secret@h:x/db", "not a number"),
            ("clickhouse://h:1/db;drop", "database name"),
            ("clickhouse://h:1/db?cluster=a-b", "invalid option"),
        ] {
            let err = Target::parse_with(url, None).unwrap_err();
            assert!(err.contains(why), "{url}: {err}");
            assert!(!err.contains("secret"), "{err}");
        }
    }
}
