//! The real binary, as scripts use it: output formats, exit codes and one-line errors.
//! Every command here talks to an in-process sandbox on loopback, or fails before sending.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

/// One scratch folder for this test binary's journals, so tests never touch the real one.
fn scratch() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temp dir"))
        .path()
}

fn ddusers() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ddusers"));
    command.env("DDUSERS_JOURNAL", scratch().join("journal.jsonl"));
    for var in [
        "DD_API_KEY",
        "DATADOG_API_KEY",
        "DD_APP_KEY",
        "DD_APPLICATION_KEY",
        "DATADOG_APP_KEY",
        "DD_SITE",
        "DDUSERS_BASE_URL",
    ] {
        command.env_remove(var);
    }
    command.stdin(Stdio::null());
    command
}

fn run(args: &[&str]) -> Output {
    ddusers().args(args).output().expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_one_clear_line(output: &Output, code: i32, needle: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(needle), "{err:?} should mention {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn list_all_as_json_is_an_array_of_every_user() {
    let output = run(&["--sandbox", "users", "list", "--all", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let users: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let users = users.as_array().expect("a JSON array");
    assert_eq!(users.len(), 500);
    assert!(users
        .iter()
        .all(|u| u["type"] == "users" && u["id"].is_string()));
}

#[test]
fn list_as_table_and_csv() {
    let output = run(&["--sandbox", "users", "list", "--page-size", "5"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    assert!(text.lines().next().unwrap().starts_with("ID"), "{text}");
    assert_eq!(text.lines().count(), 6, "header and five users: {text}");
    assert!(stderr(&output).contains("use --all"));

    let output = run(&[
        "--sandbox",
        "users",
        "list",
        "--status",
        "Disabled",
        "--format",
        "csv",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let status_column = headers.iter().position(|h| h == "status").unwrap();
    let rows: Vec<_> = reader.records().map(Result::unwrap).collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| &r[status_column] == "Disabled"));
}

#[test]
fn unknown_site_is_one_line_and_usage_exit() {
    let output = ddusers()
        .args(["users", "list"])
        .env("DD_API_KEY", "abc")
        .env("DD_APP_KEY", "def")
        .env("DD_SITE", "datadoghq.moon")
        .output()
        .unwrap();
    assert_one_clear_line(&output, 2, "unknown Datadog site");
}

#[test]
fn missing_keys_for_a_script_command() {
    assert_one_clear_line(&run(&["users", "list"]), 2, "DD_API_KEY");
}

#[test]
fn malformed_base_url() {
    let output = ddusers()
        .args(["--base-url", "http//oops", "users", "list"])
        .env("DD_API_KEY", "abc")
        .env("DD_APP_KEY", "def")
        .output()
        .unwrap();
    assert_one_clear_line(&output, 2, "invalid base URL");
    let output = ddusers()
        .args(["--base-url", "http://example.com", "users", "list"])
        .env("DD_API_KEY", "abc")
        .env("DD_APP_KEY", "def")
        .output()
        .unwrap();
    assert_one_clear_line(&output, 2, "refusing plain http://");
}

#[test]
fn keys_with_bad_characters_are_refused_without_being_echoed() {
    let output = ddusers()
        .args(["users", "list"])
        .env("DD_API_KEY", "secret value")
        .env("DD_APP_KEY", "def")
        .output()
        .unwrap();
    assert_one_clear_line(&output, 2, "API key");
    assert!(!stderr(&output).contains("secret value"));
}

#[test]
fn unknown_user_is_not_found_exit() {
    let output = run(&[
        "--sandbox",
        "users",
        "get",
        "00000000-dead-beef-dead-ffffffffffff",
    ]);
    assert_one_clear_line(&output, 4, "not found");
}

#[test]
fn destructive_commands_need_yes_without_a_terminal() {
    let output = run(&[
        "--sandbox",
        "users",
        "disable",
        "00000000-dead-beef-dead-ffffffffffff",
    ]);
    assert_one_clear_line(&output, 2, "--yes");
    let output = run(&[
        "--sandbox",
        "users",
        "anonymize",
        "00000000-dead-beef-dead-ffffffffffff",
    ]);
    assert_one_clear_line(&output, 2, "cannot be undone");
}

#[test]
fn read_only_refuses_changes() {
    let output = run(&["--sandbox", "--read-only", "users", "disable", "x", "--yes"]);
    assert_one_clear_line(&output, 2, "read-only");
}

#[test]
fn invite_reports_each_email_and_fails_for_the_invalid_one() {
    let output = run(&[
        "--sandbox",
        "users",
        "invite",
        "one@example.com",
        "two@example.com,not-an-email",
        "--role",
        "Datadog Standard Role",
    ]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("one@example.com  created and invited"),
        "{text}"
    );
    assert!(
        text.contains("two@example.com  created and invited"),
        "{text}"
    );
    assert!(
        text.contains("not-an-email  skipped: not an email address"),
        "{text}"
    );
}

#[test]
fn disable_dry_run_changes_nothing_and_yes_disables() {
    let output = run(&[
        "--sandbox",
        "users",
        "list",
        "--status",
        "Active",
        "--page-size",
        "3",
        "--format",
        "json",
    ]);
    let users: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let users = users.as_array().unwrap();
    let me = "ada.admin@demo-org.example";
    let someone = users
        .iter()
        .find(|u| u["attributes"]["email"] != me)
        .unwrap();
    let id = someone["id"].as_str().unwrap().to_owned();
    let output = run(&["--sandbox", "users", "disable", &id, "--dry-run"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("would disable"));
    let output = run(&["--sandbox", "users", "disable", &id, "--yes"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains(&format!("{id}  disabled")));
}

#[test]
fn standalone_sandbox_prints_its_url_and_link_and_stops_on_sigterm() {
    let mut child = ddusers()
        .args(["sandbox", "--port", "0", "--users", "50"])
        .args([
            "--latency-ms",
            "5",
            "--jitter-ms",
            "2",
            "--bandwidth",
            "100",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("a loopback URL in {first:?}"))
        .to_owned();
    assert!(
        first.ends_with("(round trip 5 ms + up to 2 ms jitter, 100 Mbit/s shared)"),
        "{first:?}"
    );
    let output = ddusers()
        .args([
            "--base-url",
            &url,
            "users",
            "list",
            "--format",
            "json",
            "--page-size",
            "3",
        ])
        .env("DD_API_KEY", "sandbox-api-key")
        .env("DD_APP_KEY", "sandbox-readonly-app-key")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let users: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 3);

    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
}

#[test]
fn a_bandwidth_that_is_not_a_positive_number_is_a_usage_error() {
    for bad in ["0", "-5", "fast"] {
        let output = run(&["sandbox", "--port", "0", &format!("--bandwidth={bad}")]);
        assert_one_clear_line(&output, 2, "--bandwidth");
    }
}

#[test]
fn empty_key_is_named_in_one_line() {
    let output = ddusers()
        .args(["users", "list"])
        .env("DD_API_KEY", "")
        .env("DD_APP_KEY", "def")
        .output()
        .unwrap();
    assert_one_clear_line(&output, 2, "DD_API_KEY is not set");
}

#[test]
fn unreachable_base_url_is_a_network_exit() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let output = ddusers()
        .args(["--base-url", &url, "users", "list"])
        .env("DD_API_KEY", "abc")
        .env("DD_APP_KEY", "def")
        .output()
        .unwrap();
    assert_one_clear_line(&output, 5, "could not connect");
}

#[test]
fn a_proxy_that_never_answers_times_out_with_a_network_exit() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Accept connections and say nothing, as a hung proxy does.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let output = ddusers()
        .args([
            "--base-url",
            &url,
            "--timeout",
            "1",
            "users",
            "get",
            "someone",
        ])
        .env("DD_API_KEY", "abc")
        .env("DD_APP_KEY", "def")
        .output()
        .unwrap();
    assert_one_clear_line(&output, 5, "did not answer in time");
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    use std::io::Read;
    let mut child = ddusers()
        .args(["--sandbox", "users", "list", "--all", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout); // like `| head -c 64`
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stderr(&output), "", "no 'Broken pipe' error");
}

#[test]
fn a_file_argument_starting_with_a_tilde_is_in_the_home_folder() {
    let home = tempfile::tempdir().expect("a temp dir");
    let output = ddusers()
        .env("HOME", home.path())
        .args(["--sandbox", "snapshot", "--output=~/org.json"])
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        home.path().join("org.json").is_file(),
        "written in the home folder"
    );
    let exported = ddusers()
        .env("HOME", home.path())
        .args(["export", "--from", "~/org.json", "--output=~/users.csv"])
        .output()
        .expect("the binary runs");
    assert!(exported.status.success(), "{}", stderr(&exported));
    assert!(home.path().join("users.csv").is_file());
    assert!(!std::path::Path::new("~").exists(), "no folder named ~");
}

/// Users a `users list --where` run printed as JSON.
fn where_count(args: &[&str]) -> usize {
    let output = run(args);
    assert!(output.status.success(), "{}", stderr(&output));
    let users: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    users.as_array().expect("a JSON array").len()
}

#[test]
fn users_list_where_counts_what_the_console_filter_shows() {
    use ddusers::app::action::{Action, InputRequest};
    use ddusers::app::{update, Msg, Options, State};

    let expr = "role:admin !status:disabled";
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("org.json");
    let snapshot = snapshot.to_str().unwrap();
    let written = run(&["--sandbox", "snapshot", "--output", snapshot]);
    assert!(written.status.success(), "{}", stderr(&written));

    let live = where_count(&[
        "--sandbox",
        "users",
        "list",
        "--where",
        expr,
        "--format",
        "json",
    ]);
    let from_file = where_count(&[
        "--sandbox",
        "users",
        "list",
        "--where",
        expr,
        "--from",
        snapshot,
        "--format",
        "json",
    ]);

    // The console's reducer over the same org, the filter typed key by key.
    let org = ddusers::org::Org::read_snapshot(std::path::Path::new(snapshot)).unwrap();
    let total = org.len();
    let mut state = State::new(
        Options::default(),
        time::OffsetDateTime::now_utc().unix_timestamp(),
    );
    state.store = std::sync::Arc::new(org);
    update(&mut state, Msg::Action(Action::StartFilter));
    for c in expr.chars() {
        update(
            &mut state,
            Msg::Action(Action::TextEdit(InputRequest::InsertChar(c))),
        );
    }
    let console = state.view.rows.len();
    assert!(console > 0 && console < total, "{console} of {total}");
    assert_eq!((live, from_file), (console, console));

    // A bad expression is a usage error, in the same words as the console's.
    let bad = run(&["--sandbox", "users", "list", "--where", "status:gone"]);
    assert_one_clear_line(
        &bad,
        2,
        "status:gone is not understood: use active, pending or disabled",
    );
}
