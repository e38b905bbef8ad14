//! Builds candle-transformers' Llama-7B-shaped model (bf16, CPU) three ways, each in its own
//! child process (so peak memory is per way), and prints time, CPU time and peak RSS:
//!
//! - `glorot`: `GlorotBackend`, bf16 filled natively (one allocation per tensor, handed to
//!   candle without a copy);
//! - `glorot-f32`: the same values generated in f32, then `to_dtype(BF16)` per tensor;
//! - `candle`: what a candle user does today: `Tensor::randn(0, 0.02, shape, &Device::Cpu)`
//!   then `to_dtype(BF16)` for the matrices, `Tensor::ones` for the norm gains.
//!
//! All three go through the same `Llama::load`, with the same initializers (normal(0, 0.02),
//! norm gains one).
//!
//! `cargo run --release --features candle-models --example candle_bench [-- --layers N]`
//! (default 32 layers = LLaMA-7B, 6.74 G parameters, 13.5 GB in bf16; pass fewer layers on a
//! machine without that much free memory).

use std::process::Command;
use std::time::Instant;

use candle_core::{DType, Device, Result, Shape, Tensor};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::VarBuilder;
use candle_transformers::models::llama::{Config, Llama};
use glorot::frameworks::candle::{policy_fn, GlorotBackend};
use glorot::{Init, Key};

fn is_norm(name: &str, s: &Shape) -> bool {
    s.rank() == 1 && name.ends_with("norm.weight")
}

fn policy(name: &str, shape: &[usize]) -> Init {
    if shape.len() == 1 && name.ends_with("norm.weight") {
        Init::Ones
    } else {
        Init::Normal {
            mean: 0.0,
            std: 0.02,
        }
    }
}

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
        if is_norm(name, &s) {
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

/// glorot in f32, then one `to_dtype` per tensor.
struct GlorotF32(GlorotBackend);

impl SimpleBackend for GlorotF32 {
    fn get(
        &self,
        s: Shape,
        name: &str,
        h: candle_nn::Init,
        dtype: DType,
        dev: &Device,
    ) -> Result<Tensor> {
        self.0.get(s, name, h, DType::F32, dev)?.to_dtype(dtype)
    }
    fn get_unchecked(&self, name: &str, d: DType, dev: &Device) -> Result<Tensor> {
        self.0.get_unchecked(name, d, dev)
    }
    fn contains_tensor(&self, name: &str) -> bool {
        self.0.contains_tensor(name)
    }
}

fn config(layers: usize) -> Config {
    let mut c = Config::config_7b_v2(false);
    c.num_hidden_layers = layers;
    c
}

fn peak_rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 * 1e-6;
    t(ru.ru_utime) + t(ru.ru_stime)
}

fn child(way: &str, layers: usize) -> Result<()> {
    let cfg = config(layers);
    let dev = Device::Cpu;
    let backend: Box<dyn SimpleBackend> = match way {
        "glorot" => Box::new(GlorotBackend::new(Key::new(0), policy_fn(policy))),
        "glorot-f32" => Box::new(GlorotF32(GlorotBackend::new(
            Key::new(0),
            policy_fn(policy),
        ))),
        "candle" => Box::new(CandleRandn),
        other => candle_core::bail!("unknown way {other}"),
    };
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let model = Llama::load(VarBuilder::from_backend(backend, DType::BF16, dev), &cfg)?;
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    std::hint::black_box(&model);
    println!("RESULT {way} {wall:.3} {cpu:.3} {}", peak_rss_kib());
    Ok(())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let layers = args
        .iter()
        .position(|a| a == "--layers")
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("--layers N"))
        .unwrap_or(32);
    if let Some(i) = args.iter().position(|a| a == "--child") {
        return child(&args[i + 1], layers);
    }
    let cfg = config(layers);
    let params = cfg.vocab_size * cfg.hidden_size * 2
        + cfg.hidden_size
        + layers
            * (4 * cfg.hidden_size * cfg.hidden_size
                + 3 * cfg.hidden_size * cfg.intermediate_size
                + 2 * cfg.hidden_size);
    println!(
        "Llama-7B shape, {layers} layers: {:.2} G parameters, {:.2} GB in bf16; {} threads",
        params as f64 / 1e9,
        params as f64 * 2.0 / 1e9,
        rayon::current_num_threads()
    );
    let mut rows = Vec::new();
    for way in ["glorot", "glorot-f32", "candle"] {
        let out = Command::new(&args[0])
            .args(["--child", way, "--layers", &layers.to_string()])
            .output()
            .expect("run child");
        let text = String::from_utf8_lossy(&out.stdout);
        let line = text
            .lines()
            .find(|l| l.starts_with("RESULT"))
            .unwrap_or_else(|| panic!("{way} failed: {}", String::from_utf8_lossy(&out.stderr)));
        let f: Vec<&str> = line.split_whitespace().collect();
        let (wall, cpu, rss): (f64, f64, u64) = (
            f[2].parse().unwrap(),
            f[3].parse().unwrap(),
            f[4].parse().unwrap(),
        );
        println!(
            "{way:>11}: {wall:8.2} s wall, {cpu:8.2} s CPU, peak RSS {:6.2} GB",
            rss as f64 * 1024.0 / 1e9
        );
        rows.push((wall, cpu, rss));
    }
    let (g, gf, c) = (rows[0], rows[1], rows[2]);
    println!(
        "candle / glorot: {:.1}x wall, {:.1}x CPU time, peak memory {:.3}x; glorot-f32 / glorot: {:.2}x wall, peak memory {:.3}x",
        c.0 / g.0,
        c.1 / g.1,
        g.2 as f64 / c.2 as f64,
        gf.0 / g.0,
        gf.2 as f64 / g.2 as f64
    );
    Ok(())
}
