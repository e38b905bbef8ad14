//! Orthogonal and the structured initializers: orthonormality, the Haar law, the exact
//! patterns, every error case, and bit-reproducibility (threads, SIMD levels, the spec
//! re-implemented naively here, hard-coded value-stability hashes).
//!
//! The x86-64-v3 build runs the same file:
//! `RUSTFLAGS="-C target-cpu=x86-64-v3" CARGO_TARGET_DIR=target/v3 cargo test --release --test orthogonal`.

// The naive spec below indexes as its text does.
#![allow(clippy::needless_range_loop)]

mod common;

use glorot::structured::{
    delta_orthogonal, dirac, eye, identity, orthogonal, orthogonal_block, orthogonal_jax, sparse,
};
use glorot::{bf16, f16, fill, fill_at, Distribution, Element, Error, Key, TensorKey};

// ------------------------------------------------------------------------------------------
// Helpers

fn torch<T: Element + Default>(shape: &[usize], gain: f64, key: &TensorKey) -> Vec<T> {
    let mut v = vec![T::default(); shape.iter().product()];
    orthogonal(&mut v, shape, gain, key).unwrap();
    v
}

fn wide<T: Element>(v: &[T]) -> Vec<f64> {
    v.iter().map(|x| x.to_f64()).collect()
}

// ------------------------------------------------------------------------------------------
// The spec of `glorot::structured::householder`, re-implemented from its text, dense and naive.

trait W:
    Element
    + Default
    + core::ops::Add<Output = Self>
    + core::ops::Sub<Output = Self>
    + core::ops::Mul<Output = Self>
{
    fn of(x: f64) -> Self;
}
impl W for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
}
impl W for f64 {
    fn of(x: f64) -> Self {
        x
    }
}

/// Returns `Q` (row-major `m × n`) and `d`.
fn spec<T: W>(m: usize, n: usize, key: &TensorKey) -> (Vec<T>, Vec<T>) {
    const NB: usize = 64;
    let z = T::of(0.0);
    let mut q = vec![z; m * n];
    let mut d = vec![T::of(1.0); n];
    let normal = Distribution::normal(0.0, 1.0).unwrap();
    for b in (0..n.div_ceil(NB)).rev() {
        let k0 = b * NB;
        let nb = NB.min(n - k0);
        let rows = m - k0;
        let mut p = vec![vec![z; nb]; rows];
        let mut tau = vec![z; nb];
        for a in 0..nb {
            let c = k0 + a;
            let mut x = vec![z; m - c];
            fill_at(&mut x, &normal, key, (c * m + c) as u64).unwrap();
            let alpha = x[0].to_f64();
            let mut s = [0f64; 8];
            for r in 1..x.len() {
                let v = x[r].to_f64();
                s[(r - 1) % 8] += v * v;
            }
            let s = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
            let beta;
            if s == 0.0 {
                tau[a] = z;
                beta = alpha;
            } else {
                beta = -(alpha * alpha + s).sqrt().copysign(alpha);
                tau[a] = T::of((beta - alpha) / beta);
                let sigma = T::of(1.0 / (alpha - beta));
                for v in &mut x[1..] {
                    *v = *v * sigma;
                }
            }
            d[c] = T::of(if beta < 0.0 { -1.0 } else { 1.0 });
            p[a][a] = T::of(1.0);
            for r in 1..x.len() {
                p[a + r][a] = x[r];
            }
        }
        let mut g = vec![vec![z; nb]; nb];
        for c in 0..nb {
            for a in 0..nb {
                let mut acc = z;
                for row in &p {
                    acc = acc + row[c] * row[a];
                }
                g[c][a] = acc;
            }
        }
        let mut t = vec![vec![z; nb]; nb];
        for a in 0..nb {
            t[a][a] = tau[a];
            for r in 0..a {
                let mut u = z;
                for c in r..a {
                    u = u + t[r][c] * g[c][a];
                }
                t[r][a] = (z - tau[a]) * u;
            }
        }
        for a in 0..nb {
            q[(k0 + a) * n + k0 + a] = T::of(1.0);
        }
        for j in k0..n {
            let wt: Vec<T> = (0..nb)
                .map(|a| {
                    let mut acc = z;
                    for i in 0..rows {
                        acc = acc + p[i][a] * q[(k0 + i) * n + j];
                    }
                    acc
                })
                .collect();
            let y: Vec<T> = (0..nb)
                .map(|a| {
                    let mut acc = z;
                    for c in a..nb {
                        acc = acc + t[a][c] * wt[c];
                    }
                    acc
                })
                .collect();
            for i in 0..rows {
                let mut acc = z;
                for a in 0..nb {
                    acc = acc + p[i][a] * y[a];
                }
                q[(k0 + i) * n + j] = q[(k0 + i) * n + j] - acc;
            }
        }
    }
    (q, d)
}

