//! Whole-model initialization from `network!` specs.

mod common;

use glorot::model::{self, presets::GlorotMlp, Network};
use glorot::{bf16, Element, Key};

fn bits<T: Element>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64().to_bits()).collect()
}

#[test]
fn mlp_twice_gives_identical_bits() {
    let key = Key::new(2010);
    let a: GlorotMlp = model::init(&key).unwrap();
    let b: GlorotMlp = model::init(&key).unwrap();
    for (name, fa, fb) in [
        ("fc1", &a.fc1, &b.fc1),
        ("fc2", &a.fc2, &b.fc2),
        ("fc3", &a.fc3, &b.fc3),
        ("fc4", &a.fc4, &b.fc4),
        ("fc5", &a.fc5, &b.fc5),
        ("out", &a.out, &b.out),
    ] {
        assert_eq!(fa.prefix(), name);
        for ((ra, _, da), (rb, _, db)) in fa.iter().zip(fb.iter()) {
            assert_eq!(ra, rb);
            assert_eq!(bits(da), bits(db), "{name}.{ra}");
        }
    }
    let other: GlorotMlp = model::init(&Key::new(2011)).unwrap();
    assert_ne!(
        bits(a.fc1.weight().unwrap()),
        bits(other.fc1.weight().unwrap())
    );
}

#[test]
fn mlp_values_are_the_per_tensor_streams() {
    let key = Key::new(7);
    let m: GlorotMlp<bf16> = model::init(&key).unwrap();
    // Each tensor is exactly what filling it alone from `key.tensor(name)` gives.
    let init = glorot::Init::xavier_uniform(5.0 / 3.0);
    let w: Vec<bf16> = init
        .alloc(
            &[1000, 1000],
            glorot::Layout::Torch,
            &key.tensor("fc3.weight"),
        )
        .unwrap();
    assert_eq!(bits(m.fc3.weight().unwrap()), bits(&w));
    let bound = 5.0 / 3.0 * (6.0f64 / 2000.0).sqrt();
    assert!(m
        .fc3
        .weight()
        .unwrap()
        .iter()
        .all(|x| x.to_f64().abs() <= bound));
    assert!(m.fc3.bias().unwrap().iter().all(|x| x.to_f64() == 0.0));
}

#[test]
fn arena_and_iterator_match_owned_init() {
    let key = Key::new(99);
    let m: GlorotMlp = model::init(&key).unwrap();
    let mut arena = vec![0f32; GlorotMlp::PARAMS];
    model::init_into::<GlorotMlp, f32>(&key, &mut arena).unwrap();
    let mut n = 0;
    for t in model::tensors::<GlorotMlp, f32>(&key) {
        let t = t.unwrap();
        assert_eq!(bits(&arena[t.spec.range()]), bits(&t.values), "{}", t.name);
        assert_eq!(t.shape, t.spec.shape());
        assert_eq!(t.dtype, glorot::DType::F32);
        n += 1;
    }
    assert_eq!(n, GlorotMlp::TENSORS);
    let fc5 = &GlorotMlp::SPECS[8];
    assert_eq!(fc5.name(), "fc5.weight");
    assert_eq!(bits(&arena[fc5.range()]), bits(m.fc5.weight().unwrap()));
    // wrong arena length
    let mut short = vec![0f32; 10];
    assert!(model::init_into::<GlorotMlp, f32>(&key, &mut short).is_err());
}

#[test]
fn mlp_names_are_as_documented() {
    let names: Vec<&str> = <GlorotMlp as Network>::SPECS
        .iter()
        .map(|s| s.name())
        .collect();
    assert_eq!(
        names,
        [
            "fc1.weight",
            "fc1.bias",
            "fc2.weight",
            "fc2.bias",
            "fc3.weight",
            "fc3.bias",
            "fc4.weight",
            "fc4.bias",
            "fc5.weight",
            "fc5.bias",
            "out.weight",
            "out.bias"
        ]
    );
}

glorot::network! {
    /// Exercises repeated blocks, groups and every uniform-family kind through the engine.
    struct Small {
        embed: embedding(50, 16, init = uniform(-0.1, 0.1)),
        blocks: repeat(3) {
            norm: layer_norm,
            attn: attention(heads = 4, kv_heads = 2),
            mlp: gated_mlp(16 => 24, act = relu, init = kaiming_uniform),
        },
        head: { conv: conv1d(16 => 8, kernel = 3, groups = 2), rnn: gru(8 => 4) },
    }
}

