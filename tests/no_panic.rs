//! Every public function of the library called with out-of-range, hostile or inconsistent
//! arguments: the answer is an `Err` (or a documented value), never a panic, an abort or a
//! silently wrong file.

use std::ops::Range;

use glorot::io::{
    check_output_path, write_safetensors, write_shard, FileLayout, OutputKind, Rank, ShardPlan,
    TensorSpec, WriteError, WriteOptions,
};
use glorot::{
    bf16, calculate_gain, f16, fill, fill_at, fill_block, shard_block, split_range,
    try_alloc_filled, DType, Distribution, Error, FanMode, Fans, Init, Key, Layout, Nonlinearity,
    Pages, Split, VarianceDistribution,
};
use proptest::prelude::*;

fn tmpdir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("glorot-nopanic-{tag}-"))
        .tempdir()
        .unwrap()
}

fn specs() -> Vec<TensorSpec> {
    vec![
        TensorSpec::new("a", &[4, 3], Init::xavier_uniform(1.0)),
        TensorSpec::new("b", &[3], Init::Zeros),
    ]
}

#[test]
fn shard_functions_with_out_of_range_arguments() {
    let dir = tmpdir("shard");
    let key = Key::new(0);
    for (rank, world) in [(5, 2), (0, 0), (usize::MAX, usize::MAX), (2, 2)] {
        // Built from the public fields, skipping Rank::new's check.
        let r = Rank { rank, world };
        let e = write_shard(dir.path(), &specs(), &key, r, WriteOptions::default()).unwrap_err();
        assert!(matches!(e, WriteError::Shard(_)), "{e}");
        assert!(Rank::new(rank, world).is_err());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    for n in [0, 3, usize::MAX] {
        assert!(ShardPlan::new(&specs(), n).is_err());
    }
    let plan = ShardPlan::new(&specs(), 2).unwrap();
    // An index for a different (shorter) spec list.
    assert!(plan.index_json(&specs()[..1]).is_err());
    assert!(plan.index_json(&[]).is_err());
    let _ = plan.file_name(usize::MAX);
    for s in [
        "",
        "/",
        "1/",
        "/1",
        "-1/2",
        "1/0",
        "99999999999999999999999/1",
        "a/b",
        "0/1/2",
    ] {
        assert!(Rank::parse(s).is_err(), "{s}");
    }
    assert!(Rank::from_vars(|k| (k == "RANK").then(|| "1".to_string())).is_err());
    assert!(Rank::from_vars(|_| Some("x".to_string())).is_err());
    assert!(Rank::from_vars(|_| Some("18446744073709551616".to_string())).is_err());
}

#[test]
fn file_layout_with_out_of_range_members_and_huge_sizes() {
    assert!(FileLayout::new(&specs(), &[7], &[]).is_err());
    assert!(FileLayout::new(&specs(), &[usize::MAX], &[]).is_err());
    assert!(
        FileLayout::new(&specs(), &[0, 0], &[]).is_err(),
        "duplicate member"
    );
    assert!(FileLayout::new(&[], &[], &[]).is_ok());
    // Two tensors of 2^62 bytes (2^61 f16 elements): each fits in a file, together they do not.
    let huge = vec![
        TensorSpec::new("x", &[1 << 31, 1 << 30], Init::Zeros).with_dtype(DType::F16),
        TensorSpec::new("y", &[1 << 31, 1 << 30], Init::Zeros).with_dtype(DType::F16),
    ];
    assert!(huge.iter().all(|s| s.validate().is_ok()));
    assert!(matches!(
        FileLayout::new(&huge, &[0, 1], &[]),
        Err(WriteError::TooLarge(_))
    ));
    // The plan itself never overflows; writing it is refused before anything is created.
    let plan = ShardPlan::new(&huge, 2).unwrap();
    assert_eq!(plan.total_size, 1 << 63);
    let dir = tmpdir("huge");
    let e = write_shard(
        dir.path(),
        &huge,
        &Key::new(0),
        Rank::new(0, 2).unwrap(),
        WriteOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, WriteError::TooLarge(_)), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let over = TensorSpec::new("o", &[usize::MAX, 2], Init::Zeros);
    assert_eq!(over.numel(), 0);
    assert_eq!(over.byte_len(), u64::MAX);
    assert!(over.checked_byte_len().is_err());
    assert!(over.validate().is_err());
    let meta = TensorSpec::new("__metadata__", &[2], Init::Zeros);
    assert!(matches!(
        meta.validate(),
        Err(WriteError::InvalidName { .. })
    ));
    assert!(FileLayout::new(&[meta], &[0], &[]).is_err());
}

#[test]
fn writer_checks_every_dtype_before_the_first_byte() {
    let dir = tmpdir("dtype");
    let out = dir.path().join("m.safetensors");
    let s = vec![
        TensorSpec::new("ok", &[1 << 20], Init::Ones).with_dtype(DType::F16),
        TensorSpec::new("bad", &[4], Init::Constant { val: 70000.0 }).with_dtype(DType::F16),
    ];
    let e = write_safetensors(&out, &s, &Key::new(0), WriteOptions::default()).unwrap_err();
    assert!(
        matches!(&e, WriteError::Spec { tensor, .. } if tensor == "bad"),
        "{e}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // Every rank fails the same way, including ranks whose file does not hold the tensor.
    for rank in 0..2 {
        let e = write_shard(
            dir.path(),
            &s,
            &Key::new(0),
            Rank::new(rank, 2).unwrap(),
            WriteOptions::default(),
        )
        .unwrap_err();
        assert!(
            matches!(&e, WriteError::Spec { tensor, .. } if tensor == "bad"),
            "{e}"
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn output_path_checks() {
    let dir = tmpdir("paths");
    let d = dir.path();
    assert!(check_output_path(std::path::Path::new(""), OutputKind::File, false).is_err());
    assert!(check_output_path(d, OutputKind::File, false).is_err());
    assert!(check_output_path(&d.join("x/"), OutputKind::File, false).is_err());
    assert!(check_output_path(&d.join("no/such/dir/x"), OutputKind::File, false).is_err());
    assert!(check_output_path(&d.join("new"), OutputKind::File, false).is_ok());
    assert!(check_output_path(&d.join("no/such/dir"), OutputKind::Directory, false).is_ok());
    std::fs::write(d.join("f"), b"x").unwrap();
    assert!(check_output_path(&d.join("f"), OutputKind::Directory, false).is_err());
    let e = write_safetensors(d, &specs(), &Key::new(0), WriteOptions::default()).unwrap_err();
    assert!(matches!(e, WriteError::Output { .. }), "{e}");
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        -10.0f64..10.0,
        prop::num::f64::ANY,
        Just(0.0),
        Just(-0.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(1e-300),
        Just(1e300),
        Just(70000.0),
    ]
}

fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![
            0usize..6,
            Just(usize::MAX),
            Just(1usize << 40),
            any::<usize>()
        ],
        0..5,
    )
}

fn init() -> impl Strategy<Value = Init> {
    let mode = prop_oneof![
        Just(FanMode::FanIn),
        Just(FanMode::FanOut),
        Just(FanMode::FanAvg)
    ];
    let nl = prop_oneof![
        Just(Nonlinearity::LeakyRelu),
        Just(Nonlinearity::Relu),
        Just(Nonlinearity::Tanh),
        Just(Nonlinearity::Linear)
    ];
    prop_oneof![
        finite().prop_map(|gain| Init::XavierUniform { gain }),
        finite().prop_map(|gain| Init::XavierNormal { gain }),
        (finite(), mode.clone(), nl.clone()).prop_map(|(a, mode, nonlinearity)| {
            Init::KaimingUniform {
                a,
                mode,
                nonlinearity,
            }
        }),
        (finite(), mode.clone(), nl).prop_map(|(a, mode, nonlinearity)| Init::KaimingNormal {
            a,
            mode,
            nonlinearity
        }),
        (finite(), finite()).prop_map(|(low, high)| Init::Uniform { low, high }),
        (finite(), finite()).prop_map(|(mean, std)| Init::Normal { mean, std }),
        (finite(), finite(), finite(), finite()).prop_map(|(mean, std, a, b)| Init::TruncNormal {
            mean,
            std,
            a,
            b
        }),
        finite().prop_map(|val| Init::Constant { val }),
        (finite(), mode).prop_map(|(scale, mode)| Init::VarianceScaling {
            scale,
            mode,
            distribution: VarianceDistribution::TruncatedNormal
        }),
        Just(Init::GlorotNormal),
        Just(Init::HeUniform),
        Just(Init::Zeros),
        finite().prop_map(|gain| Init::Orthogonal { gain }),
        (finite(), -4isize..4)
            .prop_map(|(scale, column_axis)| Init::OrthogonalJax { scale, column_axis }),
        (prop_oneof![0.0f64..=1.0, finite()], finite())
            .prop_map(|(sparsity, std)| Init::Sparse { sparsity, std }),
        (0usize..4).prop_map(|groups| Init::Dirac { groups }),
        Just(Init::Eye),
        finite().prop_map(|gain| Init::Identity { gain }),
        (finite(), -3isize..3)
            .prop_map(|(scale, column_axis)| Init::DeltaOrthogonal { scale, column_axis }),
    ]
}

fn dtype() -> impl Strategy<Value = DType> {
    prop_oneof![
        Just(DType::F32),
        Just(DType::F64),
        Just(DType::BF16),
        Just(DType::F16)
    ]
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        Just(Layout::Torch),
        Just(Layout::Jax),
        (any::<isize>(), any::<isize>())
            .prop_map(|(in_axis, out_axis)| Layout::Axes { in_axis, out_axis }),
        (-3isize..3, -3isize..3).prop_map(|(in_axis, out_axis)| Layout::Axes { in_axis, out_axis }),
    ]
}

/// Every value of a small written tensor lies in what the distribution promises: finite, and
/// for a uniform inside `[low, high)`.
fn check_values(bytes: &[u8], dtype: DType, dist: &impl core::fmt::Debug) {
    let vals: Vec<f64> = match dtype {
        DType::F32 => bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()) as f64)
            .collect(),
        DType::F64 => bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect(),
        DType::BF16 => bytes
            .chunks_exact(2)
            .map(|c| bf16::from_le_bytes(c.try_into().unwrap()).to_f64())
            .collect(),
        DType::F16 => bytes
            .chunks_exact(2)
            .map(|c| f16::from_le_bytes(c.try_into().unwrap()).to_f64())
            .collect(),
    };
    for v in vals {
        assert!(v.is_finite(), "{v} from {dist:?} in {dtype}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn spec_functions_never_panic(name in ".{0,12}", shape in shape(), init in init(),
                                  dtype in dtype(), layout in layout()) {
        let s = TensorSpec::new(name, &shape, init).with_dtype(dtype).with_layout(layout);
        let _ = (s.numel(), s.byte_len(), s.checked_byte_len(), s.resolved_fans());
        let _ = s.distribution();
        let _ = s.validate();
        let _ = init.check_parameters();
        let _ = init.distribution_for_shape(&shape, layout);
        let _ = Fans::from_shape(&shape, layout);
        let _ = init.name();
        let _ = init.needs_fans();
    }

    #[test]
    fn a_validated_spec_writes_and_reads_back(shape in prop::collection::vec(0usize..5, 0..4),
                                              init in init(), dtype in dtype()) {
        let s = TensorSpec::new("t", &shape, init).with_dtype(dtype);
        let Ok(dist) = s.validate() else { return Ok(()) };
        let dir = tmpdir("prop");
        let out = dir.path().join("t.safetensors");
        write_safetensors(&out, std::slice::from_ref(&s), &Key::new(1), WriteOptions::default())
            .expect("a validated spec must write");
        let bytes = std::fs::read(&out).unwrap();
        let st = safetensors::SafeTensors::deserialize(&bytes).expect("readable");
        let t = st.tensor("t").unwrap();
        prop_assert_eq!(t.shape(), &shape[..]);
        check_values(t.data(), dtype, &dist);
    }

    #[test]
    fn fill_functions_never_panic(init in init(), offset in prop_oneof![0u64..100, any::<u64>()],
                                  len in 0usize..300, rows in 0usize..9, cols in 0usize..9,
                                  r0 in 0usize..12, r1 in 0usize..12, c0 in 0usize..12,
                                  c1 in 0usize..12) {
        let key = Key::new(3).tensor("w");
        let Ok(dist) = init.distribution(Fans::new(rows, cols)) else { return Ok(()) };
        let mut a = vec![0f32; len];
        let _ = fill(&mut a, &dist, &key);
        let _ = fill_at(&mut a, &dist, &key, offset);
        let mut h = vec![f16::ZERO; len];
        let _ = fill_at(&mut h, &dist, &key, offset);
        let mut d = vec![0f64; len];
        if fill_at(&mut d, &dist, &key, offset).is_ok() {
            prop_assert!(d.iter().all(|x| x.is_finite()));
        }
        let (rr, cc): (Range<usize>, Range<usize>) = (r0..r1, c0..c1);
        let mut b = vec![0f32; rr.len() * cc.len()];
        let _ = fill_block(&mut b, &dist, &key, [rows, cols], rr.clone(), cc.clone());
        let _ = init.alloc_block::<bf16>([rows, cols], Layout::Torch, &key, rr, cc);
        let _ = shard_block([rows, cols], Split::Rows, r0, c0);
        let _ = shard_block([rows, cols], Split::Cols, r0, c0);
        let _ = split_range(len, r0, c0);
    }

    #[test]
    fn distribution_constructors_never_panic(a in finite(), b in finite(), c in finite(),
                                             d in finite()) {
        for dist in [
            Distribution::constant(a),
            Distribution::uniform(a, b),
            Distribution::symmetric_uniform(a),
            Distribution::normal(a, b),
            Distribution::truncated_normal(a, b, c, d),
        ].into_iter().flatten() {
            let _ = (dist.mean(), dist.std(), dist.is_random());
            let mut v = vec![0f64; 64];
            if fill(&mut v, &dist, &Key::new(0).tensor("x")).is_ok() {
                prop_assert!(v.iter().all(|x| x.is_finite()), "{:?}", dist);
            }
        }
        let _ = calculate_gain(Nonlinearity::LeakyRelu, Some(a));
        let _ = calculate_gain(Nonlinearity::Selu, Some(b));
        let _ = Fans::new(a as usize, b as usize).select(FanMode::FanGeoAvg);
    }

    #[test]
    fn parsers_never_panic(s in "\\PC{0,16}") {
        let _ = DType::parse(&s);
        let _ = Nonlinearity::parse(&s);
        let _ = FanMode::parse(&s);
        let _ = VarianceDistribution::parse(&s);
        let _ = Rank::parse(&s);
        let _ = glorot::model::presets::preset(&s);
        let _ = glorot::io::printable(&s);
        let _ = Key::new(0).tensor(&s);
    }
}

#[test]
fn impossible_allocations_are_errors() {
    let d = Distribution::uniform(0.0, 1.0).unwrap();
    let key = Key::new(0).tensor("x");
    assert_eq!(
        try_alloc_filled::<f64>(usize::MAX, &d, &key, Pages::Plain).unwrap_err(),
        Error::AllocationFailed
    );
    assert_eq!(
        try_alloc_filled::<f32>(usize::MAX / 2, &d, &key, Pages::Huge).unwrap_err(),
        Error::AllocationFailed
    );
    assert!(Init::Zeros
        .alloc::<f32>(&[usize::MAX, 2], Layout::Torch, &key)
        .is_err());
}

/// The variants of `Distribution` are public, so they can be built without the validating
/// constructors: filling from such a value is an error in every dtype, never garbage.
#[test]
fn directly_built_invalid_distributions_are_errors() {
    let key = Key::new(0).tensor("x");
    for d in [
        Distribution::Uniform {
            low: 1.0,
            high: 0.0,
        },
        Distribution::Uniform {
            low: f64::NAN,
            high: 1.0,
        },
        Distribution::Uniform {
            low: -f64::MAX,
            high: f64::MAX,
        },
        Distribution::Constant(f64::NAN),
        Distribution::Constant(f64::INFINITY),
        Distribution::Normal {
            mean: f64::NAN,
            std: 1.0,
        },
        Distribution::Normal {
            mean: 0.0,
            std: -1.0,
        },
        Distribution::TruncatedNormal {
            mean: 0.0,
            std: 1.0,
            low: 2.0,
            high: -2.0,
        },
    ] {
        let mut a = vec![0f64; 16];
        assert!(fill(&mut a, &d, &key).is_err(), "f64 {d:?}");
        let mut b = vec![0f32; 16];
        assert!(fill(&mut b, &d, &key).is_err(), "f32 {d:?}");
        let mut c = vec![bf16::ZERO; 16];
        assert!(fill(&mut c, &d, &key).is_err(), "bf16 {d:?}");
        let mut h = vec![f16::ZERO; 16];
        assert!(fill(&mut h, &d, &key).is_err(), "f16 {d:?}");
        assert!(a.iter().all(|&x| x == 0.0), "nothing written on error");
    }
}
