//! Streamed, crash-safe writing of a spec list into safetensors files.
//!
//! Data goes straight from bounded per-worker buffers into the file with positioned writes
//! (`pwrite`): each worker takes the next slice of the file (at most [`ITEM_ELEMS`] elements of
//! one tensor), fills it with [`crate::fill_at`] — the same values the in-memory
//! initialization gives for that slice — and writes it at its offset. Anonymous memory is the
//! workers' buffers (≤ 8 MiB each) plus the spec list, whatever the model's size; the data
//! itself only ever lives in the page cache.
//!
//! The file is first created under a temporary name in the destination's directory, its full
//! size reserved (`posix_fallocate`, so a full disk is reported before any data is written),
//! filled, flushed (`fsync`) and only then renamed over the destination. On any error or
//! cancellation the temporary file is removed; an existing destination is never touched.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::{fill_at, DType, Distribution, Key};

use super::header::FileLayout;
use super::{Op, TensorSpec, WriteError};

/// Elements per work item: 1 Mi (4 MiB of f32, 8 MiB of f64). Large enough that per-item
/// overhead (stream setup, a system call) is negligible, small enough that the buffers of all
/// workers together stay a few tens of MiB.
pub const ITEM_ELEMS: usize = 1 << 20;

/// Options for [`write_safetensors`] and the shard writer.
#[derive(Clone, Copy, Default)]
pub struct WriteOptions<'a> {
    /// `__metadata__` entries of the header (e.g. `("format", "pt")`, which Hugging Face
    /// `transformers` looks for).
    pub metadata: &'a [(String, String)],
    /// Skip the final `fsync` (faster, but a power loss right after the rename may leave an
    /// incomplete file under the final name). Default: sync.
    pub no_sync: bool,
    /// Called with the number of bytes just written, from the worker threads.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// Checked before every work item; when it becomes `true` the write stops, the temporary
    /// file is removed and [`WriteError::Cancelled`] is returned.
    pub cancel: Option<&'a AtomicBool>,
}

impl core::fmt::Debug for WriteOptions<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WriteOptions")
            .field("metadata", &self.metadata)
            .field("no_sync", &self.no_sync)
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .finish()
    }
}

/// What a successful write produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteSummary {
    /// The file written.
    pub path: PathBuf,
    /// Its size in bytes (header included).
    pub file_bytes: u64,
    /// Bytes of tensor data.
    pub data_bytes: u64,
    /// Number of tensors in the file.
    pub tensors: usize,
}

/// Writes every tensor of `specs` into one safetensors file at `path`, each filled under
/// `key.tensor(name)` exactly as the in-memory initialization would fill it.
///
/// ```
/// use glorot::io::{write_safetensors, TensorSpec, WriteOptions};
/// use glorot::{Init, Key};
/// let dir = std::env::temp_dir().join(format!("glorot-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let specs = vec![
///     TensorSpec::new("fc.weight", &[10, 20], Init::xavier_uniform(1.0)),
///     TensorSpec::new("fc.bias", &[10], Init::Zeros),
/// ];
/// let out = dir.join("model.safetensors");
/// let s = write_safetensors(&out, &specs, &Key::new(0), WriteOptions::default())?;
/// assert_eq!(s.data_bytes, 4 * 210);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), glorot::io::WriteError>(())
/// ```
pub fn write_safetensors(
    path: &Path,
    specs: &[TensorSpec],
    key: &Key,
    opts: WriteOptions<'_>,
) -> Result<WriteSummary, WriteError> {
    let all: Vec<usize> = (0..specs.len()).collect();
    let dists = specs
        .iter()
        .map(TensorSpec::validate)
        .collect::<Result<Vec<_>, _>>()?;
    write_members(path, specs, &all, dists, key, opts)
}

