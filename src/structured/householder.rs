//! The Haar-orthogonal sampler: Stewart's product of Householder reflections, accumulated in
//! compact-WY blocks, in a fixed order of IEEE-754 operations.
//!
//! # Why Stewart, not QR + sign fix
//!
//! PyTorch, JAX and Keras draw a Gaussian `A` (`m × n`, `m ≥ n`), factor `A = QR` with
//! Householder QR (LAPACK `geqrf`), form `Q` (`orgqr`) and multiply column `k` by
//! `sign(R_kk)` (Mezzadri 2007), which makes `Q` Haar-distributed on the Stiefel manifold.
//! Householder QR of a Gaussian matrix is itself Stewart's (1980) sampler: the first reflector
//! depends only on the first column `a₁ ~ N(0, I_m)`, and after it is applied the remaining
//! `(m−1) × (n−1)` block is again i.i.d. N(0, 1) and independent of `a₁` (rotation
//! invariance of the Gaussian). So the `k`-th reflector of QR is, in distribution, the
//! reflector of a *fresh* Gaussian vector of dimension `m − k`, and the sign-fixed `Q` has the
//! same law as `H₀ H₁ ⋯ H_{n−1} [I_n; 0] · D` with `Hₖ` built from fresh vectors and
//! `D = diag(sign βₖ)`. Drawing the fresh vectors instead of updating `A` skips the whole
//! factorization (`geqrf`, `2mn² − 2n³/3` flops) and keeps only the accumulation of `Q`
//! (`orgqr`, another `2mn² − 2n³/3`): half the work of QR-then-Q, and no `R` is ever formed.
//! Each vector is read from the tensor's own normal stream at a fixed index, so `Q` is a pure
//! function of (seed, tensor name, shape).
//!
//! # Specification
//!
//! `W` is the working precision: `f64` for `f64` outputs, `f32` for `f32`, `bf16` and `f16`.
//! Every operation below is one IEEE-754 `+ − × ÷ sqrt` rounded to nearest-even in the stated
//! precision, never fused (Rust never contracts `a·b + c`, and nothing here calls `mul_add`),
//! and every sum is accumulated from `+0` in the order written. `m ≥ n ≥ 1`.
//!
//! 1. **Gaussian vectors.** For column `c ∈ [0, n)`, `x_c[r] = z(c·m + c + r)` for
//!    `r ∈ [0, m − c)`, where `z(i)` is element `i` of `Distribution::normal(0, 1)` filled in
//!    `W` under the tensor's key (i.e. row `c` of an `n × m` Gaussian array, from its column `c`
//!    on; the rest of that array is never drawn).
//! 2. **Reflector of `x = x_c`** (LAPACK `dlarfg`, in `f64`): `α = x[0]`;
//!    `s = ((s₀+s₁)+(s₂+s₃))+((s₄+s₅)+(s₆+s₇))` with `s_l = Σ x[r]²` over `r ≥ 1`,
//!    `(r − 1) mod 8 = l`, increasing `r` (each `x[r]` widened to `f64` first).
//!    If `s = 0`: `τ = 0`, `β = α`, the tail is left as is. Else `β = −copysign(√(α·α + s), α)`,
//!    `τ = (β − α)/β`, `σ = 1/(α − β)`, and the tail becomes `v[r] = x[r] · W(σ)` (in `W`).
//!    `v[0] = 1`. `τ_W = W(τ)`; `d_c = −1` if `β < 0`, else `+1`.
//! 3. **Blocks.** Columns are grouped in blocks of `NB` = 64: block `b` is
//!    `[64b, min(64b + 64, n))`, `k₀ = 64b`, `nb` its width, `R = m − k₀`. Its panel `P`
//!    (`R × nb`): `P[i, a] = 0` for `i < a`, `1` for `i = a`, `v_{k₀+a}[i − a]` for `i > a`.
//! 4. **Triangular factor** (`dlarft`, forward, columnwise, in `W`):
//!    `G[c, a] = Σ_{i=0}^{R−1} P[i, c]·P[i, a]`; for `a = 0 … nb−1`: `T[a, a] = τ_a`, and for
//!    `r < a`: `T[r, a] = (−τ_a) · Σ_{c=r}^{a−1} T[r, c]·G[c, a]`; `T` is zero below the
//!    diagonal. Then `H_{k₀} ⋯ H_{k₀+nb−1} = I − P T Pᵀ`.
//! 5. **Accumulation** (`dorgqr`). `Q` starts as the `m × n` zero matrix. For
//!    `b = last … 0`: set `Q[k₀+a, k₀+a] = 1` for `a < nb`; then for every column
//!    `j ∈ [k₀, n)` of the trailing block `C = Q[k₀.., k₀..]` (rows `i` relative to `k₀`):
//!    `Wt[a, j] = Σ_{i=0}^{R−1} P[i, a]·C[i, j]`; `Y[a, j] = Σ_{c=a}^{nb−1} T[a, c]·Wt[c, j]`;
//!    `C[i, j] ← C[i, j] − Σ_{a=0}^{nb−1} P[i, a]·Y[a, j]`.
//!    The result is `Q = H₀ ⋯ H_{n−1} [I_n; 0]`, and the sampler returns `Q` and `d`
//!    (the caller multiplies column `c` by `d_c · gain`).
//!
//! Products with the structural zeros of `P` and `T` may be skipped: an accumulator that starts
//! at `+0` is never `−0` in round-to-nearest, so adding `±0` never changes it.
//!
//! # Why the bits cannot depend on threads, SIMD or build
//!
//! Every output element is computed by its own chain of operations, summed in the fixed order
//! above; SIMD lanes hold *different* output columns (the kernels vectorise across `j` and
//! broadcast `P`), and threads own whole column panels. No reduction is ever split across lanes
//! or threads, so neither the vector width nor the number of threads nor the panel schedule can
//! change a rounding. The kernels are written once, in plain Rust over `f32`/`f64`, and
//! compiled twice: for the build's baseline and, on x86-64, under
//! `#[target_feature(enable = "avx2")]` (picked at run time). LLVM may vectorise and reorder
//! independent operations but never reassociates or contracts floating-point arithmetic
//! without fast-math flags, which Rust does not emit — so both copies, the `x86-64-v3` build and
//! the scalar spec (re-implemented naively in `tests/orthogonal.rs`) agree bit for bit.
//! BLAS/LAPACK (and faer) cannot promise this: their reductions accumulate in registers whose
//! width depends on the detected ISA, and their GEMM kernels use FMA where it exists. Zen 3 (and
//! most x86 cores since Haswell) issue two multiplies and two adds per cycle, so separate
//! `mul` + `add` reach the same peak flop rate as FMA; what is lost is a little accuracy, not
//! speed.
//!
//! # Cost
//!
//! `2mn² − 2n³/3` flops (`4n³/3` square) in two GEMM-like kernels per block, plus
//! `O(mn·64)` for the panels and triangular factors and `mn` normal draws.
//!
//! **Schedule.** The reflectors come from fresh Gaussian vectors, so every block's `P` and `T`
//! depend on the key alone, never on `Q`; and each column panel's arithmetic is independent
//! of the other panels'. Any schedule that computes each `P`/`T` as specified and applies to
//! each panel its blocks in decreasing `b` therefore gives the same bits. `sample` takes the
//! blocks in batches of up to 16 consecutive blocks (`batch_len`: as many as keep the batch's
//! packed panels within 16 MiB, so 16 at 1024² and 2048² f32, 8 at 4096² f32, 4 at 4096²
//! f64): one parallel pass prepares the whole batch (steps 1–4, one rayon task per block),
//! then one parallel pass over the trailing panels (one task per panel, work-stealing
//! balances the panels near the diagonal that take fewer blocks) applies the batch's blocks
//! to each panel while it is in cache. Block-at-a-time, the 64 MiB matrix of a 4096² f32
//! fill streamed from DRAM once per block (64 times), and the two threads shared that
//! traffic; batched, once per batch (8 times). The batch also replaces ~5 small fork-joins
//! per block with 2 per batch.
//!
//! **Memory** beyond `Q` (`m·n` elements) and the signs: the batch's prepared blocks, each two
//! packed copies of its `P` (`≈ 130·(m − k₀)` elements) and `T` (`64²`) — at most about
//! 16 MiB, or one block's when that is more (`m > 32768` in f32) — plus, while a block is
//! being prepared, its `P` and reflectors (`≈ 128·(m − k₀)` elements) for each block in
//! flight. At 4096² f32: ≤ 15.5 MiB for the batch against ≈ 2 MiB block-at-a-time, next to
//! the 64 MiB `Q`.
//!
//! Measured (`examples/orthogonal_vs_torch.rs`, f32, AMD EPYC Zen 3, 2 vCPUs, AVX2, five runs
//! between 18:47 and 19:09 UTC on 2026-12-01 with other agents' work on the machine; README,
//! Performance, has the table): glorot was 1.9–4.0× faster than `torch.nn.init.orthogonal_`
//! (torch 2.15, MKL) at every size and thread count, 4096² taking 1.61–2.08 s on one thread
//! (≈ 44–57 Gflop/s of the `4n³/3`; block-at-a-time 1.66–2.05 s in three runs of the same
//! hour — the spread is the machine's). From 1 to 2 threads at 4096² the batched schedule
//! gained 1.69–2.04× (block-at-a-time 1.66–1.85×), against the machine's register-only
//! ceiling of 1.46–1.92× measured in the same runs; at 1024² and 2048², 1.27–1.91× and
//! 1.57–2.86× over four runs (block-at-a-time 1.26–1.57× and 1.15–1.82×; these fills take
//! 15–300 ms and the spread is mostly noise). Bits are identical for every thread count
//! (same hash in every row) and for every batch length.

