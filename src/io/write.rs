//! Streamed, crash-safe writing of a spec list into safetensors files.
//!
//! Data goes straight from bounded per-worker buffers into the file with positioned writes
//! (`pwrite`): each worker takes the next window of the file ([`ITEM_BYTES`], aligned; the
//! header and every tensor slice in it), fills each slice with [`crate::fill_at`] — the same
//! values the in-memory initialization gives for that slice — and writes the window at its
//! offset. Anonymous memory is the workers' buffers (≤ 8 MiB each) plus the spec list,
//! whatever the model's size. Windows are written with `O_DIRECT` where the file system
//! accepts it, so the data never fills the page cache (on the project's VMs buffered
//! writeback of a multi-GB file cost 10–20× the disk's own time in kernel CPU; `dd` of 6.2 GB
//! took 134 s buffered and 6.5 s with `oflag=direct`); elsewhere, or with
//! [`WriteOptions::buffered`], through the page cache with early writeback.
//!
//! The file is first created under a temporary name in the destination's directory, its full
//! size reserved (`posix_fallocate`, so a full disk is reported before any data is written),
//! filled, flushed (`fsync`) and only then renamed over the destination. On any error or
//! cancellation the temporary file is removed; an existing destination is never touched.
//! What may be replaced, and how temporaries are named: [`check_output_path`].
//!
//! **Structured tensors** (orthogonal, sparse, dirac, eye, identity, delta-orthogonal;
//! [`Source::Whole`]) cannot be streamed: an element of an orthogonal matrix depends on all of
//! its random numbers. The windows leave their bytes zero (a window wholly inside one is not
//! written at all); once every window is written, the writer materializes them one at a time
//! with [`crate::Init::alloc`] — the very values of the in-memory initialization, in every
//! dtype — and writes each over its range in [`ITEM_BYTES`] pieces through the page cache,
//! with the same progress, cancellation and write-back as the windows. Memory: one structured
//! tensor at a time, so the peak is the largest structured tensor in its dtype plus what its
//! fill works in (orthogonal: the whole `r × c` matrix in `f32` — `f64` for `f64` — and a few
//! 64-column panels; the others next to nothing); cost: the full `O(r·c·min(r, c))`
//! factorization of every orthogonal tensor a file holds (a shard computes only its own
//! tensors, each whole). The output buffer of the largest one is reserved before the first
//! byte, so an impossible size is [`WriteError::OutOfMemory`] with nothing created;
//! cancellation is checked between pieces and tensors, not inside one tensor's factorization.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use bytemuck::Zeroable;

use crate::jax::{JaxInit, JaxKey};
use crate::{fill_at, DType, Distribution, Element, Key};

use super::header::FileLayout;
use super::path::{parent_dir, temp_nonce, temp_prefix};
use super::{check_output_path, Existing, OutputKind};
use super::{JaxKeys, Op, Source, TensorSpec, WriteError};

/// Bytes per work item: 8 MiB, one aligned window of the file. Large enough that per-item
/// overhead (stream setups, a system call) is negligible, small enough that the buffers of all
/// workers together stay a few tens of MiB; a multiple of every direct-I/O alignment.
pub const ITEM_BYTES: usize = 8 << 20;

/// Upper bound on the writer's data buffers, whatever the thread count: the number of workers
/// writing at once is capped so that their buffers (one work item each) stay within 64 MiB.
/// Threads beyond that still fill inside each item.
pub const BUFFER_BUDGET: usize = 64 << 20;

/// Alignment of direct-I/O buffers, offsets and lengths: 4 KiB, the largest logical block size
/// of common disks (512-byte devices accept it too).
const BLOCK: usize = 4096;

/// A 4 KiB-aligned block: the writer's buffers are vectors of these, so they can be handed to
/// `O_DIRECT` writes as they are.
#[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C, align(4096))]
struct Block([u8; BLOCK]);

