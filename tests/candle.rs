//! The candle plug-in against candle itself: candle-transformers' Llama, GPT-BigCode and Qwen2
//! built through `GlorotBackend`, compared with the checkpoint the `glorot` CLI writes for the
//! same names, initializers and seed, loaded through candle's own safetensors `VarBuilder`.
//!
//! Run with `cargo test --release --features cli,candle-models --test candle`.

mod fw;

use candle_core::{DType, Device, IndexOp, Tensor};
use candle_nn::{Optimizer, VarBuilder, VarMap};
use candle_transformers::models::{bigcode, llama, qwen2};
use glorot::frameworks::candle::{policy_fn, GlorotBackend, HfPolicy, HintPolicy};
use glorot::frameworks::TensorInit;
use glorot::{Init, Key, Pages};

const SEED: u64 = 2026;

fn tiny_llama(vocab: usize, tied: bool) -> llama::Config {
    llama::Config {
        hidden_size: 64,
        intermediate_size: 96,
        vocab_size: vocab,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        num_key_value_heads: 2,
        use_flash_attn: false,
        rms_norm_eps: 1e-5,
        rope_theta: 10_000.0,
        bos_token_id: None,
        eos_token_id: None,
        rope_scaling: None,
        max_position_embeddings: 64,
        tie_word_embeddings: tied,
    }
}

/// LlamaForCausalLM's tensors (names and shapes as transformers saves them).
fn llama_tensors(c: &llama::Config) -> Vec<(String, Vec<usize>)> {
    let (h, i, v) = (c.hidden_size, c.intermediate_size, c.vocab_size);
    let d = h / c.num_attention_heads;
    let kv = c.num_key_value_heads * d;
    let mut t = vec![("model.embed_tokens.weight".to_string(), vec![v, h])];
    for l in 0..c.num_hidden_layers {
        let p = format!("model.layers.{l}");
        for (n, s) in [
            ("self_attn.q_proj.weight", vec![h, h]),
            ("self_attn.k_proj.weight", vec![kv, h]),
            ("self_attn.v_proj.weight", vec![kv, h]),
            ("self_attn.o_proj.weight", vec![h, h]),
            ("mlp.gate_proj.weight", vec![i, h]),
            ("mlp.up_proj.weight", vec![i, h]),
            ("mlp.down_proj.weight", vec![h, i]),
            ("input_layernorm.weight", vec![h]),
            ("post_attention_layernorm.weight", vec![h]),
        ] {
            t.push((format!("{p}.{n}"), s));
        }
    }
    t.push(("model.norm.weight".into(), vec![h]));
    if !c.tie_word_embeddings {
        t.push(("lm_head.weight".into(), vec![v, h]));
    }
    t
}

/// transformers' `_init_weights` convention: matrices normal(0, 0.02), norm gains one, biases
/// zero.
fn hf_like(name: &str, shape: &[usize]) -> Init {
    match shape.len() {
        1 if name.ends_with(".weight") => Init::Ones,
        1 => Init::Zeros,
        _ => Init::Normal {
            mean: 0.0,
            std: 0.02,
        },
    }
}

fn with_inits(list: &[(String, Vec<usize>)]) -> Vec<(String, Vec<usize>, Init)> {
    list.iter()
        .map(|(n, s)| (n.clone(), s.clone(), hf_like(n, s)))
        .collect()
}

/// The bits of a float tensor, widened to f32 (exact for bf16/f16).
fn bits(t: &Tensor) -> Vec<u32> {
    t.to_dtype(DType::F32)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1::<f32>()
        .unwrap()
        .iter()
        .map(|x| x.to_bits())
        .collect()
}

fn tokens(dev: &Device) -> Tensor {
    Tensor::new(&[[1u32, 5, 9, 42, 77, 100]], dev).unwrap()
}

fn llama_logits(vb: VarBuilder, cfg: &llama::Config, dtype: DType) -> Tensor {
    let dev = Device::Cpu;
    let model = llama::Llama::load(vb, cfg).unwrap();
    let mut cache = llama::Cache::new(false, dtype, cfg, &dev).unwrap();
    model.forward(&tokens(&dev), 0, &mut cache).unwrap()
}

