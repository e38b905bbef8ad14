//! Every layer kind: PyTorch names, shapes, and const fans checked against PyTorch's rule
//! (`torch.nn.init._calculate_fan_in_and_fan_out`), written out independently here.

use glorot::model::presets::{GlorotMlp, Gpt2Small, Gpt2Xl, Llama7b, ResNet50};
use glorot::model::ParamSpec;
use glorot::{FanMode, Init, Nonlinearity};
use glorot_macros::network;

/// PyTorch's rule, the Python expression transcribed.
fn torch_rule(shape: &[usize]) -> (usize, usize) {
    let receptive: usize = shape[2..].iter().product();
    (shape[1] * receptive, shape[0] * receptive)
}

fn find(specs: &'static [ParamSpec], name: &str) -> &'static ParamSpec {
    specs
        .iter()
        .find(|s| s.name() == name)
        .unwrap_or_else(|| panic!("no tensor {name}"))
}

fn check(specs: &'static [ParamSpec], name: &str, shape: &[usize], fans: (usize, usize)) {
    let s = find(specs, name);
    assert_eq!(s.shape(), shape, "{name}");
    assert_eq!((s.fan_in, s.fan_out), fans, "{name}");
    if shape.len() >= 2 {
        assert_eq!(torch_rule(shape), fans, "{name}");
    }
}

network! {
    struct Kinds {
        fc: linear(20 => 30, act = relu, init = kaiming_uniform),
        dense: dense(40, bias = false),
        c1: conv1d(40 => 8, kernel = 5),
        c2: conv2d(8 => 12, kernel = (3, 5), groups = 4),
        c3: conv3d(12 => 6, kernel = 3, groups = 3, transposed = true),
        emb: embedding(1000, 64),
        ln: layer_norm(64),
        rms: rms_norm,
        bn: batch_norm(affine = false),
        attn: attention(heads = 8, kv_heads = 2),
        fused: attention(64, heads = 8, kv_heads = 2, fused_qkv = true, bias = false),
        mlp: gated_mlp(64 => 176, bias = false),
        rnn: rnn(64 => 32, act = tanh, init = xavier_uniform),
        lstm: lstm(32 => 16, layers = 2, bidirectional = true),
        gru: gru(32 => 24, bias = false),
    }
}

#[test]
fn fans_and_shapes_of_every_kind() {
    let s = Kinds::SPECS;
    check(s, "fc.weight", &[30, 20], (20, 30));
    check(s, "fc.bias", &[30], (0, 0));
    check(s, "dense.weight", &[40, 30], (30, 40));
    check(s, "c1.weight", &[8, 40, 5], (200, 40));
    check(s, "c1.bias", &[8], (0, 0));
    // grouped: (out, in/groups, kh, kw); fan_out is not divided by groups (PyTorch)
    check(s, "c2.weight", &[12, 2, 3, 5], (30, 180));
    // transposed: (in, out/groups, *k); fans swap accordingly
    check(s, "c3.weight", &[12, 2, 3, 3, 3], (54, 324));
    check(s, "emb.weight", &[1000, 64], (64, 1000));
    check(s, "ln.weight", &[64], (0, 0));
    check(s, "ln.bias", &[64], (0, 0));
    check(s, "rms.weight", &[64], (0, 0));
    check(s, "attn.q_proj.weight", &[64, 64], (64, 64));
    check(s, "attn.k_proj.weight", &[16, 64], (64, 16));
    check(s, "attn.v_proj.weight", &[16, 64], (64, 16));
    check(s, "attn.o_proj.weight", &[64, 64], (64, 64));
    check(s, "attn.k_proj.bias", &[16], (0, 0));
    check(s, "fused.qkv_proj.weight", &[96, 64], (64, 96));
    check(s, "fused.o_proj.weight", &[64, 64], (64, 64));
    check(s, "mlp.gate_proj.weight", &[176, 64], (64, 176));
    check(s, "mlp.up_proj.weight", &[176, 64], (64, 176));
    check(s, "mlp.down_proj.weight", &[64, 176], (176, 64));
    // recurrent: per stacked matrix (G·H rows)
    check(s, "rnn.weight_ih_l0", &[32, 64], (64, 32));
    check(s, "rnn.weight_hh_l0", &[32, 32], (32, 32));
    check(s, "rnn.bias_ih_l0", &[32], (0, 0));
    check(s, "lstm.weight_ih_l0", &[64, 32], (32, 64));
    check(s, "lstm.weight_hh_l0_reverse", &[64, 16], (16, 64));
    check(s, "lstm.weight_ih_l1", &[64, 32], (32, 64)); // input = 2 directions · 16
    check(s, "lstm.bias_hh_l1_reverse", &[64], (0, 0));
    check(s, "gru.weight_ih_l0", &[72, 32], (32, 72));
    check(s, "gru.weight_hh_l0", &[72, 24], (24, 72));
    // the order PyTorch registers them in
    let lstm: Vec<&str> = s
        .iter()
        .map(|t| t.name())
        .filter(|n| n.starts_with("lstm."))
        .collect();
    assert_eq!(
        lstm,
        [
            "lstm.weight_ih_l0",
            "lstm.weight_hh_l0",
            "lstm.bias_ih_l0",
            "lstm.bias_hh_l0",
            "lstm.weight_ih_l0_reverse",
            "lstm.weight_hh_l0_reverse",
            "lstm.bias_ih_l0_reverse",
            "lstm.bias_hh_l0_reverse",
            "lstm.weight_ih_l1",
            "lstm.weight_hh_l1",
            "lstm.bias_ih_l1",
            "lstm.bias_hh_l1",
            "lstm.weight_ih_l1_reverse",
            "lstm.weight_hh_l1_reverse",
            "lstm.bias_ih_l1_reverse",
            "lstm.bias_hh_l1_reverse",
        ]
    );
    assert!(s.iter().all(|t| !t.name().starts_with("bn.")));
    assert!(s.iter().all(|t| !t.name().starts_with("gru.bias")));
    assert!(s
        .iter()
        .all(|t| !t.name().starts_with("fused.") || !t.name().ends_with("bias")));
}

#[test]
fn defaults_are_pytorchs() {
    let s = Kinds::SPECS;
    // nn.Linear / nn.ConvNd: kaiming_uniform(a=√5), bias U(±1/√fan_in)
    assert_eq!(find(s, "dense.weight").init, Init::torch_default_weight());
    let b = 1.0 / (200f64).sqrt();
    assert_eq!(find(s, "c1.bias").init, Init::Uniform { low: -b, high: b });
    // transposed conv bias: the weight's (shape-rule) fan_in = out/groups·∏k = 2·27
    let b = 1.0 / (54f64).sqrt();
    assert_eq!(find(s, "c3.bias").init, Init::Uniform { low: -b, high: b });
    assert_eq!(
        find(s, "emb.weight").init,
        Init::Normal {
            mean: 0.0,
            std: 1.0
        }
    );
    assert_eq!(find(s, "ln.weight").init, Init::Ones);
    assert_eq!(find(s, "ln.bias").init, Init::Zeros);
    // RNNBase: U(±1/√hidden) everywhere
    let b = 1.0 / (16f64).sqrt();
    assert_eq!(
        find(s, "lstm.weight_ih_l1").init,
        Init::Uniform { low: -b, high: b }
    );
    assert_eq!(
        find(s, "lstm.bias_hh_l0").init,
        Init::Uniform { low: -b, high: b }
    );
    // act feeds the gain: kaiming from relu, xavier from tanh
    let fc = find(s, "fc.weight");
    assert_eq!(
        fc.init,
        Init::KaimingUniform {
            a: 0.0,
            mode: FanMode::FanIn,
            nonlinearity: Nonlinearity::Relu
        }
    );
    assert_eq!(fc.gain, std::f64::consts::SQRT_2);
    assert_eq!(
        find(s, "rnn.weight_hh_l0").init,
        Init::XavierUniform { gain: 5.0 / 3.0 }
    );
}

#[test]
fn offsets_are_packed_and_counts_add_up() {
    for specs in [
        Kinds::SPECS,
        GlorotMlp::SPECS,
        ResNet50::SPECS,
        Gpt2Small::SPECS,
        Gpt2Xl::SPECS,
        Llama7b::SPECS,
    ] {
        let mut at = 0;
        for s in specs {
            assert_eq!(s.offset, at, "{}", s.name());
            assert_eq!(s.numel, s.shape().iter().product::<usize>());
            let hf_conv1d = [".c_attn.", ".c_proj.", ".c_fc."]
                .iter()
                .any(|m| s.name().contains(m));
            if hf_conv1d && s.rank() == 2 {
                // Hugging Face Conv1D stores (in, out): fan_in = shape[0], by its semantics.
                assert_eq!(
                    (s.fan_in, s.fan_out),
                    (s.shape()[0], s.shape()[1]),
                    "{}",
                    s.name()
                );
            } else if s.rank() >= 2 {
                assert_eq!((s.fan_in, s.fan_out), torch_rule(s.shape()), "{}", s.name());
            }
            at += s.numel;
        }
    }
    assert_eq!(
        Kinds::PARAMS,
        Kinds::SPECS.iter().map(|s| s.numel).sum::<usize>()
    );
    assert_eq!(Kinds::TENSORS, Kinds::SPECS.len());
}

#[test]
fn repeated_block_names() {
    network! {
        struct Decoder {
            embed: embedding(100, 32),
            blocks: repeat(32) {
                attn: attention(heads = 4),
                norm: rms_norm,
            },
        }
    }
    const T: usize = Decoder::TENSORS;
    assert_eq!(T, 1 + 32 * 9);
    assert_eq!(
        Decoder::SPECS[1 + 3 * 9].name(),
        "blocks.3.attn.q_proj.weight"
    );
    assert_eq!(Decoder::SPECS[T - 1].name(), "blocks.31.norm.weight");
}

#[test]
fn preset_tensor_counts_and_names() {
    assert_eq!(ResNet50::TENSORS, 161);
    assert_eq!(Gpt2Small::TENSORS, 148);
    assert_eq!(Llama7b::TENSORS, 291);
    assert_eq!(ResNet50::SPECS[12].name(), "layer1.0.downsample.0.weight");
    assert_eq!(
        find(ResNet50::SPECS, "layer3.5.conv2.weight").shape(),
        [256, 256, 3, 3]
    );
    let proj = find(Gpt2Small::SPECS, "transformer.h.11.mlp.c_proj.weight");
    assert_eq!(
        proj.init,
        Init::Normal {
            mean: 0.0,
            std: 0.02 / (24f64).sqrt()
        }
    );
    assert_eq!(
        find(Gpt2Xl::SPECS, "transformer.h.47.attn.c_proj.weight").init,
        Init::Normal {
            mean: 0.0,
            std: 0.02 / (96f64).sqrt()
        }
    );
    assert_eq!(
        find(Gpt2Small::SPECS, "transformer.h.0.attn.c_attn.weight").shape(),
        [768, 2304] // HF Conv1D: (in, out)
    );
    assert_eq!(
        find(Llama7b::SPECS, "model.layers.31.mlp.down_proj.weight").shape(),
        [4096, 11008]
    );
}
