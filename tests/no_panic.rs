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
    for (rank, world) in [(5, 2), (0, 0), (usize::MAX, usize::MAX), (2, 2)] {
        // A Rank cannot be built from its fields (they are private; see its doctest).
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
    let r = Rank::new(1, 2).unwrap();
    assert_eq!((r.rank(), r.world()), (1, 2));
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
        // Memory follows the file's dtype rule: refused together, or equal bit for bit below.
        let (plain, in_mem) = in_memory(&s);
        let Ok(dist) = s.validate() else {
            prop_assert!(plain.is_err() && in_mem.is_err(), "memory accepted what the writer refuses");
            return Ok(());
        };
        let dir = tmpdir("prop");
        let out = dir.path().join("t.safetensors");
        write_safetensors(&out, std::slice::from_ref(&s), &Key::new(1), WriteOptions::default())
            .expect("a validated spec must write");
        let bytes = std::fs::read(&out).unwrap();
        let st = safetensors::SafeTensors::deserialize(&bytes).expect("readable");
        let t = st.tensor("t").unwrap();
        prop_assert_eq!(t.shape(), &shape[..]);
        check_values(t.data(), dtype, &dist);
        prop_assert!(plain.expect("Init::alloc refused a valid spec") == t.data());
        prop_assert!(in_mem.expect("TensorSpec::alloc refused a valid spec") == t.data());
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
    fn jax_functions_never_panic(a in finite(), b in finite(), mode in 0usize..4,
                                 axes in (any::<isize>(), -3isize..3, prop::option::of(-3isize..3)),
                                 shape in prop::collection::vec(0usize..5, 0..4),
                                 offset in prop_oneof![0u64..50, any::<u64>()], len in 0usize..70) {
        use glorot::jax::{self, JaxAxes, JaxInit, JaxKey};
        let mode = [FanMode::FanIn, FanMode::FanOut, FanMode::FanAvg, FanMode::FanGeoAvg][mode];
        let key = JaxKey::from_seed(1);
        for init in [
            JaxInit::uniform_range(a, b),
            JaxInit::uniform(a),
            JaxInit::VarianceScaling {
                scale: a,
                mode,
                axes: JaxAxes { in_axis: axes.0, out_axis: axes.1, batch_axis: axes.2 },
            },
            JaxInit::variance_scaling(b, mode),
        ] {
            let mut v = vec![0f32; len];
            if jax::fill_at(&mut v, &init, &shape, key, offset).is_ok() {
                prop_assert!(v.iter().all(|x| x.is_finite()), "{:?}", init);
            }
            let mut h = vec![f16::ZERO; len];
            if jax::fill_at(&mut h, &init, &shape, key, offset).is_ok() {
                prop_assert!(h.iter().all(|x| x.is_finite()), "{:?}", init);
            }
            let _ = jax::alloc::<bf16>(&init, &shape, key);
            let _ = jax::alloc::<f64>(&init, &shape, key);
        }
        let _ = key.split(len);
    }

    #[test]
    fn read_header_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64),
                                json in "\\PC{0,80}", n in any::<u64>()) {
        let _ = glorot::io::read_header(&mut &bytes[..]);
        // A plausible length prefix in front of hostile JSON, and a lying one.
        for len in [json.len() as u64, n, n % 200] {
            let mut f = len.to_le_bytes().to_vec();
            f.extend_from_slice(json.as_bytes());
            let _ = glorot::io::read_header(&mut &f[..]);
        }
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

/// A `Distribution` cannot be built directly (its representation is private; the
/// `compile_fail` doctest on the type pins that): every invalid parameter set, given as a
/// `DistributionKind`, is refused by `Distribution::from_kind` with the constructor's error.
#[test]
fn invalid_distribution_kinds_are_refused() {
    use glorot::DistributionKind as K;
    for (k, e) in [
        (
            K::Uniform {
                low: 1.0,
                high: 0.0,
            },
            Error::InvalidBounds,
        ),
        (
            K::Uniform {
                low: f64::NAN,
                high: 1.0,
            },
            Error::InvalidBounds,
        ),
        (
            K::Uniform {
                low: -f64::MAX,
                high: f64::MAX,
            },
            Error::InvalidBounds,
        ),
        (K::Constant(f64::NAN), Error::NonFiniteValue),
        (K::Constant(f64::INFINITY), Error::NonFiniteValue),
        (
            K::Normal {
                mean: f64::NAN,
                std: 1.0,
            },
            Error::NonFiniteValue,
        ),
        (
            K::Normal {
                mean: 0.0,
                std: -1.0,
            },
            Error::InvalidStd,
        ),
        (
            K::TruncatedNormal {
                mean: 0.0,
                std: 1.0,
                low: 2.0,
                high: -2.0,
            },
            Error::InvalidBounds,
        ),
    ] {
        assert_eq!(Distribution::from_kind(k), Err(e), "{k:?}");
    }
    // A valid kind round-trips.
    let d = Distribution::truncated_normal(0.0, 1.0, -2.0, 2.0).unwrap();
    assert_eq!(Distribution::from_kind(d.kind()), Ok(d));
}

fn tensor_bytes<T: glorot::Element + le::Bytes>(v: &[T]) -> Vec<u8> {
    v.iter().flat_map(|x| x.bytes()).collect()
}

/// The element types' little-endian bytes, as the file stores them.
mod le {
    pub trait Bytes {
        fn bytes(&self) -> Vec<u8>;
    }
    impl Bytes for f32 {
        fn bytes(&self) -> Vec<u8> {
            self.to_le_bytes().to_vec()
        }
    }
    impl Bytes for f64 {
        fn bytes(&self) -> Vec<u8> {
            self.to_le_bytes().to_vec()
        }
    }
    impl Bytes for glorot::bf16 {
        fn bytes(&self) -> Vec<u8> {
            self.to_le_bytes().to_vec()
        }
    }
    impl Bytes for glorot::f16 {
        fn bytes(&self) -> Vec<u8> {
            self.to_le_bytes().to_vec()
        }
    }
}

/// What memory gives for `s` in its dtype: `Init::alloc` (the plain in-memory path) and
/// `TensorSpec::alloc`, as file bytes, or the error.
fn in_memory(s: &TensorSpec) -> (Result<Vec<u8>, Error>, Result<Vec<u8>, WriteError>) {
    fn both<T: glorot::Element + le::Bytes>(
        s: &TensorSpec,
    ) -> (Result<Vec<u8>, Error>, Result<Vec<u8>, WriteError>) {
        let key = Key::new(1);
        let plain = match s.fans {
            Some(f) => s.init.distribution(f).and_then(|d| {
                glorot::try_alloc_filled::<T>(s.numel(), &d, &key.tensor(&s.name), Pages::Plain)
            }),
            None => s.init.alloc::<T>(&s.shape, s.layout, &key.tensor(&s.name)),
        };
        (
            plain.map(|v| tensor_bytes(&v)),
            s.alloc::<T>(&key).map(|v| tensor_bytes(&v)),
        )
    }
    match s.dtype {
        DType::F32 => both::<f32>(s),
        DType::F64 => both::<f64>(s),
        DType::BF16 => both::<bf16>(s),
        DType::F16 => both::<f16>(s),
    }
}

/// An empty tensor writes nothing, so the dtype rule is moot for it, structured or not: a gain
/// f16 cannot hold is accepted by the writer's check, written, and allocated alike (found by
/// `a_validated_spec_writes_and_reads_back`: the writer's check accepted `[0, 0]` with
/// `OrthogonalJax { scale: 7e4 }` in f16, the write then refused it).
#[test]
fn empty_tensors_skip_the_dtype_rule_in_files_and_memory() {
    let dir = tmpdir("empty");
    let cases = [
        (Init::Orthogonal { gain: 7e4 }, vec![0, 0]),
        (
            Init::OrthogonalJax {
                scale: 7e4,
                column_axis: 0,
            },
            vec![0, 0],
        ),
        (
            Init::DeltaOrthogonal {
                scale: 7e4,
                column_axis: -1,
            },
            vec![3, 3, 0, 4],
        ),
        (Init::Identity { gain: 7e4 }, vec![4, 0]),
        (Init::Constant { val: 7e4 }, vec![0]),
    ];
    for (init, shape) in cases {
        let s = TensorSpec::new("t", &shape, init).with_dtype(DType::F16);
        assert!(s.validate().is_ok(), "writer's check: {init:?}");
        let (plain, spec) = in_memory(&s);
        assert_eq!(plain.map(|v| v.len()), Ok(0), "Init::alloc: {init:?}");
        assert!(
            spec.is_ok_and(|v| v.is_empty()),
            "TensorSpec::alloc: {init:?}"
        );
        let out = dir.path().join("t.safetensors");
        write_safetensors(
            &out,
            std::slice::from_ref(&s),
            &Key::new(1),
            WriteOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{init:?}: {e}"));
    }
    // Non-empty, the same gains are refused everywhere (the rule itself is unchanged).
    let s = TensorSpec::new("t", &[4, 4], Init::Orthogonal { gain: 7e4 }).with_dtype(DType::F16);
    assert!(s.validate().is_err());
}

/// One dtype rule for files and memory: for every initializer and dtype, the writer's check
/// (`TensorSpec::validate`), `Init::alloc` and `TensorSpec::alloc` accept or refuse together,
/// with the same `Error`; what they accept, the file and memory hold bit for bit.
#[test]
fn files_and_memory_share_one_dtype_rule() {
    let cases = [
        (
            Init::Constant { val: 70000.0 },
            DType::F16,
            Some(Error::Unrepresentable),
        ),
        (Init::Constant { val: 70000.0 }, DType::BF16, None),
        (
            Init::Normal {
                mean: 0.0,
                std: 1e5,
            },
            DType::F16,
            Some(Error::Unrepresentable),
        ),
        (
            Init::Normal {
                mean: 1e6,
                std: 1.0,
            },
            DType::F16,
            Some(Error::Unrepresentable),
        ),
        (
            Init::Normal {
                mean: 0.0,
                std: 3e4,
            },
            DType::F16,
            Some(Error::Unrepresentable),
        ),
        (
            Init::Normal {
                mean: 0.0,
                std: 1e4,
            },
            DType::F16,
            None,
        ),
        (
            Init::Normal {
                mean: 1.0,
                std: 1e-9,
            },
            DType::F32,
            Some(Error::TooNarrow),
        ),
        (
            Init::Normal {
                mean: 1.0,
                std: 1e-9,
            },
            DType::F64,
            None,
        ),
        (
            Init::Uniform {
                low: -7e4,
                high: 7e4,
            },
            DType::F16,
            Some(Error::Unrepresentable),
        ),
        (
            Init::Uniform {
                low: 1.0,
                high: 1.005,
            },
            DType::BF16,
            Some(Error::TooNarrow),
        ),
        (
            Init::Uniform {
                low: 1.001,
                high: 1.002,
            },
            DType::BF16,
            Some(Error::InvalidBounds),
        ),
        (
            Init::trunc_normal(0.0, 1e5, -1e6, 1e6),
            DType::F16,
            Some(Error::Unrepresentable),
        ),
        (Init::trunc_normal(0.0, 1.0, -2.0, 2.0), DType::F16, None),
        (
            Init::kaiming_uniform_with(1e150, FanMode::FanIn, Nonlinearity::LeakyRelu),
            DType::F32,
            Some(Error::TooNarrow),
        ),
        (Init::xavier_uniform(1.0), DType::BF16, None),
    ];
    let dir = tmpdir("rule");
    for (init, dtype, want) in cases {
        let s = TensorSpec::new("t", &[16, 8], init).with_dtype(dtype);
        let file = s.validate().map(drop).map_err(|e| match e {
            WriteError::Spec { error, .. } => error,
            e => panic!("{e}"),
        });
        let (plain, spec) = in_memory(&s);
        let spec_err = spec.as_ref().map(drop).map_err(|e| match e {
            WriteError::Spec { error, .. } => *error,
            e => panic!("{e}"),
        });
        let want = want.map_or(Ok(()), Err);
        assert_eq!(file, want, "writer: {init:?} {dtype}");
        assert_eq!(
            plain.as_ref().map(drop).map_err(|e| *e),
            want,
            "Init::alloc: {init:?} {dtype}"
        );
        assert_eq!(spec_err, want, "TensorSpec::alloc: {init:?} {dtype}");
        if want.is_ok() {
            let out = dir.path().join("t.safetensors");
            write_safetensors(
                &out,
                std::slice::from_ref(&s),
                &Key::new(1),
                WriteOptions::default(),
            )
            .unwrap();
            let bytes = std::fs::read(&out).unwrap();
            let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
            let data = st.tensor("t").unwrap().data().to_vec();
            assert!(
                plain.unwrap() == data,
                "{init:?} {dtype}: Init::alloc differs from the file"
            );
            assert!(
                spec.unwrap() == data,
                "{init:?} {dtype}: TensorSpec::alloc differs from the file"
            );
        }
    }
    // Structured initializers (memory only; the writer calls them not elementwise): a gain or
    // scale the dtype rounds to ±∞ used to write infinities.
    let key = Key::new(0).tensor("o");
    for init in [
        Init::Orthogonal { gain: 7e4 },
        Init::Identity { gain: 7e4 },
        Init::OrthogonalJax {
            scale: 7e4,
            column_axis: -1,
        },
    ] {
        assert_eq!(
            init.alloc::<f16>(&[4, 4], Layout::Torch, &key).unwrap_err(),
            Error::Unrepresentable,
            "{init:?}"
        );
        let v = init.alloc::<bf16>(&[4, 4], Layout::Torch, &key).unwrap();
        assert!(v.iter().all(|x| x.is_finite()), "{init:?}");
    }
}

/// Public structs whose fields can be set by hand, given inconsistent values: every function
/// that takes them answers `Err`, never a panic, a wrong-length tensor or a checkpoint with a
/// tensor missing or written twice.
#[test]
fn hand_made_public_structs_are_errors() {
    let specs = specs();
    let key = Key::new(0);
    // A shard plan that writes tensor 0 twice and never tensor 1.
    let mut plan = ShardPlan::new(&specs, 2).unwrap();
    plan.files = vec![vec![0], vec![0]];
    assert!(plan.index_json(&specs).is_err());
    let dir = tmpdir("plan");
    for r in 0..2 {
        let e = glorot::io::write_planned_shard(
            dir.path(),
            &specs,
            plan.clone(),
            &key,
            Rank::new(r, 2).unwrap(),
            WriteOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(e, WriteError::Shard(_)), "{e}");
    }
    // A plan of another size, and a plan whose total is wrong.
    let mut other = ShardPlan::new(&specs, 2).unwrap();
    other.total_size += 1;
    let e = glorot::io::write_planned_shard(
        dir.path(),
        &specs,
        other,
        &key,
        Rank::new(0, 2).unwrap(),
        WriteOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, WriteError::Shard(_)), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    // A TensorSpec whose zeroed range lies outside the tensor.
    let s = TensorSpec::new("e", &[4, 3], Init::Ones).with_zeroed(6..20);
    assert!(s.validate().is_err());
    assert!(s.alloc::<f32>(&key).is_err());
    let s = TensorSpec::new("e", &[4, 3], Init::Ones).with_zeroed(Range { start: 9, end: 3 });
    assert!(s.alloc::<f32>(&key).is_err());

    // A network! spec whose public numel / offset disagree with its shape.
    use glorot::model::{self, presets::GlorotMlp};
    let mut p = GlorotMlp::SPECS[0];
    p.numel += 1;
    assert!(matches!(
        model::distribution(&p),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(model::alloc_tensor::<f32>(&p, &key).is_err());
    let mut q = GlorotMlp::SPECS[1];
    q.offset = usize::MAX;
    let _ = q.range();
    let mut big = [GlorotMlp::SPECS[0], GlorotMlp::SPECS[0]];
    big[0].numel = usize::MAX;
    big[1].numel = 1;
    assert!(model::fill_specs_into::<f32>(&big, &key, &mut []).is_err());
    let mut arena = vec![0f32; GlorotMlp::SPECS[0].numel];
    let mut shifted = [GlorotMlp::SPECS[0]];
    shifted[0].offset = 5;
    assert!(model::fill_specs_into::<f32>(&shifted, &key, &mut arena).is_err());
}

/// `HfTensor` has public fields: a padding row beyond the shape, or on a scalar, is an error
/// from every function that takes it.
#[cfg(feature = "hf")]
#[test]
fn hand_made_hf_tensors_are_errors() {
    use glorot::hf::{HfTensor, Module, Param};
    let key = Key::new(0);
    for (shape, row) in [
        (vec![], 0),
        (vec![4, 3], 4),
        (vec![4, 3], usize::MAX),
        (vec![usize::MAX, usize::MAX], 1),
    ] {
        let t = HfTensor {
            name: "e".into(),
            shape: shape.clone(),
            module: Module::Embedding,
            param: Param::Weight,
            init: Init::Normal {
                mean: 0.0,
                std: 0.02,
            },
            fans: None,
            zero_row: Some(row),
        };
        let _ = (t.numel(), t.zeroed_elements());
        assert!(
            t.spec(DType::F32).validate().is_err(),
            "{shape:?} row {row}"
        );
        assert!(t.alloc::<f32>(&key).is_err(), "{shape:?} row {row}");
    }
}
