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
}

impl Op {
    fn verb(self) -> &'static str {
        match self {
            Op::Create => "could not create temporary file",
            Op::Allocate => "could not reserve disk space in",
            Op::Write => "could not write",
            Op::Sync => "could not flush to disk",
            Op::Rename => "could not rename temporary file",
            Op::CreateDir => "could not create directory",
        }
    }
}

/// Why writing a model to disk failed.
///
/// Every variant that concerns a file names it. When a [`WriteError`] is returned, the
/// temporary file has already been removed and any existing file at the output path is
/// untouched.
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
    /// The write was cancelled (e.g. Ctrl-C) before it finished.
    Cancelled {
        /// The output path that was not written.
        path: PathBuf,
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
            WriteError::Spec { tensor, error } => write!(f, "tensor `{tensor}`: {error}"),
            WriteError::DuplicateName(name) => {
                write!(f, "tensor name `{name}` appears more than once")
            }
            WriteError::HeaderTooLarge(n) => write!(
                f,
                "safetensors header would be {n} bytes; readers accept at most 100000000"
            ),
            WriteError::Shard(e) => e.fmt(f),
            WriteError::Io { op, path, source } => {
                write!(f, "{} {}: {source}", op.verb(), path.display())
            }
            WriteError::Cancelled { path } => write!(
                f,
                "cancelled before {} was complete; nothing was written there",
                path.display()
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

impl From<super::ShardError> for WriteError {
    fn from(e: super::ShardError) -> Self {
        WriteError::Shard(e)
    }
}
