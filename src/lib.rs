//! # glorot
//!
//! Neural-network weight initialization that is fast and bit-reproducible: the same seed gives
//! the same weights on any machine, any thread count, any SIMD path and any shard layout.
//!
//! ```
//! use glorot::{Init, Key, Layout};
//!
//! let key = Key::new(2010);
//! // nn.Linear(784, 1000).weight has PyTorch shape (out, in) = (1000, 784).
//! let w: Vec<f32> = Init::xavier_uniform(1.0).alloc(&[1000, 784], Layout::Torch, &key.tensor("fc1.weight"))?;
//! assert_eq!(w.len(), 784_000);
//! # Ok::<(), glorot::Error>(())
//! ```
//!
//! # Initializers
//!
//! | rule | PyTorch name | JAX name | distribution |
//! |---|---|---|---|
//! | Glorot & Bengio (2010) | [`Init::XavierUniform`] `{ gain }` | [`Init::GlorotUniform`] | `U[-b, b)`, `b = gain·√(6/(fan_in+fan_out))` |
//! | He et al. (2015) | [`Init::KaimingUniform`] `{ a, mode, nonlinearity }` | [`Init::HeUniform`] | `U[-b, b)`, `b = √3·gain/√fan` |
//! | LeCun et al. (1998) | — | [`Init::LecunUniform`] | `U[-b, b)`, `b = √(3/fan_in)` |
//! | variance scaling | — | [`Init::VarianceScaling`] `{ scale, mode, distribution }` | variance `scale/fan`, fan ∈ fan_in, fan_out, fan_avg, fan_geo_avg |
//! | constants | [`Init::Constant`], [`Init::Zeros`], [`Init::Ones`] | `constant`, `zeros`, `ones` | — |
//! | uniform | [`Init::Uniform`] `{ low, high }` | `uniform` | `U[low, high)` |
//! | Glorot normal | [`Init::XavierNormal`] `{ gain }`: **plain** normal | [`Init::GlorotNormal`]: **truncated** at ±2σ′, σ′ = σ/0.8796… | std `σ = gain·√(2/(fan_in+fan_out))` |
//! | He normal | [`Init::KaimingNormal`] `{ a, mode, nonlinearity }`: plain | [`Init::HeNormal`]: truncated | std `gain/√fan` |
//! | LeCun normal | — | [`Init::LecunNormal`]: truncated | std `√(1/fan_in)` |
//! | normal | [`Init::Normal`] `{ mean, std }` | `normal(stddev)` | `N(mean, std²)` |
//! | truncated normal | [`Init::TruncNormal`] `{ mean, std, a, b }`, `a`, `b` absolute | `truncated_normal` (bounds in std units) | `N(mean, std²)` on `(a, b)` |
//!
//! The table on [`Init`] gives both conventions in full. JAX's truncated initializers divide by
//! 0.87962566103423978 ([`TRUNCATED_STD_CORRECTION`]), the std of N(0, 1) truncated to (−2, 2),
//! so the result has exactly the target variance; PyTorch's normal initializers are untruncated.
//! Whole models are declared with [`network!`] (guide: [`model`]) and written to safetensors
//! files with [`io`].
//!
//! **One vocabulary.** Every initializer, nonlinearity, gain, fan rule and the name → stream
//! hash is defined once, in this crate, as `const`-usable items ([`Init`], [`calculate_gain`],
//! [`Fans::torch`], [`name_stream`] are `const fn`s); so are the model types and the const
//! builder behind [`network!`] ([`model`]). The `glorot-macros` crate is only the `network!`
//! grammar, whose `macro_rules!` expand to `::glorot::…` paths. Why: a `macro_rules!` `$crate`
//! names the macro's own crate, which cannot depend on this one, so defining the types where
//! the engine fills them is what leaves no mirrored copies to convert or keep in parity.
//!
//! Gains are PyTorch's [`calculate_gain`] values to the last bit; fans follow PyTorch's layout
//! `(out, in/groups, *kernel)` ([`Fans::torch`]), JAX's `(*kernel, in, out)` ([`Fans::jax`]) or
//! explicit axes ([`Fans::from_axes`]). Bounds are computed with the reference library's own
//! floating-point expression (e.g. PyTorch's `math.sqrt(3.0) * std`), so they are bit-equal.
//! Uniform intervals are half-open: `low` can occur, `high` never does, in every dtype — also
//! where rounding `low + (high − low)·u` would reach `high`, and after rounding to bf16/f16.
//!
//! (References at the end.)
//!
//! # Seeding and reproducibility
//!
//! Every element is a pure function of (seed, tensor name or id, element index). This section
//! is the complete specification: with only `rand_chacha` you can recompute any element (the
//! test `tests/contract.rs` does exactly that at scattered indices).
//!
//! **Key and stream.** [`Key::new`]`(seed)` takes the 32-byte ChaCha key
//! `ChaCha8Rng::seed_from_u64(seed).get_seed()` (rand_core's PCG32 expansion, documented as
//! value-stable). [`Key::tensor`]`(name)` selects the ChaCha stream
//! `FNV-1a-64(name.as_bytes())` ([`name_stream`]); [`Key::tensor_id`]`(id)` selects stream `id`.
//! Word `p` of a tensor is the `p`-th 32-bit output of
//! `ChaChaNRng::from_seed(key)` after `set_stream(stream)` and `set_word_pos(p)` (N = 8 by
//! default, or 12/20 via [`Rounds`]). Renaming, adding or removing a tensor never changes any
//! other tensor.
//!
//! **Narrow family (`f32`, `bf16`, `f16`): 24 bits per element.** Element `i` belongs to group
//! `g = i / 64`, position `r = i % 64`; the group reads words `w[0..48]` = stream words
//! `48g .. 48g + 48` and
//!
//! ```text
//! k = w[r] >> 8                                                          if r < 48
//! k = (w[j] & 0xFF) | (w[16+j] & 0xFF) << 8 | (w[32+j] & 0xFF) << 16    if r = 48 + j
//! ```
//!
//! **`f64`: 64 bits per element.** `w = word(2i) | word(2i + 1) << 32`.
//!
//! **Normal and truncated normal** use the exact inverse CDF of each element's integer, built only
//! from IEEE `+ − × ÷ sqrt`, never fused: for the narrow family (since 0.2.0) a table of 1024
//! cubics indexed by the binade and top mantissa bits of `min(q, 1 − q)` (Luu 2016; no
//! logarithm, ≤ 1.49 ulp, tested over all 2²⁴ inputs), for `f64` Giles 2011 "Approximating the
//! erfinv function" with Cephes' log. The complete operation-by-operation specification is in
//! [`dist::normal`].
//!
//! **Uniform `[low, high)`.** Narrow: `lo = low as f32`, `span = (high as f32) − lo`,
//! `x = lo + span · (k as f32 · 2⁻²⁴)` in `f32` (multiply, then add; never fused). `f64`:
//! `x = low + (high − low) · ((w >> 11) as f64 · 2⁻⁵³)`.
//! **Constants** read no words.
//!
//! **Rounding and bounds.** A narrow value is computed in `f32`, then rounded once to the output
//! type (nearest-even, exactly `half::bf16::from_f32` / `half::f16::from_f32`), then clamped into
//! `[smallest output value ≥ low, largest output value < high]`. The clamp only ever moves values
//! that rounding pushed onto or past a bound.
//!
//! **What this buys.** Thread count, chunking, the SIMD instruction set and the offset of a
//! partial fill cannot change a bit: [`fill_at`] of elements `[a, b)` equals the slice `[a, b)`
//! of the whole tensor, so shards and tensor-parallel blocks are computed independently. The
//! SIMD kernels and the scalar reference ([`Level::Scalar`]) execute the same IEEE-754
//! operations in the same order. Pinned by `tests/contract.rs` (properties) and
//! `tests/value_stability.rs` (hard-coded bits that any change must consciously break).
//!
//! # Performance
//!
//! Each 64 Ki-element chunk generates its ChaCha words in L1-sized batches with the crate's own
//! ChaCha (16-way AVX-512VL, 8-way AVX2, 4-way SSE2 or scalar, chosen at run time; word for word
//! rand_chacha's) and maps them with SIMD: an AVX-512 or AVX2 kernel chosen at run time, or `wide`
//! (8 lanes, width fixed at compile time) elsewhere. Chunks run on the current rayon pool (run inside
//! [`rayon::ThreadPool::install`] to choose the pool). Spending 24 rather than 32 bits per
//! narrow element cuts the generator work, which is the limit for touched memory, by a quarter.
//! A fresh buffer from [`try_alloc_filled`] is never zeroed: its pages are first touched by the
//! parallel fill itself.
//!
//! Measured on a 2-vCPU AVX-512 VM, 1 GiB of f32, both threads, ratio to `slice.fill(c)` on the
//! same touched buffer: `xavier_uniform` 0.68, `xavier_normal` 0.23, `glorot_normal` 0.24;
//! allocate-and-fill 0.82 of allocate-and-`fill(c)`. The README's Performance section has the
//! full tables; `cargo run --release --example throughput` reproduces them.
//!
//! # Architecture
//!
//! The fill engine is layered one way: a module may import its own layer and the layers below
//! it, never one above. Each row's files own one concern; the table is the single source of
//! truth, and `tests/architecture.rs` parses it from here and fails on any `crate::` path in
//! `src/` that points upwards (`lib.rs` itself only declares and re-exports; `bin/` sees only
//! the public API).
//!
//! | # | layer | files (under `src/`) | what it owns |
//! |---|---|---|---|
//! | 16 | report | `report/` | variance propagation at initialization, SVG figures (`report` feature) |
//! | 16 | frameworks | `frameworks/` | candle and burn plug-ins (optional features) |
//! | 14 | models and files | `model/`, `io/`, `hf/` | `network!` models, safetensors writing, shard plans, Hugging Face configs and model directories |
//! | 13 | JAX keys | `jax/` | threefry keys and JAX-exact uniform initializers |
//! | 12 | blocks | `block.rs` | 2-D row/column blocks and shards of a tensor |
//! | 11 | vocabulary | `gain.rs`, `fan.rs`, `init.rs`, `structured/` | gains, fans, the named initializers; orthogonal and the structured ones |
//! | 10 | fill API | `fill.rs`, `alloc.rs` | `fill`, `fill_at`, `fill_uninit`, allocate-and-fill |
//! | 9 | parallel | `parallel.rs` | fixed chunks on the rayon pool |
//! | 8 | kernel | `kernel/` | words → integers → sample → round → store, one range |
//! | 7 | plan | `dist/` | [`Distribution`] (valid by construction) → the dtype rule → per-dtype plan: sampler + output bounds |
//! | 6 | samplers | `sample/` | each family's sampling over lanes (uniform, normal, truncated, constant) |
//! | 5 | element | `element.rs` | [`DType`], sealed [`Element`], bf16/f16 rounding over lanes |
//! | 4 | lanes | `simd/` | the `Lanes` traits, scalar/`wide`/AVX2/AVX-512 backends, `ln`/`erfinv` |
//! | 3 | key | `key.rs` | seeds, tensor streams, [`name_stream`] |
//! | 2 | chacha | `chacha/` | ChaCha words, one backend per instruction set |
//! | 1 | level | `level.rs` | [`Level`]: detection, the cap, proof tokens |
//! | 0 | error | `error.rs` | [`Error`] |
//!
//! ```text
//!   fill API ──► parallel ──► kernel ──► plan (dist) ──► samplers ──► element ──► lanes (simd)
//!                               │                                                    │
//!                               └──────────► key ──► chacha ──► level ◄──────────────┘
//! ```
//!
//! Three seams keep the arrows pointing down:
//!
//! - **One SIMD knob.** [`Level`] (`Scalar < Portable < Avx2 < Avx512`) picks both the ChaCha
//!   backend and the kernels' lanes. A requested level is lowered to what the CPU has and the
//!   process-wide cap allows; the result carries a proof token that the intrinsics code takes.
//! - **Lanes call back, not up.** The kernel hands the lanes layer an operation
//!   (`simd::WithLanes`, pulp's `WithSimd` pattern); each backend's `#[target_feature]` entry
//!   calls `op.run::<V, W>()` with its lane types, so the whole kernel loop is compiled for the
//!   instruction set without the backend naming the kernel.
//! - **Elements are matched, not asked.** [`Element`] only views an output slice as one of four
//!   concrete slice types; the kernel matches on it. One struct (`kernel::Run`) carries a
//!   range's inputs — sampler, bounds, key, offset, level, output — through the kernel.
//!
//! Adding a distribution family: its sampler in `sample/`, its validation and plan in `dist/`,
//! one match arm in `kernel/mod.rs`. Adding a backend: one file in `simd/` (and `chacha/`), one
//! [`Level`] variant.
//!
//! # Features
//!
//! - `cli` (off by default): the `glorot` command-line tool (clap, indicatif, serde_json).
//!   Library users get none of these dependencies. Includes `hf` and `report`.
//! - `hf` (off by default; `cli` enables it): [`hf`], Hugging Face `config.json` → the exact
//!   tensor table and `_init_weights` rules of transformers (serde_json).
//! - `candle` (off by default): `frameworks::candle`, a candle-nn `SimpleBackend` (candle-core,
//!   candle-nn); with `hf`, the Hugging Face policy. `candle-models` adds candle-transformers, for
//!   the plug-in's tests and examples.
//! - `burn` (off by default): `frameworks::burn`, a burn-store `ModuleStore` (burn with `std`,
//!   `ndarray`, `safetensors`; burn 0.22 needs Rust 1.95).
//! - `report` (off by default): [`report`], the variance-propagation report of Glorot & Bengio
//!   (2010) and He et al. (2015) at initialization, with SVG figures (plotters, faer).
//!
//! The library itself depends on rand_core, rand_chacha, wide, rayon, half, bytemuck, libc (for
//! the huge-page hint and positioned writes) and glorot-macros.
//!
//! # References
//!
//! - X. Glorot and Y. Bengio, *Understanding the difficulty of training deep feedforward neural
//!   networks*, AISTATS 2010.
//! - K. He, X. Zhang, S. Ren and J. Sun, *Delving Deep into Rectifiers: Surpassing Human-Level
//!   Performance on ImageNet Classification*, ICCV 2015.
//! - Y. LeCun, L. Bottou, G. Orr and K.-R. Müller, *Efficient BackProp*, 1998.
//! - M. Giles, *Approximating the erfinv function*, GPU Computing Gems, 2011.
//! - T. Luu, *Fast and accurate parallel computation of quantile functions for random number
//!   generation*, PhD thesis, University College London, 2016.
//! - S. L. Moshier, *Cephes Mathematical Library* (log, exp).
//! - D. J. Bernstein, *ChaCha, a variant of Salsa20*, 2008.

