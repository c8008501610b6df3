//! The ddusers binary: parse the command line, install error reporting, run, and turn the
//! command's typed error into its exit code and one line (`cli::exit::finish`). color-eyre
//! is used here only: its hook reports a panic.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Err(error) = color_eyre::install() {
        eprintln!("error: could not install the error reporter: {error}");
    }
    // After color-eyre's hook, which it chains: a panic anywhere — a spawned task included —
    // gives the terminal back, prints the report and ends the process.
    ddusers::terminal::install_panic_hook();
    let cli = ddusers::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(ddusers::cli::run(cli));
    ddusers::cli::exit::finish(result)
}
