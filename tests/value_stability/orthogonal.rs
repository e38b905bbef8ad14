//! Value stability of the structured initializers: fingerprints of orthogonal matrices (the
//! Stewart sampler, its 64-column blocks, the Gaussian indices, Mezzadri's signs) and of a
//! sparse pattern (the zero positions' words), generated once from the implementation and
//! hard-coded (moved here from `tests/orthogonal.rs`; the ones built from narrow normal samples
//! regenerated once for 0.2.0). Any change to the algorithm, the block size, the Gaussian
//! indices or the sparse positions breaks them, and must do so consciously. Thread counts and SIMD levels are covered by `tests/orthogonal.rs`, which
//! checks that every one of them gives these same tensors.

use crate::common::fnv_f64;
use glorot::structured::{orthogonal, sparse};
use glorot::{Element, Key, TensorKey};

fn torch<T: Element + Default>(shape: &[usize], gain: f64, key: &TensorKey) -> Vec<T> {
    let mut v = vec![T::default(); shape.iter().product()];
    orthogonal(&mut v, shape, gain, key).unwrap();
    v
}

fn hash<T: Element>(v: &[T]) -> u64 {
    fnv_f64(v.iter().map(|x| x.to_f64()))
}

#[test]
fn orthogonal_and_sparse_fingerprints() {
    assert_eq!(
        crate::common::orthogonal_fingerprints(),
        [
            STABLE_300X200_F32,
            STABLE_130X257_F32,
            STABLE_200X200_F64,
            STABLE_96X96_BF16
        ]
    );
    let key = Key::new(2010).tensor("w");
    let q: Vec<f32> = torch(&[3, 2], 1.0, &key);
    assert_eq!(
        q.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        STABLE_3X2_F32_BITS
    );
    let mut s = vec![0f32; 40 * 30];
    sparse(&mut s, &[40, 30], 0.3, 0.01, &key).unwrap();
    assert_eq!(hash(&s), STABLE_SPARSE_40X30);
}

// FNV-1a-64 over the f64 bit patterns of every element (see `hash`), seed 5,
// "lstm.weight_hh_l0", gain 1. The f32/bf16 fingerprints, the 3×2 bits and the sparse hash were
// regenerated for 0.2.0 (the narrow normal's new inverse CDF, CHANGELOG.md; they are built from
// normal samples); the f64 fingerprint is the 0.1.0 one.
const STABLE_300X200_F32: u64 = 0x3e38_6319_6d55_a2a5;
const STABLE_130X257_F32: u64 = 0xde42_8fe7_2297_31ed;
const STABLE_200X200_F64: u64 = 0x7b5a_6755_9544_cf1c;
const STABLE_96X96_BF16: u64 = 0x9fc9_ea6d_eb5a_f325;
/// orthogonal([3, 2]), seed 2010, "w": row-major f32 bits.
const STABLE_3X2_F32_BITS: [u32; 6] = [
    0xbf2c_4aea,
    0xbf39_0753,
    0x3f3c_3673,
    0xbf21_6d48,
    0x3da5_5b22,
    0xbe90_ccd9,
];
/// sparse([40, 30], 0.3, 0.01), seed 2010, "w".
const STABLE_SPARSE_40X30: u64 = 0x4204_0690_4fdd_70e5;