#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

// `network!` expands to `::glorot::…` paths (see the `glorot-macros` crate docs); this makes
// them resolve inside glorot too, where the presets are declared with it.
extern crate self as glorot;

mod alloc;
mod block;
mod chacha;
pub mod dist;
mod element;
mod error;
pub mod fan;
mod fill;
#[cfg(any(feature = "candle", feature = "burn"))]
pub mod frameworks;
mod gain;
#[cfg(feature = "hf")]
pub mod hf;
mod init;
pub mod io;
pub mod jax;
mod kernel;
mod key;
mod level;
pub mod model;
mod parallel;
#[cfg(feature = "report")]
pub mod report;
mod sample;
mod simd;
pub mod structured;

pub use alloc::Pages;
pub use block::{fill_block, fill_block_uninit, shard_block, split_range, Split};
pub use dist::{Distribution, DistributionKind};
pub use element::{DType, Element};
pub use error::{Error, Result};
pub use fan::{FanMode, Fans, Layout};
pub use fill::{fill, fill_at, fill_at_with, fill_uninit, try_alloc_filled, MAX_ELEMENTS};
pub use gain::{calculate_gain, Nonlinearity};
pub use init::{Init, VarianceDistribution, TRUNCATED_STD_CORRECTION};
pub use key::{name_stream, Key, Rounds, TensorKey};
pub use level::Level;

