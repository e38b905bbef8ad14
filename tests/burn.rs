//! The burn plug-in against burn itself: a module with Embedding, Conv2d, LayerNorm and Linear
//! initialized by `GlorotStore` equals the same module loaded by burn's own `SafetensorsStore`
//! (+ `PyTorchToBurnAdapter`) from the checkpoint the `glorot` CLI writes for the same names,
//! initializers and seed.
//!
//! Run with `cargo test --release --features cli,burn --test burn`.

mod fw;

use std::collections::BTreeMap;

use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Embedding, EmbeddingConfig, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::store::{bridge, ModuleSnapshot, ModuleStore, PyTorchToBurnAdapter, SafetensorsStore};
use burn::tensor::{Device, Tensor};
use glorot::frameworks::burn::{GlorotStore, GlorotStoreError, TorchDefaults};
use glorot::{Init, Key, Layout};

const SEED: u64 = 77;

#[derive(Module, Debug)]
struct Net {
    embed: Embedding,
    conv: Conv2d,
    norm: LayerNorm,
    fc1: Linear,
    head: Linear,
}

fn net(device: &Device) -> Net {
    Net {
        embed: EmbeddingConfig::new(50, 16).init(device),
        conv: Conv2dConfig::new([3, 8], [3, 3]).init(device),
        norm: LayerNormConfig::new(16).init(device),
        fc1: LinearConfig::new(16, 300).init(device),
        head: LinearConfig::new(300, 10).with_bias(false).init(device),
    }
}

/// Every parameter by burn path: shape and f32 values.
fn params(m: &Net) -> BTreeMap<String, (Vec<usize>, Vec<f32>)> {
    m.collect(None, None, false)
        .into_iter()
        .map(|t| {
            let shape = t.shape.iter().copied().collect();
            let data = bridge::into_data(t.clone()).unwrap();
            (t.name.clone(), (shape, data.try_to_vec::<f32>().unwrap()))
        })
        .collect()
}

fn transpose(v: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; v.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = v[r * cols + c];
        }
    }
    out
}

#[test]
fn store_equals_the_cli_checkpoint_loaded_by_burns_safetensors_store() {
    let device = Device::default();
    let store = GlorotStore::new(Key::new(SEED), TorchDefaults);
    let specs = store.specs(&net(&device)).unwrap();
    let mut names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    // PyTorch's names (LayerNorm weight/bias, not gamma/beta) and layouts.
    assert_eq!(
        names,
        [
            "conv.bias",
            "conv.weight",
            "embed.weight",
            "fc1.bias",
            "fc1.weight",
            "head.weight",
            "norm.bias",
            "norm.weight"
        ]
    );
    let fc1 = specs.iter().find(|s| s.name == "fc1.weight").unwrap();
    assert_eq!(fc1.shape, [300, 16], "PyTorch's (out, in)");

    let dir = tempfile::tempdir().unwrap();
    let tensors: Vec<_> = specs
        .iter()
        .map(|s| (s.name.clone(), s.shape.clone(), s.init))
        .collect();
    let path = fw::cli_checkpoint(dir.path(), &tensors, SEED, "f32");

    let mut from_file = net(&device);
    let mut st = SafetensorsStore::from_file(&path).with_from_adapter(PyTorchToBurnAdapter);
    let r = from_file.load_from(&mut st).unwrap();
    assert!(
        r.missing.is_empty() && r.errors.is_empty() && r.unused.is_empty(),
        "{r}"
    );

    let mut from_store = net(&device);
    let mut store = store;
    let r = from_store.load_from(&mut store).unwrap();
    assert_eq!(r.applied.len(), 8, "{r}");
    assert!(r.missing.is_empty() && r.unused.is_empty(), "{r}");

    let (a, b) = (params(&from_file), params(&from_store));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (n, (shape, v)) in &a {
        assert_eq!(shape, &b[n].0, "{n}");
        let same = v
            .iter()
            .zip(&b[n].1)
            .all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(
            same,
            "`{n}` differs between burn's SafetensorsStore and GlorotStore"
        );
    }

    // And both are glorot's values for the PyTorch names: burn's Linear weight is the transpose.
    let key = Key::new(SEED);
    let w: Vec<f32> = Init::torch_default_weight()
        .alloc(&[300, 16], Layout::Torch, &key.tensor("fc1.weight"))
        .unwrap();
    assert_eq!(b["fc1.weight"].0, [16, 300], "burn's (in, out)");
    assert!(b["fc1.weight"].1 == transpose(&w, 300, 16));
    assert!(b["norm.gamma"].1.iter().all(|&x| x == 1.0));
    assert!(b["norm.beta"].1.iter().all(|&x| x == 0.0));
    let conv: Vec<f32> = Init::torch_default_weight()
        .alloc(&[8, 3, 3, 3], Layout::Torch, &key.tensor("conv.weight"))
        .unwrap();
    assert!(b["conv.weight"].1 == conv);

    // The module the store initialized runs.
    let x = Tensor::<2>::ones([4, 16], &device);
    let y = from_store
        .head
        .forward(from_store.fc1.forward(from_store.norm.forward(x)));
    assert!(y
        .into_data()
        .try_to_vec::<f32>()
        .unwrap()
        .iter()
        .all(|v| v.is_finite()));
}

