//! Per-family tensor tables, in each model's module registration order (the order of its
//! `state_dict` and of `save_pretrained`'s weight map), from transformers 5.24's
//! `models/{gpt2,llama,mistral,qwen2,qwen3,gemma,gpt_neox}/modeling_*.py`.

use crate::Fans;

use super::config::{ConfigError, Fields};
use super::{Family, HfTensor, InitPolicy, Module, Param};

/// Tensors of one model under construction.
struct Table {
    policy: InitPolicy,
    out: Vec<HfTensor>,
}

impl Table {
    fn push(
        &mut self,
        name: String,
        shape: &[usize],
        module: Module,
        param: Param,
        fans: Option<Fans>,
    ) {
        self.out.push(HfTensor {
            name,
            shape: shape.to_vec(),
            module,
            param,
            init: self.policy.init(module, param),
            fans,
            zero_row: None,
        });
    }

    /// `nn.Linear(inp, out, bias)`: weight `(out, inp)`.
    fn linear(&mut self, name: &str, inp: usize, out: usize, bias: bool) {
        let fans = Some(Fans::new(inp, out));
        self.push(
            format!("{name}.weight"),
            &[out, inp],
            Module::Linear,
            Param::Weight,
            fans,
        );
        if bias {
            self.push(
                format!("{name}.bias"),
                &[out],
                Module::Linear,
                Param::Bias,
                None,
            );
        }
    }

    /// transformers' `Conv1D(nf = out, nx = inp)`: weight `(inp, out)`, always a bias.
    fn conv1d(&mut self, name: &str, inp: usize, out: usize, residual: bool) {
        let module = if residual {
            Module::ResidualConv1D
        } else {
            Module::Conv1D
        };
        let fans = Some(Fans::new(inp, out));
        self.push(
            format!("{name}.weight"),
            &[inp, out],
            module,
            Param::Weight,
            fans,
        );
        self.push(format!("{name}.bias"), &[out], module, Param::Bias, None);
    }

    fn embedding(&mut self, name: &str, num: usize, dim: usize, padding_idx: Option<usize>) {
        self.push(
            format!("{name}.weight"),
            &[num, dim],
            Module::Embedding,
            Param::Weight,
            None,
        );
        self.out.last_mut().expect("just pushed").zero_row = padding_idx;
    }

    fn layer_norm(&mut self, name: &str, dim: usize) {
        self.push(
            format!("{name}.weight"),
            &[dim],
            Module::LayerNorm,
            Param::Weight,
            None,
        );
        self.push(
            format!("{name}.bias"),
            &[dim],
            Module::LayerNorm,
            Param::Bias,
            None,
        );
    }

    fn rms_norm(&mut self, name: &str, dim: usize, module: Module) {
        self.push(
            format!("{name}.weight"),
            &[dim],
            module,
            Param::Weight,
            None,
        );
    }
}

pub(crate) type Built = (Family, InitPolicy, bool, Vec<HfTensor>);

pub(crate) fn build(f: &Fields<'_>) -> Result<Built, ConfigError> {
    match f.family {
        Family::Gpt2 => gpt2(f),
        Family::GptNeox => gpt_neox(f),
        _ => llama_like(f),
    }
}

fn divisible(f: &Fields<'_>, hidden: usize, heads: usize) -> Result<(), ConfigError> {
    if !hidden.is_multiple_of(heads) {
        return Err(f.unsupported(format!(
            "the hidden size ({hidden}) is not a multiple of the number of attention heads ({heads})"
        )));
    }
    Ok(())
}