use core::ops::{Add, Mul, Sub};

use rayon::prelude::*;

use crate::alloc::try_alloc_with;
use crate::{fill_at, Distribution, Element, Error, Pages, Result, TensorKey};

/// Reflectors per compact-WY block, and the width of a column panel. Part of the
/// value-stability contract (it fixes how the updates are grouped).
pub(crate) const NB: usize = 64;

/// Rows of the packed panel per broadcast group in the `Pᵀ C` kernel.
const MA: usize = 6;
/// Rows of `C` per tile in the `C − P Y` kernel.
const MI: usize = 6;

/// The working precision: `f32` or `f64`.
pub(crate) trait Real:
    Element + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + PartialOrd
{
    const ZERO: Self;
    const ONE: Self;
    /// Rounds an `f64` to `Self` (nearest-even).
    fn of(x: f64) -> Self;
    /// Exact widening to `f64`.
    fn wide(self) -> f64;
    /// To `f32` (the identity for `f32`; only ever called on `f32` working values).
    fn narrow(self) -> f32;
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline(always)]
    fn of(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn narrow(self) -> f32 {
        self
    }
}

impl Real for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline(always)]
    fn of(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn wide(self) -> f64 {
        self
    }
    #[inline(always)]
    fn narrow(self) -> f32 {
        self as f32
    }
}

