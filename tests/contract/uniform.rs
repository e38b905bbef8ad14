//! The counter-based contract: every element is a pure function of (key, index).
//!
//! - the crate-doc specification, re-implemented here from rand_chacha alone, reproduces
//!   elements at scattered indices bit for bit;
//! - 1, 2, 3 and 8 threads give identical bits;
//! - an offset fill of `[a, b)` equals the slice `[a, b)` of the whole tensor;
//! - the SIMD backend equals the scalar backend, including tails shorter than a vector.

use glorot::{
    bf16, f16, fill, fill_at, fill_at_with, Distribution, Element, Key, Level, Rounds, TensorKey,
};
use proptest::prelude::*;

use crate::spec::{k24, w64};

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

/// The spec's uniform f32 element.
fn uniform_f32(key: &TensorKey, low: f64, high: f64, i: u64) -> f32 {
    let (lo, hi) = (low as f32, high as f32);
    let u = k24(key, i) as f32 * (1.0 / 16_777_216.0);
    let x = lo + (hi - lo) * u;
    // clamp into [low, largest f32 below high]
    let top = if (hi as f64) >= high {
        f32::from_bits(hi.to_bits() - 1)
    } else {
        hi
    };
    x.max(lo).min(top)
}

/// The spec's uniform f64 element.
fn uniform_f64(key: &TensorKey, low: f64, high: f64, i: u64) -> f64 {
    let w = w64(key, i);
    let u = (w >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0);
    let x = low + (high - low) * u;
    x.min(f64::from_bits(high.to_bits() - 1))
}

#[test]
fn spec_reproduces_scattered_elements_from_rand_chacha() {
    let n = 100_003;
    for rounds in [Rounds::ChaCha8, Rounds::ChaCha12, Rounds::ChaCha20] {
        let key = Key::with_rounds(2010, rounds).tensor("blocks.3.attn.q_proj.weight");
        let mut a = vec![0f32; n];
        fill(&mut a, &Distribution::uniform(-0.25, 0.5).unwrap(), &key).unwrap();
        let mut b = vec![0f64; n];
        fill(&mut b, &Distribution::uniform(-3.0, 1.0).unwrap(), &key).unwrap();
        for i in (0..n as u64)
            .step_by(997)
            .chain([0, 47, 48, 63, 64, 65535, 65536, n as u64 - 1])
        {
            assert_eq!(
                a[i as usize].to_bits(),
                uniform_f32(&key, -0.25, 0.5, i).to_bits(),
                "f32 element {i}"
            );
            assert_eq!(
                b[i as usize].to_bits(),
                uniform_f64(&key, -3.0, 1.0, i).to_bits(),
                "f64 element {i}"
            );
        }
    }
}

#[test]
fn name_and_id_derivation_is_documented_recipe() {
    let key = Key::new(5).tensor("fc1.weight");
    let expected_seed = ChaCha8Rng::seed_from_u64(5).get_seed();
    assert_eq!(key.chacha_seed(), expected_seed);
    assert_eq!(key.stream(), glorot::name_stream("fc1.weight"));
    assert_eq!(Key::new(5).tensor_id(17).stream(), 17);
}

fn all_threads_equal<T: Element + Default>(dist: &Distribution, n: usize) {
    let key = Key::new(99).tensor("t");
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut v = vec![T::default(); n];
        pool.install(|| fill(&mut v, dist, &key)).unwrap();
        v
    };
    let one = run(1);
    for t in [2, 3, 8] {
        assert!(
            run(t) == one,
            "{t} threads differ from 1 for {:?}",
            T::DTYPE
        );
    }
}

#[test]
fn thread_count_does_not_change_bits() {
    let d = Distribution::uniform(-1.0, 1.0).unwrap();
    let n = 3 * 65536 + 12345; // several chunks plus a ragged end
    all_threads_equal::<f32>(&d, n);
    all_threads_equal::<f64>(&d, n);
    all_threads_equal::<bf16>(&d, n);
    all_threads_equal::<f16>(&d, n);
}