/// `GPT2LMHeadModel` (`configuration_gpt2.py` defaults; `attribute_map` aliases accepted).
fn gpt2(f: &Fields<'_>) -> Result<Built, ConfigError> {
    let vocab = f.size(&["vocab_size"])?;
    let h = f.size(&["n_embd", "hidden_size"])?;
    let layers = f.size(&["n_layer", "num_hidden_layers"])?;
    let heads = f.size(&["n_head", "num_attention_heads"])?;
    let positions = f
        .opt_size(&["n_positions", "max_position_embeddings"], Some(1024))?
        .ok_or_else(|| f.unsupported("\"n_positions\" must not be null".into()))?;
    let inner = f.opt_size(&["n_inner"], None)?.unwrap_or(4 * h);
    let ir = f.float("initializer_range", 0.02)?;
    let tied = f.bool("tie_word_embeddings", true)?;
    if f.bool("add_cross_attention", false)? {
        return Err(f.unsupported(
            "\"add_cross_attention\": true (GPT-2 as a cross-attending decoder) is not supported"
                .into(),
        ));
    }
    divisible(f, h, heads)?;

    let mut t = Table {
        policy: InitPolicy::new(ir, layers),
        out: Vec::with_capacity(4 + 12 * layers),
    };
    t.embedding("transformer.wte", vocab, h, None);
    t.embedding("transformer.wpe", positions, h, None);
    for i in 0..layers {
        let p = format!("transformer.h.{i}");
        t.layer_norm(&format!("{p}.ln_1"), h);
        t.conv1d(&format!("{p}.attn.c_attn"), h, 3 * h, false);
        t.conv1d(&format!("{p}.attn.c_proj"), h, h, true);
        t.layer_norm(&format!("{p}.ln_2"), h);
        t.conv1d(&format!("{p}.mlp.c_fc"), h, inner, false);
        t.conv1d(&format!("{p}.mlp.c_proj"), inner, h, true);
    }
    t.layer_norm("transformer.ln_f", h);
    if !tied {
        t.linear("lm_head", h, vocab, false);
    }
    Ok((Family::Gpt2, t.policy, tied, t.out))
}

/// `GPTNeoXForCausalLM`. Its head is `lm_head` in the module tree but `save_pretrained` writes
/// it as `embed_out.weight` (transformers' `conversion_mapping.py` renames it both ways).
fn gpt_neox(f: &Fields<'_>) -> Result<Built, ConfigError> {
    let vocab = f.size(&["vocab_size"])?;
    let h = f.size(&["hidden_size"])?;
    let layers = f.size(&["num_hidden_layers"])?;
    let heads = f.size(&["num_attention_heads"])?;
    let inter = f.size(&["intermediate_size"])?;
    let ir = f.float("initializer_range", 0.02)?;
    let tied = f.bool("tie_word_embeddings", false)?;
    let attn_bias = f.bool("attention_bias", true)?;
    divisible(f, h, heads)?;

    let mut t = Table {
        policy: InitPolicy::new(ir, layers),
        out: Vec::with_capacity(4 + 12 * layers),
    };
    t.embedding("gpt_neox.embed_in", vocab, h, None);
    for i in 0..layers {
        let p = format!("gpt_neox.layers.{i}");
        t.layer_norm(&format!("{p}.input_layernorm"), h);
        t.layer_norm(&format!("{p}.post_attention_layernorm"), h);
        t.linear(
            &format!("{p}.attention.query_key_value"),
            h,
            3 * h,
            attn_bias,
        );
        t.linear(&format!("{p}.attention.dense"), h, h, attn_bias);
        t.linear(&format!("{p}.mlp.dense_h_to_4h"), h, inter, true);
        t.linear(&format!("{p}.mlp.dense_4h_to_h"), inter, h, true);
    }
    t.layer_norm("gpt_neox.final_layer_norm", h);
    if !tied {
        t.linear("embed_out", h, vocab, false);
    }
    Ok((Family::GptNeox, t.policy, tied, t.out))
}

/// `nn.Embedding`'s `padding_idx` rule: `-num ≤ p < num`, negative counts from the end.
fn padding_row(
    f: &Fields<'_>,
    pad: Option<i64>,
    vocab: usize,
) -> Result<Option<usize>, ConfigError> {
    let Some(p) = pad else { return Ok(None) };
    let v = vocab as i64;
    if p >= v || p < -v {
        return Err(f.unsupported(format!(
            "pad_token_id {p} is outside the embedding (vocab_size {vocab}); nn.Embedding rejects it"
        )));
    }
    Ok(Some(if p < 0 { (v + p) as usize } else { p as usize }))
}

