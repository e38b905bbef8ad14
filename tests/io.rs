//! The safetensors writer: byte-exact agreement with the `safetensors` crate's serializer,
//! values bit-equal to the in-memory initialization, sharded checkpoints equal to a single
//! file, and crash safety.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use glorot::io::{
    read_header, write_planned_shard, write_safetensors, write_shard, Rank, ShardError, ShardPlan,
    TensorSpec, WriteError, WriteOptions, INDEX_NAME,
};
use glorot::{bf16, f16, DType, Element, FanMode, Init, Key, Layout, Nonlinearity};
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;

fn tmpdir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("glorot-io-{tag}-"))
        .tempdir()
        .unwrap()
}

/// A small model touching every dtype, rank 0–4 shapes, both layouts, a zero-size tensor and
/// tensors spanning several work items.
fn model() -> Vec<TensorSpec> {
    vec![
        TensorSpec::new("fc1.weight", &[300, 784], Init::xavier_uniform(1.0)),
        TensorSpec::new("fc1.bias", &[300], Init::Zeros),
        TensorSpec::new(
            "big",
            &[3, 1 << 19],
            Init::Uniform {
                low: -1.0,
                high: 2.0,
            },
        )
        .with_dtype(DType::BF16),
        TensorSpec::new("conv.weight", &[16, 3, 5, 5], Init::kaiming_uniform())
            .with_dtype(DType::F16),
        TensorSpec::new(
            "dense.kernel",
            &[64, 32],
            Init::kaiming_uniform_with(0.1, FanMode::FanOut, Nonlinearity::LeakyRelu),
        )
        .with_dtype(DType::F64)
        .with_layout(Layout::Jax),
        TensorSpec::new("ln.weight", &[64], Init::Ones).with_dtype(DType::BF16),
        TensorSpec::new("scalar", &[], Init::Constant { val: 0.5 }).with_dtype(DType::F64),
        TensorSpec::new("empty", &[0, 7], Init::xavier_uniform(1.0)),
        TensorSpec::new("a.weight", &[33, 17], Init::HeUniform).with_dtype(DType::F16),
        TensorSpec::new("z \"quoted\"\\name", &[5, 4], Init::LecunUniform),
    ]
}

fn key() -> Key {
    Key::new(20261129)
}

/// The in-memory initialization of a spec, as little-endian bytes.
fn reference_bytes(s: &TensorSpec, key: &Key) -> Vec<u8> {
    fn go<T: Element + bytemuck::Pod>(s: &TensorSpec, key: &Key) -> Vec<u8> {
        let v: Vec<T> = if s.numel() == 0 {
            Vec::new()
        } else {
            s.init
                .alloc(&s.shape, s.layout, &key.tensor(&s.name))
                .unwrap()
        };
        bytemuck::cast_slice(&v).to_vec()
    }
    match s.dtype {
        DType::F32 => go::<f32>(s, key),
        DType::F64 => go::<f64>(s, key),
        DType::BF16 => go::<bf16>(s, key),
        DType::F16 => go::<f16>(s, key),
    }
}

fn st_dtype(d: DType) -> Dtype {
    match d {
        DType::F32 => Dtype::F32,
        DType::F64 => Dtype::F64,
        DType::BF16 => Dtype::BF16,
        DType::F16 => Dtype::F16,
    }
}