#[test]
fn repeated_blocks_fill_from_their_own_names() {
    let key = Key::new(3);
    let m: Small = model::init(&key).unwrap();
    assert_eq!(m.blocks.len(), 3);
    assert_eq!(m.blocks[2].prefix(), "blocks.2");
    let q = m.blocks[2].get("attn.q_proj.weight").unwrap();
    let spec = m.blocks[2].spec("attn.q_proj.weight").unwrap();
    assert_eq!(spec.name(), "blocks.2.attn.q_proj.weight");
    // PyTorch nn.Linear default: U(±1/√fan_in)
    let expect: Vec<f32> = glorot::Init::torch_default_weight()
        .alloc(
            &[16, 16],
            glorot::Layout::Torch,
            &key.tensor("blocks.2.attn.q_proj.weight"),
        )
        .unwrap();
    assert_eq!(bits(q), bits(&expect));
    assert!(q.iter().all(|x| x.abs() <= 0.25));
    assert_ne!(
        bits(q),
        bits(m.blocks[1].get("attn.q_proj.weight").unwrap())
    );
    assert!(m.blocks[0]
        .get("norm.weight")
        .unwrap()
        .iter()
        .all(|&x| x == 1.0));
    assert_eq!(m.head.get("rnn.weight_ih_l0").unwrap().len(), 12 * 8);
    let total: usize = [&m.embed, &m.head]
        .into_iter()
        .chain(&m.blocks)
        .map(|md| md.iter().map(|(_, _, d)| d.len()).sum::<usize>())
        .sum();
    assert_eq!(total, Small::PARAMS);
}

#[test]
fn spec_gains_are_calculate_gain_of_the_activation() {
    use glorot::{calculate_gain, Nonlinearity};
    glorot::network! {
        struct Acts {
            a: linear(4 => 4, act = tanh, init = xavier_uniform),
            b: linear(4, act = leaky_relu(0.2), init = kaiming_normal),
            c: linear(4, act = relu, init = kaiming_uniform),
            d: linear(4, act = selu, init = xavier_normal),
        }
    }
    let gain = |n, p| calculate_gain(n, p).unwrap();
    let s = Acts::SPECS;
    assert_eq!(
        s[0].gain.to_bits(),
        gain(Nonlinearity::Tanh, None).to_bits()
    );
    assert_eq!(
        s[2].gain.to_bits(),
        gain(Nonlinearity::LeakyRelu, Some(0.2)).to_bits()
    );
    assert_eq!(
        s[4].gain.to_bits(),
        gain(Nonlinearity::Relu, None).to_bits()
    );
    assert_eq!(
        s[6].gain.to_bits(),
        gain(Nonlinearity::Selu, None).to_bits()
    );
    assert_eq!(
        s[6].init,
        glorot::Init::XavierNormal {
            gain: gain(Nonlinearity::Selu, None)
        }
    );
}

/// Normal-family initializers declared in a model are filled with the right statistics.
#[test]
fn normal_family_is_filled() {
    glorot::network! {
        struct Emb { wte: embedding(512, 128, init = normal(std = 0.02)) }
    }
    let m: Emb = model::init::<Emb, f32>(&Key::new(5)).unwrap();
    let w = m.wte.weight().unwrap();
    let n = w.len() as f64;
    let mean = w.iter().map(|&x| x as f64).sum::<f64>() / n;
    let var = w.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
    assert!(mean.abs() < 0.001, "mean {mean}");
    assert!((var.sqrt() - 0.02).abs() < 0.0005, "std {}", var.sqrt());
}

/// Every preset tensor has a valid engine distribution.
#[test]
fn every_preset_spec_is_valid_for_the_engine() {
    use model::presets::{
        AlexNet, GlorotMlp, Gpt2Small, Gpt2Xl, Llama7b, ResNet50, Vgg16, VitB16, PRESETS,
    };
    let all = [
        GlorotMlp::SPECS,
        ResNet50::SPECS,
        Gpt2Small::SPECS,
        Gpt2Xl::SPECS,
        Llama7b::SPECS,
        Vgg16::SPECS,
        AlexNet::SPECS,
        VitB16::SPECS,
    ];
    assert_eq!(all.len(), PRESETS.len());
    for specs in all {
        for s in specs {
            if let Err(e) = model::distribution(s) {
                panic!("{}: {e}", s.name());
            }
        }
    }
}

