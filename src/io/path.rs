//! The output path: what may stand there before a write, how the temporary file next to it is
//! named, and how temporaries left behind by a killed writer are found again.
//!
//! The rules (one function, [`check_output_path`], so that every writer and the CLI apply the
//! same ones before the first byte):
//!
//! - A file output may replace only a **regular file**. A directory, a symbolic link, a device
//!   node, a FIFO or a socket at the path is an error, never replaced (`rename(2)` would
//!   silently put a regular file in place of `/dev/null`).
//! - A **write-protected** regular file (no write bit in its mode, or not writable by this
//!   user) is refused unless `force` is set, as `rm` and `cp` ask before replacing one.
//! - A path ending in `/` names a directory, so it is an error for a file output.
//! - A directory output (a sharded checkpoint) may be an existing directory or a missing one;
//!   anything else at the path is an error.
//!
//! When an existing file is replaced, the new file gets its permission bits (and, when the
//! writer may, its owner and group), so `0600` stays `0600`.
//!
//! Temporary files are named `.{NAME}.glorot-tmp-{PID}-{RANDOM}` in the output's directory
//! (`NAME` shortened to a prefix plus a hash when the whole would pass the 255-byte file-name
//! limit). A writer killed with SIGKILL (or by the OOM killer) cannot remove its temporary; a
//! later write of the same output finds temporaries of that name whose writer process no longer
//! exists on this machine and removes them ([`remove_stale_temporaries`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{Op, WriteError};

/// What the output path is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OutputKind {
    /// One `.safetensors` file.
    File,
    /// A directory the writer creates files in (a sharded checkpoint).
    Directory,
}

/// What [`check_output_path`] found at the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Existing {
    /// Nothing: the write creates it.
    Nothing,
    /// A regular file the write may replace (its mode is kept).
    File,
    /// A directory (only for [`OutputKind::Directory`]).
    Directory,
}

/// The longest file name most file systems accept (`NAME_MAX`).
const NAME_MAX: usize = 255;
/// The marker every temporary name carries.
pub(crate) const TMP_MARK: &str = ".glorot-tmp-";

/// Checks, before anything is written, that a write of `kind` may put its output at `path`.
///
/// - A file output may replace only a **regular file**: a directory, a symbolic link, a device
///   node, a FIFO or a socket at the path is an error, never replaced (a plain `rename(2)` would
///   put a regular file in place of `/dev/null`).
/// - A **write-protected** regular file (no write bit in its mode, or not writable by this
///   user) is refused unless `force` is set, as `rm` and `cp` ask before replacing one.
/// - A path ending in `/` names a directory, so it is an error for a file output; so is a
///   missing parent directory.
/// - A directory output (a sharded checkpoint) may be an existing directory (or a link to one)
///   or a missing path; anything else there is an error.
///
/// The writer applies the same check again just before its final rename. When it replaces an
/// existing file, the new file gets that file's permission bits (and owner and group, where the
/// writer may set them), so `0600` stays `0600`.
///
/// ```
/// use glorot::io::{check_output_path, Existing, OutputKind};
/// let dir = std::env::temp_dir();
/// assert!(check_output_path(&dir, OutputKind::File, false).is_err()); // a directory
/// assert_eq!(check_output_path(&dir, OutputKind::Directory, false)?, Existing::Directory);
/// # Ok::<(), glorot::io::WriteError>(())
/// ```
pub fn check_output_path(
    path: &Path,
    kind: OutputKind,
    force: bool,
) -> Result<Existing, WriteError> {
    let bad = |reason: String| WriteError::Output {
        path: path.to_path_buf(),
        reason,
    };
    if path.as_os_str().is_empty() {
        return Err(bad("the output path is empty".into()));
    }
    if kind == OutputKind::File {
        if ends_with_separator(path) {
            return Err(bad(
                "ends with `/`, so it names a directory, not a .safetensors file".into(),
            ));
        }
        if path.file_name().is_none() {
            return Err(bad("names no file".into()));
        }
    }
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let parent = parent_dir(path);
            return match fs::metadata(&parent) {
                Ok(m) if m.is_dir() => Ok(Existing::Nothing),
                // A directory output creates its missing parents too.
                Err(e) if kind == OutputKind::Directory && e.kind() == io::ErrorKind::NotFound => {
                    Ok(Existing::Nothing)
                }
                Ok(_) => Err(bad(format!("{} is not a directory", parent.display()))),
                Err(e) => Err(bad(format!("its directory {}: {e}", parent.display()))),
            };
        }
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            return Err(bad(format!(
                "{} is not a directory",
                parent_dir(path).display()
            )));
        }
        Err(e) => return Err(bad(e.to_string())),
    };
    let ft = meta.file_type();
    match kind {
        OutputKind::Directory => {
            if ft.is_dir() {
                Ok(Existing::Directory)
            } else if ft.is_symlink() && fs::metadata(path).is_ok_and(|m| m.is_dir()) {
                // A link to a directory is a directory to write into; nothing replaces it.
                Ok(Existing::Directory)
            } else {
                Err(bad(format!(
                    "is {}; a sharded checkpoint needs a directory here",
                    describe(&ft)
                )))
            }
        }
        OutputKind::File => {
            if !ft.is_file() {
                return Err(bad(format!(
                    "is {}; only a regular file is ever replaced",
                    describe(&ft)
                )));
            }
            match write_protected(path, &meta) {
                Some(Protection::ReadOnlyFs) => Err(bad("is on a read-only file system".into())),
                Some(Protection::Mode) if !force => Err(bad(
                    "is write-protected; replacing it needs --force (WriteOptions::force)".into(),
                )),
                _ => Ok(Existing::File),
            }
        }
    }
}

