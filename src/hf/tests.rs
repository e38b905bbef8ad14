//! Table shapes and counts against numbers transformers 5.24 itself reports
//! (`sum(p.numel() for p in AutoModelForCausalLM.from_config(cfg).parameters())` on the meta
//! device, tied parameters counted once), and the error messages.

use super::*;

fn model(json: &str) -> HfModel {
    HfModel::from_json_str(json).unwrap_or_else(|e| panic!("{e}\n{json}"))
}

fn err(json: &str) -> String {
    HfModel::from_json_str(json).unwrap_err().to_string()
}

#[test]
fn published_models_have_transformers_parameter_and_tensor_counts() {
    let cases: [(&str, usize, usize); 8] = [
        (
            r#"{"model_type":"gpt2","vocab_size":50257,"n_embd":768,"n_layer":12,"n_head":12}"#,
            124_439_808,
            148,
        ),
        (
            r#"{"model_type":"gpt2","vocab_size":50257,"n_embd":1600,"n_layer":48,"n_head":25}"#,
            1_557_611_200,
            580,
        ),
        (
            r#"{"model_type":"llama","vocab_size":32000,"hidden_size":4096,"intermediate_size":11008,"num_hidden_layers":32,"num_attention_heads":32}"#,
            6_738_415_616,
            291,
        ),
        (
            r#"{"model_type":"mistral","vocab_size":32000,"hidden_size":4096,"intermediate_size":14336,"num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8}"#,
            7_241_732_096,
            291,
        ),
        (
            r#"{"model_type":"qwen2","vocab_size":151936,"hidden_size":896,"intermediate_size":4864,"num_hidden_layers":24,"num_attention_heads":14,"num_key_value_heads":2,"tie_word_embeddings":true}"#,
            494_032_768,
            290,
        ),
        (
            r#"{"model_type":"qwen3","vocab_size":151936,"hidden_size":1024,"intermediate_size":3072,"num_hidden_layers":28,"num_attention_heads":16,"num_key_value_heads":8,"head_dim":128,"tie_word_embeddings":true}"#,
            596_049_920,
            310,
        ),
        (
            r#"{"model_type":"gemma","vocab_size":256000,"hidden_size":2048,"intermediate_size":16384,"num_hidden_layers":18,"num_attention_heads":8,"num_key_value_heads":1,"head_dim":256}"#,
            2_506_172_416,
            164,
        ),
        (
            r#"{"model_type":"gpt_neox","vocab_size":50304,"hidden_size":768,"intermediate_size":3072,"num_hidden_layers":12,"num_attention_heads":12}"#,
            162_322_944,
            148,
        ),
    ];
    for (json, params, tensors) in cases {
        let m = model(json);
        assert_eq!(
            (m.param_count(), m.tensors().len()),
            (params, tensors),
            "{json}"
        );
        let mut names: Vec<&str> = m.tensors().iter().map(|t| t.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), tensors, "duplicate names in {json}");
    }
}

