//! Where ddusers connects and with which keys: Datadog's environment conventions
//! (`DD_API_KEY`, `DD_APP_KEY`, `DD_SITE` and their aliases), the site list, the base-URL
//! override, and a `Secret` type that never prints its value.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

/// The Datadog sites of the spec's `site` enum (API.md §1).
pub const SITES: &[&str] = &[
    "datadoghq.com",
    "us3.datadoghq.com",
    "us5.datadoghq.com",
    "ap1.datadoghq.com",
    "ap2.datadoghq.com",
    "uk1.datadoghq.com",
    "datadoghq.eu",
    "ddog-gov.com",
    "us2.ddog-gov.com",
];

/// The site used when `DD_SITE` is not set.
pub const DEFAULT_SITE: &str = "datadoghq.com";

const API_KEY_VARS: &[&str] = &["DD_API_KEY", "DATADOG_API_KEY"];
const APP_KEY_VARS: &[&str] = &["DD_APP_KEY", "DD_APPLICATION_KEY", "DATADOG_APP_KEY"];

/// A key. Its value is only ever handed to the HTTP layer; `Debug` shows `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the request header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The API key and application key pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub api_key: Secret,
    pub app_key: Secret,
}

impl Credentials {
    pub fn new(api_key: impl Into<String>, app_key: impl Into<String>) -> Self {
        Self {
            api_key: Secret::new(api_key),
            app_key: Secret::new(app_key),
        }
    }

    /// Checks that both keys can travel in an HTTP header, naming the variable at fault.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (what, key) in [
            ("API key", &self.api_key),
            ("application key", &self.app_key),
        ] {
            let value = key.expose();
            if value.trim().is_empty() {
                return Err(ConfigError::EmptyKey(what));
            }
            if !value.bytes().all(|b| (0x21..0x7f).contains(&b)) {
                return Err(ConfigError::MalformedKey(what));
            }
        }
        Ok(())
    }
}

/// What is wrong with the configuration, in words a person can act on. Never holds a key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("unknown Datadog site {0:?}: set DD_SITE to one of {sites}", sites = SITES.join(", "))]
    UnknownSite(String),
    #[error("no Datadog keys: set DD_API_KEY and DD_APP_KEY (or use --sandbox for the built-in demo org)")]
    MissingKeys,
    #[error("{0} is not set: set it too, or unset the other key to use the built-in demo org")]
    MissingKey(&'static str),
    #[error("the {0} is empty")]
    EmptyKey(&'static str),
    #[error("the {0} contains spaces or characters that are not allowed in an HTTP header")]
    MalformedKey(&'static str),
    /// `url` is shown without user-info, query or fragment (see [`redact_url`]).
    #[error("invalid base URL {url:?}: {reason}")]
    BadBaseUrl { url: String, reason: String },
    #[error("refusing plain http:// to {0}: http is only allowed for loopback addresses (use https, or --insecure if you really mean it)")]
    InsecureBaseUrl(String),
}

/// Reads the first non-empty variable among `names`.
fn first_env(names: &[&str], lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    names
        .iter()
        .filter_map(|name| lookup(name))
        .find(|value| !value.is_empty())
}

/// The keys from the environment: `Ok(None)` when neither is set (the console then uses the
/// sandbox), an error when only one is.
pub fn credentials_from_env(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Credentials>, ConfigError> {
    let api = first_env(API_KEY_VARS, lookup);
    let app = first_env(APP_KEY_VARS, lookup);
    match (api, app) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError::MissingKey("DD_APP_KEY")),
        (None, Some(_)) => Err(ConfigError::MissingKey("DD_API_KEY")),
        (Some(api), Some(app)) => {
            let credentials = Credentials::new(api, app);
            credentials.validate()?;
            Ok(Some(credentials))
        }
    }
}

/// The site from `DD_SITE` (default `datadoghq.com`), checked against the site list.
pub fn site_from_env(lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    let site = lookup("DD_SITE").filter(|s| !s.is_empty());
    let site = site
        .as_deref()
        .unwrap_or(DEFAULT_SITE)
        .trim()
        .to_ascii_lowercase();
    if SITES.contains(&site.as_str()) {
        Ok(site)
    } else {
        Err(ConfigError::UnknownSite(site))
    }
}

/// `https://api.{site}`.
pub fn site_base_url(site: &str) -> Result<Url, ConfigError> {
    if !SITES.contains(&site) {
        return Err(ConfigError::UnknownSite(site.to_owned()));
    }
    parse_base_url(&format!("https://api.{site}"), false)
}

/// Parses a base-URL override. `http://` is accepted only for loopback hosts unless
/// `insecure` is set; the path must be empty (the API paths are appended to it).
pub fn parse_base_url(text: &str, insecure: bool) -> Result<Url, ConfigError> {
    // The text may hold a password or a token: errors show it redacted.
    let bad = |reason: &str| ConfigError::BadBaseUrl {
        url: redact_url(text),
        reason: reason.to_owned(),
    };
    let url = Url::parse(text.trim()).map_err(|e| bad(&e.to_string()))?;
    let host = url
        .host_str()
        .ok_or_else(|| bad("it has no host"))?
        .to_owned();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "credentials in the URL are not supported (the keys go in DD_API_KEY and DD_APP_KEY)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it must not have a query or fragment"));
    }
    match url.scheme() {
        "https" => {}
        "http" if insecure || is_loopback_host(&host) => {}
        "http" => return Err(ConfigError::InsecureBaseUrl(host)),
        other => return Err(bad(&format!("unsupported scheme {other:?} (use https)"))),
    }
    Ok(url)
}