glorot::network! {
    /// Keras' recurrent defaults: input weights Glorot, recurrent weights orthogonal.
    struct Recurrent {
        lstm: lstm(24 => 32, layers = 2, bidirectional = true, init = glorot_uniform,
                   recurrent_init = orthogonal, bias = zeros),
        gru: gru(64 => 16, recurrent_init = orthogonal(gain = 2.0)),
        rnn: rnn(16 => 40, act = tanh, init = orthogonal),
        proj: linear(40 => 40, init = eye, bias = false),
        conv: conv2d(40 => 8, kernel = 3, init = dirac(groups = 2)),
        sparse: linear(8 => 30, init = sparse(sparsity = 0.25, std = 0.5)),
        scaled: linear(30 => 30, init = identity(3.0)),
        jax: linear(30 => 20, init = orthogonal_jax(scale = 0.5)),
    }
}

#[test]
fn structured_initializers_through_model_init() {
    use glorot::{Init, Layout};
    let key = Key::new(1980);
    let specs = Recurrent::SPECS;
    let by_name = |n: &str| specs.iter().find(|s| s.name() == n).unwrap();
    // The declaration resolves to the Init variants, recurrent weights only.
    assert_eq!(
        by_name("lstm.weight_hh_l1_reverse").init,
        Init::Orthogonal { gain: 1.0 }
    );
    assert_eq!(by_name("lstm.weight_ih_l1").init, Init::GlorotUniform);
    assert_eq!(by_name("lstm.bias_hh_l0").init, Init::Zeros);
    assert_eq!(
        by_name("gru.weight_hh_l0").init,
        Init::Orthogonal { gain: 2.0 }
    );
    assert_eq!(by_name("gru.weight_hh_l0").gain, 2.0);
    // PyTorch's default stays on gru's input weights.
    assert_eq!(
        by_name("gru.weight_ih_l0").init,
        Init::torch_default_bias(16)
    );
    // A bare `orthogonal` takes the layer's act gain, as a bare xavier does.
    let tanh = 5.0 / 3.0;
    assert_eq!(
        by_name("rnn.weight_hh_l0").init,
        Init::Orthogonal { gain: tanh }
    );
    assert_eq!(by_name("proj.weight").init, Init::Eye);
    assert_eq!(by_name("conv.weight").init, Init::Dirac { groups: 2 });
    assert_eq!(
        by_name("jax.weight").init,
        Init::OrthogonalJax {
            scale: 0.5,
            column_axis: -1
        }
    );

    let owned: Recurrent<f32> = model::init(&key).unwrap();
    let mut arena = vec![0f32; Recurrent::PARAMS];
    model::init_into::<Recurrent, f32>(&key, &mut arena).unwrap();
    let streamed: Vec<_> = model::tensors::<Recurrent, f32>(&key)
        .collect::<Result<_, _>>()
        .unwrap();
    let wide: Recurrent<f64> = model::init(&key).unwrap();
    let mut structured = 0;
    for (i, s) in specs.iter().enumerate() {
        // Exactly the direct allocation of the spec's Init for its shape and name.
        let direct: Vec<f32> = s
            .init
            .alloc(s.shape(), Layout::Torch, &key.tensor(s.name()))
            .unwrap();
        let (group, rel) = s.name().split_once('.').unwrap();
        let module = match group {
            "lstm" => &owned.lstm,
            "gru" => &owned.gru,
            "rnn" => &owned.rnn,
            "proj" => &owned.proj,
            "conv" => &owned.conv,
            "sparse" => &owned.sparse,
            "scaled" => &owned.scaled,
            _ => &owned.jax,
        };
        assert_eq!(
            bits(module.get(rel).unwrap()),
            bits(&direct),
            "{}",
            s.name()
        );
        assert_eq!(bits(&arena[s.range()]), bits(&direct), "arena {}", s.name());
        assert_eq!(
            bits(&streamed[i].values),
            bits(&direct),
            "iter {}",
            s.name()
        );
        let w64: Vec<f64> = s
            .init
            .alloc(s.shape(), Layout::Torch, &key.tensor(s.name()))
            .unwrap();
        let group64 = match group {
            "lstm" => &wide.lstm,
            "gru" => &wide.gru,
            "rnn" => &wide.rnn,
            "proj" => &wide.proj,
            "conv" => &wide.conv,
            "sparse" => &wide.sparse,
            "scaled" => &wide.scaled,
            _ => &wide.jax,
        };
        assert_eq!(bits(group64.get(rel).unwrap()), bits(&w64));
        // QᵀQ = I for every orthogonal tensor (f32 and f64).
        if let Init::Orthogonal { gain } = s.init {
            structured += 1;
            let (r, c) = (s.shape()[0], s.numel / s.shape()[0]);
            let m32: Vec<f64> = direct.iter().map(|&x| x as f64).collect();
            let e32 = common::orthonormality_error(&m32, r, c, gain);
            assert!(e32 < 1e-5, "{} f32: {e32}", s.name());
            let e64 = common::orthonormality_error(&w64, r, c, gain);
            assert!(e64 < 1e-13, "{} f64: {e64}", s.name());
        }
    }
    // lstm: 2 layers × 2 directions; gru: 1; rnn: weight_ih and weight_hh.
    assert_eq!(structured, 4 + 1 + 2);
    // The other patterns, spot-checked.
    let eye = owned.proj.weight().unwrap();
    assert!((0..40 * 40).all(|i| eye[i] == if i / 40 == i % 40 { 1.0 } else { 0.0 }));
    let id = owned.scaled.weight().unwrap();
    assert!((0..30 * 30).all(|i| id[i] == if i / 30 == i % 30 { 3.0 } else { 0.0 }));
    let sp = owned.sparse.weight().unwrap();
    for j in 0..8 {
        let zeros = (0..30).filter(|&i| sp[i * 8 + j] == 0.0).count();
        assert_eq!(zeros, 8, "ceil(0.25 · 30) zeros in column {j}");
    }
}

