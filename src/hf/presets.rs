//! The `config.json` of each built-in model that Hugging Face has a class for. The CLI writes
//! these presets from their [`HfModel`] table, so `--model gpt2` is in `GPT2LMHeadModel`'s own
//! layout (`Conv1D` weights `(in, out)`), and `--out DIR/` adds the config.json.
//!
//! The table equals the `network!` preset of the same name tensor for tensor (names,
//! initializers, shapes), except that the `network!` GPT-2 presets still store the `Conv1D`
//! weights `(out, in)`: pinned by `tests.rs`.

use super::HfModel;

/// `(preset name, config.json)`.
pub const PRESET_CONFIGS: &[(&str, &str)] = &[
    (
        "gpt2",
        r#"{
  "architectures": ["GPT2LMHeadModel"],
  "model_type": "gpt2",
  "vocab_size": 50257,
  "n_positions": 1024,
  "n_ctx": 1024,
  "n_embd": 768,
  "n_layer": 12,
  "n_head": 12,
  "n_inner": null,
  "activation_function": "gelu_new",
  "layer_norm_epsilon": 1e-05,
  "initializer_range": 0.02,
  "tie_word_embeddings": true,
  "bos_token_id": 50256,
  "eos_token_id": 50256
}
"#,
    ),
    (
        "gpt2-xl",
        r#"{
  "architectures": ["GPT2LMHeadModel"],
  "model_type": "gpt2",
  "vocab_size": 50257,
  "n_positions": 1024,
  "n_ctx": 1024,
  "n_embd": 1600,
  "n_layer": 48,
  "n_head": 25,
  "n_inner": null,
  "activation_function": "gelu_new",
  "layer_norm_epsilon": 1e-05,
  "initializer_range": 0.02,
  "tie_word_embeddings": true,
  "bos_token_id": 50256,
  "eos_token_id": 50256
}
"#,
    ),
    (
        "llama-7b",
        r#"{
  "architectures": ["LlamaForCausalLM"],
  "model_type": "llama",
  "vocab_size": 32000,
  "hidden_size": 4096,
  "intermediate_size": 11008,
  "num_hidden_layers": 32,
  "num_attention_heads": 32,
  "num_key_value_heads": 32,
  "max_position_embeddings": 2048,
  "hidden_act": "silu",
  "rms_norm_eps": 1e-06,
  "initializer_range": 0.02,
  "tie_word_embeddings": false,
  "bos_token_id": 1,
  "eos_token_id": 2
}
"#,
    ),
];

/// The `config.json` of the preset called `name`, if Hugging Face has a class for it.
pub fn preset_config(name: &str) -> Option<&'static str> {
    PRESET_CONFIGS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
}

/// The table of the preset called `name` (its config parsed).
pub fn preset_model(name: &str) -> Option<HfModel> {
    preset_config(name).map(|c| HfModel::from_json_str(c).expect("built-in config parses"))
}