#[test]
fn llama_equals_the_cli_checkpoint_bit_for_bit() {
    let dev = Device::Cpu;
    let cfg = tiny_llama(101, false);
    let list = llama_tensors(&cfg);
    let dir = tempfile::tempdir().unwrap();
    for (dtype, name) in [
        (DType::F32, "f32"),
        (DType::BF16, "bf16"),
        (DType::F16, "f16"),
    ] {
        let path = fw::cli_checkpoint(dir.path(), &with_inits(&list), SEED, name);
        let bytes = std::fs::read(&path).unwrap();
        let file_vb = VarBuilder::from_buffered_safetensors(bytes.clone(), dtype, &dev).unwrap();

        // Tensor for tensor, through the training variant's VarMap.
        let varmap = VarMap::new();
        let backend =
            GlorotBackend::new(Key::new(SEED), policy_fn(hf_like)).with_tensors(list.clone());
        let vb = backend
            .clone()
            .with_var_map(&varmap)
            .into_var_builder(dtype, dev.clone());
        let from_glorot = llama_logits(vb, &cfg, dtype);
        let vars = varmap.data().lock().unwrap();
        let file = candle_core::safetensors::load_buffer(&bytes, &dev).unwrap();
        let mut names: Vec<&String> = vars.keys().collect();
        let mut file_names: Vec<&String> = file.keys().collect();
        names.sort();
        file_names.sort();
        assert_eq!(
            names, file_names,
            "{name}: the model's tensors are the file's"
        );
        for (n, var) in vars.iter() {
            assert_eq!(var.dtype(), dtype, "{n}");
            assert_eq!(file[n].dtype(), dtype, "{n}: the CLI wrote {name}");
            assert_eq!(var.shape(), file[n].shape(), "{n}");
            assert!(
                bits(var.as_tensor()) == bits(&file[n]),
                "{name}: `{n}` differs from the CLI's"
            );
        }
        drop(vars);

        // The whole model: the same logits as the model candle loads from the file, bit for bit,
        // and again through the plain (non-VarMap) backend.
        let from_file = llama_logits(file_vb, &cfg, dtype);
        let plain = llama_logits(backend.into_var_builder(dtype, dev.clone()), &cfg, dtype);
        assert_eq!(from_file.dims(), &[1, 101]);
        assert_eq!(
            bits(&from_file),
            bits(&from_glorot),
            "{name}: logits differ"
        );
        assert_eq!(
            bits(&from_file),
            bits(&plain),
            "{name}: logits differ (plain backend)"
        );
        let l = from_file.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        assert!(l.iter().all(|x| x.is_finite()));
        let spread =
            l.iter().cloned().fold(f32::MIN, f32::max) - l.iter().cloned().fold(f32::MAX, f32::min);
        assert!(spread > 0.0, "{name}: constant logits");
    }
}

/// A tiny LLaMA `config.json` (GQA, untied head, padding row 3), as transformers reads it.
const LLAMA_CONFIG: &str = r#"{"model_type": "llama", "architectures": ["LlamaForCausalLM"],
  "vocab_size": 101, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2,
  "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 64,
  "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "tie_word_embeddings": false,
  "pad_token_id": 3, "initializer_range": 0.02}"#;