#[test]
fn torch_defaults_follow_pytorch_reset_parameters() {
    let device = Device::default();
    let mut m = net(&device);
    m.load_from(&mut GlorotStore::new(Key::new(SEED), TorchDefaults))
        .unwrap();
    let p = params(&m);
    let max_abs = |n: &str| p[n].1.iter().fold(0f32, |a, &x| a.max(x.abs()));
    // U[-1/√fan_in, 1/√fan_in): fan_in 16 for fc1, 3·3·3 for conv.
    assert!(max_abs("fc1.weight") <= 0.25 && max_abs("fc1.weight") > 0.24);
    assert!(max_abs("fc1.bias") <= 0.25 && max_abs("fc1.bias") > 0.2);
    let b = 1.0 / 27f32.sqrt();
    assert!(
        max_abs("conv.bias") <= b
            && max_abs("conv.weight") <= b
            && max_abs("conv.weight") > 0.9 * b
    );
    // Embedding: N(0, 1).
    let e = &p["embed.weight"].1;
    let std = (e.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / e.len() as f64).sqrt();
    assert!((std - 1.0).abs() < 0.08, "embedding std {std}");
}

#[test]
fn closure_policy_and_thread_invariance() {
    let device = Device::default();
    let init = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut m = net(&device);
            let mut store = GlorotStore::from_fn(Key::new(SEED), |name: &str, shape: &[usize]| {
                match (name.ends_with(".weight"), shape.len()) {
                    (true, 1) => Init::Ones,
                    (false, 1) => Init::Zeros,
                    _ => Init::xavier_uniform(1.0),
                }
            });
            m.load_from(&mut store).unwrap();
            assert_eq!(store.keys().unwrap().len(), 8);
            params(&m)
        })
    };
    let one = init(1);
    let w: Vec<f32> = Init::xavier_uniform(1.0)
        .alloc(
            &[10, 300],
            Layout::Torch,
            &Key::new(SEED).tensor("head.weight"),
        )
        .unwrap();
    assert!(one["head.weight"].1 == transpose(&w, 10, 300));
    assert!(one["fc1.bias"].1.iter().all(|&x| x == 0.0));
    for t in [2, 3] {
        assert!(one == init(t), "{t} threads differ from 1");
    }
}

/// A user module with a bare parameter: TorchDefaults has no rule for it and says so.
#[derive(Module, Debug)]
struct Custom {
    fc: Linear,
    scale: Param<Tensor<1>>,
}

#[test]
fn errors_name_the_parameter() {
    let device = Device::default();
    let mut m = Custom {
        fc: LinearConfig::new(4, 4).init(&device),
        scale: Param::from_tensor(Tensor::ones([4], &device)),
    };
    let err = m
        .load_from(&mut GlorotStore::new(Key::new(0), TorchDefaults))
        .unwrap_err();
    assert!(matches!(err, GlorotStoreError::Policy(_)));
    let msg = err.to_string();
    assert!(msg.contains("`scale`") && msg.contains("Custom"), "{msg}");

    let mut bad = GlorotStore::from_fn(Key::new(0), |_: &str, _: &[usize]| Init::Uniform {
        low: 1.0,
        high: 0.0,
    });
    let msg = m.load_from(&mut bad).unwrap_err().to_string();
    assert!(msg.contains("fc.") && msg.contains("uniform"), "{msg}");
    // Nothing was applied: the module keeps its own values.
    assert!(m.scale.val().into_data().try_to_vec::<f32>().unwrap() == vec![1.0; 4]);

    let err = m
        .save_into(&mut GlorotStore::new(Key::new(0), TorchDefaults))
        .unwrap_err();
    assert!(matches!(err, GlorotStoreError::Unsupported(_)));
}