/// An `m × n` matrix stored as column panels of [`NB`] columns, each panel row-major, so a
/// panel is one contiguous slice and threads can own panels without `unsafe`.
pub(crate) struct Panels<W> {
    pub(crate) m: usize,
    pub(crate) n: usize,
    pub(crate) data: Vec<W>,
}

impl<W: Real> Panels<W> {
    /// Element `(i, j)`.
    #[inline]
    pub(crate) fn get(&self, i: usize, j: usize) -> W {
        let p = j / NB;
        let w = NB.min(self.n - p * NB);
        self.data[p * NB * self.m + i * w + (j - p * NB)]
    }
}

/// Which compiled copy of the kernels runs. The bits never depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// The build's baseline instruction set (SSE2 in a default x86-64 build).
    Baseline,
    /// The same code compiled with AVX2 enabled (x86-64, detected at run time).
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Level {
    /// The best copy the CPU supports under the crate's one SIMD knob ([`crate::Level`] and
    /// its process-wide cap, `internals::cap_level`): the AVX2 copy when the crate may run
    /// [`crate::Level::Avx2`] or above, else the baseline.
    pub(crate) fn detect() -> Level {
        match crate::Level::Avx2.ready() {
            #[cfg(target_arch = "x86_64")]
            crate::level::Ready::Avx2(_) | crate::level::Ready::Avx512(_) => Level::Avx2,
            _ => Level::Baseline,
        }
    }
}

