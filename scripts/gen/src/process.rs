//! Running external programs with errors that say what failed.

use std::process::Command;

/// Runs `command`, failing with its command line and exit status when it does not succeed.
pub fn run_checked(command: &mut Command) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed: {status}"))
    }
}

/// Runs `command` and returns its standard output, failing like [`run_checked`].
pub fn output_of(command: &mut Command) -> Result<String, String> {
    let output = command.output().map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("{command:?} printed something that is not UTF-8: {e}"))
}
