//! TEMP STUB
use std::path::PathBuf;
use std::time::Duration;
pub const DEMO_API_KEY: &str = "sandbox-api-key";
pub const DEMO_ADMIN_APP_KEY: &str = "sandbox-admin-app-key";
pub const DEMO_READONLY_APP_KEY: &str = "sandbox-readonly-app-key";
#[derive(Clone, Debug, Default)]
pub struct SandboxConfig {
    pub port: u16,
    pub users: usize,
    pub seed: u64,
    pub state_file: Option<PathBuf>,
    pub latency: Duration,
    pub fail_rate: f64,
    pub rate_limit: Option<RateLimitSpec>,
    pub drop_rate: f64,
}
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimitSpec {
    pub requests: u32,
    pub period_secs: u32,
}
impl std::str::FromStr for RateLimitSpec {
    type Err = String;
    fn from_str(_: &str) -> Result<Self, String> {
        Err("x".into())
    }
}
#[derive(Debug, thiserror::Error)]
#[error("x")]
pub struct SandboxError;
pub struct Sandbox;
impl Sandbox {
    pub async fn start(_: SandboxConfig) -> Result<Sandbox, SandboxError> {
        Err(SandboxError)
    }
    pub fn base_url(&self) -> String {
        String::new()
    }
    pub async fn shutdown(self) {}
}