/// The HF policy: the candle Llama built through it equals, tensor for tensor and in its
/// logits, the checkpoint `glorot init --hf-config` writes for the same config and seed, loaded
/// through candle's own safetensors VarBuilder.
#[test]
fn hf_policy_llama_equals_the_hf_config_checkpoint() {
    let dev = Device::Cpu;
    let cfg: llama::LlamaConfig = serde_json::from_str(LLAMA_CONFIG).unwrap();
    let cfg = cfg.into_config(false);
    let dir = tempfile::tempdir().unwrap();
    for (dtype, name) in [(DType::F32, "f32"), (DType::BF16, "bf16")] {
        let path = fw::hf_checkpoint(dir.path(), LLAMA_CONFIG, SEED, name);
        let bytes = std::fs::read(&path).unwrap();
        let file = candle_core::safetensors::load_buffer(&bytes, &dev).unwrap();
        let policy = HfPolicy::from_json_str(LLAMA_CONFIG).unwrap();
        assert_eq!(policy.model().tensors().len(), file.len());
        let varmap = VarMap::new();
        let vb = GlorotBackend::new(Key::new(SEED), policy.clone())
            .with_var_map(&varmap)
            .into_var_builder(dtype, dev.clone());
        let from_glorot = llama_logits(vb, &cfg, dtype);
        {
            let vars = varmap.data().lock().unwrap();
            assert_eq!(
                vars.len(),
                file.len(),
                "{name}: every tensor of the checkpoint, no other"
            );
            for (n, t) in &file {
                let v = vars
                    .get(n)
                    .unwrap_or_else(|| panic!("{name}: the model never asked for `{n}`"));
                assert_eq!(v.shape(), t.shape(), "{n}");
                assert!(
                    bits(v.as_tensor()) == bits(t),
                    "{name}: `{n}` differs from the CLI's"
                );
            }
            // The padding row is zero, the others are not.
            let e = vars["model.embed_tokens.weight"]
                .as_tensor()
                .to_dtype(DType::F32)
                .unwrap();
            let row_abs = |r: usize| {
                e.get(r)
                    .unwrap()
                    .abs()
                    .unwrap()
                    .sum_all()
                    .unwrap()
                    .to_scalar::<f32>()
                    .unwrap()
            };
            assert_eq!(row_abs(3), 0.0);
            assert!(row_abs(2) > 0.0 && row_abs(4) > 0.0);
        }
        let file_vb = VarBuilder::from_buffered_safetensors(bytes, dtype, &dev).unwrap();
        assert_eq!(
            bits(&llama_logits(file_vb, &cfg, dtype)),
            bits(&from_glorot),
            "{name}: logits"
        );
        let plain = GlorotBackend::new(Key::new(SEED), policy).into_var_builder(dtype, dev.clone());
        assert_eq!(
            bits(&llama_logits(plain, &cfg, dtype)),
            bits(&from_glorot),
            "{name}: plain backend"
        );
    }
}

/// Every tensor equals `TensorInit::alloc` of the policy's initializer for its name; random ones
/// are not constant, norm gains are one.
fn check_vars(varmap: &VarMap, key: Key, expected_count: usize) {
    let vars = varmap.data().lock().unwrap();
    assert_eq!(vars.len(), expected_count);
    for (n, var) in vars.iter() {
        let shape = var.dims().to_vec();
        let init = hf_like(n, &shape);
        let want: Vec<f32> = TensorInit::from(init)
            .alloc(&shape, &key.tensor(n))
            .unwrap();
        let got = var
            .as_tensor()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert!(got == want, "`{n}` is not the policy's {}", init.name());
        match init {
            Init::Ones => assert!(got.iter().all(|&x| x == 1.0), "{n}"),
            Init::Zeros => assert!(got.iter().all(|&x| x == 0.0), "{n}"),
            _ => {
                let mean = got.iter().map(|&x| x as f64).sum::<f64>() / got.len() as f64;
                let var =
                    got.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / got.len() as f64;
                assert!(
                    var.sqrt() > 0.01 && var.sqrt() < 0.03,
                    "`{n}`: std {}",
                    var.sqrt()
                );
            }
        }
    }
}

#[test]
fn every_llama_tensor_gets_the_policy_init() {
    let cfg = tiny_llama(101, false);
    let varmap = VarMap::new();
    let key = Key::new(SEED);
    let vb = GlorotBackend::new(key, policy_fn(hf_like))
        .with_tensors(llama_tensors(&cfg))
        .with_var_map(&varmap)
        .into_var_builder(DType::F32, Device::Cpu);
    llama::Llama::load(vb, &cfg).unwrap();
    check_vars(&varmap, key, llama_tensors(&cfg).len());
}

fn tiny_bigcode() -> bigcode::Config {
    bigcode::Config {
        vocab_size: 120,
        max_position_embeddings: 32,
        num_hidden_layers: 2,
        hidden_size: 64,
        layer_norm_epsilon: 1e-5,
        n_inner: Some(128),
        num_attention_heads: 4,
        multi_query: true,
        use_cache: false,
    }
}