/// Bytes of packed panels one batch may hold (see [`batch_len`]): half the 32 MiB L3 this
/// was tuned on, so the batch's panels stay cached next to the two threads' `Q` panels.
const BATCH_BYTES: usize = 16 << 20;

/// Blocks per batch: as many as fit [`BATCH_BYTES`] (each block keeps two packed copies of its
/// `R × 64` panel, at most `2·64·m` elements), at least 1 and at most 16 (so 16 at 1024² and
/// 2048² f32, 8 at 4096², 1 once one block's copies pass 16 MiB, m > 32768 in f32). Measured
/// on the 2-vCPU Zen 3: 8 or 16 against 1–6 won 5–15 % on two threads at 2048², and 8 at
/// 1024² was 15 % slower on one thread than 4 or 16 for no reason found. The batch length is a
/// schedule choice only: every panel still receives the same updates in the same order, so it
/// changes no bit (`tests::every_batch_length_gives_the_same_bits`).
fn batch_len<W>(m: usize) -> usize {
    let per_block = 2 * m * NB * core::mem::size_of::<W>();
    (BATCH_BYTES / per_block.max(1)).clamp(1, 16)
}

/// Everything step 5 needs of one block, prepared ahead of the updates.
struct Prepared<W> {
    k0: usize,
    nb: usize,
    rows: usize,
    /// `P` packed by row groups ([`pack_rows`]).
    by_rows: Vec<W>,
    /// `P` packed by `MA`-column slabs ([`pack`]).
    packed: Vec<W>,
    t: Vec<W>,
}

/// Steps 1–4 for block `b`; also writes the block's signs into `d` (`d.len() == nb`).
fn prepare<W: Real>(
    b: usize,
    m: usize,
    n: usize,
    key: &TensorKey,
    normal: &Distribution,
    level: Level,
    d: &mut [W],
) -> Result<Prepared<W>> {
    let k0 = b * NB;
    let nb = NB.min(n - k0);
    let rows = m - k0;

    // 1–2: the block's reflectors, one Gaussian vector each.
    let refl: Vec<(Vec<W>, W, W)> = (0..nb)
        .into_par_iter()
        .map(|a| -> Result<(Vec<W>, W, W)> {
            let c = k0 + a;
            let mut x = vec![W::ZERO; m - c];
            fill_at(&mut x, normal, key, (c * m + c) as u64)?;
            let (tau, sign) = reflector(&mut x);
            Ok((x, tau, sign))
        })
        .collect::<Result<_>>()?;

    // 3: the panel P, row-major R × nb, and its two packings for the update kernels.
    let mut tau = [W::ZERO; NB];
    for (a, (_, t, sign)) in refl.iter().enumerate() {
        tau[a] = *t;
        d[a] = *sign;
    }
    let mut p = vec![W::ZERO; rows * nb];
    p.par_chunks_mut(nb * 64)
        .enumerate()
        .for_each(|(ch, rows_chunk)| {
            for (k, prow) in rows_chunk.chunks_exact_mut(nb).enumerate() {
                let i = ch * 64 + k;
                for (a, (x, _, _)) in refl.iter().enumerate().take((i + 1).min(nb)) {
                    prow[a] = if i == a { W::ONE } else { x[i - a] };
                }
            }
        });
    drop(refl);
    let packed = pack(&p, rows, nb);
    let by_rows = pack_rows(&p, rows, nb);

    // 4: T from G = PᵀP.
    let mut g = vec![W::ZERO; nb * nb];
    gram(level, &packed, &p, rows, nb, &mut g);
    let t = triangular(&g, &tau[..nb], nb);
    Ok(Prepared {
        k0,
        nb,
        rows,
        by_rows,
        packed,
        t,
    })
}