/// A URL (or text meant as one) fit for an error message: without user-info (`user:pass@`),
/// query or fragment, which may carry secrets. Text that does not parse is cut the same way
/// by hand: at the first `?` or `#`, and everything before the last `@` of the authority.
pub fn redact_url(text: &str) -> String {
    let text = text.trim();
    if let Ok(mut url) = Url::parse(text) {
        // Both only fail for URLs without a host, which take the by-hand path instead.
        if url.has_host() && url.set_username("").is_ok() && url.set_password(None).is_ok() {
            url.set_query(None);
            url.set_fragment(None);
            return url.to_string();
        }
    }
    let cut = text.find(['?', '#']).map_or(text, |end| &text[..end]);
    let (scheme, rest) = match cut.find("://") {
        Some(at) => cut.split_at(at + 3),
        None => ("", cut),
    };
    let authority_end = rest.find(['/', '\\']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{scheme}{host}{path}")
}

/// True for `localhost`, 127.0.0.0/8 and ::1.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn keys_come_from_datadog_variables_and_their_aliases() {
        let creds = credentials_from_env(&env(&[
            ("DATADOG_API_KEY", "abc"),
            ("DD_APPLICATION_KEY", "def"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(creds.api_key.expose(), "abc");
        assert_eq!(creds.app_key.expose(), "def");
        let creds = credentials_from_env(&env(&[
            ("DD_API_KEY", "first"),
            ("DATADOG_API_KEY", "second"),
            ("DATADOG_APP_KEY", "x"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(creds.api_key.expose(), "first");
    }

    #[test]
    fn no_keys_means_sandbox_and_one_key_is_an_error() {
        assert_eq!(credentials_from_env(&env(&[])), Ok(None));
        assert_eq!(
            credentials_from_env(&env(&[("DD_API_KEY", "a")])),
            Err(ConfigError::MissingKey("DD_APP_KEY"))
        );
    }

    #[test]
    fn keys_with_header_breaking_characters_are_refused_without_echoing_them() {
        let err =
            credentials_from_env(&env(&[("DD_API_KEY", "ab c"), ("DD_APP_KEY", "x")])).unwrap_err();
        assert!(!err.to_string().contains("ab c"));
        assert_eq!(err, ConfigError::MalformedKey("API key"));
        let err =
            credentials_from_env(&env(&[("DD_API_KEY", "ok"), ("DD_APP_KEY", "é\n")])).unwrap_err();
        assert_eq!(err, ConfigError::MalformedKey("application key"));
    }

    #[test]
    fn debug_output_redacts_keys() {
        let creds = Credentials::new("topsecret-api", "topsecret-app");
        let shown = format!("{creds:?}");
        assert!(!shown.contains("topsecret"), "{shown}");
    }

    #[test]
    fn unknown_site_is_a_clear_error() {
        let err = site_from_env(&env(&[("DD_SITE", "datadoghq.moon")])).unwrap_err();
        assert!(err
            .to_string()
            .contains("set DD_SITE to one of datadoghq.com"));
        assert_eq!(
            site_from_env(&env(&[("DD_SITE", "datadoghq.eu")])).unwrap(),
            "datadoghq.eu"
        );
        assert_eq!(site_from_env(&env(&[])).unwrap(), "datadoghq.com");
        assert_eq!(
            site_base_url("us3.datadoghq.com").unwrap().as_str(),
            "https://api.us3.datadoghq.com/"
        );
    }

    #[test]
    fn base_url_errors_never_show_passwords_or_tokens() {
        for text in [
            "http://user:secret@127.0.0.1:1/?token=abc",
            "https://user:secret@api.datadoghq.com/#abc",
            "http://127.0.0.1:1/?token=abc",
            "http://user:secret@[::1/?token=abc",
            "ftp://user:secret@host/?token=abc",
            "http://user:secret@exa mple.com/x?token=abc",
        ] {
            let err = parse_base_url(text, false).unwrap_err().to_string();
            assert!(
                !err.contains("secret") && !err.contains("abc"),
                "{text}: {err}"
            );
            assert!(!format!("{err:?}").contains("secret"), "{text}");
        }
        assert_eq!(
            redact_url("http://user:secret@127.0.0.1:1/?token=abc"),
            "http://127.0.0.1:1/"
        );
        assert_eq!(
            redact_url("http://u:p@bad host/path?q=1"),
            "http://bad host/path"
        );
    }

    #[test]
    fn plain_http_only_for_loopback() {
        assert!(parse_base_url("http://127.0.0.1:8126", false).is_ok());
        assert!(parse_base_url("http://localhost:8126", false).is_ok());
        assert!(parse_base_url("http://[::1]:8126", false).is_ok());
        assert_eq!(
            parse_base_url("http://example.com", false),
            Err(ConfigError::InsecureBaseUrl("example.com".into()))
        );
        assert!(parse_base_url("http://example.com", true).is_ok());
        assert!(parse_base_url("https://proxy.internal:8443", false).is_ok());
        assert!(matches!(
            parse_base_url("not a url", false),
            Err(ConfigError::BadBaseUrl { .. })
        ));
        assert!(matches!(
            parse_base_url("ftp://127.0.0.1", false),
            Err(ConfigError::BadBaseUrl { .. })
        ));
    }
}