/// GPT-BigCode is candle-transformers' GPT-2-family model (candle-transformers 0.11 has no
/// GPT-2 itself): `transformer.wte/wpe/h.{i}.ln_1/attn.c_attn/...`, with the output layer tied
/// to `wte` by asking for the same name twice.
#[test]
fn every_gpt_bigcode_tensor_gets_the_policy_init_and_ties_stay_tied() {
    let varmap = VarMap::new();
    let key = Key::new(SEED);
    let vb = GlorotBackend::new(key, policy_fn(hf_like))
        .with_var_map(&varmap)
        .into_var_builder(DType::F32, Device::Cpu);
    let mut model = bigcode::GPTBigCode::load(vb, tiny_bigcode()).unwrap();
    // wte, wpe, ln_f (2), per layer: ln_1 (2), c_attn (2), c_proj (2), ln_2 (2), c_fc (2), c_proj (2).
    check_vars(&varmap, key, 2 + 2 + 2 * 12);
    let logits = model.forward(&tokens(&Device::Cpu), 0).unwrap();
    let l = logits.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    assert_eq!(l.len(), 120);
    assert!(l.iter().all(|x| x.is_finite()));

    // The plain backend gives the tied name the same values both times it is asked for.
    let vb = GlorotBackend::new(key, policy_fn(hf_like)).into_var_builder(DType::F32, Device::Cpu);
    let a = vb.pp("transformer.wte").get((120, 64), "weight").unwrap();
    let b = vb
        .pp("transformer")
        .pp("wte")
        .get_with_hints((120, 64), "weight", candle_nn::init::DEFAULT_KAIMING_NORMAL)
        .unwrap();
    assert_eq!(bits(&a), bits(&b));
    let in_map = varmap.data().lock().unwrap()["transformer.wte.weight"]
        .as_tensor()
        .clone();
    assert_eq!(bits(&a), bits(&in_map));
}

#[test]
fn hint_policy_refuses_what_would_silently_be_zero() {
    let key = Key::new(SEED);
    // GPT-BigCode asks for its LayerNorm gains with a plain `vb.get` (hint Const(0.)).
    let vb = GlorotBackend::new(key, HintPolicy::new()).into_var_builder(DType::F32, Device::Cpu);
    let err = bigcode::GPTBigCode::load(vb, tiny_bigcode())
        .err()
        .expect("must refuse")
        .to_string();
    assert!(
        err.contains("transformer.h.0.ln_1.weight") && err.contains("Const(0.)"),
        "{err}"
    );

    let vb = GlorotBackend::new(key, HintPolicy::new()).into_var_builder(DType::F32, Device::Cpu);
    let err = vb.get((8, 8), "w").unwrap_err().to_string();
    assert!(
        err.contains("`w` [8, 8]") && err.contains("allow_zero_matrices"),
        "{err}"
    );
    // Biases through a plain `vb.get` are zeros, as candle would make them.
    let b = vb.get(8, "fc.bias").unwrap().to_vec1::<f32>().unwrap();
    assert_eq!(b, vec![0.0; 8]);

    let vb = GlorotBackend::new(key, HintPolicy::new().allow_zero_matrices())
        .into_var_builder(DType::F32, Device::Cpu);
    assert_eq!(
        vb.get((8, 8), "w")
            .unwrap()
            .sum_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap(),
        0.0
    );
}

#[test]
fn hint_policy_follows_candle_hints() {
    // candle-transformers' Llama sends hints for every tensor: Kaiming normal (fan_in, ReLU) on
    // linear weights, Randn(0, 1) on the embedding, Const(1.) on RMSNorm gains.
    let cfg = tiny_llama(2000, false);
    let varmap = VarMap::new();
    let key = Key::new(SEED);
    let vb = GlorotBackend::new(key, HintPolicy::new())
        .with_var_map(&varmap)
        .into_var_builder(DType::F32, Device::Cpu);
    llama::Llama::load(vb, &cfg).unwrap();
    let vars = varmap.data().lock().unwrap();
    let check = |n: &str, init: Init| {
        let v = &vars[n];
        let want: Vec<f32> = init
            .alloc(v.dims(), glorot::Layout::Torch, &key.tensor(n))
            .unwrap();
        assert!(
            v.as_tensor()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap()
                == want,
            "{n}"
        );
    };
    let relu_normal =
        Init::kaiming_normal_with(0.0, glorot::FanMode::FanIn, glorot::Nonlinearity::Relu);
    check(
        "model.embed_tokens.weight",
        Init::Normal {
            mean: 0.0,
            std: 1.0,
        },
    );
    check("model.layers.1.mlp.down_proj.weight", relu_normal);
    check("lm_head.weight", relu_normal);
    check("model.norm.weight", Init::Ones);
    let w = vars["model.layers.1.mlp.down_proj.weight"].as_tensor();
    let std = w
        .flatten_all()
        .unwrap()
        .sqr()
        .unwrap()
        .mean_all()
        .unwrap()
        .to_scalar::<f32>()
        .unwrap()
        .sqrt();
    let expected = (2.0f32 / 96.0).sqrt();
    assert!(
        (std / expected - 1.0).abs() < 0.05,
        "std {std}, kaiming {expected}"
    );
}

