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
//! | [`Gpt2Small`] | GPT-2 124M, `GPT2LMHeadModel` names and `Conv1D` layout `(in, out)`, tied head | 124,439,808 | `normal(0, 0.02)` for embeddings and linear weights; residual projections (`attn.c_proj`, `mlp.c_proj`) `normal(0, 0.02/√(2·12))`; biases zero; LayerNorm 1/0 |
//! | [`Gpt2Xl`] | GPT-2 1.5B, same layout, 48 layers, width 1600, 25 heads | 1,557,611,200 | as GPT-2 small, residual std `0.02/√96` |
//! | [`Llama7b`] | LLaMA-style 7B, Hugging Face `LlamaForCausalLM` names, untied head | 6,738,415,616 | `normal(0, 0.02)` for embeddings and every linear weight (no biases); RMSNorm weight 1 |
//! | [`Vgg16`] | torchvision `vgg16()`, input 3 × 224 × 224 | 138,357,544 | convolutions `kaiming_normal(mode = fan_out, nonlinearity = relu)`, linears `normal(0, 0.01)`, biases zero |
//! | [`AlexNet`] | torchvision `alexnet()`, input 3 × 224 × 224 | 61,100,840 | PyTorch's defaults: weights `kaiming_uniform(a = √5)` = `U(±1/√fan_in)`, biases `U(±1/√fan_in)` |
//! | [`VitB16`] | torchvision `vit_b_16()`: 224 × 224 images, 16 × 16 patches, 12 blocks of width 768 | 86,567,656 | `conv_proj` `trunc_normal(std = √(1/fan_in))`, bias zero; `class_token` zeros; `pos_embedding` `normal(0, 0.02)`; attention PyTorch's `nn.MultiheadAttention` (`in_proj_weight` `xavier_uniform`, `out_proj.weight` `nn.Linear` default, biases zero); MLP `xavier_uniform`, biases `normal(0, 1e-6)`; LayerNorm 1/0; `heads.head` zeros |
//!
//! BatchNorm running statistics (`running_mean`, `running_var`, `num_batches_tracked`) are
//! buffers, not parameters: they are not in the spec lists or the counts. GPT-2's `lm_head` is
//! tied to `transformer.wte.weight`, so (as in PyTorch's `named_parameters()`) it appears once.
//!
//! The GPT-2, ResNet-50, LLaMA, VGG and ViT presets use normal-family initializers (PyTorch's
//! plain `normal_`/`kaiming_normal_`/`trunc_normal_`).
//!
//! The three torchvision classifiers declare `input = [3, 224, 224]`, so every spatial size,
//! the `flatten` widths (VGG's 512 × 7 × 7 = 25088, AlexNet's 256 × 6 × 6 = 9216) and ViT's
//! sequence (14 × 14 patches + the class token = 197 positions) are computed and checked at
//! compile time. Their names are `torchvision.models`' own, so a checkpoint written from them
//! loads with `load_state_dict(strict = True)`. ViT's `class_token` is declared after
//! `conv_proj` (the order of its forward pass) where `named_parameters()` lists it first;
//! loading goes by name, and each tensor's values depend only on its name.

use super::{sqrt, ParamSpec};
use crate::{FanMode, Init, Nonlinearity};

/// torchvision ResNet convolution init: `kaiming_normal_(mode="fan_out", nonlinearity="relu")`.
const RESNET_CONV: Init = Init::KaimingNormal {
    a: 0.0,
    mode: FanMode::FanOut,
    nonlinearity: Nonlinearity::Relu,
};

/// torchvision VGG linear init: `normal_(0, 0.01)`.
const VGG_LINEAR: Init = Init::Normal {
    mean: 0.0,
    std: 0.01,
};

