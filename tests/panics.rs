//! A panic ends the process, wherever it happens: with ddusers' panic hook installed, a
//! panic in a spawned tokio task (which tokio would otherwise catch, leaving the console
//! running) exits with code 101 after the report. The test runs itself again as a child
//! process, since the hook ends the process it runs in.

use std::process::Command;
use std::time::Duration;

const CHILD: &str = "DDUSERS_TEST_PANIC_CHILD";

#[test]
fn a_panic_in_a_spawned_task_ends_the_process_with_101() {
    if std::env::var_os(CHILD).is_some() {
        panic_in_a_task_then_wait();
        return;
    }
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "a_panic_in_a_spawned_task_ends_the_process_with_101",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .expect("the child runs");
    let said = String::from_utf8_lossy(&output.stderr);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(101), "{said}\n{printed}");
    assert!(
        said.contains("a task fell over"),
        "the report is printed:\n{said}"
    );
    assert!(
        !printed.contains("still running"),
        "the process ended at the panic:\n{printed}"
    );
    assert!(
        !printed.contains('\u{1b}'),
        "no terminal was taken, so no escape codes are written:\n{printed:?}"
    );
}

fn panic_in_a_task_then_wait() {
    ddusers::terminal::install_panic_hook();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let task = tokio::spawn(async { panic!("a task fell over") });
        // Without the hook, tokio catches the panic and this carries on.
        let _ = task.await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        println!("still running");
    });
}
