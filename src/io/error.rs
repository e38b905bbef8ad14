//! The error type of the I/O layer: everything [`crate::Error`] can say, plus what went wrong
//! with a file, and where.

use core::fmt;
use std::io;
use std::path::PathBuf;

/// What the writer was doing when an operating-system call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Op {
    /// Creating the temporary file next to the output.
    Create,
    /// Reserving the file's full size on disk (`posix_fallocate` / `set_len`).
    Allocate,
    /// Writing the header or tensor data.
    Write,
    /// Flushing the data to the device (`fsync`).
    Sync,
    /// Renaming the temporary file to the output name.
    Rename,
    /// Creating the output directory (sharded output).
    CreateDir,
    /// Removing a stale temporary file left by a writer that was killed.
    Cleanup,
    /// Removing, after a successful write with `force`, a checkpoint file of an earlier write
    /// that `from_pretrained` could have mixed with the new one
    /// ([`stale_checkpoint_files`](super::stale_checkpoint_files)).
    RemoveStale,
}

impl Op {
    fn verb(self) -> &'static str {
        match self {
            Op::Create => "could not create a temporary file next to",
            Op::Allocate => "could not reserve disk space for",
            Op::Write => "could not write",
            Op::Sync => "could not flush to disk",
            Op::Rename => "could not move the finished file to",
            Op::CreateDir => "could not create directory",
            Op::Cleanup => "could not remove stale temporary file",
            Op::RemoveStale => "wrote the new checkpoint, but could not remove the stale file",
        }
    }
}

/// Why writing a model to disk failed.
///
/// Every variant that concerns a file names it — the output path, never the hidden temporary
/// file. When a [`WriteError`] is returned, the temporary file has already been removed and any
/// existing file at the output path is untouched.
#[derive(Debug)]
#[non_exhaustive]
pub enum WriteError {
    /// A tensor spec is invalid (bad shape, fans or initializer parameters).
    Spec {
        /// The tensor's name.
        tensor: String,
        /// What is wrong with it.
        error: crate::Error,
    },
    /// Two tensors have the same name.
    DuplicateName(String),
    /// A tensor name no safetensors file can carry (`__metadata__`).
    InvalidName {
        /// The name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// The header (JSON table of contents) is larger than safetensors readers accept (100 MB).
    HeaderTooLarge(usize),
    /// The shard plan is invalid (e.g. more files than tensors).
    Shard(super::ShardError),
    /// An operating-system call failed.
    Io {
        /// What was being done.
        op: Op,
        /// The file or directory concerned (for [`Op::Rename`], the destination).
        path: PathBuf,
        /// The operating system's error (e.g. "No space left on device").
        source: io::Error,
    },
    /// The output path cannot be used as asked (found before anything is written).
    OutputPath {
        /// The path given.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// The write was cancelled (e.g. Ctrl-C) before it finished.
    Cancelled {
        /// The output path that was not written.
        path: PathBuf,
    },
    /// Something at the output path may not be replaced or written into (a directory, a
    /// device, a write-protected file, a path ending in `/` …); see
    /// [`check_output_path`](super::check_output_path). Found before anything is written.
    Output {
        /// The output path.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A size or offset does not fit the arithmetic of a file (more than 2⁶³ − 1 bytes, or
    /// more than 2⁶² elements in one tensor). Found before anything is allocated or written.
    TooLarge(String),
    /// A tensor that cannot be drawn with JAX keys ([`JaxKeys`](super::JaxKeys)): its
    /// initializer has no bit-exact JAX counterpart here (the normal family, the structured
    /// ones), or its fans or post-fill zeroing are not JAX's. Found before anything is written.
    NotJax {
        /// The tensor's name.
        tensor: String,
        /// Why.
        reason: String,
    },
    /// The allocator refused a buffer the write needs (e.g. under `ulimit -v`).
    OutOfMemory {
        /// Bytes requested.
        bytes: u64,
    },
}

impl WriteError {
    pub(crate) fn io(op: Op, path: impl Into<PathBuf>, source: io::Error) -> Self {
        WriteError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn spec(tensor: &str, error: crate::Error) -> Self {
        WriteError::Spec {
            tensor: tensor.to_string(),
            error,
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Spec { tensor, error } => {
                write!(f, "tensor `{}`: {error}", printable(tensor))
            }
            WriteError::DuplicateName(name) => {
                write!(
                    f,
                    "tensor name `{}` appears more than once",
                    printable(name)
                )
            }
            WriteError::InvalidName { name, reason } => {
                write!(f, "tensor name `{}` {reason}", printable(name))
            }
            WriteError::HeaderTooLarge(n) => write!(
                f,
                "safetensors header would be {n} bytes; readers accept at most 100000000"
            ),
            WriteError::Shard(e) => e.fmt(f),
            WriteError::Io { op, path, source } => {
                write!(f, "{} {}: {source}", op.verb(), shown(path))
            }
            WriteError::OutputPath { path, problem } => {
                write!(f, "output {}: {problem}", path.display())
            }
            WriteError::Cancelled { path } => write!(
                f,
                "cancelled before {} was complete; nothing was written there",
                shown(path)
            ),
            WriteError::Output { path, reason } => write!(f, "{}: {reason}", shown(path)),
            WriteError::TooLarge(msg) => f.write_str(msg),
            WriteError::NotJax { tensor, reason } => write!(
                f,
                "tensor `{}` cannot be drawn with JAX keys: {reason}",
                printable(tensor)
            ),
            WriteError::OutOfMemory { bytes } => write!(
                f,
                "out of memory: could not allocate {bytes} bytes of buffer; nothing was written"
            ),
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriteError::Spec { error, .. } => Some(error),
            WriteError::Io { source, .. } => Some(source),
            WriteError::Shard(e) => Some(e),
            _ => None,
        }
    }
}

/// `s` with control characters (C0, DEL, C1 — terminal escape sequences among them) escaped as
/// Rust escapes them (`\n`, `\u{1b}`), everything else verbatim. Names and paths go through
/// this before they reach a terminal.
///
/// ```
/// assert_eq!(glorot::io::printable("a\u{1b}[2Jb\n"), "a\\u{1b}[2Jb\\n");
/// assert_eq!(glorot::io::printable("fc1.weight"), "fc1.weight");
/// ```
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn shown(p: &std::path::Path) -> String {
    printable(&p.to_string_lossy()).into_owned()
}

impl From<super::ShardError> for WriteError {
    fn from(e: super::ShardError) -> Self {
        WriteError::Shard(e)
    }
}
