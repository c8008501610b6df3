//! Keys never leak: every command the binary offers is run with distinctive keys, against
//! a sandbox that accepts them (and with wrong ones, and with none that work), and every
//! byte it printed or wrote — stdout, stderr, the journal, snapshots, exports, the console's
//! screen — is searched for them. `Debug` forms are checked too.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use ddusers::api::{Client, ClientOptions};
use ddusers::config::{parse_base_url, Credentials};
use ddusers::sandbox::{Sandbox, SandboxConfig};

fn secret(kind: &str) -> String {
    format!("{kind}{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

struct Leaks {
    secrets: Vec<String>,
    seen: Vec<(String, Vec<u8>)>,
}

impl Leaks {
    fn check(&mut self, what: impl Into<String>, bytes: &[u8]) {
        self.seen.push((what.into(), bytes.to_vec()));
    }

    fn output(&mut self, what: &str, output: &Output) {
        self.check(format!("{what}: stdout"), &output.stdout);
        self.check(format!("{what}: stderr"), &output.stderr);
    }

    fn file(&mut self, path: &Path) {
        let bytes = std::fs::read(path).unwrap_or_default();
        assert!(!bytes.is_empty(), "{} was written", path.display());
        self.check(path.display().to_string(), &bytes);
    }

    fn assert_clean(&self) {
        for (what, bytes) in &self.seen {
            let text = String::from_utf8_lossy(bytes);
            for secret in &self.secrets {
                // Whole keys, and either half of one.
                let half = secret.len() / 2;
                for needle in [&secret[..], &secret[..half], &secret[half..]] {
                    assert!(!text.contains(needle), "{what} contains a key: {text}");
                }
            }
        }
        assert!(self.seen.len() > 30, "checked {} outputs", self.seen.len());
    }
}

fn ddusers(env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ddusers"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LOG", "trace")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

#[tokio::test(flavor = "multi_thread")]
async fn no_key_appears_in_any_output_file_or_debug_form() {
    let api_key = secret("apikey");
    let app_key = secret("appkey");
    let sandbox = Sandbox::start(SandboxConfig {
        port: 0,
        users: 40,
        extra_keys: Some((api_key.clone(), app_key.clone())),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let url = sandbox.base_url();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.jsonl");
    let snapshot = dir.path().join("snapshot.json");
    let export = dir.path().join("export.csv");
    let (journal_s, snapshot_s, export_s) = (
        journal.display().to_string(),
        snapshot.display().to_string(),
        export.display().to_string(),
    );
    let good = [
        ("DD_API_KEY", api_key.as_str()),
        ("DD_APP_KEY", app_key.as_str()),
        ("DDUSERS_BASE_URL", url.as_str()),
        ("DDUSERS_JOURNAL", journal_s.as_str()),
    ];
    let mut leaks = Leaks {
        secrets: vec![api_key.clone(), app_key.clone()],
        seen: Vec::new(),
    };
    let run = |leaks: &mut Leaks, env: &[(&str, &str)], args: &[&str]| -> Output {
        let output = ddusers(env).args(args).output().unwrap();
        leaks.output(&args.join(" "), &output);
        output
    };

    let listed = run(
        &mut leaks,
        &good,
        &["users", "list", "--all", "--format", "json"],
    );
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let users: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let id = users[5]["id"].as_str().unwrap().to_owned();
    for args in [
        vec!["users", "list", "--format", "csv"],
        vec!["users", "get", &id],
        vec!["users", "permissions", &id],
        vec!["users", "disable", &id, "--yes"],
        vec!["users", "enable", &id],
        vec!["users", "invite", "leak.check@example.com", "not-an-email"],
        vec!["users", "update", &id, "--title", "Checked"],
        vec!["users", "get", "00000000-dead-beef-dead-ffffffffffff"],
        vec!["me"],
        vec!["roles", "list"],
        vec!["permissions"],
        vec!["journal"],
        vec!["audit", "admins"],
        vec!["snapshot", "--output", &snapshot_s],
        vec!["export", "--format", "csv", "--output", &export_s],
        vec!["diff", &snapshot_s, &snapshot_s],
    ] {
        run(&mut leaks, &good, &args);
    }
    let runs = ddusers::runs::journal::read_runs(&journal).unwrap();
    assert!(runs.len() >= 3, "changes were journaled");
    let first = runs[0].run.0.clone();
    run(&mut leaks, &good, &["journal", "show", &first]);
    run(&mut leaks, &good, &["undo", &first, "--yes"]);
    run(&mut leaks, &good, &["resume", &first, "--yes"]);
    leaks.file(&journal);
    leaks.file(&snapshot);
    leaks.file(&export);

    // Wrong, malformed and unusable keys, and places that cannot be reached.
    let wrong_app = [
        ("DD_API_KEY", api_key.as_str()),
        ("DD_APP_KEY", "not-the-right-one"),
        ("DDUSERS_BASE_URL", url.as_str()),
    ];
    let refused = run(&mut leaks, &wrong_app, &["users", "list"]);
    assert_eq!(refused.status.code(), Some(3));
    let spaced = format!("{api_key} with spaces");
    let malformed = [
        ("DD_API_KEY", spaced.as_str()),
        ("DD_APP_KEY", app_key.as_str()),
    ];
    assert_eq!(
        run(&mut leaks, &malformed, &["users", "list"])
            .status
            .code(),
        Some(2)
    );
    let bad_site = [
        ("DD_API_KEY", api_key.as_str()),
        ("DD_APP_KEY", app_key.as_str()),
        ("DD_SITE", "datadoghq.moon"),
    ];
    assert_eq!(
        run(&mut leaks, &bad_site, &["users", "list"]).status.code(),
        Some(2)
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let unreachable = [
        ("DD_API_KEY", api_key.as_str()),
        ("DD_APP_KEY", app_key.as_str()),
        ("DDUSERS_BASE_URL", closed_url.as_str()),
    ];
    assert_eq!(
        run(&mut leaks, &unreachable, &["users", "list"])
            .status
            .code(),
        Some(5)
    );

    // Debug forms of everything that holds the keys.
    let credentials = Credentials::new(api_key.clone(), app_key.clone());
    let options = ClientOptions::new(parse_base_url(&url, false).unwrap(), credentials.clone());
    let client = Client::new(options.clone()).unwrap();
    leaks.check(
        "Debug",
        format!("{credentials:?} {options:?} {client:?}").as_bytes(),
    );
    let error = client.get_user(&"nope".into()).await.unwrap_err();
    leaks.check("ApiError", format!("{error} {error:?}").as_bytes());

    leaks.assert_clean();
    sandbox.shutdown().await;
}