/// The whole file as the `safetensors` crate would serialize the in-memory tensors.
fn serialized_by_crate(specs: &[TensorSpec], key: &Key, meta: &[(String, String)]) -> Vec<u8> {
    let data: Vec<(String, Vec<u8>, &TensorSpec)> = specs
        .iter()
        .map(|s| (s.name.clone(), reference_bytes(s, key), s))
        .collect();
    let views: Vec<(String, TensorView<'_>)> = data
        .iter()
        .map(|(n, b, s)| {
            (
                n.clone(),
                TensorView::new(st_dtype(s.dtype), s.shape.clone(), b).unwrap(),
            )
        })
        .collect();
    let meta = (!meta.is_empty()).then(|| meta.iter().cloned().collect());
    safetensors::serialize(views, meta).unwrap()
}

fn check_tensors(path: &Path, specs: &[TensorSpec], key: &Key) {
    let bytes = std::fs::read(path).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(st.len(), specs.len());
    for s in specs {
        let t = st.tensor(&s.name).unwrap();
        assert_eq!(t.shape(), &s.shape[..], "{}", s.name);
        assert_eq!(t.dtype(), st_dtype(s.dtype), "{}", s.name);
        assert!(
            t.data() == &reference_bytes(s, key)[..],
            "{} differs",
            s.name
        );
    }
}

#[test]
fn file_is_byte_identical_to_the_safetensors_serializer() {
    let dir = tmpdir("exact");
    let specs = model();
    for meta in [vec![], vec![("format".to_string(), "pt".to_string())]] {
        let out = dir.path().join("m.safetensors");
        let opts = WriteOptions {
            metadata: &meta,
            ..Default::default()
        };
        let sum = write_safetensors(&out, &specs, &key(), opts).unwrap();
        let ours = std::fs::read(&out).unwrap();
        assert_eq!(sum.file_bytes, ours.len() as u64);
        assert_eq!(sum.tensors, specs.len());
        let theirs = serialized_by_crate(&specs, &key(), &meta);
        assert_eq!(ours.len(), theirs.len());
        assert!(ours == theirs, "file differs from safetensors::serialize");
        check_tensors(&out, &specs, &key());
    }
}

/// Work items are 8 MiB windows of the file: wide elements at odd offsets (an f16 tensor of odd
/// length before them) are split by the window edges, and the last window is not a whole number
/// of direct-I/O blocks. Direct and buffered writes, at 1 and 3 threads, give the serializer's
/// bytes.
#[test]
fn window_edges_split_elements_and_every_write_mode_agrees() {
    use glorot::io::ITEM_BYTES;
    let dir = tmpdir("windows");
    let specs = vec![
        TensorSpec::new(
            "odd",
            &[3],
            Init::Uniform {
                low: -1.0,
                high: 1.0,
            },
        )
        .with_dtype(DType::F16),
        TensorSpec::new("wide", &[ITEM_BYTES / 8 + 3, 2], Init::xavier_normal(1.0))
            .with_dtype(DType::F64),
        TensorSpec::new(
            "odd2",
            &[5],
            Init::Normal {
                mean: 0.0,
                std: 1.0,
            },
        )
        .with_dtype(DType::BF16),
        TensorSpec::new(
            "f",
            &[ITEM_BYTES / 4 - 7],
            Init::TruncNormal {
                mean: 0.0,
                std: 1.0,
                a: -2.0,
                b: 2.0,
            },
        ),
        TensorSpec::new("tail", &[1001], Init::Ones).with_dtype(DType::F16),
    ];
    let theirs = serialized_by_crate(&specs, &key(), &[]);
    assert!(theirs.len() > 3 * ITEM_BYTES && !theirs.len().is_multiple_of(4096));
    for buffered in [false, true] {
        for threads in [1, 3] {
            let out = dir
                .path()
                .join(format!("w-{buffered}-{threads}.safetensors"));
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let opts = WriteOptions {
                buffered,
                ..Default::default()
            };
            pool.install(|| write_safetensors(&out, &specs, &key(), opts))
                .unwrap();
            let ours = std::fs::read(&out).unwrap();
            assert!(ours == theirs, "buffered={buffered} threads={threads}");
            std::fs::remove_file(&out).unwrap();
        }
    }
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let dir = tmpdir("threads");
    let specs = model();
    let mut files = Vec::new();
    for threads in [1, 2, 3] {
        let out = dir.path().join(format!("t{threads}.safetensors"));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| write_safetensors(&out, &specs, &key(), WriteOptions::default()))
            .unwrap();
        files.push(std::fs::read(&out).unwrap());
    }
    assert!(files.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn shards_equal_the_single_file() {
    let dir = tmpdir("shards");
    let specs = model();
    for n in [1, 2, 3, 4, specs.len()] {
        let sub = dir.path().join(format!("n{n}"));
        let mut seen = Vec::new();
        for r in 0..n {
            let s = write_shard(
                &sub,
                &specs,
                &key(),
                Rank::new(r, n).unwrap(),
                WriteOptions::default(),
            )
            .unwrap();
            assert_eq!(s.index.is_some(), r == 0);
            let members: Vec<TensorSpec> =
                s.plan.files[r].iter().map(|&i| specs[i].clone()).collect();
            assert!(!members.is_empty());
            check_tensors(&sub.join(s.plan.file_name(r)), &members, &key());
            seen.extend(s.plan.files[r].iter().copied());
        }
        seen.sort();
        assert_eq!(seen, (0..specs.len()).collect::<Vec<_>>());
        // The index maps every tensor to the file that holds it.
        let index = std::fs::read_to_string(sub.join(INDEX_NAME)).unwrap();
        let plan = ShardPlan::new(&specs, n).unwrap();
        let total: u64 = specs.iter().map(|s| s.byte_len()).sum();
        assert!(index.contains(&format!("\"total_size\": {total}")));
        for (j, f) in plan.files.iter().enumerate() {
            for &i in f {
                let mut name = String::new();
                for c in specs[i].name.chars() {
                    if c == '"' || c == '\\' {
                        name.push('\\');
                    }
                    name.push(c);
                }
                let line = format!("\"{name}\": \"model-{:05}-of-{n:05}.safetensors\"", j + 1);
                assert!(index.contains(&line), "{line} not in index");
            }
        }
        // Only this plan's files and the index were written: no temporaries left behind.
        let mut names: Vec<String> = std::fs::read_dir(&sub)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut want: Vec<String> = (0..n).map(|r| plan.file_name(r)).collect();
        want.push(INDEX_NAME.to_string());
        want.sort();
        assert_eq!(names, want);
    }
}

#[test]
fn shard_plan_is_balanced_and_contiguous() {
    let specs: Vec<TensorSpec> = (0..40)
        .map(|i| TensorSpec::new(format!("t{i}"), &[100 + 37 * i, 64], Init::Zeros))
        .collect();
    for n in 1..=8 {
        let plan = ShardPlan::new(&specs, n).unwrap();
        let flat: Vec<usize> = plan.files.concat();
        assert_eq!(flat, (0..40).collect::<Vec<_>>());
        let sizes: Vec<u64> = plan
            .files
            .iter()
            .map(|f| f.iter().map(|&i| specs[i].byte_len()).sum())
            .collect();
        let (max, min) = (*sizes.iter().max().unwrap(), *sizes.iter().min().unwrap());
        let biggest = specs.iter().map(|s| s.byte_len()).max().unwrap();
        assert!(max - min <= 2 * biggest, "n={n}: {sizes:?}");
    }
    assert!(ShardPlan::new(&specs, 0).is_err());
    assert!(ShardPlan::new(&specs, 41).is_err());
    // Every file non-empty even when one tensor dominates.
    let mut skew = specs.clone();
    skew[0].shape = vec![1 << 20, 64];
    let plan = ShardPlan::new(&skew, 40).unwrap();
    assert!(plan.files.iter().all(|f| f.len() == 1));
}

#[test]
fn a_planned_shard_equals_write_shard_and_a_foreign_plan_is_refused() {
    let dir = tmpdir("planned");
    let specs = model();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let r = Rank::new(1, 3).unwrap();
    let plan = ShardPlan::new(&specs, 3).unwrap();
    let x =
        write_planned_shard(&a, &specs, plan.clone(), &key(), r, WriteOptions::default()).unwrap();
    let y = write_shard(&b, &specs, &key(), r, WriteOptions::default()).unwrap();
    assert_eq!(x.plan, y.plan);
    let name = plan.file_name(1);
    assert_eq!(
        std::fs::read(a.join(&name)).unwrap(),
        std::fs::read(b.join(&name)).unwrap()
    );
    // The header reads back with the offsets the safetensors crate sees.
    let bytes = std::fs::read(a.join(&name)).unwrap();
    let entries = read_header(&mut &bytes[..]).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(entries.len(), st.len());
    for e in &entries {
        let t = st.tensor(&e.name).unwrap();
        assert_eq!(
            &bytes[e.start as usize..e.end as usize],
            t.data(),
            "{}",
            e.name
        );
    }
    // A plan for another world size, or another spec list, writes nothing.
    let c = dir.path().join("c");
    for (plan, specs) in [
        (ShardPlan::new(&specs, 2).unwrap(), &specs[..]),
        (plan.clone(), &specs[..specs.len() - 1]),
    ] {
        let err =
            write_planned_shard(&c, specs, plan, &key(), r, WriteOptions::default()).unwrap_err();
        assert!(
            matches!(err, WriteError::Shard(ShardError::PlanMismatch { .. })),
            "{err}"
        );
    }
    assert!(!c.exists());
}

fn assert_no_temporaries(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp-"), "temporary file {name} left behind");
    }
}

#[test]
fn cancelled_write_keeps_the_existing_file_and_removes_the_temporary() {
    let dir = tmpdir("cancel");
    let out = dir.path().join("model.safetensors");
    std::fs::write(&out, b"previous contents").unwrap();
    let cancel = AtomicBool::new(false);
    let progress = |_bytes: u64| cancel.store(true, Ordering::Relaxed);
    let opts = WriteOptions {
        progress: Some(&progress),
        cancel: Some(&cancel),
        ..Default::default()
    };
    let err = write_safetensors(&out, &model(), &key(), opts).unwrap_err();
    assert!(matches!(err, WriteError::Cancelled { .. }), "{err}");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), b"previous contents");
    assert_no_temporaries(dir.path());
}

