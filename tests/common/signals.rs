//! Children whose cancelling signals start at their default disposition.
//!
//! A non-interactive shell starts background jobs with SIGINT and SIGQUIT ignored, `nohup` with
//! SIGHUP ignored, and children inherit that; glorot deliberately keeps a signal it was started
//! with ignored (`guard::install_signal_handlers`). The signal tests test glorot's handlers, so
//! the way the suite itself was started must not decide them.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// Makes `c`'s child start with SIGINT, SIGTERM, SIGHUP and SIGQUIT at `SIG_DFL`.
pub fn default_cancel_signals(c: &mut Command) -> &mut Command {
    // SAFETY: the closure runs in the forked child before exec and only calls signal(2), which
    // is async-signal-safe; it touches no memory of the parent.
    unsafe {
        c.pre_exec(|| {
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
                libc::signal(sig, libc::SIG_DFL);
            }
            Ok(())
        })
    }
}