fn describe(ft: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

fn ends_with_separator(path: &Path) -> bool {
    let s = path.as_os_str().as_encoded_bytes();
    s.last() == Some(&b'/') || (cfg!(windows) && s.last() == Some(&b'\\'))
}

/// The directory a file at `path` lives in (`.` for a bare name).
pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

enum Protection {
    /// The mode or the user's permissions (what `--force` overrides).
    Mode,
    /// The file system is mounted read-only (nothing overrides that).
    ReadOnlyFs,
}

/// `rm`'s notion of write-protected: no write permission bit at all, or not writable by this
/// process's user.
fn write_protected(path: &Path, meta: &fs::Metadata) -> Option<Protection> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        use std::os::unix::fs::PermissionsExt;
        let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
            return Some(Protection::Mode);
        };
        // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
        if unsafe { libc::access(c.as_ptr(), libc::W_OK) } != 0 {
            if io::Error::last_os_error().raw_os_error() == Some(libc::EROFS) {
                return Some(Protection::ReadOnlyFs);
            }
            return Some(Protection::Mode);
        }
        (meta.permissions().mode() & 0o222 == 0).then_some(Protection::Mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        meta.permissions().readonly().then_some(Protection::Mode)
    }
}

/// FNV-1a 64 of `bytes`: a short, stable stand-in for a name too long to repeat.
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// The part of every temporary name of `dest` before the pid: `.{NAME}.glorot-tmp-`, with
/// `NAME` shortened (a prefix, `~` and a hash of the whole) so that the full temporary name —
/// up to 10 pid digits, `-` and 8 hex digits more — stays within 255 bytes.
pub(crate) fn temp_prefix(dest: &Path) -> Option<String> {
    let base = dest.file_name()?.to_string_lossy();
    const TAIL: usize = 10 + 1 + 8;
    let room = NAME_MAX - 1 - TMP_MARK.len() - TAIL;
    let name = if base.len() <= room {
        base.into_owned()
    } else {
        let mut cut = room - 17;
        while !base.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}~{:016x}", &base[..cut], fnv(base.as_bytes()))
    };
    Some(format!(".{name}{TMP_MARK}"))
}

/// A fresh random-looking 32-bit value for temporary names (uniqueness comes from
/// `O_EXCL`; this only makes collisions and guesses unlikely).
pub(crate) fn temp_nonce(attempt: u32) -> u32 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let local = 0u8;
    let mut x = t
        ^ (std::process::id() as u64).rotate_left(32)
        ^ COUNTER
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (&local as *const u8 as u64)
        ^ u64::from(attempt).rotate_left(48);
    // splitmix64 finaliser
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (x ^ (x >> 31)) as u32
}

/// Whether process `pid` exists on this machine (any user's).
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(p) = libc::pid_t::try_from(pid) else {
            return false;
        };
        if p <= 0 {
            return false;
        }
        // SAFETY: signal 0 only checks that the process exists; nothing is delivered.
        let rc = unsafe { libc::kill(p, 0) };
        rc == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Finds temporaries of `dest` (`.{NAME}.glorot-tmp-{PID}-{RANDOM}` in its directory) whose
/// writer process no longer exists on this machine — left behind by a SIGKILL, an OOM kill or
/// a power loss — and removes them. Returns the removed paths. Temporaries of live processes
/// (a concurrent write of the same output) are left alone.
///
/// The writer does not call this on its own (a library should not delete files it did not
/// create in this call); the `glorot` CLI calls it before every write and reports what it
/// removed. By hand: `ls -a DIR | grep glorot-tmp-` lists them, and any whose PID is not
/// running can be deleted.
pub fn remove_stale_temporaries(dest: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let Some(prefix) = temp_prefix(dest) else {
        return Ok(Vec::new());
    };
    let dir = parent_dir(dest);
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(WriteError::io(Op::Create, dest, e)),
    };
    let mine = std::process::id();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name.strip_prefix(prefix.as_str()) else {
            continue;
        };
        let Some((pid, nonce)) = rest.split_once('-') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if nonce.len() != 8 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        if pid == mine || process_alive(pid) {
            continue;
        }
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let p = entry.path();
        match fs::remove_file(&p) {
            Ok(()) => removed.push(p),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(WriteError::io(Op::Cleanup, &p, e)),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_fit_name_max() {
        for len in [1usize, 100, 200, 222, 223, 224, 235, 250, 255] {
            let base: String = "é".repeat(len / 2) + &"x".repeat(len % 2);
            let p = Path::new("/tmp").join(&base);
            let prefix = temp_prefix(&p).unwrap();
            let full = format!("{prefix}{}-{:08x}", u32::MAX, u32::MAX);
            assert!(full.len() <= NAME_MAX, "{len}: {}", full.len());
            assert_eq!(temp_prefix(&p).unwrap(), prefix, "deterministic");
        }
        let a = temp_prefix(Path::new(&"a".repeat(250))).unwrap();
        let b = temp_prefix(Path::new(&("a".repeat(249) + "b"))).unwrap();
        assert_ne!(a, b, "shortened names keep a hash of the whole");
    }
}