#[test]
fn bad_spec_names_the_tensor_and_writes_nothing() {
    let dir = tmpdir("badspec");
    let out = dir.path().join("model.safetensors");
    std::fs::write(&out, b"keep").unwrap();
    let mut specs = model();
    specs.push(TensorSpec::new(
        "bias.only",
        &[10],
        Init::xavier_uniform(1.0),
    ));
    let err = write_safetensors(&out, &specs, &key(), WriteOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("bias.only"), "{msg}");
    assert_eq!(std::fs::read(&out).unwrap(), b"keep");
    assert_no_temporaries(dir.path());

    let mut dup = model();
    dup.push(dup[0].clone());
    let err = write_safetensors(&out, &dup, &key(), WriteOptions::default()).unwrap_err();
    assert!(
        matches!(err, WriteError::DuplicateName(ref n) if n == "fc1.weight"),
        "{err}"
    );
}

#[test]
fn unwritable_destinations_are_clean_errors() {
    let dir = tmpdir("unwritable");
    // The "directory" is a regular file: found by the output-path check, before any file is
    // created (even as root).
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let out = file.join("model.safetensors");
    let err = write_safetensors(&out, &model(), &key(), WriteOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, WriteError::Output { .. }), "{msg}");
    assert!(msg.contains("not-a-dir is not a directory"), "{msg}");

    // A missing directory.
    let out = dir.path().join("missing").join("model.safetensors");
    let err = write_safetensors(&out, &model(), &key(), WriteOptions::default()).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");

    // A read-only directory (only meaningful when not running as root, which bypasses modes).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = dir.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = ro.join("probe");
        if std::fs::write(&probe, b"").is_ok() {
            let _ = std::fs::remove_file(&probe);
            println!("running as root: read-only directory check skipped (root bypasses modes)");
        } else {
            let out = ro.join("model.safetensors");
            let err =
                write_safetensors(&out, &model(), &key(), WriteOptions::default()).unwrap_err();
            assert!(err.to_string().contains("ermission denied"), "{err}");
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn rank_from_launcher_environments() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    let ok = |r, w| Ok::<Rank, String>(Rank::new(r, w).unwrap());
    let get = |pairs| Rank::from_vars(env(pairs)).map_err(|e| e.to_string());
    assert_eq!(get(&[("RANK", "2"), ("WORLD_SIZE", "4")]), ok(2, 4));
    assert_eq!(
        get(&[("SLURM_PROCID", "0"), ("SLURM_NTASKS", "3")]),
        ok(0, 3)
    );
    assert_eq!(
        get(&[("OMPI_COMM_WORLD_RANK", "3"), ("OMPI_COMM_WORLD_SIZE", "4")]),
        ok(3, 4)
    );
    assert_eq!(get(&[("PMI_RANK", "1"), ("PMI_SIZE", "2")]), ok(1, 2));
    // torchrun inside a Slurm allocation: the innermost launcher (torchrun) wins.
    assert_eq!(
        get(&[
            ("RANK", "5"),
            ("WORLD_SIZE", "8"),
            ("SLURM_PROCID", "0"),
            ("SLURM_NTASKS", "1")
        ]),
        ok(5, 8)
    );
    let err = |pairs| get(pairs).unwrap_err();
    assert!(err(&[]).contains("no launcher environment"));
    assert!(err(&[("RANK", "1")]).contains("WORLD_SIZE is not"));
    assert!(err(&[("SLURM_NTASKS", "4")]).contains("SLURM_PROCID"));
    assert!(err(&[("RANK", "4"), ("WORLD_SIZE", "4")]).contains("inconsistent"));
    assert!(err(&[("PMI_RANK", "0"), ("PMI_SIZE", "0")]).contains("inconsistent"));
    assert!(err(&[("RANK", "x"), ("WORLD_SIZE", "4")]).contains("RANK=\"x\""));

    assert_eq!(Rank::parse("1/3").unwrap(), Rank::new(1, 3).unwrap());
    for bad in ["3/3", "1", "a/b", "-1/2", "0/0"] {
        assert!(Rank::parse(bad).is_err(), "{bad}");
    }
}