/// Samples `Q` (`m × n`, `m ≥ n ≥ 1`) and the signs `d` as specified in the module docs.
///
/// Schedule (not part of the specification, which fixes only what each panel computes): the
/// blocks are taken in batches of [`batch_len`] consecutive blocks, highest first. A batch's
/// blocks are prepared (steps 1–4) in one parallel pass — they depend only on the key, never
/// on `Q` — and then one parallel pass over the trailing panels applies to each panel the
/// batch's blocks `b ≤ j` in decreasing `b`, setting panel `j`'s identity just before its own
/// block, while the panel is in cache. Each panel thus receives exactly the sequence of
/// updates of step 5, in its order.
pub(crate) fn sample<W: Real>(
    m: usize,
    n: usize,
    key: &TensorKey,
    level: Level,
) -> Result<(Panels<W>, Vec<W>)> {
    sample_batched(m, n, key, level, batch_len::<W>(m))
}

/// [`sample`] with `k ≥ 1` blocks per batch (`k = 1` is step 5's loop as written).
fn sample_batched<W: Real>(
    m: usize,
    n: usize,
    key: &TensorKey,
    level: Level,
    k: usize,
) -> Result<(Panels<W>, Vec<W>)> {
    debug_assert!(m >= n && n >= 1 && k >= 1);
    let len = m.checked_mul(n).ok_or(Error::ShapeOverflow)?;
    // Zeroed in parallel, so the first touch of Q's pages is spread over the threads.
    let data = try_alloc_with(len, Pages::Plain, |out| {
        out.par_chunks_mut(1 << 16).for_each(|c| {
            for x in c {
                x.write(W::ZERO);
            }
        });
        Ok(())
    })?;
    let mut q = Panels { m, n, data };
    let mut d = vec![W::ONE; n];
    let normal = Distribution::normal(0.0, 1.0)?;
    let blocks = n.div_ceil(NB);
    let mut hi = blocks;
    while hi > 0 {
        let lo = hi.saturating_sub(k);
        // Steps 1–4 for blocks lo..hi, in parallel over the blocks (`batch[i]` is block lo + i).
        let batch: Vec<Prepared<W>> = d[lo * NB..(hi * NB).min(n)]
            .par_chunks_mut(NB)
            .enumerate()
            .map(|(i, ds)| prepare(lo + i, m, n, key, &normal, level, ds))
            .collect::<Result<_>>()?;

        // Step 5 for the batch, panel by panel.
        q.data[lo * NB * m..]
            .par_chunks_mut(NB * m)
            .with_max_len(1)
            .enumerate()
            .for_each(|(pi, panel)| {
                let j = lo + pi;
                let w = panel.len() / m;
                for blk in batch[..(j + 1 - lo).min(hi - lo)].iter().rev() {
                    if blk.k0 / NB == j {
                        // The block's own panel: its identity, just before its update.
                        for a in 0..blk.nb {
                            panel[(blk.k0 + a) * w + a] = W::ONE;
                        }
                    }
                    let ctx = Ctx {
                        p: &blk.by_rows,
                        packed: &blk.packed,
                        t: &blk.t,
                        rows: blk.rows,
                        nb: blk.nb,
                    };
                    update(level, &ctx, &mut panel[blk.k0 * w..], w);
                }
            });
        hi = lo;
    }
    Ok((q, d))
}

/// Step 2: overwrites `x[1..]` with the reflector's tail; returns `(τ, d)`.
fn reflector<W: Real>(x: &mut [W]) -> (W, W) {
    let alpha = x[0].wide();
    let mut part = [0f64; 8];
    for (r, v) in x[1..].iter().enumerate() {
        let v = v.wide();
        part[r % 8] += v * v;
    }
    let s =
        ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
    let sign = |v: f64| if v < 0.0 { W::ZERO - W::ONE } else { W::ONE };
    if s == 0.0 {
        return (W::ZERO, sign(alpha));
    }
    let beta = -(alpha * alpha + s).sqrt().copysign(alpha);
    let tau = (beta - alpha) / beta;
    let scale = W::of(1.0 / (alpha - beta));
    for v in &mut x[1..] {
        *v = *v * scale;
    }
    (W::of(tau), sign(beta))
}