/// Options for [`write_safetensors`] and the shard writer.
#[derive(Clone, Copy, Default)]
pub struct WriteOptions<'a> {
    /// `__metadata__` entries of the header (e.g. `("format", "pt")`, which Hugging Face
    /// `transformers` looks for).
    pub metadata: &'a [(String, String)],
    /// Skip the final `fsync`. **Unsafe for data you keep**: the write is then reported as
    /// successful while the data may still be only in the page cache, so a crash, a power loss
    /// or a writeback error after the call returns (e.g. a full thin-provisioned or network
    /// volume) can leave a file of zeros or garbage under the final name — as `dd` without
    /// `conv=fsync`. Default: sync.
    pub no_sync: bool,
    /// Replace an existing write-protected file (mode without write bits), as `rm -f` / `cp -f`
    /// do. Directories, devices, FIFOs, sockets and symbolic links are never replaced.
    pub force: bool,
    /// Write through the page cache even where direct I/O (`O_DIRECT`) is available. Default:
    /// direct where the file system supports it, which keeps multi-GB outputs out of the page
    /// cache (the data is on the device when each write returns; the final `fsync` still
    /// runs unless [`no_sync`](Self::no_sync)).
    pub buffered: bool,
    /// Called with the number of bytes just written, from the worker threads.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
    /// Checked before every work item, before and after the final `fsync` and just before the
    /// rename; when it becomes `true` the write stops, the temporary file is removed and
    /// [`WriteError::Cancelled`] is returned. A write cancelled at any point never replaces
    /// the output.
    pub cancel: Option<&'a AtomicBool>,
    /// Test-only (fault-injection suite): called at the named stages `"write"` (after the first
    /// work item), `"fsync"` (just before it) and `"rename"` (just before it), so a test can
    /// hold the writer there. Not part of the API.
    #[doc(hidden)]
    pub stage_hook: Option<&'a (dyn Fn(&'static str) + Sync)>,
    /// Draw every tensor from JAX's PRNG instead of glorot's streams: each tensor is then
    /// exactly what the JAX initializer its spec stands for ([`TensorSpec::jax_init`]) returns
    /// for its key ([`JaxKeys`]), shape and dtype, and the `key` argument of the write is not
    /// used. A spec with no JAX counterpart (the normal family, …) is
    /// [`WriteError::NotJax`] before anything is written. Default: glorot's streams.
    pub jax: Option<JaxKeys>,
}

impl core::fmt::Debug for WriteOptions<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WriteOptions")
            .field("metadata", &self.metadata)
            .field("no_sync", &self.no_sync)
            .field("force", &self.force)
            .field("buffered", &self.buffered)
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel)
            .field("jax", &self.jax)
            .finish()
    }
}

impl WriteOptions<'_> {
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    fn stage(&self, name: &'static str) {
        if let Some(h) = self.stage_hook {
            h(name);
        }
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

/// How one tensor's values are drawn.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Fill {
    /// glorot's stream `key.tensor(name)`.
    Glorot(Distribution),
    /// A structured initializer, materialized whole ([`Source::Whole`]).
    Whole,
    /// JAX's PRNG ([`crate::jax`]).
    Jax(JaxInit, JaxKey),
}

impl From<Source> for Fill {
    fn from(s: Source) -> Fill {
        match s {
            Source::Elementwise(d) => Fill::Glorot(d),
            Source::Whole => Fill::Whole,
        }
    }
}

/// Validates every spec once (each for its own dtype; every error names the tensor) and says
/// how each is filled, in `specs` order.
pub(crate) fn plan_fills(
    specs: &[TensorSpec],
    opts: &WriteOptions<'_>,
) -> Result<Vec<Fill>, WriteError> {
    match opts.jax {
        None => specs.iter().map(|s| s.validate().map(Fill::from)).collect(),
        Some(keys) => Ok(super::jax_keys::plan(specs, keys)?
            .into_iter()
            .map(|(init, key)| Fill::Jax(init, key))
            .collect()),
    }
}

