//! Built-in model spec lists for the CLI, examples and tests.
//!
//! WIRE: presets — this whole module is a stand-in until the `network!` presets (MLP, ResNet-50,
//! GPT-2 small/XL, LLaMA-7B) are merged: replace [`PRESETS`] / [`preset`] by a conversion of
//! each preset's const parameter specs (name, shape, fans, init, gain) into `TensorSpec`s.
//!
//! GPT-2 and LLaMA initialize weights from normal(0, 0.02) (GPT-2's residual projections from
//! normal(0, 0.02/√(2·n_layer))). The normal family is not on this branch, so these stand-ins
//! use the uniform distribution with the same standard deviation, `U[-σ√3, σ√3)`.

use crate::{DType, Init, Layout};

use super::TensorSpec;

/// A built-in model.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// Name for `--model`.
    pub name: &'static str,
    /// One line about it.
    pub about: &'static str,
    build: fn(DType) -> Vec<TensorSpec>,
}

impl Preset {
    /// The model's tensors in `dtype`.
    pub fn specs(&self, dtype: DType) -> Vec<TensorSpec> {
        (self.build)(dtype)
    }
}

// WIRE: presets — replace these stand-ins by the network! presets (convert each const parameter
// spec to a TensorSpec with `fans: Some(..)`), keeping `PRESETS`, `preset()` and `Preset::specs`.
/// Every built-in model.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "mlp",
        about: "MNIST MLP 784-1000-1000-10 (xavier_uniform, tanh gain)",
        build: mlp,
    },
    Preset {
        name: "gpt2",
        about: "GPT-2 small (124M), Hugging Face names and Conv1D (in, out) shapes",
        build: |d| gpt2(d, 12, 768),
    },
    Preset {
        name: "gpt2-xl",
        about: "GPT-2 XL (1.56B), Hugging Face names and Conv1D (in, out) shapes",
        build: |d| gpt2(d, 48, 1600),
    },
    Preset {
        name: "llama-7b",
        about: "LLaMA-7B (6.74B), Hugging Face names",
        build: llama7b,
    },
];

/// The preset called `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// `U[-σ√3, σ√3)`: uniform with standard deviation σ (stand-in for normal(0, σ)).
fn uniform_std(std: f64) -> Init {
    let b = std * 3f64.sqrt();
    Init::Uniform { low: -b, high: b }
}

fn mlp(dtype: DType) -> Vec<TensorSpec> {
    let dims = [784usize, 1000, 1000, 10];
    let mut v = Vec::new();
    for (i, w) in dims.windows(2).enumerate() {
        v.push(
            TensorSpec::new(
                format!("fc{}.weight", i + 1),
                &[w[1], w[0]],
                Init::xavier_uniform(5.0 / 3.0),
            )
            .with_dtype(dtype),
        );
        v.push(
            TensorSpec::new(format!("fc{}.bias", i + 1), &[w[1]], Init::Zeros).with_dtype(dtype),
        );
    }
    v
}

/// GPT-2 with `n_layer` blocks of width `d` (vocab 50257, context 1024), as Hugging Face's
/// `GPT2LMHeadModel` names its parameters (the LM head is tied to `wte`).
fn gpt2(dtype: DType, n_layer: usize, d: usize) -> Vec<TensorSpec> {
    let w = uniform_std(0.02);
    let proj = uniform_std(0.02 / (2.0 * n_layer as f64).sqrt());
    // Conv1D weights are (in, out): JAX's fan layout.
    let t = |name: String, shape: &[usize], init: Init| {
        TensorSpec::new(name, shape, init)
            .with_dtype(dtype)
            .with_layout(Layout::Jax)
    };
    let mut v = vec![
        t("wte.weight".into(), &[50257, d], w),
        t("wpe.weight".into(), &[1024, d], w),
    ];
    for i in 0..n_layer {
        let p = format!("h.{i}.");
        v.push(t(format!("{p}ln_1.weight"), &[d], Init::Ones));
        v.push(t(format!("{p}ln_1.bias"), &[d], Init::Zeros));
        v.push(t(format!("{p}attn.c_attn.weight"), &[d, 3 * d], w));
        v.push(t(format!("{p}attn.c_attn.bias"), &[3 * d], Init::Zeros));
        v.push(t(format!("{p}attn.c_proj.weight"), &[d, d], proj));
        v.push(t(format!("{p}attn.c_proj.bias"), &[d], Init::Zeros));
        v.push(t(format!("{p}ln_2.weight"), &[d], Init::Ones));
        v.push(t(format!("{p}ln_2.bias"), &[d], Init::Zeros));
        v.push(t(format!("{p}mlp.c_fc.weight"), &[d, 4 * d], w));
        v.push(t(format!("{p}mlp.c_fc.bias"), &[4 * d], Init::Zeros));
        v.push(t(format!("{p}mlp.c_proj.weight"), &[4 * d, d], proj));
        v.push(t(format!("{p}mlp.c_proj.bias"), &[d], Init::Zeros));
    }
    v.push(t("ln_f.weight".into(), &[d], Init::Ones));
    v.push(t("ln_f.bias".into(), &[d], Init::Zeros));
    v
}

/// LLaMA-7B as Hugging Face's `LlamaForCausalLM` names it (PyTorch (out, in) layout).
fn llama7b(dtype: DType) -> Vec<TensorSpec> {
    let (d, ff, vocab, n_layer) = (4096usize, 11008usize, 32000usize, 32usize);
    let w = uniform_std(0.02);
    let t = |name: String, shape: &[usize], init: Init| {
        TensorSpec::new(name, shape, init).with_dtype(dtype)
    };
    let mut v = vec![t("model.embed_tokens.weight".into(), &[vocab, d], w)];
    for i in 0..n_layer {
        let p = format!("model.layers.{i}.");
        for m in ["q_proj", "k_proj", "v_proj", "o_proj"] {
            v.push(t(format!("{p}self_attn.{m}.weight"), &[d, d], w));
        }
        v.push(t(format!("{p}mlp.gate_proj.weight"), &[ff, d], w));
        v.push(t(format!("{p}mlp.up_proj.weight"), &[ff, d], w));
        v.push(t(format!("{p}mlp.down_proj.weight"), &[d, ff], w));
        v.push(t(format!("{p}input_layernorm.weight"), &[d], Init::Ones));
        v.push(t(
            format!("{p}post_attention_layernorm.weight"),
            &[d],
            Init::Ones,
        ));
    }
    v.push(t("model.norm.weight".into(), &[d], Init::Ones));
    v.push(t("lm_head.weight".into(), &[vocab, d], w));
    v
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
        assert_eq!(params("gpt2"), 124_439_808);
        assert_eq!(params("gpt2-xl"), 1_557_611_200);
        assert_eq!(params("llama-7b"), 6_738_415_616);
        assert_eq!(
            params("mlp"),
            784 * 1000 + 1000 + 1000 * 1000 + 1000 + 1000 * 10 + 10
        );
    }
}
