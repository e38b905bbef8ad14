//! Built-in model presets, declared with [`network!`](crate::network), and the name → preset
//! table ([`PRESETS`], [`preset`]) the command-line tool, examples and tests look them up in.
//!
//! Each preset uses the initialization its authors published; the table says which. Parameter
//! counts are consts and equal the published ones (tests assert each).
//!
//! | preset | layout | parameters | initialization |
//! |---|---|---|---|
//! | [`GlorotMlp`] | Glorot & Bengio (2010): 784 → 5 × 1000 tanh → 10 | 4,799,010 | `xavier_uniform` with the tanh gain 5/3 on hidden layers, gain 1 on the output layer; biases zero |
//! | [`ResNet50`] | torchvision `resnet50()` | 25,557,032 | convolutions `kaiming_normal(mode = fan_out, nonlinearity = relu)`; BatchNorm weight 1, bias 0; `fc` PyTorch's `nn.Linear` default (`U(±1/√2048)` for weight and bias) |
//! | [`Gpt2Small`] | GPT-2 124M, nanoGPT/`GPT2LMHeadModel` names, tied head | 124,439,808 | `normal(0, 0.02)` for embeddings and linear weights; residual projections (`attn.c_proj`, `mlp.c_proj`) `normal(0, 0.02/√(2·12))`; biases zero; LayerNorm 1/0 |
//! | [`Gpt2Xl`] | GPT-2 1.5B, same layout, 48 layers, width 1600, 25 heads | 1,557,611,200 | as GPT-2 small, residual std `0.02/√96` |
//! | [`Llama7b`] | LLaMA-style 7B, Hugging Face `LlamaForCausalLM` names, untied head | 6,738,415,616 | `normal(0, 0.02)` for embeddings and every linear weight (no biases); RMSNorm weight 1 |
//!
//! BatchNorm running statistics (`running_mean`, `running_var`, `num_batches_tracked`) are
//! buffers, not parameters: they are not in the spec lists or the counts. GPT-2's `lm_head` is
//! tied to `transformer.wte.weight`, so (as in PyTorch's `named_parameters()`) it appears once.
//!
//! The GPT-2, ResNet-50 and LLaMA presets use normal-family initializers (PyTorch's plain
//! `normal_`/`kaiming_normal_`).

use super::{sqrt, ParamSpec};
use crate::{FanMode, Init, Nonlinearity};

/// torchvision ResNet convolution init: `kaiming_normal_(mode="fan_out", nonlinearity="relu")`.
const RESNET_CONV: Init = Init::KaimingNormal {
    a: 0.0,
    mode: FanMode::FanOut,
    nonlinearity: Nonlinearity::Relu,
};

crate::network! {
    /// Glorot & Bengio (2010): 784 → five tanh layers of 1000 → 10, `xavier_uniform` with the
    /// tanh gain (5/3) on the hidden layers and gain 1 on the output layer, zero biases.
    ///
    /// Tensors: `fc1.weight (1000, 784)`, `fc1.bias (1000)`, `fc2` … `fc5` `(1000, 1000)`,
    /// `out.weight (10, 1000)`, `out.bias (10)`.
    pub struct GlorotMlp {
        fc1: linear(784 => 1000, act = tanh, init = xavier_uniform, bias = zeros),
        fc2: linear(1000, act = tanh, init = xavier_uniform, bias = zeros),
        fc3: linear(1000, act = tanh, init = xavier_uniform, bias = zeros),
        fc4: linear(1000, act = tanh, init = xavier_uniform, bias = zeros),
        fc5: linear(1000, act = tanh, init = xavier_uniform, bias = zeros),
        out: linear(10, init = xavier_uniform, bias = zeros),
    }
}