/// Writes every tensor of `specs` into one safetensors file at `path`, each filled under
/// `key.tensor(name)` exactly as the in-memory initialization would fill it (or, with
/// [`WriteOptions::jax`], as JAX fills it).
///
/// Everything that can be checked before the first byte is: every spec for its own dtype
/// (values the dtype cannot hold are an error), sizes and offsets, and the output path
/// ([`check_output_path`](super::check_output_path)). Then the file is written under a
/// temporary name, flushed and renamed over `path`; on any error or cancellation nothing
/// appears or changes at `path`.
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
    let fills = plan_fills(specs, &opts)?;
    write_members(path, specs, &all, fills, key, opts)
}

/// Writes the tensors `specs[i]`, `i ∈ members`, into one file at `path`. `dists` say how
/// each member is filled, in `members` order, from [`plan_fills`] (the callers validate, each
/// spec once).
pub(crate) fn write_members(
    path: &Path,
    specs: &[TensorSpec],
    members: &[usize],
    dists: Vec<Fill>,
    key: &Key,
    opts: WriteOptions<'_>,
) -> Result<WriteSummary, WriteError> {
    check_output_path(path, OutputKind::File, opts.force)?;
    if dists.len() != members.len() {
        return Err(WriteError::TooLarge(format!(
            "{} distribution(s) for {} member(s)",
            dists.len(),
            members.len()
        )));
    }
    let mut dist_of = vec![None; specs.len()];
    for (&i, d) in members.iter().zip(dists) {
        let slot = dist_of.get_mut(i).ok_or_else(|| {
            WriteError::TooLarge(format!(
                "member index {i} is out of range for {} tensor(s)",
                specs.len()
            ))
        })?;
        *slot = Some(d);
    }
    let layout = FileLayout::new(specs, members, opts.metadata)?;
    if opts.cancelled() {
        return Err(WriteError::Cancelled {
            path: path.to_path_buf(),
        });
    }

    // Work items are aligned windows of the file, not materialised (a file of 2⁴⁰ bytes would
    // need 2¹⁷ of them): item k covers bytes [k·ITEM_BYTES, (k+1)·ITEM_BYTES), header and
    // tensors alike, so every write but the file's last is aligned for direct I/O.
    let n_items = layout.file_len.div_ceil(ITEM_BYTES as u64);
    let whole: Vec<usize> = (0..layout.placements.len())
        .filter(|&j| matches!(dist_of[layout.placements[j].spec], Some(Fill::Whole)))
        .collect();
    let largest_whole = whole
        .iter()
        .map(|&j| layout.placements[j].len)
        .max()
        .unwrap_or(0);
    if largest_whole > 0 {
        // The output buffer of the largest whole tensor, reserved (not touched) and released:
        // a size the allocator cannot give fails here, before anything is created.
        let mut probe: Vec<u8> = Vec::new();
        usize::try_from(largest_whole)
            .ok()
            .and_then(|b| probe.try_reserve_exact(b).ok())
            .ok_or(WriteError::OutOfMemory {
                bytes: largest_whole,
            })?;
    }
    let budget_workers = (BUFFER_BUDGET / ITEM_BYTES).max(1);
    let workers = rayon::current_num_threads()
        .clamp(1, budget_workers)
        .min(usize::try_from(n_items).unwrap_or(usize::MAX).max(1));

    let tmp = TempFile::create(path)?;
    preallocate(&tmp.file, layout.file_len).map_err(|e| WriteError::io(Op::Allocate, path, e))?;
    let direct = if opts.buffered {
        None
    } else {
        open_direct(&tmp.file)
    };
    let sink = Sink {
        file: &tmp.file,
        direct: direct.as_ref(),
        direct_ok: AtomicBool::new(direct.is_some()),
        sync: !opts.no_sync,
    };

    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let failure: Mutex<Option<WriteError>> = Mutex::new(None);
    let cancelled = AtomicBool::new(false);
    let first_done = AtomicBool::new(false);
    let window = Window {
        layout: &layout,
        specs,
        dist_of: &dist_of,
        key,
    };
    rayon::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                let mut buf: Vec<Block> = Vec::new();
                let mut scratch: Vec<u64> = Vec::new();
                let fail = |e: WriteError| {
                    stop.store(true, Ordering::Relaxed);
                    let mut f = failure.lock().unwrap_or_else(|p| p.into_inner());
                    f.get_or_insert(e);
                };
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if opts.cancelled() {
                        cancelled.store(true, Ordering::Relaxed);
                        stop.store(true, Ordering::Relaxed);
                        return;
                    }
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= n_items {
                        return;
                    }
                    let at = k * ITEM_BYTES as u64;
                    // at < file_len, and the window is at most ITEM_BYTES long.
                    let bytes = ITEM_BYTES.min((layout.file_len - at) as usize);
                    // Grow only (once per worker): every byte handed to the sink is written
                    // by the window's fill first.
                    let blocks = bytes.div_ceil(BLOCK);
                    if buf.len() < blocks {
                        if buf.try_reserve_exact(blocks - buf.len()).is_err() {
                            fail(WriteError::OutOfMemory {
                                bytes: bytes as u64,
                            });
                            return;
                        }
                        buf.resize(blocks, Block::zeroed());
                    }
                    let raw: &mut [u8] =
                        &mut bytemuck::cast_slice_mut::<Block, u8>(&mut buf)[..bytes];
                    let res = window.fill(raw, at, &mut scratch).and_then(|streamed| {
                        if streamed > 0 || at < layout.header.len() as u64 {
                            // Else wholly inside one whole tensor: written after the windows.
                            sink.write(raw, at)
                                .map_err(|e| WriteError::io(Op::Write, path, e))?;
                        }
                        Ok(streamed)
                    });
                    match res {
                        Ok(streamed) => {
                            if let Some(p) = opts.progress {
                                p(streamed);
                            }
                            if !first_done.swap(true, Ordering::Relaxed) {
                                opts.stage("write");
                            }
                        }
                        Err(e) => {
                            fail(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    drop(direct);
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    if cancelled.load(Ordering::Relaxed) {
        return Err(WriteError::Cancelled {
            path: path.to_path_buf(),
        });
    }
    for &j in &whole {
        let p = &layout.placements[j];
        let s = &specs[p.spec];
        let piece = WholePiece {
            file: &tmp.file,
            path,
            at: p.start,
            opts: &opts,
            first_done: &first_done,
        };
        match s.dtype {
            DType::F32 => write_whole::<f32>(&piece, s, key),
            DType::F64 => write_whole::<f64>(&piece, s, key),
            DType::BF16 => write_whole::<half::bf16>(&piece, s, key),
            DType::F16 => write_whole::<half::f16>(&piece, s, key),
        }?;
    }
    let data_bytes = layout.file_len - layout.header.len() as u64;
    tmp.persist(path, &opts)?;
    Ok(WriteSummary {
        path: path.to_path_buf(),
        file_bytes: layout.file_len,
        data_bytes,
        tensors: members.len(),
    })
}

/// Where and how one whole tensor is written.
struct WholePiece<'a> {
    file: &'a File,
    path: &'a Path,
    /// The tensor's first byte in the file.
    at: u64,
    opts: &'a WriteOptions<'a>,
    first_done: &'a AtomicBool,
}

/// Materializes the structured tensor `s` ([`crate::Init::alloc`], the in-memory values) and
/// writes it at `piece.at` in pieces of at most [`ITEM_BYTES`].
fn write_whole<T: Element + bytemuck::Pod>(
    piece: &WholePiece<'_>,
    s: &TensorSpec,
    key: &Key,
) -> Result<(), WriteError> {
    let opts = piece.opts;
    let cancelled = || WriteError::Cancelled {
        path: piece.path.to_path_buf(),
    };
    if opts.cancelled() {
        return Err(cancelled());
    }
    let mut values: Vec<T> = s
        .init
        .alloc(&s.shape, s.layout, &key.tensor(&s.name))
        .map_err(|e| match e {
            crate::Error::AllocationFailed => WriteError::OutOfMemory {
                bytes: s.byte_len(),
            },
            e => WriteError::spec(&s.name, e),
        })?;
    let raw: &mut [u8] = bytemuck::cast_slice_mut(&mut values);
    zero_part(raw, s, 0);
    if cfg!(target_endian = "big") {
        for c in raw.chunks_exact_mut(s.dtype.size()) {
            c.reverse();
        }
    }
    let mut at = piece.at;
    for chunk in raw.chunks(ITEM_BYTES) {
        if opts.cancelled() {
            return Err(cancelled());
        }
        write_all_at(piece.file, chunk, at)
            .map_err(|e| WriteError::io(Op::Write, piece.path, e))?;
        if !opts.no_sync {
            start_writeback(piece.file, at, chunk.len() as u64);
        }
        at += chunk.len() as u64;
        if let Some(p) = opts.progress {
            p(chunk.len() as u64);
        }
        if !piece.first_done.swap(true, Ordering::Relaxed) {
            opts.stage("write");
        }
    }
    Ok(())
}

/// What fills one window of the file: the header bytes and every tensor's slice in it.
struct Window<'a> {
    layout: &'a FileLayout,
    specs: &'a [TensorSpec],
    dist_of: &'a [Option<Fill>],
    key: &'a Key,
}

impl Window<'_> {
    /// Fills `raw`, the file's bytes `at..at + raw.len()`. Tensor slices are filled in place
    /// where the window holds whole, aligned elements; an element split by the window's edge
    /// (only possible when dtypes of different widths share a file) or a slice at an offset
    /// its element type may not be read at goes through `scratch`. Bytes of whole
    /// (structured) tensors are left zero; returns how many bytes of tensor data the window
    /// streams (0 and no header: nothing to write).
    fn fill(&self, raw: &mut [u8], at: u64, scratch: &mut Vec<u64>) -> Result<u64, WriteError> {
        let end = at + raw.len() as u64;
        let header = &self.layout.header;
        let mut streamed = raw.len() as u64;
        if at < header.len() as u64 {
            let n = (header.len() - at as usize).min(raw.len());
            streamed -= n as u64;
            raw[..n].copy_from_slice(&header[at as usize..at as usize + n]);
        }
        let places = &self.layout.placements;
        let first = places.partition_point(|p| p.start + p.len <= at);
        for p in places[first..].iter().take_while(|p| p.start < end) {
            if p.len == 0 {
                continue;
            }
            let s = &self.specs[p.spec];
            let lo = p.start.max(at);
            let hi = (p.start + p.len).min(end);
            let out = &mut raw[(lo - at) as usize..(hi - at) as usize];
            let off = lo - p.start;
            let filled = match self.dist_of[p.spec].as_ref() {
                Some(Fill::Glorot(d)) => {
                    let tkey = self.key.tensor(&s.name);
                    fill_tensor_bytes(out, s, off, scratch, |raw, first| {
                        fill_bytes(raw, s.dtype, d, &tkey, first)
                    })
                }
                Some(Fill::Jax(init, k)) => {
                    fill_tensor_bytes(out, s, off, scratch, |raw, first| {
                        super::jax_keys::fill_bytes(raw, s, init, *k, first)
                    })
                }
                Some(Fill::Whole) => {
                    out.fill(0);
                    streamed -= out.len() as u64;
                    continue;
                }
                None => return Err(WriteError::TooLarge("internal: unvalidated tensor".into())),
            };
            filled.map_err(|e| WriteError::spec(&s.name, e))?;
        }
        Ok(streamed)
    }
}

