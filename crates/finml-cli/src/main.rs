//! `finml`: the command line. Each capability lives in its own module here and in its own
//! library crate below; this file only dispatches.

mod assist;
mod assist_embed;
mod assist_faq;
mod credit;
mod demo;
mod flags;
mod risk;
mod trade;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "finml",
    version,
    about = "Deep learning and risk tools for finance"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Customer service: redact messages, train and evaluate intent classifiers, route messages, embed sentences
    #[command(subcommand)]
    Assist(assist::AssistCommand),
    /// Credit scoring: train, evaluate, predict, cross-validate
    #[command(subcommand)]
    Credit(credit::CreditCommand),
    /// The spec's worked example on bundled data: train, evaluate, save and score
    Demo(demo::DemoArgs),
    /// Regulatory capital, portfolio loss and model monitoring
    #[command(subcommand)]
    Risk(risk::RiskCommand),
    /// Backtests and trading research
    #[command(subcommand)]
    Trade(trade::TradeCommand),
}

fn main() -> ExitCode {
    die_quietly_on_closed_pipe();
    keep_freed_tensors_in_the_heap();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Assist(command) => assist::run(command),
        Command::Credit(command) => credit::run(command),
        Command::Demo(args) => demo::run(args),
        Command::Risk(command) => risk::run(command),
        Command::Trade(command) => trade::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", flags::message(&error));
            ExitCode::FAILURE
        }
    }
}

/// Rust ignores SIGPIPE, so printing into a closed pipe (`finml ... | head`) would panic in
/// `println!`. Restoring the default makes finml end silently there, as Unix tools do.
fn die_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called first in main, before any thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// glibc serves every allocation above its mmap threshold (128 KiB to start) with fresh pages
/// and unmaps them on free, so each training step page-faults and zeroes its tensors anew
/// (about 10% of seed-cnn's training time, BENCHMARKS.md). Raising the mmap and trim
/// thresholds keeps freed tensor buffers in the heap for the next step. Peak memory is
/// unchanged; freed memory is returned to the system when the process ends.
fn keep_freed_tensors_in_the_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called first in main, before any thread allocates; both are valid parameters.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 512 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}