/// PyTorch-convention output from the spec: `(q·d)·gain`, transposed for wide shapes.
fn spec_torch<T: W>(rows: usize, cols: usize, gain: f64, key: &TensorKey) -> Vec<T> {
    let tall = rows >= cols;
    let (m, n) = if tall { (rows, cols) } else { (cols, rows) };
    let (q, d) = spec::<T>(m, n, key);
    let g = T::of(gain);
    let mut out = vec![T::default(); rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            out[r * cols + c] = if tall {
                q[r * n + c] * (d[c] * g)
            } else {
                q[c * n + r] * (d[r] * g)
            };
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// Bits: the spec, threads, levels, stored hashes.

#[test]
fn kernels_equal_the_naive_spec_bit_for_bit() {
    let key = Key::new(11).tensor("w");
    for &(r, c) in &[
        (1, 1),
        (2, 3),
        (7, 7),
        (64, 64),
        (65, 64),
        (150, 130),
        (70, 200),
        (129, 129),
    ] {
        let fast: Vec<f32> = torch(&[r, c], 1.0, &key);
        assert_eq!(fast, spec_torch::<f32>(r, c, 1.0, &key), "f32 {r}×{c}");
        let fast: Vec<f64> = torch(&[r, c], 0.5, &key);
        assert_eq!(fast, spec_torch::<f64>(r, c, 0.5, &key), "f64 {r}×{c}");
    }
    // bf16/f16: the f32 result rounded once.
    let f: Vec<f32> = torch(&[90, 70], 1.0, &key);
    let b: Vec<bf16> = torch(&[90, 70], 1.0, &key);
    let h: Vec<f16> = torch(&[90, 70], 1.0, &key);
    assert!(f.iter().zip(&b).all(|(x, y)| bf16::from_f32(*x) == *y));
    assert!(f.iter().zip(&h).all(|(x, y)| f16::from_f32(*x) == *y));
}

#[test]
fn identical_bits_for_any_thread_count_and_simd_level() {
    let reference = common::orthogonal_fingerprints();
    for threads in [1, 2, 3, 8] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        assert_eq!(
            pool.install(common::orthogonal_fingerprints),
            reference,
            "{threads} threads"
        );
    }
    // The only test in this binary that moves the process-wide level cap.
    use glorot::Level;
    for level in [Level::Scalar, Level::Portable, Level::Avx2, Level::Avx512] {
        glorot::internals::cap_level(level);
        let got = common::orthogonal_fingerprints();
        glorot::internals::cap_level(Level::Avx512);
        assert_eq!(got, reference, "level {level:?}");
    }
}

// ------------------------------------------------------------------------------------------
// Orthonormality

#[test]
fn columns_or_rows_are_orthonormal_f32_and_f64() {
    let key = Key::new(1).tensor("q");
    // Tolerances: f32 n·2⁻²⁴·2, f64 n·2⁻⁵³·2 with n = max(rows, cols) — a few times the
    // observed error, far below what any structural bug gives (≥ 1e-2).
    for &(r, c) in &[
        (1, 1),
        (1, 9),
        (9, 1),
        (3, 5),
        (5, 3),
        (64, 64),
        (200, 65),
        (65, 200),
        (512, 512),
    ] {
        let n = r.max(c) as f64;
        for gain in [1.0, 5.0 / 3.0] {
            let e32 =
                common::orthonormality_error(&wide(&torch::<f32>(&[r, c], gain, &key)), r, c, gain);
            assert!(
                e32 < 2.0 * n * f32::EPSILON as f64 / 2.0 + 1e-6,
                "f32 {r}×{c}: {e32}"
            );
            let e64 =
                common::orthonormality_error(&wide(&torch::<f64>(&[r, c], gain, &key)), r, c, gain);
            assert!(
                e64 < 2.0 * n * f64::EPSILON / 2.0 + 1e-14,
                "f64 {r}×{c}: {e64}"
            );
        }
    }
}

#[test]
fn gain_scales_exactly() {
    let key = Key::new(2).tensor("g");
    let one: Vec<f32> = torch(&[40, 30], 1.0, &key);
    let two: Vec<f32> = torch(&[40, 30], 2.0, &key);
    assert!(one.iter().zip(&two).all(|(a, b)| 2.0 * a == *b));
    let zero: Vec<f32> = torch(&[40, 30], 0.0, &key);
    assert!(zero.iter().all(|x| *x == 0.0));
}

#[test]
fn torch_and_jax_flattening() {
    let key = Key::new(3).tensor("conv.weight");
    // Rank 2: the same matrix.
    let t: Vec<f32> = torch(&[20, 30], 1.0, &key);
    let mut j = vec![0f32; 600];
    orthogonal_jax(&mut j, &[20, 30], 1.0, -1, &key).unwrap();
    assert_eq!(t, j);
    // Rank 4, PyTorch (out, in, kh, kw) = (8, 3, 3, 3): an 8 × 27 matrix with orthonormal rows.
    let t: Vec<f64> = torch(&[8, 3, 3, 3], 1.0, &key);
    assert!(common::orthonormality_error(&t, 8, 27, 1.0) < 1e-13);
    // JAX (kh, kw, in, out) = (3, 3, 4, 16): a 36 × 16 matrix with orthonormal columns.
    let mut j = vec![0f64; 3 * 3 * 4 * 16];
    orthogonal_jax(&mut j, &[3, 3, 4, 16], 1.0, -1, &key).unwrap();
    assert!(common::orthonormality_error(&j, 36, 16, 1.0) < 1e-13);
    // column_axis = 0 of (5, 2, 3): columns indexed by axis 0, rows by (axis 1, axis 2).
    let mut j = vec![0f64; 30];
    orthogonal_jax(&mut j, &[5, 2, 3], 1.0, 0, &key).unwrap();
    let m: Vec<f64> = (0..6)
        .flat_map(|row| (0..5).map(move |col| (row, col)))
        .map(|(row, col)| j[col * 6 + row])
        .collect();
    assert!(common::orthonormality_error(&m, 6, 5, 1.0) < 1e-13);
    // ... and it is the last-axis matrix of the moved shape, moved back.
    let mut last = vec![0f64; 30];
    orthogonal_jax(&mut last, &[2, 3, 5], 1.0, -1, &key).unwrap();
    assert_eq!(m, last);
}

#[test]
fn blocks_equal_the_block_of_the_whole() {
    let key = Key::new(4).tensor("tp");
    let full: Vec<f32> = torch(&[70, 90], 1.5, &key);
    let mut blk = vec![0f32; 20 * 33];
    orthogonal_block(&mut blk, [70, 90], 30..50, 40..73, 1.5, &key).unwrap();
    for (i, r) in (30..50).enumerate() {
        assert_eq!(blk[i * 33..(i + 1) * 33], full[r * 90 + 40..r * 90 + 73]);
    }
}

// ------------------------------------------------------------------------------------------
// The Haar law

#[test]
fn scaled_entries_are_standard_normal() {
    // √n·Q_ij of a Haar n × n matrix is x₁/‖x‖·√n for a Gaussian x: N(0, 1) up to O(1/n).
    let n = 256;
    for seed in 0..3 {
        let q: Vec<f64> = torch(&[n, n], 1.0, &Key::new(seed).tensor("haar"));
        let p = common::ks_standard_normal(q.iter().map(|x| x * (n as f64).sqrt()).collect());
        assert!(p > 1e-4, "seed {seed}: p = {p}");
    }
}

#[test]
fn trace_has_the_haar_law_and_the_unsigned_q_does_not() {
    // For Haar O(n), tr(Q) has the moments of N(0, 1) up to order n (Diaconis–Shahshahani).
    let (n, samples) = (12, 3000);
    let key = Key::new(9);
    let traces: Vec<f64> = (0..samples)
        .map(|i| {
            let q: Vec<f64> = torch(&[n, n], 1.0, &key.tensor_id(i));
            (0..n).map(|k| q[k * n + k]).sum()
        })
        .collect();
    let p = common::ks_standard_normal(traces);
    assert!(p > 1e-4, "Haar trace: p = {p}");
    // Negative control: the same reflectors without Mezzadri's sign fix are orthogonal but
    // not Haar, and the statistic must see it.
    let unsigned: Vec<f64> = (0..samples)
        .map(|i| {
            let (q, _) = spec::<f64>(n, n, &key.tensor_id(i));
            (0..n).map(|k| q[k * n + k]).sum()
        })
        .collect();
    let p = common::ks_standard_normal(unsigned);
    assert!(p < 1e-6, "unsigned Q passed the Haar test: p = {p}");
}

// ------------------------------------------------------------------------------------------
// Sparse, dirac, eye, identity, delta-orthogonal

#[test]
fn sparse_zero_counts_values_and_positions() {
    let key = Key::new(6).tensor("sparse");
    let (rows, cols) = (100, 400);
    for sparsity in [0.0, 0.1, 0.25, 0.999, 1.0] {
        let mut s = vec![0f32; rows * cols];
        sparse(&mut s, &[rows, cols], sparsity, 0.02, &key).unwrap();
        let mut dense = vec![0f32; rows * cols];
        fill(&mut dense, &Distribution::normal(0.0, 0.02).unwrap(), &key).unwrap();
        let zeros = (sparsity * rows as f64).ceil() as usize;
        for j in 0..cols {
            let z = (0..rows).filter(|&i| s[i * cols + j] == 0.0).count();
            assert_eq!(z, zeros, "sparsity {sparsity} column {j}");
        }
        // The rest are the dense normal values, bit for bit.
        assert!(s.iter().zip(&dense).all(|(a, b)| *a == 0.0 || a == b));
        if sparsity == 0.25 {
            // Every row is hit about equally often: 400 columns × 25/100.
            for i in 0..rows {
                let hits = (0..cols).filter(|&j| s[i * cols + j] == 0.0).count();
                assert!((60..=140).contains(&hits), "row {i}: {hits}");
            }
            let rest: Vec<f64> = s.iter().filter(|x| **x != 0.0).map(|x| *x as f64).collect();
            let (_, std) = common::mean_std(&rest);
            assert!((std / 0.02 - 1.0).abs() < 0.02, "std {std}");
        }
    }
    let mut b = vec![bf16::ZERO; 50 * 20];
    sparse(&mut b, &[50, 20], 0.5, 1.0, &key).unwrap();
    assert_eq!(b.iter().filter(|x| x.to_f32() == 0.0).count(), 25 * 20);
}

#[test]
fn dirac_eye_identity_are_exact() {
    // dirac (out, in, k...) with groups: compare with PyTorch's loop, written out.
    for (shape, groups) in [
        (vec![6usize, 4, 3], 2usize),
        (vec![4, 6, 3, 4], 1),
        (vec![6, 2, 2, 3, 5], 3),
        (vec![3, 3, 1, 1], 3),
    ] {
        let mut got = vec![1f64; shape.iter().product()];
        dirac(&mut got, &shape, groups).unwrap();
        let mut want = vec![0f64; got.len()];
        let per = shape[0] / groups;
        let kernel: Vec<usize> = shape[2..].to_vec();
        for g in 0..groups {
            for d in 0..per.min(shape[1]) {
                let mut idx = (g * per + d) * shape[1] + d;
                for &k in &kernel {
                    idx = idx * k + k / 2;
                }
                want[idx] = 1.0;
            }
        }
        assert_eq!(got, want, "{shape:?} groups {groups}");
    }
    let mut e = vec![7f32; 3 * 5];
    eye(&mut e, &[3, 5]).unwrap();
    let want: Vec<f32> = (0..15)
        .map(|i| if i / 5 == i % 5 { 1.0 } else { 0.0 })
        .collect();
    assert_eq!(e, want);
    let mut e = vec![f16::ONE; 4 * 2];
    identity(&mut e, &[4, 2], 0.5).unwrap();
    let want: Vec<f16> = (0..8)
        .map(|i| f16::from_f32(if i / 2 == i % 2 { 0.5 } else { 0.0 }))
        .collect();
    assert_eq!(e, want);
}

#[test]
fn delta_orthogonal_centre_is_jax_and_the_rest_zero() {
    let key = Key::new(8).tensor("delta");
    // (k1, k2, in, out) = (4, 3, 5, 7): JAX's centre is ((4-1)//2, (3-1)//2) = (1, 1).
    let shape = [4usize, 3, 5, 7];
    let mut w = vec![1f64; 4 * 3 * 5 * 7];
    delta_orthogonal(&mut w, &shape, 2.0, -1, &key).unwrap();
    let mut centre = vec![0f64; 35];
    orthogonal_jax(&mut centre, &[5, 7], 2.0, -1, &key).unwrap();
    let at = (3 + 1) * 35;
    assert_eq!(&w[at..at + 35], &centre[..]);
    assert!(w[..at].iter().chain(&w[at + 35..]).all(|x| *x == 0.0));
    assert!(common::orthonormality_error(&centre, 5, 7, 2.0) < 1e-13);
    // 3-D, column_axis 0 of the matrix.
    let mut w = vec![0f32; 2 * 3 * 3];
    delta_orthogonal(&mut w, &[2, 3, 3], 1.0, 0, &key).unwrap();
    let mut centre = vec![0f32; 9];
    orthogonal_jax(&mut centre, &[3, 3], 1.0, 0, &key).unwrap();
    assert_eq!(&w[..9], &centre[..]);
    assert!(w[9..].iter().all(|x| *x == 0.0));
}

// ------------------------------------------------------------------------------------------
// Errors and empty tensors

#[test]
fn every_peer_error_is_an_error() {
    let key = Key::new(0).tensor("e");
    let mut v = vec![0f32; 64];
    let rank = |rank, supported| Err(Error::UnsupportedRank { rank, supported });
    assert_eq!(orthogonal(&mut v, &[64], 1.0, &key), rank(1, "2 or more"));
    assert_eq!(
        orthogonal(&mut v[..0], &[], 1.0, &key),
        rank(0, "2 or more")
    );
    assert_eq!(
        orthogonal_jax(&mut v, &[64], 1.0, -1, &key),
        rank(1, "2 or more")
    );
    assert_eq!(
        orthogonal(&mut v, &[8, 8], -1.0, &key),
        Err(Error::InvalidGain)
    );
    assert_eq!(
        orthogonal(&mut v, &[8, 8], f64::NAN, &key),
        Err(Error::InvalidGain)
    );
    assert_eq!(
        orthogonal(&mut v, &[8, 7], 1.0, &key),
        Err(Error::LengthMismatch {
            expected: 56,
            actual: 64
        })
    );
    assert_eq!(
        orthogonal_jax(&mut v, &[8, 8], 1.0, 2, &key),
        Err(Error::InvalidAxis)
    );
    assert_eq!(
        orthogonal_jax(&mut v, &[8, 8], 1.0, -3, &key),
        Err(Error::InvalidAxis)
    );
    assert_eq!(sparse(&mut v, &[4, 4, 4], 0.1, 0.01, &key), rank(3, "2"));
    assert_eq!(
        sparse(&mut v, &[8, 8], 1.5, 0.01, &key),
        Err(Error::InvalidSparsity)
    );
    assert_eq!(
        sparse(&mut v, &[8, 8], -0.1, 0.01, &key),
        Err(Error::InvalidSparsity)
    );
    assert_eq!(
        sparse(&mut v, &[8, 8], f64::NAN, 0.01, &key),
        Err(Error::InvalidSparsity)
    );
    assert_eq!(
        sparse(&mut v, &[8, 8], 0.1, -1.0, &key),
        Err(Error::InvalidStd)
    );
    assert_eq!(dirac(&mut v, &[8, 8], 1), rank(2, "3, 4 or 5"));
    assert_eq!(
        dirac(&mut v[..0], &[1, 1, 1, 1, 1, 0], 1),
        rank(6, "3, 4 or 5")
    );
    assert_eq!(
        dirac(&mut v, &[4, 4, 4], 3),
        Err(Error::GroupsMismatch { dim0: 4, groups: 3 })
    );
    assert_eq!(
        dirac(&mut v, &[4, 4, 4], 0),
        Err(Error::GroupsMismatch { dim0: 4, groups: 0 })
    );
    assert_eq!(eye(&mut v, &[4, 4, 4]), rank(3, "2"));
    assert_eq!(identity(&mut v, &[64], 1.0), rank(1, "2"));
    assert_eq!(
        identity(&mut v, &[8, 8], f64::INFINITY),
        Err(Error::InvalidGain)
    );
    assert_eq!(
        delta_orthogonal(&mut v, &[8, 8], 1.0, -1, &key),
        rank(2, "3, 4 or 5")
    );
    assert_eq!(
        delta_orthogonal(&mut v, &[1, 8, 8], 1.0, -1, &key).map(|_| ()),
        Ok(())
    );
    assert_eq!(
        delta_orthogonal(&mut v[..32], &[2, 4, 4, 1], 1.0, -1, &key),
        Err(Error::FanInExceedsFanOut {
            fan_in: 4,
            fan_out: 1
        })
    );
    // Messages say what to change.
    assert!(Error::UnsupportedRank {
        rank: 1,
        supported: "2 or more"
    }
    .to_string()
    .contains("2 or more dimensions"));
}

#[test]
fn zero_element_tensors_write_nothing_but_check_parameters() {
    let key = Key::new(0).tensor("z");
    let mut v: Vec<f32> = vec![];
    orthogonal(&mut v, &[0, 5], 1.0, &key).unwrap();
    orthogonal(&mut v, &[5, 0, 3], 1.0, &key).unwrap();
    orthogonal_jax(&mut v, &[0, 5], 1.0, -1, &key).unwrap();
    sparse(&mut v, &[0, 5], 0.5, 0.01, &key).unwrap();
    dirac(&mut v, &[4, 0, 3], 2).unwrap();
    eye(&mut v, &[0, 3]).unwrap();
    delta_orthogonal(&mut v, &[3, 0, 4], 1.0, -1, &key).unwrap();
    assert_eq!(
        orthogonal(&mut v, &[0, 5], -1.0, &key),
        Err(Error::InvalidGain)
    );
    assert_eq!(
        sparse(&mut v, &[0, 5], 2.0, 0.01, &key),
        Err(Error::InvalidSparsity)
    );
    assert_eq!(
        dirac(&mut v, &[3, 0, 3], 2),
        Err(Error::GroupsMismatch { dim0: 3, groups: 2 })
    );
}

// ------------------------------------------------------------------------------------------
// Init wiring

#[test]
fn init_variants_dispatch_to_the_structured_fills() {
    use glorot::{Fans, Init, Layout};
    let key = Key::new(12).tensor("rnn.weight_hh");
    let shape = [4 * 32, 32];
    let init = Init::Orthogonal { gain: 1.0 };
    let a: Vec<f32> = init.alloc(&shape, Layout::Torch, &key).unwrap();
    assert_eq!(a, torch::<f32>(&shape, 1.0, &key));
    let mut b = vec![0f32; a.len()];
    init.fill(&mut b, &shape, Layout::Jax, &key).unwrap();
    assert_eq!(a, b, "the layout is not read");
    let blk: Vec<f32> = init
        .alloc_block(shape, Layout::Torch, &key, 32..64, 8..24)
        .unwrap();
    for (i, r) in (32..64).enumerate() {
        assert_eq!(blk[i * 16..(i + 1) * 16], a[r * 32 + 8..r * 32 + 24]);
    }
    let cases: [(Init, &[usize]); 6] = [
        (
            Init::OrthogonalJax {
                scale: 2.0,
                column_axis: -1,
            },
            &[3, 3, 4, 8],
        ),
        (
            Init::Sparse {
                sparsity: 0.5,
                std: 0.01,
            },
            &[10, 6],
        ),
        (Init::Dirac { groups: 2 }, &[4, 3, 3]),
        (Init::Eye, &[3, 4]),
        (Init::Identity { gain: 3.0 }, &[4, 4]),
        (
            Init::DeltaOrthogonal {
                scale: 1.0,
                column_axis: -1,
            },
            &[3, 3, 4, 8],
        ),
    ];
    for (init, shape) in cases {
        assert!(init.is_structured() && !init.needs_fans());
        assert_eq!(
            init.distribution(Fans::new(3, 3)),
            Err(Error::NotElementwise)
        );
        let v: Vec<f64> = init.alloc(shape, Layout::Torch, &key).unwrap();
        let mut w = vec![0f64; v.len()];
        match init {
            Init::OrthogonalJax { scale, column_axis } => {
                orthogonal_jax(&mut w, shape, scale, column_axis, &key).unwrap()
            }
            Init::Sparse { sparsity, std } => sparse(&mut w, shape, sparsity, std, &key).unwrap(),
            Init::Dirac { groups } => dirac(&mut w, shape, groups).unwrap(),
            Init::Eye => eye(&mut w, shape).unwrap(),
            Init::Identity { gain } => identity(&mut w, shape, gain).unwrap(),
            Init::DeltaOrthogonal { scale, column_axis } => {
                delta_orthogonal(&mut w, shape, scale, column_axis, &key).unwrap()
            }
            _ => unreachable!(),
        }
        assert_eq!(v, w, "{}", init.name());
    }
    // Errors come before any allocation, and parameters are checked for empty tensors too.
    assert_eq!(
        Init::Eye.alloc::<f32>(&[1 << 40, 2, 2], Layout::Torch, &key),
        Err(Error::UnsupportedRank {
            rank: 3,
            supported: "2"
        })
    );
    assert_eq!(
        Init::Orthogonal { gain: -1.0 }.alloc::<f32>(&[0, 4], Layout::Torch, &key),
        Err(Error::InvalidGain)
    );
    assert_eq!(
        Init::Sparse {
            sparsity: 2.0,
            std: 0.01
        }
        .check_parameters(),
        Err(Error::InvalidSparsity)
    );
    assert_eq!(Init::Orthogonal { gain: 1.0 }.check_parameters(), Ok(()));
}

// Value stability (hard-coded fingerprints of these functions): `tests/value_stability/orthogonal.rs`.