/// Every variable of a bf16 Llama built through the backend (`hf_like` policy), sorted by name.
fn llama_var_bits(cfg: &llama::Config, pages: Pages) -> Vec<(String, Vec<u32>)> {
    let varmap = VarMap::new();
    let vb = GlorotBackend::new(Key::new(SEED), policy_fn(hf_like))
        .with_pages(pages)
        .with_var_map(&varmap)
        .into_var_builder(DType::BF16, Device::Cpu);
    llama::Llama::load(vb, cfg).unwrap();
    let vars = varmap.data().lock().unwrap();
    let mut all: Vec<(String, Vec<u32>)> = vars
        .iter()
        .map(|(n, v)| (n.clone(), bits(v.as_tensor())))
        .collect();
    all.sort();
    all
}

#[test]
fn one_thread_equals_many() {
    // vocab 2048 × 64 = 131072 elements: more than one parallel chunk.
    let cfg = tiny_llama(2048, false);
    let build = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| llama_var_bits(&cfg, Pages::Plain))
    };
    let one = build(1);
    assert_eq!(one.len(), llama_tensors(&cfg).len());
    for threads in [2, 3, 8] {
        assert!(one == build(threads), "{threads} threads differ from 1");
    }
}

#[test]
fn huge_pages_change_no_value() {
    // vocab 32768 × 64 bf16 = 4 MiB: the embedding spans whole 2 MiB huge pages.
    let cfg = tiny_llama(32768, false);
    let plain = llama_var_bits(&cfg, Pages::Plain);
    assert_eq!(plain.len(), llama_tensors(&cfg).len());
    assert!(plain == llama_var_bits(&cfg, Pages::Huge));
}

#[test]
fn contains_tensor_answers_from_the_declared_list() {
    let key = Key::new(SEED);
    let cfg = tiny_llama(101, false);
    let list = llama_tensors(&cfg);
    let vb = GlorotBackend::new(key, policy_fn(hf_like))
        .with_tensors(list.clone())
        .into_var_builder(DType::F32, Device::Cpu);
    assert!(vb.contains_tensor("lm_head.weight"));
    assert!(vb
        .pp("model.layers.1")
        .contains_tensor("mlp.up_proj.weight"));
    assert!(!vb.contains_tensor("model.layers.2.mlp.up_proj.weight"));
    let err = vb.get((3, 3), "not.declared").unwrap_err().to_string();
    assert!(
        err.contains("not.declared") && err.contains("not among"),
        "{err}"
    );
    let err = vb
        .get((64, 63), "model.embed_tokens.weight")
        .unwrap_err()
        .to_string();
    assert!(err.contains("declared as [101, 64]"), "{err}");
    let err = vb.get_unchecked("lm_head.weight").unwrap_err().to_string();
    assert!(
        err.contains("get_unchecked") && err.contains("shape"),
        "{err}"
    );

    // Without a list, nothing is assumed to exist.
    let vb = GlorotBackend::new(key, policy_fn(hf_like)).into_var_builder(DType::F32, Device::Cpu);
    assert!(!vb.contains_tensor("lm_head.weight"));
}

fn tiny_qwen2(tied: bool) -> qwen2::Config {
    qwen2::Config {
        vocab_size: 101,
        hidden_size: 64,
        intermediate_size: 96,
        num_hidden_layers: 1,
        num_attention_heads: 4,
        num_key_value_heads: 2,
        max_position_embeddings: 64,
        sliding_window: 64,
        max_window_layers: 1,
        tie_word_embeddings: tied,
        rope_theta: 10_000.0,
        rms_norm_eps: 1e-6,
        use_sliding_window: false,
        hidden_act: candle_nn::Activation::Silu,
    }
}

