//! Where requests go: the org of the keys in the environment (on `DD_SITE`, or at
//! `--base-url`), or a sandbox started in this process.

use super::exit::CliResult;
use crate::api::{Client, ClientOptions};
use crate::config::{self, ConfigError, Credentials};
use crate::sandbox::{Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY};

use super::GlobalArgs;

/// A ready client, and the sandbox behind it when there is one (kept alive with it).
pub struct Connection {
    pub client: Client,
    /// Words for the status bar: "demo org — sandbox", "datadoghq.eu", or the base URL.
    pub origin: String,
    /// The org's address as the journal records it: the base URL (never a key), marked when
    /// it is an in-process sandbox that ends with this process.
    pub address: String,
    pub sandbox: Option<Sandbox>,
}

impl Connection {
    /// Stops the in-process sandbox, if any.
    pub async fn close(self) {
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}

/// Connects as the options and environment say. With no keys set, `default_to_sandbox`
/// decides between the demo org (the console) and an error (scripting commands).
pub async fn connect(
    global: &GlobalArgs,
    env: &dyn Fn(&str) -> Option<String>,
    default_to_sandbox: bool,
) -> CliResult<Connection> {
    if global.sandbox {
        return start_sandbox(global).await;
    }
    let credentials = config::credentials_from_env(env)?;
    let Some(credentials) = credentials else {
        if default_to_sandbox && global.base_url.is_none() {
            return start_sandbox(global).await;
        }
        return Err(ConfigError::MissingKeys.into());
    };
    let (base_url, origin) = match &global.base_url {
        Some(url) => {
            let url = config::parse_base_url(url, global.insecure)?;
            let origin = url.as_str().trim_end_matches('/').to_owned();
            (url, origin)
        }
        None => {
            let site = config::site_from_env(env)?;
            (config::site_base_url(&site)?, site)
        }
    };
    let address = base_url.as_str().trim_end_matches('/').to_owned();
    let client = Client::new(options(global, base_url, credentials))?;
    Ok(Connection {
        client,
        origin,
        address,
        sandbox: None,
    })
}

/// The words the console's title uses for `origin`: a site as it is, a base URL as its
/// host (and port), the sandbox as it is.
pub fn title_label(origin: &str) -> String {
    match reqwest::Url::parse(origin) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => origin.to_owned(),
        },
        Err(_) => origin.to_owned(),
    }
}

fn options(global: &GlobalArgs, base_url: reqwest::Url, credentials: Credentials) -> ClientOptions {
    let mut options = ClientOptions::new(base_url, credentials);
    options.timeout = std::time::Duration::from_secs(global.timeout);
    options
}

async fn start_sandbox(global: &GlobalArgs) -> CliResult<Connection> {
    let sandbox = Sandbox::start(SandboxConfig::default()).await?;
    let base_url = config::parse_base_url(&sandbox.base_url(), false)?;
    let address = format!("{} (in-process sandbox)", sandbox.base_url());
    let credentials = Credentials::new(DEMO_API_KEY, DEMO_ADMIN_APP_KEY);
    let client = Client::new(options(global, base_url, credentials))?;
    Ok(Connection {
        client,
        origin: "demo org — sandbox".to_owned(),
        address,
        sandbox: Some(sandbox),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_names_a_base_urls_host_and_a_site_as_it_is() {
        assert_eq!(title_label("http://127.0.0.1:8126"), "127.0.0.1:8126");
        assert_eq!(title_label("https://api.example.com/"), "api.example.com");
        assert_eq!(title_label("datadoghq.eu"), "datadoghq.eu");
        assert_eq!(title_label("demo org — sandbox"), "demo org — sandbox");
    }
}
