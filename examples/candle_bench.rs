//! Builds candle-transformers' Llama-7B-shaped model (bf16, CPU) three ways, each in its own
//! child process (so peak memory is per way), and prints a table of wall time, CPU time and
//! peak RSS, with the ratios against what a candle user does today:
//!
//! - `glorot`: `GlorotBackend` with the library's `HfPolicy` for the same LLaMA config
//!   (transformers' `_init_weights`: matrices normal(0, 0.02), RMSNorm gains one), bf16 filled
//!   natively (one allocation per tensor, handed to candle without a copy);
//! - `glorot-huge`: the same with `.with_pages(Pages::Huge)` (transparent huge pages);
//! - `glorot-f32`: the same backend with `.via_f32()`: generated in f32, then candle's
//!   `to_dtype(BF16)` per tensor;
//! - `candle`: `Tensor::randn(0, 0.02, shape, &Device::Cpu)` then `to_dtype(BF16)` for the
//!   matrices, `Tensor::ones` for the norm gains.
//!
//! All three go through the same `Llama::load` with the same initializers.
//!
//! `cargo run --release --features candle-models --example candle_bench [-- --layers N] [--warm]`
//! (default 32 layers = LLaMA-7B, 6.74 G parameters, 13.5 GB in bf16; each way needs that much
//! free memory, one at a time). `--ways glorot,candle` runs a subset.

use std::process::Command;
use std::time::Instant;

use candle_core::{DType, Device, Result, Shape, Tensor};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::VarBuilder;
use candle_transformers::models::llama::{Config, Llama};
use glorot::frameworks::candle::{GlorotBackend, HfPolicy};
use glorot::{Key, Pages};

/// The candle user's way, as a backend so that `Llama::load` is the same for every way.
struct CandleRandn;

impl SimpleBackend for CandleRandn {
    fn get(
        &self,
        s: Shape,
        name: &str,
        _: candle_nn::Init,
        dtype: DType,
        dev: &Device,
    ) -> Result<Tensor> {
        if s.rank() == 1 && name.ends_with("norm.weight") {
            Tensor::ones(s, dtype, dev)
        } else {
            Tensor::randn(0f32, 0.02f32, s, dev)?.to_dtype(dtype)
        }
    }
    fn get_unchecked(&self, name: &str, _: DType, _: &Device) -> Result<Tensor> {
        candle_core::bail!("no shape for {name}")
    }
    fn contains_tensor(&self, _: &str) -> bool {
        false
    }
}

fn config(layers: usize) -> Config {
    let mut c = Config::config_7b_v2(false);
    c.num_hidden_layers = layers;
    c
}

/// The same model as a Hugging Face config, for the library's policy.
fn hf_policy(c: &Config) -> HfPolicy {
    let json = format!(
        r#"{{"model_type": "llama", "vocab_size": {}, "hidden_size": {}, "intermediate_size": {},
            "num_hidden_layers": {}, "num_attention_heads": {}, "num_key_value_heads": {},
            "max_position_embeddings": {}, "rms_norm_eps": {}, "initializer_range": 0.02,
            "tie_word_embeddings": false}}"#,
        c.vocab_size,
        c.hidden_size,
        c.intermediate_size,
        c.num_hidden_layers,
        c.num_attention_heads,
        c.num_key_value_heads,
        c.max_position_embeddings,
        c.rms_norm_eps
    );
    HfPolicy::from_json_str(&json).expect("a valid LLaMA config")
}

fn peak_rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// User and system CPU seconds of this process so far. System time is mostly first-touch page
/// faults, which no initializer can avoid; user time is the work the way itself does.
fn cpu_seconds() -> (f64, f64) {
    // SAFETY: getrusage only writes the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above; RUSAGE_SELF is always valid.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 * 1e-6;
    (t(ru.ru_utime), t(ru.ru_stime))
}

/// Touches `bytes` of fresh memory on every thread and frees it, so that the way timed next
/// gets pages the guest kernel has just had (cheap faults) instead of pages the hypervisor
/// took back (on the VM this was measured on, first touch of 13 GB took 52–87 s cold and
/// 11–15 s warm, for any program: `memset` alike).
fn warm_up(bytes: usize) {
    use rayon::prelude::*;
    let mut v: Vec<u8> = Vec::with_capacity(bytes);
    v.spare_capacity_mut()
        .par_chunks_mut(1 << 20)
        .for_each(|c| {
            c.iter_mut().step_by(4096).for_each(|b| {
                b.write(1);
            })
        });
    drop(v);
}

fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