/// Qwen2 builds an untied `lm_head` exactly when the backend says `lm_head.weight` exists.
#[test]
fn qwen2_optional_head_follows_contains_tensor() {
    for tied in [false, true] {
        let cfg = tiny_qwen2(tied);
        // Qwen2's layout: LLaMA's plus q/k/v biases.
        let mut list = llama_tensors(&tiny_llama(101, tied));
        list.retain(|(n, _)| !n.starts_with("model.layers.1."));
        for p in ["q", "k", "v"] {
            let d = if p == "q" { 64 } else { 32 };
            list.push((format!("model.layers.0.self_attn.{p}_proj.bias"), vec![d]));
        }
        let varmap = VarMap::new();
        let vb = GlorotBackend::new(Key::new(SEED), policy_fn(hf_like))
            .with_tensors(list.clone())
            .with_var_map(&varmap)
            .into_var_builder(DType::F32, Device::Cpu);
        let mut model = qwen2::ModelForCausalLM::new(&cfg, vb).unwrap();
        let vars = varmap.data().lock().unwrap();
        assert_eq!(vars.len(), list.len(), "tied = {tied}");
        assert_eq!(vars.contains_key("lm_head.weight"), !tied);
        drop(vars);
        let logits = model.forward(&tokens(&Device::Cpu), 0).unwrap();
        assert_eq!(logits.flatten_all().unwrap().dims(), &[101]);
    }
}

#[test]
fn dtypes_are_filled_natively_or_converted_once() {
    let key = Key::new(SEED);
    let vb =
        |dtype| GlorotBackend::new(key, policy_fn(hf_like)).into_var_builder(dtype, Device::Cpu);
    let init = TensorInit::from(hf_like("w", &[300, 7]));
    let tk = key.tensor("w");
    let t = vb(DType::F64).get((300, 7), "w").unwrap();
    assert!(
        t.flatten_all().unwrap().to_vec1::<f64>().unwrap()
            == init.alloc::<f64>(&[300, 7], &tk).unwrap()
    );
    let t = vb(DType::F16).get((300, 7), "w").unwrap();
    assert!(
        t.flatten_all().unwrap().to_vec1::<glorot::f16>().unwrap()
            == init.alloc::<glorot::f16>(&[300, 7], &tk).unwrap()
    );
    // Other float dtypes: generated in f32, converted once by candle.
    let t = vb(DType::F8E4M3).get((300, 7), "w").unwrap();
    assert_eq!(t.dtype(), DType::F8E4M3);
    let f32s = Tensor::from_vec(
        init.alloc::<f32>(&[300, 7], &tk).unwrap(),
        (300, 7),
        &Device::Cpu,
    )
    .unwrap();
    assert_eq!(bits(&t), bits(&f32s.to_dtype(DType::F8E4M3).unwrap()));
    let err = vb(DType::U32).get((3, 3), "w").unwrap_err().to_string();
    assert!(err.contains("integer"), "{err}");
    // A policy error names the tensor.
    let bad = GlorotBackend::new(
        key,
        policy_fn(|_: &str, _: &[usize]| Init::Normal {
            mean: 0.0,
            std: -1.0,
        }),
    )
    .into_var_builder(DType::F32, Device::Cpu);
    let err = bad.get((3, 3), "fc.weight").unwrap_err().to_string();
    assert!(err.contains("fc.weight"), "{err}");
}

#[test]
fn optimizers_see_every_created_variable() {
    let cfg = tiny_llama(101, false);
    let varmap = VarMap::new();
    let vb = GlorotBackend::new(Key::new(SEED), policy_fn(hf_like))
        .with_var_map(&varmap)
        .into_var_builder(DType::F32, Device::Cpu);
    let logits = llama_logits(vb, &cfg, DType::F32);
    let vars = varmap.all_vars();
    assert_eq!(vars.len(), llama_tensors(&cfg).len());
    let head = varmap.data().lock().unwrap()["lm_head.weight"].clone();
    let before = bits(head.as_tensor());
    let mut sgd = candle_nn::SGD::new(vars, 0.1).unwrap();
    let loss = logits.i((0, 3)).unwrap();
    sgd.backward_step(&loss).unwrap();
    assert!(
        bits(head.as_tensor()) != before,
        "an SGD step must move the variables the model was built from"
    );
}