/// `P` (row-major `rows × nb`) regrouped as `ceil(nb/MA)` slabs of `rows × MA` (zero-padded),
/// so the `Pᵀ·C` kernel reads each slab contiguously.
fn pack<W: Real>(p: &[W], rows: usize, nb: usize) -> Vec<W> {
    let slabs = nb.div_ceil(MA);
    let mut out = vec![W::ZERO; slabs * rows * MA];
    out.par_chunks_mut(rows * MA)
        .enumerate()
        .for_each(|(s, slab)| {
            let width = MA.min(nb - s * MA);
            for i in 0..rows {
                slab[i * MA..i * MA + width]
                    .copy_from_slice(&p[i * nb + s * MA..i * nb + s * MA + width]);
            }
        });
    out
}

/// Step 4's recurrence (scalar: `nb³/6` operations per block).
fn triangular<W: Real>(g: &[W], tau: &[W], nb: usize) -> Vec<W> {
    let mut t = vec![W::ZERO; nb * nb];
    for a in 0..nb {
        t[a * nb + a] = tau[a];
        let neg = W::ZERO - tau[a];
        for r in 0..a {
            let mut u = W::ZERO;
            for c in r..a {
                u = u + t[r * nb + c] * g[c * nb + a];
            }
            t[r * nb + a] = neg * u;
        }
    }
    t
}

struct Ctx<'a, W> {
    /// `P` packed by row groups ([`pack_rows`]).
    p: &'a [W],
    packed: &'a [W],
    t: &'a [W],
    rows: usize,
    nb: usize,
}

