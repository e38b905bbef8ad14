//! The gate of the real-client tests: is `python3` there with the modules a test needs?

use std::process::Command;

/// Whether `python3 -c "import {modules}"` works. When it does not, the test is skipped with a
/// printed `SKIPPED` line — unless the environment variable `require` is `1` (CI sets the
/// `GLOROT_REQUIRE_*` switches), in which case that is a failure.
pub fn available(modules: &str, require: &str, what: &str) -> bool {
    let probe = Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output();
    let why = match &probe {
        Err(e) => format!("python3 not runnable: {e}"),
        Ok(o) if !o.status.success() => format!(
            "python modules missing: {}",
            String::from_utf8_lossy(&o.stderr)
                .trim()
                .lines()
                .last()
                .unwrap_or("")
        ),
        Ok(_) => return true,
    };
    if std::env::var(require).as_deref() == Ok("1") {
        panic!("{what}: {why} ({require}=1)");
    }
    println!("SKIPPED {what}: {why}; run `pip install {modules}` (or set {require}=1 to fail)");
    false
}
