//! Built-in models for the CLI, examples and tests: the [`network!`](crate::network) presets of
//! [`crate::model::presets`], converted to run-time [`TensorSpec`] lists.
//!
//! Each tensor keeps the preset's name, shape, initializer and fans (PyTorch's rule on the stored
//! shape), so a file written from a preset holds exactly the values of
//! [`crate::model::init`] for the same seed.

use crate::model::{self, presets as p, ParamSpec};
use crate::{DType, Fans, Layout};

use super::TensorSpec;

/// A built-in model.
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
    /// The model's tensors in `dtype`.
    pub fn specs(&self, dtype: DType) -> Vec<TensorSpec> {
        self.params.iter().map(|s| tensor_spec(s, dtype)).collect()
    }

    /// Total number of parameters.
    pub fn param_count(&self) -> usize {
        self.params.iter().map(|s| s.numel).sum()
    }
}

/// One preset tensor as a run-time spec.
pub fn tensor_spec(spec: &ParamSpec, dtype: DType) -> TensorSpec {
    let mut t = TensorSpec::new(spec.name(), spec.shape(), model::to_init(&spec.init))
        .with_dtype(dtype)
        .with_layout(Layout::Torch);
    if spec.rank() >= 2 {
        t.fans = Some(Fans::new(spec.fan_in, spec.fan_out));
    }
    t
}

/// Every built-in model.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "mlp",
        about: "Glorot & Bengio (2010) MLP 784-5x1000-10, tanh, xavier_uniform",
        params: p::GlorotMlp::SPECS,
    },
    Preset {
        name: "resnet50",
        about: "ResNet-50, torchvision layout, kaiming_normal(fan_out, relu)",
        params: p::ResNet50::SPECS,
    },
    Preset {
        name: "gpt2",
        about: "GPT-2 small (124M), tied head, normal(0.02), residual 0.02/sqrt(2n)",
        params: p::Gpt2Small::SPECS,
    },
    Preset {
        name: "gpt2-xl",
        about: "GPT-2 XL (1.56B), tied head, normal(0.02), residual 0.02/sqrt(2n)",
        params: p::Gpt2Xl::SPECS,
    },
    Preset {
        name: "llama-7b",
        about: "LLaMA-style 7B, Hugging Face names, untied head, normal(0.02), RMSNorm",
        params: p::Llama7b::SPECS,
    },
];

/// The preset called `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(name: &str) -> usize {
        preset(name)
            .unwrap()
            .specs(DType::F32)
            .iter()
            .map(|s| s.numel())
            .sum()
    }

    #[test]
    fn parameter_counts_match_the_published_models() {
        assert_eq!(params("resnet50"), 25_557_032);
        assert_eq!(params("gpt2"), 124_439_808);
        assert_eq!(params("gpt2-xl"), 1_557_611_200);
        assert_eq!(params("llama-7b"), 6_738_415_616);
        // 784 → 5 × 1000 → 10
        assert_eq!(params("mlp"), 785 * 1000 + 4 * 1001 * 1000 + 1001 * 10);
        for p in PRESETS {
            assert_eq!(p.param_count(), params(p.name), "{}", p.name);
        }
    }

    #[test]
    fn preset_tensors_keep_names_fans_and_inits() {
        let specs = preset("gpt2").unwrap().specs(DType::BF16);
        let c_proj = specs
            .iter()
            .find(|s| s.name.ends_with("h.0.attn.c_proj.weight"))
            .unwrap();
        assert_eq!(c_proj.dtype, DType::BF16);
        assert_eq!(c_proj.fans, Some(Fans::new(768, 768)));
        assert_eq!(
            c_proj.init,
            crate::Init::Normal {
                mean: 0.0,
                std: 0.02 / 24f64.sqrt()
            }
        );
        let bias = specs
            .iter()
            .find(|s| s.name.ends_with("h.0.attn.c_proj.bias"))
            .unwrap();
        assert_eq!((bias.fans, bias.init), (None, crate::Init::Zeros));
    }
}