/// torchvision ViT patch-embedding init: `trunc_normal_(std = sqrt(1 / fan_in))`, fan_in =
/// 3·16·16, with PyTorch's default absolute bounds ±2.
const VIT_PATCH: Init = Init::TruncNormal {
    mean: 0.0,
    std: sqrt(1.0 / (3.0 * 16.0 * 16.0)),
    a: -2.0,
    b: 2.0,
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
    /// GPT-2 small (124M) with tied embeddings, exactly as `GPT2LMHeadModel.save_pretrained`
    /// writes it: `transformer.`-prefixed names, `Conv1D` weights `(in, out)`
    /// ([`hf_conv1d`](crate::network)), no `lm_head.weight`, no `attn.bias` buffer.
    /// transformers' `_init_weights`: `normal(0, 0.02)`, residual projections
    /// `normal(0, 0.02/√24)`, biases zero, LayerNorm 1/0.
    pub struct Gpt2Small {
        transformer: {
            wte: embedding(50257, 768, init = normal(std = 0.02)),
            wpe: embedding(1024, 768, init = normal(std = 0.02)),
            h: repeat(12) {
                ln_1: layer_norm,
                attn: attention(heads = 12, fused_qkv = true, hf_conv1d = true,
                    names = (c_attn, c_proj), init = normal(std = 0.02),
                    out_init = normal(std = 0.02 / sqrt(24.0)), bias = zeros),
                ln_2: layer_norm,
                mlp: {
                    c_fc: hf_conv1d(768 => 3072, init = normal(std = 0.02), bias = zeros),
                    c_proj: hf_conv1d(3072 => 768, init = normal(std = 0.02 / sqrt(24.0)),
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
                attn: attention(heads = 25, fused_qkv = true, hf_conv1d = true,
                    names = (c_attn, c_proj), init = normal(std = 0.02),
                    out_init = normal(std = 0.02 / sqrt(96.0)), bias = zeros),
                ln_2: layer_norm,
                mlp: {
                    c_fc: hf_conv1d(1600 => 6400, init = normal(std = 0.02), bias = zeros),
                    c_proj: hf_conv1d(6400 => 1600, init = normal(std = 0.02 / sqrt(96.0)),
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

crate::network! {
    /// VGG-16 in torchvision's layout (`torchvision.models.vgg16()`, configuration "D", no
    /// BatchNorm): 138,357,544 parameters. torchvision's `_initialize_weights`: convolutions
    /// `kaiming_normal(mode = fan_out, relu)`, linears `normal(0, 0.01)`, every bias zero.
    pub struct Vgg16 {
        input = [3, 224, 224],
        features: {
            0: conv2d(3 => 64, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            2: conv2d(64, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            4: max_pool2d(2, stride = 2),
            5: conv2d(128, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            7: conv2d(128, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            9: max_pool2d(2, stride = 2),
            10: conv2d(256, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            12: conv2d(256, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            14: conv2d(256, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            16: max_pool2d(2, stride = 2),
            17: conv2d(512, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            19: conv2d(512, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            21: conv2d(512, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            23: max_pool2d(2, stride = 2),
            24: conv2d(512, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            26: conv2d(512, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            28: conv2d(512, kernel = 3, padding = 1, init = {RESNET_CONV}, bias = zeros),
            30: max_pool2d(2, stride = 2),
        },
        avgpool: adaptive_avg_pool2d(7, 7),
        flatten: flatten,
        classifier: {
            0: linear(512 * 7 * 7 => 4096, init = {VGG_LINEAR}, bias = zeros),
            3: linear(4096, init = {VGG_LINEAR}, bias = zeros),
            6: linear(1000, init = {VGG_LINEAR}, bias = zeros),
        },
    }
}

crate::network! {
    /// AlexNet in torchvision's layout (`torchvision.models.alexnet()`): 61,100,840
    /// parameters, PyTorch's default initialization (torchvision does not re-initialize it).
    pub struct AlexNet {
        input = [3, 224, 224],
        features: {
            0: conv2d(3 => 64, kernel = 11, stride = 4, padding = 2),
            2: max_pool2d(3, stride = 2),
            3: conv2d(192, kernel = 5, padding = 2),
            5: max_pool2d(3, stride = 2),
            6: conv2d(384, kernel = 3, padding = 1),
            8: conv2d(256, kernel = 3, padding = 1),
            10: conv2d(256, kernel = 3, padding = 1),
            12: max_pool2d(3, stride = 2),
        },
        avgpool: adaptive_avg_pool2d(6, 6),
        flatten: flatten,
        classifier: {
            1: linear(256 * 6 * 6 => 4096),
            4: linear(4096),
            6: linear(1000),
        },
    }
}

crate::network! {
    /// ViT-B/16 in torchvision's layout (`torchvision.models.vit_b_16()`): 86,567,656
    /// parameters. The patch embedding `conv_proj` (kernel = stride = 16) makes 14 × 14
    /// patches of width 768, `to_sequence` turns them into 196 tokens, the class token makes
    /// 197, which is the length `encoder.pos_embedding` gets. Initialization as
    /// `VisionTransformer.__init__`, `Encoder`, `MLPBlock` and `nn.MultiheadAttention`.
    pub struct VitB16 {
        input = [3, 224, 224],
        conv_proj: conv2d(3 => 768, kernel = 16, stride = 16, init = {VIT_PATCH}, bias = zeros),
        patches: to_sequence,
        class_token: class_token(init = zeros),
        encoder: {
            pos_embedding: pos_embedding(init = normal(std = 0.02)),
            layers: repeat(12, prefix = "encoder_layer_") {
                ln_1: layer_norm,
                self_attention: multihead_attention(heads = 12),
                ln_2: layer_norm,
                mlp: {
                    0: linear(768 => 3072, init = xavier_uniform, bias = normal(std = 1e-6)),
                    3: linear(768, init = xavier_uniform, bias = normal(std = 1e-6)),
                },
            },
            ln: layer_norm,
        },
        heads: { head: linear(1000, init = zeros, bias = zeros) },
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
    Preset {
        name: "vgg16",
        about: "VGG-16, torchvision layout, kaiming_normal(fan_out, relu), linears normal(0.01)",
        params: Vgg16::SPECS,
    },
    Preset {
        name: "alexnet",
        about: "AlexNet, torchvision layout, PyTorch default init",
        params: AlexNet::SPECS,
    },
    Preset {
        name: "vit_b_16",
        about: "ViT-B/16, torchvision layout and init (trunc_normal patches, xavier MLP)",
        params: VitB16::SPECS,
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
        // torchvision's `num_params` for vgg16, alexnet and vit_b_16.
        assert_eq!(Vgg16::PARAMS, 138_357_544);
        assert_eq!(AlexNet::PARAMS, 61_100_840);
        assert_eq!(VitB16::PARAMS, 86_567_656);
    }

    #[test]
    fn torchvision_names_and_shapes() {
        let find = |specs: &'static [ParamSpec], n: &str| {
            specs
                .iter()
                .find(|s| s.name() == n)
                .unwrap_or_else(|| panic!("{n} missing"))
        };
        assert_eq!(Vgg16::TENSORS, 32);
        assert_eq!(
            find(Vgg16::SPECS, "features.28.weight").shape(),
            [512, 512, 3, 3]
        );
        assert_eq!(
            find(Vgg16::SPECS, "classifier.0.weight").shape(),
            [4096, 25088]
        );
        assert_eq!(AlexNet::TENSORS, 16);
        assert_eq!(
            find(AlexNet::SPECS, "features.0.weight").shape(),
            [64, 3, 11, 11]
        );
        assert_eq!(
            find(AlexNet::SPECS, "classifier.1.weight").shape(),
            [4096, 9216]
        );
        // ViT: 4 + 12 blocks × 12 tensors + 2 + 2.
        assert_eq!(VitB16::TENSORS, 152);
        let v = VitB16::SPECS;
        assert_eq!(find(v, "class_token").shape(), [1, 1, 768]);
        assert_eq!(find(v, "encoder.pos_embedding").shape(), [1, 197, 768]);
        let attn = "encoder.layers.encoder_layer_11.self_attention";
        assert_eq!(
            find(v, &format!("{attn}.in_proj_weight")).shape(),
            [2304, 768]
        );
        assert_eq!(find(v, &format!("{attn}.in_proj_bias")).init, Init::Zeros);
        assert_eq!(
            find(v, &format!("{attn}.out_proj.weight")).init,
            Init::torch_default_weight()
        );
        assert_eq!(
            find(v, "encoder.layers.encoder_layer_0.mlp.3.weight").init,
            Init::XavierUniform { gain: 1.0 }
        );
        let patch = find(v, "conv_proj.weight");
        assert_eq!(patch.fan_in, 768);
        assert_eq!(
            patch.init,
            Init::TruncNormal {
                mean: 0.0,
                std: (1.0f64 / 768.0).sqrt(),
                a: -2.0,
                b: 2.0
            }
        );
        assert!(preset("vgg16").is_some() && preset("alexnet").is_some());
        assert_eq!(preset("vit_b_16").unwrap().param_count(), 86_567_656);
    }
}