/// Writes the tensors `specs[i]`, `i ∈ members`, into one file at `path`. `dists` are the
/// members' distributions, in `members` order, from [`TensorSpec::validate`] (the callers
/// validate, each spec once).
pub(crate) fn write_members(
    path: &Path,
    specs: &[TensorSpec],
    members: &[usize],
    dists: Vec<Distribution>,
    key: &Key,
    opts: WriteOptions<'_>,
) -> Result<WriteSummary, WriteError> {
    debug_assert_eq!(dists.len(), members.len());
    let mut dist_of = vec![None; specs.len()];
    for (&i, d) in members.iter().zip(dists) {
        dist_of[i] = Some(d);
    }
    let layout = FileLayout::new(specs, members, opts.metadata)?;

    let tmp = TempFile::create(path)?;
    preallocate(&tmp.file, layout.file_len)
        .map_err(|e| WriteError::io(Op::Allocate, &tmp.path, e))?;
    write_all_at(&tmp.file, &layout.header, 0)
        .map_err(|e| WriteError::io(Op::Write, &tmp.path, e))?;

    // Work items: (spec index, first element, element count, file offset).
    let mut items: Vec<(usize, u64, usize, u64)> = Vec::new();
    for p in &layout.placements {
        let s = &specs[p.spec];
        let n = s.numel();
        let size = s.dtype.size() as u64;
        let mut first = 0usize;
        while first < n {
            let len = ITEM_ELEMS.min(n - first);
            items.push((p.spec, first as u64, len, p.start + first as u64 * size));
            first += len;
        }
    }

    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let failure: Mutex<Option<WriteError>> = Mutex::new(None);
    let cancelled = AtomicBool::new(false);
    let workers = rayon::current_num_threads().max(1).min(items.len().max(1));
    rayon::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                // u64 storage keeps the buffer 8-byte aligned for every element type.
                let mut buf: Vec<u64> = Vec::new();
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if opts.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                        cancelled.store(true, Ordering::Relaxed);
                        stop.store(true, Ordering::Relaxed);
                        return;
                    }
                    let Some(&(spec, first, len, at)) =
                        items.get(next.fetch_add(1, Ordering::Relaxed))
                    else {
                        return;
                    };
                    let s = &specs[spec];
                    let dist = dist_of[spec].as_ref().expect("validated member");
                    let bytes = len * s.dtype.size();
                    // Grow only: the fill overwrites every byte it hands to pwrite, so the
                    // buffer is zeroed once per size increase, not once per item.
                    if buf.len() < bytes.div_ceil(8) {
                        buf.resize(bytes.div_ceil(8), 0);
                    }
                    let raw: &mut [u8] =
                        &mut bytemuck::cast_slice_mut::<u64, u8>(&mut buf)[..bytes];
                    let res = fill_bytes(raw, s.dtype, dist, &key.tensor(&s.name), first)
                        .map_err(|e| WriteError::spec(&s.name, e))
                        .and_then(|()| {
                            write_all_at(&tmp.file, raw, at)
                                .map_err(|e| WriteError::io(Op::Write, &tmp.path, e))
                        })
                        .map(|()| {
                            if !opts.no_sync {
                                start_writeback(&tmp.file, at, bytes as u64);
                            }
                        });
                    match res {
                        Ok(()) => {
                            if let Some(p) = opts.progress {
                                p(bytes as u64);
                            }
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            let mut f = failure.lock().unwrap_or_else(|p| p.into_inner());
                            f.get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    if cancelled.load(Ordering::Relaxed) {
        return Err(WriteError::Cancelled {
            path: path.to_path_buf(),
        });
    }
    let data_bytes = layout.file_len - layout.header.len() as u64;
    tmp.persist(path, !opts.no_sync)?;
    Ok(WriteSummary {
        path: path.to_path_buf(),
        file_bytes: layout.file_len,
        data_bytes,
        tensors: members.len(),
    })
}

/// Fills `raw` (the little-endian bytes of elements `first..` of the tensor) in `dtype`.
fn fill_bytes(
    raw: &mut [u8],
    dtype: DType,
    dist: &Distribution,
    key: &crate::TensorKey,
    first: u64,
) -> crate::Result<()> {
    match dtype {
        DType::F32 => fill_at(bytemuck::cast_slice_mut::<u8, f32>(raw), dist, key, first)?,
        DType::F64 => fill_at(bytemuck::cast_slice_mut::<u8, f64>(raw), dist, key, first)?,
        DType::BF16 => fill_at(
            bytemuck::cast_slice_mut::<u8, half::bf16>(raw),
            dist,
            key,
            first,
        )?,
        DType::F16 => fill_at(
            bytemuck::cast_slice_mut::<u8, half::f16>(raw),
            dist,
            key,
            first,
        )?,
    }
    if cfg!(target_endian = "big") {
        for c in raw.chunks_exact_mut(dtype.size()) {
            c.reverse();
        }
    }
    Ok(())
}

/// A file under a temporary name that is removed on drop unless persisted.
struct TempFile {
    path: PathBuf,
    file: File,
    keep: bool,
}

impl TempFile {
    fn create(dest: &Path) -> Result<TempFile, WriteError> {
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                WriteError::io(
                    Op::Create,
                    dest,
                    io::Error::new(io::ErrorKind::InvalidInput, "the output path names no file"),
                )
            })?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        for attempt in 0u32..16 {
            let path = dir.join(format!(
                ".{base}.tmp-{}-{:08x}",
                std::process::id(),
                nanos.wrapping_add(attempt.wrapping_mul(0x9E37_79B9))
            ));
            match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    return Ok(TempFile {
                        path,
                        file,
                        keep: false,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(WriteError::io(Op::Create, &path, e)),
            }
        }
        Err(WriteError::io(
            Op::Create,
            dir,
            io::Error::new(io::ErrorKind::AlreadyExists, "no free temporary name"),
        ))
    }

    fn persist(mut self, dest: &Path, sync: bool) -> Result<(), WriteError> {
        if sync {
            self.file
                .sync_all()
                .map_err(|e| WriteError::io(Op::Sync, &self.path, e))?;
        }
        fs::rename(&self.path, dest).map_err(|e| WriteError::io(Op::Rename, dest, e))?;
        self.keep = true;
        if sync {
            // Make the rename itself durable. Best effort: not every platform can open
            // directories.
            if let Some(dir) = dest.parent() {
                let dir = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
                if let Ok(d) = File::open(dir) {
                    let _ = d.sync_all();
                }
            }
        }
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Asks the kernel to start writing `len` bytes at `offset` to the device now, without waiting
/// (`sync_file_range(SYNC_FILE_RANGE_WRITE)`). Disk I/O then overlaps the filling, dirty pages
/// never pile up in the page cache, and the final `fsync` has little left to do. Advisory:
/// errors surface at the `fsync`.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::unix::io::AsRawFd;
    if let (Ok(off), Ok(n)) = (
        libc::off64_t::try_from(offset),
        libc::off64_t::try_from(len),
    ) {
        // SAFETY: plain system call on a descriptor `file` keeps open; no memory is passed.
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), off, n, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _offset: u64, _len: u64) {}

/// Reserves `len` bytes for the file so that a full disk fails here, not half-way.
#[cfg(target_os = "linux")]
fn preallocate(file: &File, len: u64) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    if len == 0 {
        return Ok(());
    }
    let Ok(len_off) = libc::off_t::try_from(len) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "file too large",
        ));
    };
    // SAFETY: the descriptor is open for writing and owned by `file` for the whole call.
    let rc = unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, len_off) };
    match rc {
        0 => Ok(()),
        // Filesystems without fallocate support: fall back to a sparse file.
        libc::EOPNOTSUPP | libc::EINVAL => file.set_len(len),
        errno => Err(io::Error::from_raw_os_error(errno)),
    }
}

#[cfg(not(target_os = "linux"))]
fn preallocate(file: &File, len: u64) -> io::Result<()> {
    file.set_len(len)
}

#[cfg(unix)]
pub(crate) fn write_all_at(file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(windows)]
pub(crate) fn write_all_at(file: &File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_write(buf, offset) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::WriteZero, "wrote nothing")),
            Ok(n) => {
                buf = &buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes a small file (e.g. a shard index) crash-safely: temporary name, fsync, rename.
pub(crate) fn write_small_file(path: &Path, bytes: &[u8], sync: bool) -> Result<(), WriteError> {
    let tmp = TempFile::create(path)?;
    write_all_at(&tmp.file, bytes, 0).map_err(|e| WriteError::io(Op::Write, &tmp.path, e))?;
    tmp.persist(path, sync)
}