/// LLaMA, Mistral, Qwen2, Qwen3 and Gemma: one decoder layout, differing in defaults, biases,
/// q/k norms and the norm convention.
fn llama_like(f: &Fields<'_>) -> Result<Built, ConfigError> {
    let fam = f.family;
    let vocab = f.size(&["vocab_size"])?;
    let h = f.size(&["hidden_size"])?;
    let inter = f.size(&["intermediate_size"])?;
    let layers = f.size(&["num_hidden_layers"])?;
    let heads = f.size(&["num_attention_heads"])?;

    // num_key_value_heads: LLaMA defaults to None (→ heads), Mistral to 8, Qwen2/Qwen3 to 32,
    // Gemma to 16; `__post_init__` turns null into `heads` except in Gemma, whose strict
    // config rejects null.
    let kv_default = match fam {
        Family::Llama => None,
        Family::Mistral => Some(8),
        Family::Qwen2 | Family::Qwen3 => Some(32),
        _ => Some(16),
    };
    let kv_field_null = f.is_null("num_key_value_heads");
    if fam == Family::Gemma && kv_field_null {
        return Err(f.unsupported("\"num_key_value_heads\" must be an integer, not null".into()));
    }
    let kv = f
        .opt_size(&["num_key_value_heads"], kv_default)?
        .unwrap_or(heads);

    // head_dim: LLaMA/Mistral default None (→ hidden/heads, floor division; null too); Qwen2
    // has no such field but reads one if present (`getattr(config, "head_dim", h // H)`);
    // Qwen3 defaults to 128, Gemma to 256.
    let hd_default = match fam {
        Family::Qwen3 => Some(128),
        Family::Gemma => Some(256),
        _ => None,
    };
    let hd_null = f.is_null("head_dim");
    if hd_null && !matches!(fam, Family::Llama | Family::Mistral) {
        return Err(f.unsupported("\"head_dim\" must be an integer, not null".into()));
    }
    let head_dim = match f.opt_size(&["head_dim"], hd_default)? {
        Some(d) => d,
        None if h / heads > 0 => h / heads,
        None => {
            return Err(f.unsupported(format!(
                "head_dim = hidden_size / num_attention_heads = {h} / {heads} is 0"
            )))
        }
    };
    if fam == Family::Llama {
        // LlamaConfig.validate_architecture, even when head_dim is set.
        divisible(f, h, heads)?;
    }

    let (q_bias, kv_bias, o_bias) = match fam {
        Family::Llama | Family::Qwen3 | Family::Gemma => {
            let b = f.bool("attention_bias", false)?;
            (b, b, b)
        }
        Family::Qwen2 => (true, true, false),
        _ => (false, false, false),
    };
    let mlp_bias = if fam == Family::Llama {
        f.bool("mlp_bias", false)?
    } else {
        false
    };
    let tied = f.bool("tie_word_embeddings", fam == Family::Gemma)?;
    let pad_default = if fam == Family::Gemma { Some(0) } else { None };
    let pad = padding_row(f, f.opt_int("pad_token_id", pad_default)?, vocab)?;
    let ir = f.float("initializer_range", 0.02)?;
    let norm = if fam == Family::Gemma {
        Module::OffsetRmsNorm
    } else {
        Module::RmsNorm
    };

    let mut t = Table {
        policy: InitPolicy::new(ir, layers),
        out: Vec::with_capacity(3 + 14 * layers),
    };
    t.embedding("model.embed_tokens", vocab, h, pad);
    let (q, k) = (heads * head_dim, kv * head_dim);
    for i in 0..layers {
        let p = format!("model.layers.{i}");
        t.linear(&format!("{p}.self_attn.q_proj"), h, q, q_bias);
        t.linear(&format!("{p}.self_attn.k_proj"), h, k, kv_bias);
        t.linear(&format!("{p}.self_attn.v_proj"), h, k, kv_bias);
        t.linear(&format!("{p}.self_attn.o_proj"), q, h, o_bias);
        if fam == Family::Qwen3 {
            t.rms_norm(&format!("{p}.self_attn.q_norm"), head_dim, norm);
            t.rms_norm(&format!("{p}.self_attn.k_norm"), head_dim, norm);
        }
        t.linear(&format!("{p}.mlp.gate_proj"), h, inter, mlp_bias);
        t.linear(&format!("{p}.mlp.up_proj"), h, inter, mlp_bias);
        t.linear(&format!("{p}.mlp.down_proj"), inter, h, mlp_bias);
        t.rms_norm(&format!("{p}.input_layernorm"), h, norm);
        t.rms_norm(&format!("{p}.post_attention_layernorm"), h, norm);
    }
    t.rms_norm("model.norm", h, norm);
    if !tied {
        t.linear("lm_head", h, vocab, false);
    }
    Ok((fam, t.policy, tied, t.out))
}