#[test]
fn structured_tensors_write_as_model_init_fills_them() {
    use glorot::io::{tensor_specs, write_safetensors, WriteOptions};
    let key = Key::new(3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.safetensors");
    let specs = tensor_specs(Recurrent::SPECS, glorot::DType::BF16);
    write_safetensors(&path, &specs, &key, WriteOptions::default()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let owned: Vec<Vec<bf16>> = model::alloc_all(Recurrent::SPECS, &key).unwrap();
    for (s, v) in Recurrent::SPECS.iter().zip(&owned) {
        let t = st.tensor(s.name()).unwrap();
        let want: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(t.data(), &want[..], "{}", s.name());
    }
}

glorot::network! {
    /// Every activation spelling `act = …` takes, plus a branch and a layer without one.
    struct Acts {
        a: linear(8 => 8, act = tanh, init = xavier_uniform, bias = zeros),
        b: linear(8, act = leaky_relu(0.2), init = kaiming_normal),
        c: linear(8, act = gelu, init = xavier_uniform),
        d: linear(8, act = softsign, init = kaiming_uniform),
        e: linear(8, act = conv2d),
        res: branch { f: linear(8 => 8, act = relu) },
        n: layer_norm,
        g: linear(4),
    }
}

#[test]
fn specs_record_each_layers_kind_and_activation() {
    use glorot::model::{Activation, LayerInfo};
    use glorot::{FanMode, Init, Nonlinearity};
    let spec = |n: &str| Acts::SPECS.iter().find(|s| s.name() == n).unwrap();
    let info = |kind, act, branch| LayerInfo {
        kind,
        act,
        branch,
        ..LayerInfo::NONE
    };
    assert_eq!(
        spec("a.weight").layer,
        info("linear", Some(Activation::Tanh), false)
    );
    // A layer's bias carries its layer too.
    assert_eq!(spec("a.bias").layer, spec("a.weight").layer);
    assert_eq!(spec("b.weight").layer.act, Some(Activation::LeakyRelu(0.2)));
    // softsign and gelu take gain 1 (calculate_gain has neither), as `linear` does.
    assert_eq!(spec("c.weight").init, Init::XavierUniform { gain: 1.0 });
    assert_eq!(spec("c.weight").gain, 1.0);
    assert_eq!(spec("c.weight").layer.act, Some(Activation::Gelu));
    assert_eq!(
        spec("d.weight").init,
        Init::KaimingUniform {
            a: 0.0,
            mode: FanMode::FanIn,
            nonlinearity: Nonlinearity::Linear
        }
    );
    assert_eq!(spec("d.weight").layer.act, Some(Activation::Softsign));
    // calculate_gain's convolution names are identities.
    assert_eq!(spec("e.weight").layer.act, Some(Activation::Linear));
    assert_eq!(
        spec("res.f.weight").layer,
        info("linear", Some(Activation::Relu), true)
    );
    assert_eq!(spec("n.weight").layer, info("layer_norm", None, false));
    assert_eq!(spec("g.weight").layer, info("linear", None, false));
    for a in [
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Relu,
        Activation::LeakyRelu(0.2),
        Activation::Selu,
        Activation::Linear,
    ] {
        assert_eq!(
            a.gain(),
            glorot::calculate_gain(a.nonlinearity(), Some(0.2)).unwrap(),
            "{a:?}"
        );
    }
    // The preset: tanh hidden layers, linear logits; ResNet-50's downsample is a branch.
    let g = GlorotMlp::SPECS;
    assert!(g[..10]
        .iter()
        .all(|s| s.layer == info("linear", Some(Activation::Tanh), false)));
    assert_eq!(g[10].layer, info("linear", None, false));
    let ds = glorot::model::presets::ResNet50::SPECS
        .iter()
        .find(|s| s.name() == "layer1.0.downsample.0.weight")
        .unwrap();
    assert_eq!(
        (ds.layer.kind, ds.layer.act, ds.layer.branch),
        ("conv2d", None, true)
    );
    // Its geometry, without a tracked input size (ResNet-50 declares no `input`).
    let g1 = glorot::model::ConvGeometry {
        rank: 2,
        input: None,
        kernel: [1, 1, 1],
        stride: [1, 1, 1],
        padding: [0, 0, 0],
        dilation: [1, 1, 1],
        groups: 1,
        transposed: false,
    };
    assert_eq!(ds.layer.conv, Some(g1));
    // AlexNet tracks sizes: `features.3` reads 27 × 27 after the 3/2 max pooling of 55 × 55,
    // which its specs carry (pooling has no tensors of its own).
    let alex = |n: &str| {
        glorot::model::presets::AlexNet::SPECS
            .iter()
            .find(|s| s.name() == n)
            .unwrap()
            .layer
    };
    let f3 = alex("features.3.weight");
    assert_eq!(
        f3.conv,
        Some(glorot::model::ConvGeometry {
            input: Some([27, 27, 1]),
            kernel: [5, 5, 1],
            padding: [2, 2, 0],
            ..g1
        })
    );
    assert_eq!(
        f3.pool,
        Some(glorot::model::PoolGeometry {
            max: true,
            rank: 2,
            input: Some([55, 55, 1]),
            kernel: [3, 3, 1],
            stride: [2, 2, 1],
            padding: [0, 0, 0],
            dilation: [1, 1, 1],
            ceil_mode: false,
        })
    );
    assert_eq!(alex("features.3.bias"), f3);
    assert_eq!(alex("features.0.weight").conv.unwrap().stride, [4, 4, 1]);
    assert_eq!(alex("features.0.weight").pool, None);
    // The 6 × 6 → 6 × 6 adaptive pool is the identity: nothing recorded; the pooling before
    // it is.
    let c1 = alex("classifier.1.weight");
    assert_eq!(
        (c1.between, c1.pool.map(|p| p.input)),
        ("", Some(Some([13, 13, 1])))
    );
    assert_eq!(c1.conv, None);
    // A hand-made spec knows nothing.
    let hand = glorot::model::ParamSpec::new(
        *g[0].name_buf(),
        &[2, 2],
        Init::Zeros,
        1.0,
        glorot::model::Role::Weight,
    );
    assert_eq!(hand.layer, LayerInfo::NONE);
}
