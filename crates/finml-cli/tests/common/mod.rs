//! Running the `finml` binary as a user does, shared by the command-line tests.

// Each test file compiles this module on its own and uses only some of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn finml(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_finml"))
        .args(args)
        .output()
        .unwrap()
}

/// A file of the repository's bundled data, such as `credit/german.csv`.
pub fn bundled(file: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(file)
        .display()
        .to_string()
}

/// The standard output of a command that must succeed.
pub fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The command fails, without a panic, and says every one of `expected` on stderr.
pub fn check_error(args: &[&str], expected: &[&str]) {
    let output = finml(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{args:?} succeeded");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for part in expected {
        assert!(stderr.contains(part), "{args:?}: '{stderr}' lacks '{part}'");
    }
}

pub fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}