/// Every structured initializer, in every dtype, next to elementwise tensors; `eye.big` spans
/// two write pieces and has a zeroed range across their boundary.
fn structured_model() -> Vec<TensorSpec> {
    vec![
        TensorSpec::new("fc.weight", &[64, 32], Init::xavier_uniform(1.0)),
        TensorSpec::new(
            "rnn.weight_hh_l0",
            &[256, 64],
            Init::Orthogonal { gain: 1.0 },
        ),
        TensorSpec::new("wide", &[20, 70], Init::Orthogonal { gain: 2.0 }).with_dtype(DType::BF16),
        TensorSpec::new(
            "conv.kernel",
            &[3, 3, 4, 8],
            Init::OrthogonalJax {
                scale: 0.5,
                column_axis: -1,
            },
        )
        .with_dtype(DType::F16),
        TensorSpec::new(
            "sparse",
            &[200, 90],
            Init::Sparse {
                sparsity: 0.3,
                std: 0.02,
            },
        )
        .with_dtype(DType::F64),
        TensorSpec::new("dirac", &[8, 4, 3, 3], Init::Dirac { groups: 2 }).with_dtype(DType::BF16),
        TensorSpec::new("fc.bias", &[64], Init::Zeros),
        TensorSpec::new("eye.big", &[1000, 1100], Init::Eye).with_zeroed(1_048_000..1_049_000),
        TensorSpec::new("identity", &[5, 7], Init::Identity { gain: 3.0 }).with_dtype(DType::F16),
        TensorSpec::new(
            "delta",
            &[3, 3, 4, 8],
            Init::DeltaOrthogonal {
                scale: 1.0,
                column_axis: -1,
            },
        ),
        TensorSpec::new("empty", &[0, 5], Init::Orthogonal { gain: 1.0 }),
    ]
}