/// `G = PᵀP`, in parallel over the [`MA`]-row slabs of `G` (each slab's sums are the same
/// whichever thread runs them).
fn gram<W: Real>(level: Level, packed: &[W], p: &[W], rows: usize, nb: usize, g: &mut [W]) {
    g.par_chunks_mut(MA * nb)
        .zip(packed.par_chunks(rows * MA))
        .for_each(|(gs, slab)| {
            let width = gs.len() / nb;
            match level {
                Level::Baseline => pt_c_dispatch(slab, p, rows, width, nb, gs),
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `Level::Avx2` is only chosen from a `Ready::Avx2`/`Avx512` proof token, which
                // `Level::ready` makes only after detecting AVX2.
                Level::Avx2 => unsafe { gram_avx2(slab, p, rows, width, nb, gs) },
            }
        });
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn gram_avx2<W: Real>(slab: &[W], p: &[W], rows: usize, width: usize, nb: usize, g: &mut [W]) {
    pt_c_dispatch(slab, p, rows, width, nb, g)
}

fn update<W: Real>(level: Level, ctx: &Ctx<'_, W>, c: &mut [W], w: usize) {
    match level {
        Level::Baseline => update_body(ctx, c, w),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Level::Avx2` is only chosen from a `Ready::Avx2`/`Avx512` proof token, which
        // `Level::ready` makes only after detecting AVX2.
        Level::Avx2 => unsafe { update_avx2(ctx, c, w) },
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn update_avx2<W: Real>(ctx: &Ctx<'_, W>, c: &mut [W], w: usize) {
    update_body(ctx, c, w)
}

/// `C ← C − P·(T·(Pᵀ·C))` for one panel `C` (`rows × w`, row-major).
#[inline(always)]
fn update_body<W: Real>(ctx: &Ctx<'_, W>, c: &mut [W], w: usize) {
    let nb = ctx.nb;
    let mut wt = vec![W::ZERO; nb * w];
    pt_c_dispatch(ctx.packed, c, ctx.rows, nb, w, &mut wt);
    // Y = T·Wt, row by row, vectorised across the panel's columns.
    let mut y = vec![W::ZERO; nb * w];
    for a in 0..nb {
        let (yr, t) = (&mut y[a * w..(a + 1) * w], &ctx.t[a * nb..(a + 1) * nb]);
        for cc in a..nb {
            let tc = t[cc];
            let wr = &wt[cc * w..(cc + 1) * w];
            for (yv, &wv) in yr.iter_mut().zip(wr) {
                *yv = *yv + tc * wv;
            }
        }
    }
    c_minus_py_dispatch(ctx.p, &y, c, ctx.rows, nb, w);
}

/// Lanes per tile row: two 256-bit vectors.
#[inline(always)]
fn lanes<W>() -> usize {
    64 / core::mem::size_of::<W>()
}

#[inline(always)]
fn pt_c_dispatch<W: Real>(packed: &[W], c: &[W], rows: usize, nb: usize, w: usize, out: &mut [W]) {
    if lanes::<W>() == 16 {
        pt_c::<W, 16>(packed, c, rows, nb, w, out)
    } else {
        pt_c::<W, 8>(packed, c, rows, nb, w, out)
    }
}

#[inline(always)]
fn c_minus_py_dispatch<W: Real>(p: &[W], y: &[W], c: &mut [W], rows: usize, nb: usize, w: usize) {
    if lanes::<W>() == 16 {
        c_minus_py::<W, 16>(p, y, c, rows, nb, w)
    } else {
        c_minus_py::<W, 8>(p, y, c, rows, nb, w)
    }
}

/// Rows of `C` per pass of the `Pᵀ·C` kernel: a 16-column strip of 256 rows (16 KiB of f32)
/// stays in L1 while every slab of `P` sweeps it. Partial sums are stored in `out` between
/// passes and reloaded, which changes no rounding: each sum still runs in increasing `i`.
const KC: usize = 256;

/// `out[a, j] = Σ_i P[i, a]·C[i, j]` (`out` is `nb × w`), each sum in increasing `i`.
#[inline(always)]
fn pt_c<W: Real, const J: usize>(
    packed: &[W],
    c: &[W],
    rows: usize,
    nb: usize,
    w: usize,
    out: &mut [W],
) {
    let slabs = nb.div_ceil(MA);
    out[..nb * w].fill(W::ZERO);
    let mut i0 = 0;
    while i0 < rows {
        let i1 = (i0 + KC).min(rows);
        let cc = &c[i0 * w..i1 * w];
        let mut j0 = 0;
        while j0 < w {
            let full = j0 + J <= w;
            for s in 0..slabs {
                let slab = &packed[s * rows * MA + i0 * MA..s * rows * MA + i1 * MA];
                let width = MA.min(nb - s * MA);
                if full {
                    let mut acc = [[W::ZERO; J]; MA];
                    for (r, row) in acc.iter_mut().enumerate().take(width) {
                        let o = (s * MA + r) * w + j0;
                        row.copy_from_slice(&out[o..o + J]);
                    }
                    for (prow, crow) in slab.chunks_exact(MA).zip(cc.chunks_exact(w)) {
                        let cr: &[W; J] = crow[j0..j0 + J].try_into().unwrap();
                        let pr: &[W; MA] = prow.try_into().unwrap();
                        for r in 0..MA {
                            for l in 0..J {
                                acc[r][l] = acc[r][l] + pr[r] * cr[l];
                            }
                        }
                    }
                    for (r, row) in acc.iter().enumerate().take(width) {
                        let o = (s * MA + r) * w + j0;
                        out[o..o + J].copy_from_slice(row);
                    }
                } else {
                    // Tail columns: one at a time, the same sums.
                    for j in j0..w {
                        let mut acc = [W::ZERO; MA];
                        for (r, a) in acc.iter_mut().enumerate().take(width) {
                            *a = out[(s * MA + r) * w + j];
                        }
                        for (prow, crow) in slab.chunks_exact(MA).zip(cc.chunks_exact(w)) {
                            for r in 0..MA {
                                acc[r] = acc[r] + prow[r] * crow[j];
                            }
                        }
                        for (r, &v) in acc.iter().enumerate().take(width) {
                            out[(s * MA + r) * w + j] = v;
                        }
                    }
                }
            }
            j0 += J;
        }
        i0 = i1;
    }
}

/// `P` regrouped for the `C − P·Y` kernel: for each group of [`MI`] rows, `nb` runs of the
/// group's `MI` values of column `a` (zero-padded past the last row).
fn pack_rows<W: Real>(p: &[W], rows: usize, nb: usize) -> Vec<W> {
    let groups = rows.div_ceil(MI);
    let mut out = vec![W::ZERO; groups * nb * MI];
    out.par_chunks_mut(nb * MI)
        .enumerate()
        .for_each(|(g, dst)| {
            for r in 0..MI.min(rows - g * MI) {
                let src = &p[(g * MI + r) * nb..(g * MI + r + 1) * nb];
                for (a, &v) in src.iter().enumerate() {
                    dst[a * MI + r] = v;
                }
            }
        });
    out
}

/// `C[i, j] ← C[i, j] − Σ_a P[i, a]·Y[a, j]`, each sum in increasing `a`. `pr` is
/// [`pack_rows`] of `P`.
#[inline(always)]
fn c_minus_py<W: Real, const J: usize>(
    pr: &[W],
    y: &[W],
    c: &mut [W],
    rows: usize,
    nb: usize,
    w: usize,
) {
    let y = &y[..nb * w];
    for (g, group) in pr.chunks_exact(nb * MI).enumerate() {
        let i0 = g * MI;
        let h = MI.min(rows - i0);
        let mut j0 = 0;
        while j0 < w {
            let jw = J.min(w - j0);
            if jw == J {
                let mut acc = [[W::ZERO; J]; MI];
                for (pa, yrow) in group.chunks_exact(MI).zip(y.chunks_exact(w)) {
                    let pa: &[W; MI] = pa.try_into().unwrap();
                    let yr: &[W; J] = yrow[j0..j0 + J].try_into().unwrap();
                    for r in 0..MI {
                        for l in 0..J {
                            acc[r][l] = acc[r][l] + pa[r] * yr[l];
                        }
                    }
                }
                for (r, row) in acc.iter().enumerate().take(h) {
                    let cr = &mut c[(i0 + r) * w + j0..(i0 + r) * w + j0 + J];
                    for (cv, &av) in cr.iter_mut().zip(row) {
                        *cv = *cv - av;
                    }
                }
            } else {
                for j in j0..w {
                    let mut acc = [W::ZERO; MI];
                    for (pa, yrow) in group.chunks_exact(MI).zip(y.chunks_exact(w)) {
                        for r in 0..MI {
                            acc[r] = acc[r] + pa[r] * yrow[j];
                        }
                    }
                    for (r, &av) in acc.iter().enumerate().take(h) {
                        let cv = &mut c[(i0 + r) * w + j];
                        *cv = *cv - av;
                    }
                }
            }
            j0 += jw;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Key;

    /// The batch length is a schedule choice only: every length gives the bits of `k = 1`,
    /// which is step 5's block-by-block loop. Shapes with a partial last block, tall ones, and
    /// batches that do and do not divide the block count.
    #[test]
    fn every_batch_length_gives_the_same_bits() {
        fn check<W: Real + core::fmt::Debug>(m: usize, n: usize) {
            let key = Key::new(3).tensor("w");
            for level in [Level::Baseline, Level::detect()] {
                let (q1, d1) = sample_batched::<W>(m, n, &key, level, 1).unwrap();
                for k in [2, 3, 5, 16] {
                    let (q, d) = sample_batched::<W>(m, n, &key, level, k).unwrap();
                    let bits = |v: &[W]| v.iter().map(|x| x.wide().to_bits()).collect::<Vec<_>>();
                    assert!(
                        bits(&q.data) == bits(&q1.data) && bits(&d) == bits(&d1),
                        "{m}×{n}, k = {k}, {level:?}"
                    );
                }
            }
        }
        check::<f32>(300, 300);
        check::<f32>(700, 450);
        check::<f64>(520, 321);
        check::<f32>(64, 64);
    }
}