/// Fills `out` with the tensor's bytes starting at byte `off` of its data (any offset, any
/// length): whole elements in place when `out` is aligned for the element type, everything
/// else through `scratch`. `fill(raw, first)` writes whole elements `first..` into `raw`.
fn fill_tensor_bytes(
    out: &mut [u8],
    s: &TensorSpec,
    off: u64,
    scratch: &mut Vec<u64>,
    fill: impl Fn(&mut [u8], u64) -> crate::Result<()>,
) -> crate::Result<()> {
    let size = s.dtype.size() as u64;
    let aligned = off.is_multiple_of(size)
        && (out.len() as u64).is_multiple_of(size)
        && (out.as_ptr() as usize).is_multiple_of(s.dtype.size());
    if aligned {
        fill(out, off / size)?;
        zero_part(out, s, off / size);
        return Ok(());
    }
    // Rare path (mixed dtypes): whole elements covering `out` in an aligned scratch buffer.
    let first = off / size;
    let last = (off + out.len() as u64).div_ceil(size);
    let n = ((last - first) * size) as usize;
    let words = n.div_ceil(8);
    if scratch.len() < words {
        scratch
            .try_reserve_exact(words - scratch.len())
            .map_err(|_| crate::Error::OutOfRange)?;
        scratch.resize(words, 0);
    }
    let tmp = &mut bytemuck::cast_slice_mut::<u64, u8>(scratch)[..n];
    fill(tmp, first)?;
    zero_part(tmp, s, first);
    let skip = (off - first * size) as usize;
    out.copy_from_slice(&tmp[skip..skip + out.len()]);
    Ok(())
}

