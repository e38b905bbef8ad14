//! Bad input gets an error, never a panic, an abort or a silent NaN; every `Error` variant is
//! produced by some case here.

use glorot::{
    bf16, calculate_gain, f16, fill, fill_at, try_alloc_filled, DType, Distribution, Error,
    FanMode, Fans, Init, Key, Layout, Nonlinearity, Pages, VarianceDistribution,
};

fn key() -> glorot::TensorKey {
    Key::new(0).tensor("t")
}

#[test]
fn fans_and_shapes() {
    let mut buf = vec![0f32; 4];
    assert_eq!(
        Init::xavier_uniform(1.0).fill(&mut buf, &[4], Layout::Torch, &key()),
        Err(Error::RankTooLow { rank: 1, min: 2 })
    );
    assert_eq!(Fans::torch(&[usize::MAX, 2]), Err(Error::ShapeOverflow));
    assert_eq!(Fans::from_axes(&[2, 2], 1, 1), Err(Error::InvalidAxis));
    assert_eq!(
        Init::xavier_uniform(1.0).distribution(Fans::new(0, 0)),
        Err(Error::ZeroFan)
    );
    assert_eq!(
        Init::xavier_uniform(1.0).fill(&mut buf, &[3, 2], Layout::Torch, &key()),
        Err(Error::LengthMismatch {
            expected: 6,
            actual: 4
        })
    );
}

#[test]
fn parameters() {
    let f = Fans::new(4, 4);
    assert_eq!(
        Init::xavier_uniform(f64::INFINITY).distribution(f),
        Err(Error::InvalidGain)
    );
    let vs = Init::VarianceScaling {
        scale: -1.0,
        mode: FanMode::FanAvg,
        distribution: VarianceDistribution::Uniform,
    };
    assert_eq!(vs.distribution(f), Err(Error::InvalidScale));
    assert_eq!(
        calculate_gain(Nonlinearity::LeakyRelu, Some(f64::NAN)),
        Err(Error::InvalidSlope)
    );
    assert_eq!(
        Distribution::constant(f64::NEG_INFINITY),
        Err(Error::NonFiniteValue)
    );
    assert_eq!(Distribution::uniform(2.0, 1.0), Err(Error::InvalidBounds));
    assert_eq!(
        Distribution::uniform(0.0, f64::NAN),
        Err(Error::InvalidBounds)
    );
    assert_eq!(
        Distribution::uniform(-f64::MAX, f64::MAX),
        Err(Error::InvalidBounds)
    );
}

#[test]
fn bounds_that_no_output_value_fits() {
    // Valid in f64, but no bf16 lies in [1.001, 1.002), and f16 cannot hold [1e5, 1e6) (f16
    // max 65504): the same errors the file writer gives.
    let d = Distribution::uniform(1.001, 1.002).unwrap();
    let mut b = vec![bf16::ZERO; 8];
    assert_eq!(fill(&mut b, &d, &key()), Err(Error::InvalidBounds));
    let mut h = vec![f16::ZERO; 8];
    assert_eq!(
        fill(&mut h, &Distribution::uniform(1e5, 1e6).unwrap(), &key()),
        Err(Error::Unrepresentable)
    );
    // A constant that overflows f16 is an error, not infinity.
    assert_eq!(
        fill(&mut h, &Distribution::constant(1e6).unwrap(), &key()),
        Err(Error::Unrepresentable)
    );
    // One value of bf16 in [1, 1.005): every sample would be 1.0.
    assert_eq!(
        fill(&mut b, &Distribution::uniform(1.0, 1.005).unwrap(), &key()),
        Err(Error::TooNarrow)
    );
    // Nothing was written on error.
    assert!(h.iter().all(|x| x.to_bits() == 0));
}

#[test]
fn ranges_and_allocation() {
    let d = Distribution::uniform(0.0, 1.0).unwrap();
    let mut v = vec![0f32; 2];
    assert_eq!(
        fill_at(&mut v, &d, &key(), u64::MAX),
        Err(Error::OutOfRange)
    );
    assert_eq!(
        try_alloc_filled::<f32>(usize::MAX / 2, &d, &key(), Pages::Plain),
        Err(Error::AllocationFailed)
    );
    assert_eq!(
        try_alloc_filled::<f64>(1 << 60, &d, &key(), Pages::Huge),
        Err(Error::AllocationFailed)
    );
}

#[test]
fn names() {
    assert_eq!(Nonlinearity::parse("swish"), Err(Error::UnknownName));
    assert_eq!(FanMode::parse("fan_mean"), Err(Error::UnknownName));
    assert_eq!(
        VarianceDistribution::parse("cauchy"),
        Err(Error::UnknownName)
    );
    assert_eq!(DType::parse("int8"), Err(Error::UnknownName));
}

#[test]
fn zero_element_tensors_are_no_ops() {
    let mut empty: Vec<f32> = Vec::new();
    assert_eq!(
        Init::xavier_uniform(1.0).fill(&mut empty, &[0, 5], Layout::Torch, &key()),
        Ok(())
    );
    assert_eq!(
        Init::kaiming_uniform().fill(&mut empty, &[0, 0, 3], Layout::Torch, &key()),
        Ok(())
    );
    assert_eq!(
        fill(
            &mut empty,
            &Distribution::uniform(0.0, 1.0).unwrap(),
            &key()
        ),
        Ok(())
    );
    let v: Vec<f64> = Init::HeUniform
        .alloc(&[16, 0], Layout::Jax, &key())
        .unwrap();
    assert!(v.is_empty());
}

#[test]
fn messages_are_readable() {
    let e = Error::RankTooLow { rank: 1, min: 2 };
    assert_eq!(e.to_string(), "fan in and fan out can not be computed for a tensor with 1 dimension(s); at least 2 needed");
    let boxed: Box<dyn std::error::Error> = Box::new(Error::ZeroFan);
    assert!(boxed.to_string().contains("fan is zero"));
}