/// `reference_bytes` with the spec's zeroed range applied, as the writer applies it.
fn reference_with_zeroed(s: &TensorSpec, key: &Key) -> Vec<u8> {
    let mut b = reference_bytes(s, key);
    if let Some(z) = &s.zeroed {
        let size = s.dtype.size();
        b[z.start as usize * size..z.end as usize * size].fill(0);
    }
    b
}

#[test]
fn structured_tensors_are_written_whole_and_equal_alloc() {
    let dir = tmpdir("structured");
    let specs = structured_model();
    let key = key();
    for s in &specs {
        let src = s.validate().unwrap();
        assert_eq!(
            src == glorot::io::Source::Whole,
            s.init.is_structured(),
            "{}",
            s.name
        );
    }
    let out = dir.path().join("s.safetensors");
    let written = std::sync::atomic::AtomicU64::new(0);
    let progress = |b: u64| {
        written.fetch_add(b, Ordering::Relaxed);
    };
    let sum = write_safetensors(
        &out,
        &specs,
        &key,
        WriteOptions {
            progress: Some(&progress),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(written.load(Ordering::Relaxed), sum.data_bytes);
    let bytes = std::fs::read(&out).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    for s in &specs {
        let t = st.tensor(&s.name).unwrap();
        assert_eq!(t.shape(), &s.shape[..], "{}", s.name);
        assert_eq!(t.dtype(), st_dtype(s.dtype), "{}", s.name);
        assert!(
            t.data() == &reference_with_zeroed(s, &key)[..],
            "{} differs",
            s.name
        );
    }
    // The zeroed range (across the first piece boundary, element 2^20) cut the diagonal at
    // [952, 952] = element 1_048_152, and only there.
    let eye = st.tensor("eye.big").unwrap().data();
    let at = |i: usize| f32::from_le_bytes(eye[4 * i..4 * i + 4].try_into().unwrap());
    assert_eq!(at(951 * 1101), 1.0);
    assert_eq!(at(952 * 1101), 0.0);
    assert_eq!(at(953 * 1101), 1.0);
    assert_eq!(at(999 * 1101), 1.0);
    // Without the zeroed range, the file is byte-identical to the safetensors serializer.
    let plain: Vec<TensorSpec> = specs
        .iter()
        .cloned()
        .map(|mut s| {
            s.zeroed = None;
            s
        })
        .collect();
    let out2 = dir.path().join("plain.safetensors");
    write_safetensors(&out2, &plain, &key, WriteOptions::default()).unwrap();
    assert!(std::fs::read(&out2).unwrap() == serialized_by_crate(&plain, &key, &[]));
    // The crate's own header reader finds every tensor where the bytes are.
    let entries = read_header(&mut std::fs::File::open(&out).unwrap()).unwrap();
    assert_eq!(entries.len(), specs.len());
    for s in &specs {
        let e = entries.iter().find(|e| e.name == s.name).unwrap();
        let data = &bytes[e.start as usize..e.end as usize];
        assert!(
            data == &reference_with_zeroed(s, &key)[..],
            "{} via read_header",
            s.name
        );
    }
    // Any thread count: the same file.
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let o = dir.path().join(format!("t{threads}.safetensors"));
        pool.install(|| write_safetensors(&o, &specs, &key, WriteOptions::default()))
            .unwrap();
        assert!(std::fs::read(&o).unwrap() == bytes, "{threads} threads");
    }
    // Shards: each rank's file holds its tensors whole, equal to the single file's.
    let ckpt = dir.path().join("ckpt");
    for rank in 0..3 {
        write_shard(
            &ckpt,
            &specs,
            &key,
            Rank::new(rank, 3).unwrap(),
            WriteOptions::default(),
        )
        .unwrap();
    }
    let plan = ShardPlan::new(&specs, 3).unwrap();
    for (rank, members) in plan.files.iter().enumerate() {
        let f = std::fs::read(ckpt.join(plan.file_name(rank))).unwrap();
        let st = SafeTensors::deserialize(&f).unwrap();
        assert_eq!(st.len(), members.len());
        for &i in members {
            let s = &specs[i];
            assert!(
                st.tensor(&s.name).unwrap().data() == &reference_with_zeroed(s, &key)[..],
                "shard {rank}: {}",
                s.name
            );
        }
    }
}

#[test]
fn structured_errors_come_before_the_first_byte() {
    let dir = tmpdir("structured-bad");
    let out = dir.path().join("m.safetensors");
    let ok = TensorSpec::new("ok", &[64, 64], Init::Orthogonal { gain: 1.0 });
    for (bad, want) in [
        (
            TensorSpec::new("b", &[8, 4, 3], Init::Dirac { groups: 3 }),
            glorot::Error::GroupsMismatch { dim0: 8, groups: 3 },
        ),
        (
            TensorSpec::new("b", &[8], Init::Orthogonal { gain: 1.0 }),
            glorot::Error::UnsupportedRank {
                rank: 1,
                supported: "2 or more",
            },
        ),
        (
            TensorSpec::new("b", &[0], Init::Orthogonal { gain: 1.0 }),
            glorot::Error::UnsupportedRank {
                rank: 1,
                supported: "2 or more",
            },
        ),
        (
            TensorSpec::new(
                "b",
                &[3, 3, 8, 4],
                Init::DeltaOrthogonal {
                    scale: 1.0,
                    column_axis: -1,
                },
            ),
            glorot::Error::FanInExceedsFanOut {
                fan_in: 8,
                fan_out: 4,
            },
        ),
        (
            TensorSpec::new("b", &[4, 4], Init::Orthogonal { gain: 7e4 }).with_dtype(DType::F16),
            glorot::Error::Unrepresentable,
        ),
        (
            TensorSpec::new(
                "b",
                &[4, 4],
                Init::Sparse {
                    sparsity: 0.5,
                    std: 1e-45,
                },
            )
            .with_dtype(DType::BF16),
            glorot::Error::TooNarrow,
        ),
        (
            TensorSpec::new(
                "b",
                &[4, 4],
                Init::Sparse {
                    sparsity: -0.5,
                    std: 0.01,
                },
            ),
            glorot::Error::InvalidSparsity,
        ),
        (
            TensorSpec::new("b", &[4, 4, 4], Init::Eye),
            glorot::Error::UnsupportedRank {
                rank: 3,
                supported: "2",
            },
        ),
    ] {
        let specs = vec![ok.clone(), bad];
        let e = write_safetensors(&out, &specs, &key(), WriteOptions::default()).unwrap_err();
        assert!(
            matches!(&e, WriteError::Spec { tensor, error } if tensor == "b" && *error == want),
            "{e}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
    // A tensor no allocator can give is refused before anything is created.
    let huge = vec![TensorSpec::new("h", &[1 << 31, 1 << 30], Init::Eye).with_dtype(DType::F16)];
    let e = write_safetensors(&out, &huge, &key(), WriteOptions::default()).unwrap_err();
    assert!(matches!(e, WriteError::OutOfMemory { .. }), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn cancelling_inside_a_whole_tensor_removes_the_temporary() {
    let dir = tmpdir("structured-cancel");
    let out = dir.path().join("m.safetensors");
    std::fs::write(&out, b"precious").unwrap();
    // Two write pieces (1.1 M elements): cancelled after the first one.
    let specs = vec![TensorSpec::new("eye", &[1000, 1100], Init::Eye)];
    let cancel = AtomicBool::new(false);
    let progress = |_: u64| cancel.store(true, Ordering::Relaxed);
    let e = write_safetensors(
        &out,
        &specs,
        &key(),
        WriteOptions {
            progress: Some(&progress),
            cancel: Some(&cancel),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, WriteError::Cancelled { .. }), "{e}");
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    assert_no_temporaries(dir.path());
}