/// Where the windows go: the file, through `O_DIRECT` where the file system takes it (no page
/// cache: on the project's VMs buffered writeback of a multi-GB file costs 10–20× the disk's
/// own time in kernel CPU), else through the page cache with early writeback.
struct Sink<'a> {
    file: &'a File,
    direct: Option<&'a File>,
    direct_ok: AtomicBool,
    sync: bool,
}

impl Sink<'_> {
    fn write(&self, raw: &[u8], at: u64) -> io::Result<()> {
        if let Some(d) = self.direct {
            if self.direct_ok.load(Ordering::Relaxed) {
                // Direct writes need block-multiple lengths: the file's last partial block
                // goes through the page cache.
                let whole = raw.len() / BLOCK * BLOCK;
                match write_all_at(d, &raw[..whole], at) {
                    Ok(()) => {
                        if whole < raw.len() {
                            write_all_at(self.file, &raw[whole..], at + whole as u64)?;
                        }
                        return Ok(());
                    }
                    // The file system refused this alignment after all: buffered from now on
                    // (a partial direct write is rewritten whole below).
                    Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                        self.direct_ok.store(false, Ordering::Relaxed);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        write_all_at(self.file, raw, at)?;
        if self.sync {
            start_writeback(self.file, at, raw.len() as u64);
        }
        Ok(())
    }
}

/// A second descriptor for `file` with `O_DIRECT`, reopened through `/proc/self/fd` (the same
/// inode, never a path someone could swap), or `None` where that is not available.
#[cfg(target_os = "linux")]
fn open_direct(file: &File) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_DIRECT)
        .open(format!("/proc/self/fd/{}", file.as_raw_fd()))
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_file: &File) -> Option<File> {
    None
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

/// Applies `s.zeroed` to the slice `raw` holding elements `first..` of the tensor.
fn zero_part(raw: &mut [u8], s: &TensorSpec, first: u64) {
    let Some(z) = &s.zeroed else { return };
    let size = s.dtype.size() as u64;
    let end = first + raw.len() as u64 / size;
    let (a, b) = (z.start.max(first), z.end.min(end));
    if a < b {
        raw[((a - first) * size) as usize..((b - first) * size) as usize].fill(0);
    }
}

/// A file under a temporary name that is removed on drop unless persisted.
struct TempFile {
    path: PathBuf,
    file: File,
    keep: bool,
}

impl TempFile {
    /// `.{NAME}.glorot-tmp-{PID}-{RANDOM}` next to `dest`, created exclusively (`O_EXCL`, so a
    /// planted file or symbolic link is never written through).
    fn create(dest: &Path) -> Result<TempFile, WriteError> {
        let dir = parent_dir(dest);
        let prefix = temp_prefix(dest).ok_or_else(|| WriteError::Output {
            path: dest.to_path_buf(),
            reason: "names no file".into(),
        })?;
        for attempt in 0u32..16 {
            let path = dir.join(format!(
                "{prefix}{}-{:08x}",
                std::process::id(),
                temp_nonce(attempt)
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
                Err(e) => return Err(WriteError::io(Op::Create, dest, e)),
            }
        }
        Err(WriteError::io(
            Op::Create,
            dest,
            io::Error::new(io::ErrorKind::AlreadyExists, "no free temporary name"),
        ))
    }

    /// Gives the temporary the existing file's permission bits (and owner, where allowed),
    /// flushes it, and renames it over `dest` — unless the write was cancelled meanwhile or
    /// something that may not be replaced appeared at `dest`.
    fn persist(mut self, dest: &Path, opts: &WriteOptions<'_>) -> Result<(), WriteError> {
        let cancelled = || WriteError::Cancelled {
            path: dest.to_path_buf(),
        };
        if check_output_path(dest, OutputKind::File, opts.force)? == Existing::File {
            copy_permissions(&self.file, dest).map_err(|e| WriteError::io(Op::Write, dest, e))?;
        }
        if !opts.no_sync {
            if opts.cancelled() {
                return Err(cancelled());
            }
            opts.stage("fsync");
            self.file
                .sync_all()
                .map_err(|e| WriteError::io(Op::Sync, dest, e))?;
        }
        opts.stage("rename");
        // A signal during the fsync must not end in a replaced file and exit 0.
        if opts.cancelled() {
            return Err(cancelled());
        }
        let mut replaced = false;
        for _ in 0..2 {
            let existing = check_output_path(dest, OutputKind::File, opts.force)?;
            let res = match existing {
                Existing::Nothing => rename_noreplace(&self.path, dest),
                _ => fs::rename(&self.path, dest),
            };
            match res {
                Ok(()) => {
                    replaced = true;
                    break;
                }
                // Created meanwhile: check what it is, then replace it if allowed.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(WriteError::io(Op::Rename, dest, e)),
            }
        }
        if !replaced {
            return Err(WriteError::io(
                Op::Rename,
                dest,
                io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "the output path keeps changing",
                ),
            ));
        }
        self.keep = true;
        if !opts.no_sync {
            // Make the rename itself durable. Best effort: not every platform can open
            // directories.
            if let Ok(d) = File::open(parent_dir(dest)) {
                let _ = d.sync_all();
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

/// The existing file's permission bits (and owner/group, when this process may set them: as
/// root) onto the new file, so replacing a `0600` file leaves a `0600` file.
#[cfg(unix)]
fn copy_permissions(file: &File, existing: &Path) -> io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::os::unix::io::AsRawFd;
    let m = fs::metadata(existing)?;
    let mine = file.metadata()?;
    if (m.uid(), m.gid()) != (mine.uid(), mine.gid()) {
        // SAFETY: plain system call on a descriptor `file` keeps open.
        let rc = unsafe { libc::fchown(file.as_raw_fd(), m.uid(), m.gid()) };
        if rc != 0 {
            // Not permitted for an unprivileged writer: the new file is then the writer's,
            // as with `cp` onto a file the user may replace but does not own.
            let e = io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::EPERM) {
                return Err(e);
            }
        }
    }
    file.set_permissions(fs::Permissions::from_mode(m.permissions().mode() & 0o7777))
}

#[cfg(not(unix))]
fn copy_permissions(file: &File, existing: &Path) -> io::Result<()> {
    file.set_permissions(fs::metadata(existing)?.permissions())
}

/// `rename` that fails with `AlreadyExists` instead of replacing something created at `to`
/// since it was checked (Linux `renameat2(RENAME_NOREPLACE)`; elsewhere, or on file systems
/// without it, a plain rename).
fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let (Ok(a), Ok(b)) = (
            std::ffi::CString::new(from.as_os_str().as_bytes()),
            std::ffi::CString::new(to.as_os_str().as_bytes()),
        ) else {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "NUL in path"));
        };
        // SAFETY: both strings are valid and NUL-terminated for the duration of the call.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_renameat2,
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::ENOSYS) | Some(libc::EINVAL) | Some(libc::EOPNOTSUPP) => {}
            _ => return Err(e),
        }
    }
    fs::rename(from, to)
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
pub(crate) fn write_small_file(
    path: &Path,
    bytes: &[u8],
    opts: &WriteOptions<'_>,
) -> Result<(), WriteError> {
    check_output_path(path, OutputKind::File, opts.force)?;
    let tmp = TempFile::create(path)?;
    write_all_at(&tmp.file, bytes, 0).map_err(|e| WriteError::io(Op::Write, path, e))?;
    tmp.persist(path, opts)
}
