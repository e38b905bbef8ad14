//! candle-transformers' Llama, randomly initialized by glorot through `GlorotBackend`, then a
//! forward pass. `cargo run --release --features candle-models --example candle_llama`
//!
//! The policy is transformers' `_init_weights` convention for LLaMA written as a closure:
//! matrices normal(0, 0.02), RMSNorm gains one.

use std::time::Instant;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarMap;
use candle_transformers::models::llama::{Cache, Config, Llama};
use glorot::frameworks::candle::{policy_fn, GlorotBackend};
use glorot::{Init, Key};

fn main() -> candle_core::Result<()> {
    let cfg = Config {
        hidden_size: 256,
        intermediate_size: 688,
        vocab_size: 32000,
        num_hidden_layers: 4,
        num_attention_heads: 8,
        num_key_value_heads: 4,
        use_flash_attn: false,
        rms_norm_eps: 1e-5,
        rope_theta: 10_000.0,
        bos_token_id: None,
        eos_token_id: None,
        rope_scaling: None,
        max_position_embeddings: 512,
        tie_word_embeddings: false,
    };
    let dev = Device::Cpu;
    let dtype = DType::F32;
    let policy = policy_fn(|name: &str, shape: &[usize]| {
        if shape.len() == 1 && name.ends_with("norm.weight") {
            Init::Ones
        } else {
            Init::Normal {
                mean: 0.0,
                std: 0.02,
            }
        }
    });

    let t0 = Instant::now();
    let varmap = VarMap::new();
    let vb = GlorotBackend::new(Key::new(0), policy)
        .with_var_map(&varmap)
        .into_var_builder(dtype, dev.clone());
    let model = Llama::load(vb, &cfg)?;
    let built = t0.elapsed();
    let params: usize = varmap.all_vars().iter().map(|v| v.elem_count()).sum();

    let tokens = Tensor::new(&[[1u32, 450, 4996, 17354, 1701, 432, 17204]], &dev)?;
    let mut cache = Cache::new(false, dtype, &cfg, &dev)?;
    let t1 = Instant::now();
    let logits = model.forward(&tokens, 0, &mut cache)?;
    let fwd = t1.elapsed();
    let next = logits.argmax(candle_core::D::Minus1)?.to_vec1::<u32>()?;

    println!(
        "Llama {} layers, hidden {}, {:.1} M parameters in {} tensors",
        cfg.num_hidden_layers,
        cfg.hidden_size,
        params as f64 / 1e6,
        varmap.all_vars().len()
    );
    println!(
        "built with glorot init in {:.1} ms",
        built.as_secs_f64() * 1e3
    );
    println!(
        "forward pass over {} tokens in {:.1} ms: logits {:?}, next token {}",
        tokens.dims()[1],
        fwd.as_secs_f64() * 1e3,
        logits.dims(),
        next[0]
    );
    Ok(())
}
