//! The open end of a uniform interval is never produced, in any dtype, even where
//! `low + (high - low) * u` rounds up to `high`; the closed end is respected after rounding.

use glorot::{bf16, f16, fill, Distribution, Element, Key};

fn check<T: Element + Default>(low: f64, high: f64, n: usize) -> (f64, f64) {
    let d = Distribution::uniform(low, high).unwrap();
    let mut v = vec![T::default(); n];
    fill(&mut v, &d, &Key::new(4).tensor("edge")).unwrap();
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for x in v {
        let x = x.to_f64();
        assert!(
            x >= low && x < high,
            "{x} outside [{low}, {high}) for {:?}",
            T::DTYPE
        );
        min = min.min(x);
        max = max.max(x);
    }
    (min, max)
}

#[test]
fn rounding_never_reaches_the_open_end() {
    // [0.999, 1): low + span*u with u = 1 - 2^-24 rounds to 1.0 in f32 without the clamp.
    let (lo32, hi32) = (0.999f32, 1.0f32);
    let x = lo32 + (hi32 - lo32) * (1.0 - 1.0 / 16_777_216.0);
    assert_eq!(x, 1.0, "premise: naive formula reaches high");
    let n = 1 << 20;
    let (_, max) = check::<f32>(0.999, 1.0, n);
    assert_eq!(
        max,
        f64::from(f32::from_bits(1.0f32.to_bits() - 1)),
        "the top value is the largest f32 below 1"
    );
    check::<f64>(0.999, 1.0, n);
    check::<bf16>(-0.1, 0.1, n);
    check::<f16>(-0.1, 0.1, n);
}

#[test]
fn sixteen_bit_bounds_after_rounding() {
    // 0.1 is not a bf16; values near 0.1 would round to 0.10009765625 > 0.1 without the clamp.
    let (min, max) = check::<bf16>(-0.1, 0.1, 1 << 20);
    assert!(max < 0.1 && min >= -0.1);
    // Only one bf16 (1.0) lies in [1.0, 1.004): a "random" tensor that would be all 1.0 is
    // the dtype rule's TooNarrow (issue 10), in memory as in files, not a silent constant.
    let d = Distribution::uniform(1.0, 1.004).unwrap();
    let mut v = vec![bf16::default(); 1000];
    assert_eq!(
        fill(&mut v, &d, &Key::new(4).tensor("edge")),
        Err(glorot::Error::TooNarrow)
    );
    // The next bf16 above 1.0 is 1.0078125: with it inside, both values occur.
    let (min, max) = check::<bf16>(1.0, 1.008, 1000);
    assert_eq!((min, max), (1.0, 1.0078125));
}