crate::network! {
    /// ResNet-50 in torchvision's layout (`torchvision.models.resnet50()`): 25,557,032
    /// parameters. Convolutions have no bias and use `kaiming_normal(mode = fan_out, relu)`,
    /// BatchNorm weights 1 and biases 0, `fc` PyTorch's `nn.Linear` default.
    pub struct ResNet50 {
        conv1: conv2d(3 => 64, kernel = 7, bias = false, init = {RESNET_CONV}),
        bn1: batch_norm,
        layer1: {
            0: {
                conv1: conv2d(64 => 64, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn1: batch_norm,
                conv2: conv2d(64 => 64, kernel = 3, bias = false, init = {RESNET_CONV}),
                bn2: batch_norm,
                conv3: conv2d(64 => 256, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn3: batch_norm,
                downsample: branch {
                    0: conv2d(64 => 256, kernel = 1, bias = false, init = {RESNET_CONV}),
                    1: batch_norm,
                },
            },
            repeat(1..3) {
                conv1: conv2d(256 => 64, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn1: batch_norm,
                conv2: conv2d(64 => 64, kernel = 3, bias = false, init = {RESNET_CONV}),
                bn2: batch_norm,
                conv3: conv2d(64 => 256, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn3: batch_norm,
            },
        },
        layer2: {
            0: {
                conv1: conv2d(256 => 128, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn1: batch_norm,
                conv2: conv2d(128 => 128, kernel = 3, bias = false, init = {RESNET_CONV}),
                bn2: batch_norm,
                conv3: conv2d(128 => 512, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn3: batch_norm,
                downsample: branch {
                    0: conv2d(256 => 512, kernel = 1, bias = false, init = {RESNET_CONV}),
                    1: batch_norm,
                },
            },
            repeat(1..4) {
                conv1: conv2d(512 => 128, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn1: batch_norm,
                conv2: conv2d(128 => 128, kernel = 3, bias = false, init = {RESNET_CONV}),
                bn2: batch_norm,
                conv3: conv2d(128 => 512, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn3: batch_norm,
            },
        },
        layer3: {
            0: {
                conv1: conv2d(512 => 256, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn1: batch_norm,
                conv2: conv2d(256 => 256, kernel = 3, bias = false, init = {RESNET_CONV}),
                bn2: batch_norm,
                conv3: conv2d(256 => 1024, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn3: batch_norm,
                downsample: branch {
                    0: conv2d(512 => 1024, kernel = 1, bias = false, init = {RESNET_CONV}),
                    1: batch_norm,
                },
            },
            repeat(1..6) {
                conv1: conv2d(1024 => 256, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn1: batch_norm,
                conv2: conv2d(256 => 256, kernel = 3, bias = false, init = {RESNET_CONV}),
                bn2: batch_norm,
                conv3: conv2d(256 => 1024, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn3: batch_norm,
            },
        },
        layer4: {
            0: {
                conv1: conv2d(1024 => 512, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn1: batch_norm,
                conv2: conv2d(512 => 512, kernel = 3, bias = false, init = {RESNET_CONV}),
                bn2: batch_norm,
                conv3: conv2d(512 => 2048, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn3: batch_norm,
                downsample: branch {
                    0: conv2d(1024 => 2048, kernel = 1, bias = false, init = {RESNET_CONV}),
                    1: batch_norm,
                },
            },
            repeat(1..3) {
                conv1: conv2d(2048 => 512, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn1: batch_norm,
                conv2: conv2d(512 => 512, kernel = 3, bias = false, init = {RESNET_CONV}),
                bn2: batch_norm,
                conv3: conv2d(512 => 2048, kernel = 1, bias = false, init = {RESNET_CONV}),
                bn3: batch_norm,
            },
        },
        fc: linear(2048 => 1000),
    }
}

crate::network! {
    /// GPT-2 small (124M) with tied embeddings, in nanoGPT's / Hugging Face's
    /// `GPT2LMHeadModel` naming (`transformer.h.3.attn.c_attn.weight`) but with `nn.Linear`
    /// layout `(out, in)`. GPT-2 init: `normal(0, 0.02)`, residual projections
    /// `normal(0, 0.02/√24)`, biases zero, LayerNorm 1/0.
    pub struct Gpt2Small {
        transformer: {
            wte: embedding(50257, 768, init = normal(std = 0.02)),
            wpe: embedding(1024, 768, init = normal(std = 0.02)),
            h: repeat(12) {
                ln_1: layer_norm,
                attn: attention(heads = 12, fused_qkv = true, names = (c_attn, c_proj),
                    init = normal(std = 0.02), out_init = normal(std = 0.02 / sqrt(24.0)),
                    bias = zeros),
                ln_2: layer_norm,
                mlp: {
                    c_fc: linear(768 => 3072, init = normal(std = 0.02), bias = zeros),
                    c_proj: linear(3072 => 768, init = normal(std = 0.02 / sqrt(24.0)),
                        bias = zeros),
                },
            },
            ln_f: layer_norm,
        },
    }
}

crate::network! {
    /// GPT-2 XL (1.5B) with tied embeddings: 48 layers, width 1600, 25 heads; GPT-2 init with
    /// residual projections `normal(0, 0.02/√96)`.
    pub struct Gpt2Xl {
        transformer: {
            wte: embedding(50257, 1600, init = normal(std = 0.02)),
            wpe: embedding(1024, 1600, init = normal(std = 0.02)),
            h: repeat(48) {
                ln_1: layer_norm,
                attn: attention(heads = 25, fused_qkv = true, names = (c_attn, c_proj),
                    init = normal(std = 0.02), out_init = normal(std = 0.02 / sqrt(96.0)),
                    bias = zeros),
                ln_2: layer_norm,
                mlp: {
                    c_fc: linear(1600 => 6400, init = normal(std = 0.02), bias = zeros),
                    c_proj: linear(6400 => 1600, init = normal(std = 0.02 / sqrt(96.0)),
                        bias = zeros),
                },
            },
            ln_f: layer_norm,
        },
    }
}

crate::network! {
    /// A LLaMA-style 7B decoder in Hugging Face `LlamaForCausalLM` naming: 32 blocks, width
    /// 4096, 32 heads, gated MLP 11008, vocabulary 32000, RMSNorm, untied `lm_head`, no biases.
    /// Init as Hugging Face's `_init_weights`: `normal(0, 0.02)` everywhere, RMSNorm weight 1.
    pub struct Llama7b {
        model: {
            embed_tokens: embedding(32000, 4096, init = normal(std = 0.02)),
            layers: repeat(32) {
                self_attn: attention(heads = 32, bias = false, init = normal(std = 0.02)),
                mlp: gated_mlp(4096 => 11008, bias = false, init = normal(std = 0.02)),
                input_layernorm: rms_norm,
                post_attention_layernorm: rms_norm,
            },
            norm: rms_norm,
        },
        lm_head: linear(4096 => 32000, bias = false, init = normal(std = 0.02)),
    }
}

/// A built-in model, by the name the command-line tool's `--model` takes.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// Name for `--model`.
    pub name: &'static str,
    /// One line about it.
    pub about: &'static str,
    /// The preset's const parameter specs.
    pub params: &'static [ParamSpec],
}

impl Preset {
    /// Total number of parameters.
    pub fn param_count(&self) -> usize {
        self.params.iter().map(|s| s.numel).sum()
    }
}

/// Every built-in model.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "mlp",
        about: "Glorot & Bengio (2010) MLP 784-5x1000-10, tanh, xavier_uniform",
        params: GlorotMlp::SPECS,
    },
    Preset {
        name: "resnet50",
        about: "ResNet-50, torchvision layout, kaiming_normal(fan_out, relu)",
        params: ResNet50::SPECS,
    },
    Preset {
        name: "gpt2",
        about: "GPT-2 small (124M), tied head, normal(0.02), residual 0.02/sqrt(2n)",
        params: Gpt2Small::SPECS,
    },
    Preset {
        name: "gpt2-xl",
        about: "GPT-2 XL (1.56B), tied head, normal(0.02), residual 0.02/sqrt(2n)",
        params: Gpt2Xl::SPECS,
    },
    Preset {
        name: "llama-7b",
        about: "LLaMA-style 7B, Hugging Face names, untied head, normal(0.02), RMSNorm",
        params: Llama7b::SPECS,
    },
];

/// The preset called `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_parameter_counts() {
        const MLP: usize = GlorotMlp::PARAMS;
        assert_eq!(MLP, 4_799_010);
        assert_eq!(ResNet50::PARAMS, 25_557_032);
        assert_eq!(Gpt2Small::PARAMS, 124_439_808);
        assert_eq!(Gpt2Xl::PARAMS, 1_557_611_200);
        assert_eq!(Llama7b::PARAMS, 6_738_415_616);
    }
}