/// Declares a model; see [`model`] for the guide and the `glorot-macros` crate for the grammar.
pub use glorot_macros::network;
/// Not part of the API: hooks for the crate's own benches and examples. May change or vanish
/// in any release.
#[doc(hidden)]
pub mod internals {
    /// Fills `out` with the words of `key`'s stream from word `pos`, with the crate's ChaCha
    /// at the best available [`Level`](crate::Level). Equal to rand_chacha's `fill_bytes`
    /// output on little-endian.
    pub fn fill_words(key: &crate::TensorKey, pos: u64, out: &mut [u32]) {
        key.words_at(pos).fill(out);
    }

    /// [`fill_words`] with the ChaCha backend of `level` (lowered to what the CPU runs).
    pub fn fill_words_at(key: &crate::TensorKey, pos: u64, out: &mut [u32], level: crate::Level) {
        key.words_at_with(pos, level.ready()).fill(out);
    }

    /// Caps every later fill and word generation of this process at `level` (ChaCha and
    /// kernels alike; [`Level::Avx512`](crate::Level::Avx512) lifts the cap). For benches
    /// and examples; the bits never depend on it.
    pub fn cap_level(level: crate::Level) {
        crate::level::set_cap(level);
    }
}

/// Re-exported so callers can name the 16-bit element types without depending on `half`.
pub use half::{bf16, f16};

/// The README's Rust examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
