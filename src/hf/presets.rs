//! The `config.json` of each built-in model that Hugging Face loads, so that `--model NAME
//! --out DIR/` writes a complete model directory. Each one's table ([`HfModel`]) equals the
//! preset's tensors (names, shapes, initializers): pinned by `tests/hf.rs`.

use super::HfModel;

/// `(preset name, config.json)`.
pub const PRESET_CONFIGS: &[(&str, &str)] = &[(
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
)];

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