#[test]
fn gpt2_uses_conv1d_layout_residual_scaling_and_ties_the_head() {
    let m =
        model(r#"{"model_type":"gpt2","vocab_size":50257,"n_embd":768,"n_layer":12,"n_head":12}"#);
    assert!(m.tied() && m.tensor("lm_head.weight").is_none());
    let fc = m.tensor("transformer.h.0.mlp.c_fc.weight").unwrap();
    assert_eq!(
        (fc.shape.as_slice(), fc.fans),
        (&[768, 3072][..], Some(Fans::new(768, 3072)))
    );
    let normal = |std| Init::Normal { mean: 0.0, std };
    assert_eq!(fc.init, normal(0.02));
    for n in [
        "transformer.h.11.attn.c_proj.weight",
        "transformer.h.3.mlp.c_proj.weight",
    ] {
        assert_eq!(
            m.tensor(n).unwrap().init,
            normal(0.02 / 24f64.sqrt()),
            "{n}"
        );
    }
    assert_eq!(
        m.tensor("transformer.h.3.mlp.c_proj.weight").unwrap().shape,
        [3072, 768]
    );
    assert_eq!(
        m.tensor("transformer.ln_f.weight").unwrap().init,
        Init::Ones
    );
    assert_eq!(m.tensor("transformer.ln_f.bias").unwrap().init, Init::Zeros);
    assert_eq!(
        m.tensor("transformer.wpe.weight").unwrap().shape,
        [1024, 768]
    );
    assert!(m
        .tensors()
        .iter()
        .all(|t| t.zero_row.is_none() && !t.name.ends_with(".attn.bias")));
    let untied = model(
        r#"{"model_type":"gpt2","vocab_size":100,"n_embd":64,"n_layer":2,"n_head":4,"tie_word_embeddings":false,"n_inner":96}"#,
    );
    assert_eq!(untied.tensor("lm_head.weight").unwrap().shape, [100, 64]);
    assert_eq!(
        untied
            .tensor("transformer.h.1.mlp.c_fc.weight")
            .unwrap()
            .shape,
        [64, 96]
    );
}

#[test]
fn initializer_range_zero_follows_pythons_or() {
    // Generic rule `initializer_range or 0.02`; GPT-2's Conv1D override uses 0 verbatim.
    let m = model(
        r#"{"model_type":"gpt2","vocab_size":10,"n_embd":8,"n_layer":1,"n_head":2,"initializer_range":0}"#,
    );
    let normal = |std| Init::Normal { mean: 0.0, std };
    assert_eq!(
        m.tensor("transformer.wte.weight").unwrap().init,
        normal(0.02)
    );
    assert_eq!(
        m.tensor("transformer.h.0.attn.c_attn.weight").unwrap().init,
        normal(0.0)
    );
}

#[test]
fn llama_family_defaults_follow_the_config_classes() {
    let base = r#""vocab_size":1000,"hidden_size":64,"intermediate_size":128,"num_hidden_layers":2,"num_attention_heads":4"#;
    let k_rows = |mt: &str, extra: &str| {
        let m = model(&format!(r#"{{"model_type":"{mt}",{base}{extra}}}"#));
        m.tensor("model.layers.0.self_attn.k_proj.weight")
            .unwrap()
            .shape[0]
    };
    // num_key_value_heads × head_dim
    assert_eq!(k_rows("llama", ""), 4 * 16);
    assert_eq!(k_rows("mistral", ""), 8 * 16);
    assert_eq!(k_rows("qwen2", ""), 32 * 16);
    assert_eq!(k_rows("qwen3", ""), 32 * 128);
    assert_eq!(k_rows("gemma", ""), 16 * 256);
    assert_eq!(
        k_rows("llama", r#","num_key_value_heads":null,"head_dim":null"#),
        4 * 16
    );
    assert_eq!(
        k_rows("qwen2", r#","num_key_value_heads":2,"head_dim":8"#),
        2 * 8
    );

    let gemma = model(&format!(r#"{{"model_type":"gemma",{base}}}"#));
    assert!(gemma.tied());
    assert_eq!(
        gemma.tensor("model.embed_tokens.weight").unwrap().zero_row,
        Some(0)
    );
    assert_eq!(gemma.tensor("model.norm.weight").unwrap().init, Init::Zeros);
    assert_eq!(
        gemma.tensor("model.norm.weight").unwrap().module,
        Module::OffsetRmsNorm
    );

    let llama = model(&format!(
        r#"{{"model_type":"llama",{base},"pad_token_id":-1,"attention_bias":true,"mlp_bias":true}}"#
    ));
    let emb = llama.tensor("model.embed_tokens.weight").unwrap();
    assert_eq!(
        (emb.zero_row, emb.zeroed_elements()),
        (Some(999), Some(999 * 64..1000 * 64))
    );
    for n in ["self_attn.o_proj.bias", "mlp.down_proj.bias"] {
        assert!(
            llama.tensor(&format!("model.layers.1.{n}")).is_some(),
            "{n}"
        );
    }
    assert_eq!(
        llama.tensor("lm_head.weight").unwrap().init,
        Init::Normal {
            mean: 0.0,
            std: 0.02
        }
    );

    let qwen2 = model(&format!(
        r#"{{"model_type":"qwen2",{base},"attention_bias":false,"mlp_bias":true}}"#
    ));
    let biases: Vec<&str> = qwen2
        .tensors()
        .iter()
        .filter(|t| t.param == Param::Bias)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(biases.len(), 6, "{biases:?}"); // q, k, v in both layers, whatever the flags say
    assert!(biases
        .iter()
        .all(|n| n.contains("q_proj") || n.contains("k_proj") || n.contains("v_proj")));

    let qwen3 = model(&format!(
        r#"{{"model_type":"qwen3",{base},"head_dim":32,"num_key_value_heads":2}}"#
    ));
    assert_eq!(
        qwen3
            .tensor("model.layers.0.self_attn.q_norm.weight")
            .unwrap()
            .shape,
        [32]
    );
    assert_eq!(
        qwen3
            .tensor("model.layers.0.self_attn.o_proj.weight")
            .unwrap()
            .shape,
        [64, 128]
    );
    assert!(model(&format!(
        r#"{{"model_type":"mistral",{base},"attention_bias":true}}"#
    ))
    .tensors()
    .iter()
    .all(|t| t.param == Param::Weight));
}

#[test]
fn gpt_neox_layout() {
    let m = model(
        r#"{"model_type":"gpt_neox","vocab_size":100,"hidden_size":64,"intermediate_size":256,"num_hidden_layers":2,"num_attention_heads":4}"#,
    );
    assert_eq!(
        m.tensor("gpt_neox.layers.1.attention.query_key_value.weight")
            .unwrap()
            .shape,
        [192, 64]
    );
    assert!(m.tensor("gpt_neox.layers.1.attention.dense.bias").is_some());
    assert_eq!(m.tensor("embed_out.weight").unwrap().shape, [100, 64]);
    assert_eq!(
        m.tensor("gpt_neox.final_layer_norm.bias").unwrap().init,
        Init::Zeros
    );
    let tied = model(
        r#"{"model_type":"gpt_neox","vocab_size":100,"hidden_size":64,"intermediate_size":256,"num_hidden_layers":2,"num_attention_heads":4,"tie_word_embeddings":true,"attention_bias":false}"#,
    );
    assert!(tied.tensor("embed_out.weight").is_none());
    assert!(tied
        .tensor("gpt_neox.layers.0.attention.dense.bias")
        .is_none());
    assert!(tied
        .tensor("gpt_neox.layers.0.mlp.dense_4h_to_h.bias")
        .is_some());
}

#[test]
fn errors_name_the_problem() {
    let e = err(r#"{"model_type":"bert","vocab_size":10}"#);
    assert!(
        e.contains("\"bert\"") && e.contains(&Family::supported_list()),
        "{e}"
    );
    for f in Family::ALL {
        assert!(e.contains(f.model_type()), "{e}");
    }
    assert!(err(r#"{"vocab_size":10}"#).contains("no \"model_type\""));
    let e = err(
        r#"{"model_type":"llama","vocab_size":10,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4}"#,
    );
    assert!(
        e.contains("llama") && e.contains("\"intermediate_size\" is missing"),
        "{e}"
    );
    let e = err(r#"{"model_type":"gpt2","vocab_size":10,"n_embd":64.5,"n_layer":2,"n_head":4}"#);
    assert!(e.contains("\"n_embd\"") && e.contains("64.5"), "{e}");
    let e = err(r#"{"model_type":"gpt2","vocab_size":10,"n_embd":64,"n_layer":2,"n_head":5}"#);
    assert!(e.contains("not a multiple"), "{e}");
    let e = err(
        r#"{"model_type":"llama","vocab_size":10,"hidden_size":64,"intermediate_size":8,"num_hidden_layers":2,"num_attention_heads":4,"pad_token_id":10}"#,
    );
    assert!(e.contains("pad_token_id 10"), "{e}");
    let e = err(
        r#"{"model_type":"gemma","vocab_size":10,"hidden_size":64,"intermediate_size":8,"num_hidden_layers":2,"num_attention_heads":4,"head_dim":null}"#,
    );
    assert!(e.contains("head_dim"), "{e}");
    assert!(err(r#"{"model_type":"llama","vocab_size":0,"hidden_size":64,"intermediate_size":8,"num_hidden_layers":2,"num_attention_heads":4}"#).contains("positive"));
    assert!(err("[1]").contains("object"));
    assert!(err("{").contains("JSON"));
    let e = err(
        r#"{"model_type":"gpt2","vocab_size":10,"n_embd":64,"n_layer":2,"n_head":4,"add_cross_attention":true}"#,
    );
    assert!(e.contains("add_cross_attention"), "{e}");
    let e = err(
        r#"{"model_type":"qwen3","vocab_size":10,"hidden_size":64,"intermediate_size":8,"num_hidden_layers":2,"num_attention_heads":4,"initializer_range":-1}"#,
    );
    assert!(e.contains("initializer_range"), "{e}");
}

#[test]
fn presets_with_a_config_equal_its_table() {
    for (name, _) in PRESET_CONFIGS {
        let hf = preset_model(name).unwrap();
        let preset = crate::io::presets::preset(name).unwrap();
        let mut a: Vec<_> = preset
            .specs(DType::F32)
            .into_iter()
            .map(|s| (s.name, s.shape, s.init))
            .collect();
        let mut b: Vec<_> = hf
            .specs(DType::F32)
            .into_iter()
            .map(|s| (s.name, s.shape, s.init))
            .collect();
        a.sort_by(|x, y| x.0.cmp(&y.0));
        b.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(a, b, "{name}");
    }
}