fn child(way: &str, layers: usize, warm: bool) -> Result<()> {
    let cfg = config(layers);
    if warm {
        warm_up(params(&cfg) * 2 + (1 << 30));
        // Resets VmHWM, so the peak reported is the way's own, not the warm-up's (Linux ≥ 4.0).
        let _ = std::fs::write("/proc/self/clear_refs", "5");
    }
    let backend: Box<dyn SimpleBackend> = match way {
        "glorot" => Box::new(GlorotBackend::new(Key::new(0), hf_policy(&cfg))),
        "glorot-f32" => Box::new(GlorotBackend::new(Key::new(0), hf_policy(&cfg)).via_f32()),
        "glorot-huge" => {
            Box::new(GlorotBackend::new(Key::new(0), hf_policy(&cfg)).with_pages(Pages::Huge))
        }
        "candle" => Box::new(CandleRandn),
        other => candle_core::bail!("unknown way {other}"),
    };
    let (user0, sys0) = cpu_seconds();
    let t0 = Instant::now();
    let model = Llama::load(
        VarBuilder::from_backend(backend, DType::BF16, Device::Cpu),
        &cfg,
    )?;
    let wall = t0.elapsed().as_secs_f64();
    let (user1, sys1) = cpu_seconds();
    std::hint::black_box(&model);
    println!(
        "RESULT {way} {wall:.3} {:.3} {:.3} {}",
        user1 - user0,
        sys1 - sys0,
        peak_rss_kib()
    );
    Ok(())
}

/// Parameters of the Llama-shaped model (untied embeddings).
fn params(cfg: &Config) -> usize {
    let (h, i, v) = (cfg.hidden_size, cfg.intermediate_size, cfg.vocab_size);
    2 * v * h + h + cfg.num_hidden_layers * (4 * h * h + 3 * h * i + 2 * h)
}

fn arg<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

const WAYS: [(&str, &str); 4] = [
    ("glorot", "GlorotBackend, bf16 filled natively"),
    (
        "glorot-huge",
        "GlorotBackend::with_pages(Pages::Huge), bf16 natively",
    ),
    ("glorot-f32", "GlorotBackend::via_f32 (f32, then to_dtype)"),
    ("candle", "candle today: Tensor::randn f32 + to_dtype"),
];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let layers: usize = match arg(&args, "--layers") {
        None => 32,
        Some(v) => match v.parse() {
            Ok(n) if n > 0 => n,
            _ => candle_core::bail!("--layers takes a positive integer, got `{v}`"),
        },
    };
    let warm = args.iter().any(|a| a == "--warm");
    if let Some(way) = arg(&args, "--child") {
        return child(way, layers, warm);
    }
    let wanted: Vec<&str> = match arg(&args, "--ways") {
        Some(list) => list.split(',').collect(),
        None => WAYS.iter().map(|w| w.0).collect(),
    };
    if let Some(bad) = wanted.iter().find(|w| !WAYS.iter().any(|k| k.0 == **w)) {
        candle_core::bail!("unknown way `{bad}` (glorot, glorot-huge, glorot-f32, candle)");
    }
    let cfg = config(layers);
    let params = params(&cfg);
    println!(
        "Llama-7B shapes, {layers} of 32 layers: {:.2} G parameters, {:.2} GB in bf16",
        params as f64 / 1e9,
        params as f64 * 2.0 / 1e9
    );
    println!(
        "CPU: {} ({} threads); each way in its own process; memory {}",
        cpu_name(),
        rayon::current_num_threads(),
        if warm {
            "warm (each child first touches and frees as much as the model needs)"
        } else {
            "as the OS gives it (cold: pages the hypervisor may have reclaimed)"
        }
    );
    let mut rows = Vec::new();
    for (way, about) in WAYS.iter().filter(|w| wanted.contains(&w.0)) {
        let mut cmd = Command::new(&args[0]);
        cmd.args(["--child", way, "--layers", &layers.to_string()]);
        if warm {
            cmd.arg("--warm");
        }
        let out = cmd.output().map_err(candle_core::Error::wrap)?;
        let text = String::from_utf8_lossy(&out.stdout);
        let Some(line) = text.lines().find(|l| l.starts_with("RESULT")) else {
            candle_core::bail!("{way} failed: {}", String::from_utf8_lossy(&out.stderr));
        };
        let f: Vec<f64> = line
            .split_whitespace()
            .skip(2)
            .map(|x| x.parse().unwrap_or(f64::NAN))
            .collect();
        rows.push((*way, *about, f[0], f[1], f[2], f[3] * 1024.0 / 1e9));
    }
    println!();
    println!("| way | wall | user CPU | system CPU | peak RSS |");
    println!("|---|---|---|---|---|");
    for (_, about, wall, user, sys, rss) in &rows {
        println!("| {about} | {wall:.2} s | {user:.2} s | {sys:.2} s | {rss:.2} GB |");
    }
    let find = |w: &str| rows.iter().find(|r| r.0 == w);
    if let Some(c) = find("candle") {
        println!();
        println!("| vs candle today | time (wall) | user CPU | user + system CPU | peak RSS |");
        println!("|---|---|---|---|---|");
        for r in rows.iter().filter(|r| r.0 != "candle") {
            println!(
                "| {} | {:.2}x faster | {:.2}x less | {:.2}x less | {:.3}x of candle's |",
                r.0,
                c.2 / r.2,
                c.3 / r.3,
                (c.3 + c.4) / (r.3 + r.4),
                r.5 / c.5
            );
        }
    }
    Ok(())
}