fn offset_equals_slice<T: Element + Default>(
    dist: &Distribution,
    whole: &[T],
    a: usize,
    b: usize,
) -> Result<(), TestCaseError> {
    let key = Key::new(3).tensor("w");
    let mut part = vec![T::default(); b - a];
    fill_at(&mut part, dist, &key, a as u64).unwrap();
    prop_assert!(part[..] == whole[a..b], "offset fill [{a}, {b}) differs");
    Ok(())
}

fn simd_equals_scalar<T: Element + Default>(
    dist: &Distribution,
    a: usize,
    len: usize,
) -> Result<(), TestCaseError> {
    let key = Key::new(11).tensor("s");
    let mut x = vec![T::default(); len];
    let mut y = vec![T::default(); len];
    // A narrow interval can hold no bf16/f16 value at all (InvalidBounds): then both must agree
    // on the error.
    let rx = fill_at_with(&mut x, dist, &key, a as u64, Level::Avx512);
    let ry = fill_at_with(&mut y, dist, &key, a as u64, Level::Scalar);
    prop_assert_eq!(rx, ry);
    prop_assert!(x == y, "SIMD differs from scalar at offset {a}, len {len}");
    Ok(())
}

const WHOLE: usize = 200_000;

fn whole<T: Element + Default>(dist: &Distribution) -> Vec<T> {
    let mut v = vec![T::default(); WHOLE];
    fill(&mut v, dist, &Key::new(3).tensor("w")).unwrap();
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn offset_fill_is_slice_of_whole(a in 0usize..WHOLE, len in 0usize..140_000) {
        let b = (a + len).min(WHOLE);
        let d = Distribution::uniform(-2.0, 3.0).unwrap();
        thread_local! {
            static W32: Vec<f32> = whole(&Distribution::uniform(-2.0, 3.0).unwrap());
            static W64: Vec<f64> = whole(&Distribution::uniform(-2.0, 3.0).unwrap());
            static WB: Vec<bf16> = whole(&Distribution::uniform(-2.0, 3.0).unwrap());
        }
        W32.with(|w| offset_equals_slice(&d, w, a, b))?;
        W64.with(|w| offset_equals_slice(&d, w, a, b))?;
        WB.with(|w| offset_equals_slice(&d, w, a, b))?;
    }

    #[test]
    fn simd_path_equals_scalar_reference(a in 0u64..1_000_000, len in 0usize..300, low in -10.0f64..0.0, width in 1e-3f64..20.0) {
        let d = Distribution::uniform(low, low + width).unwrap();
        simd_equals_scalar::<f32>(&d, a as usize, len)?;
        simd_equals_scalar::<f64>(&d, a as usize, len)?;
        simd_equals_scalar::<bf16>(&d, a as usize, len)?;
        simd_equals_scalar::<f16>(&d, a as usize, len)?;
    }
}

#[test]
fn simd_equals_scalar_on_every_short_tail() {
    let d = Distribution::uniform(-1.0, 1.0).unwrap();
    for a in 0..70 {
        for len in 0..20 {
            simd_equals_scalar::<f32>(&d, a, len).unwrap();
            simd_equals_scalar::<f64>(&d, a, len).unwrap();
        }
    }
}

#[test]
fn far_offsets_work() {
    let d = Distribution::uniform(0.0, 1.0).unwrap();
    let key = Key::new(1).tensor("far");
    let mut v = vec![0f32; 100];
    let at = glorot::MAX_ELEMENTS - 100;
    fill_at(&mut v, &d, &key, at).unwrap();
    assert_eq!(
        v[7].to_bits(),
        uniform_f32(&key, 0.0, 1.0, at + 7).to_bits()
    );
    assert_eq!(
        fill_at(&mut v, &d, &key, at + 1),
        Err(glorot::Error::OutOfRange)
    );
}
