//! Initializes a default set of layer-shaped tensors and prints, per tensor, what was drawn and
//! what came out: name, shape, initializer, fans, bound, measured mean and std; then the overall
//! throughput.
//!
//! `cargo run --release --example demo [-- SEED]`

use glorot::{DistributionKind, Fans, Init, Key, Layout, Nonlinearity};
use std::time::Instant;

fn main() {
    let seed = match std::env::args().nth(1).map(|s| s.parse::<u64>()) {
        None => 2010,
        Some(Ok(s)) => s,
        Some(Err(_)) => {
            eprintln!("error: SEED must be an unsigned integer");
            std::process::exit(2);
        }
    };
    let tanh = glorot::calculate_gain(Nonlinearity::Tanh, None).expect("tanh has a gain");
    // Glorot & Bengio's MLP (784 → 5 × 1000 tanh → 10), a ResNet stem and a transformer MLP.
    let mut tensors: Vec<(String, Vec<usize>, Init)> = Vec::new();
    let widths = [784, 1000, 1000, 1000, 1000, 1000, 10];
    for (l, w) in widths.windows(2).enumerate() {
        tensors.push((
            format!("mlp.{l}.weight"),
            vec![w[1], w[0]],
            Init::xavier_uniform(tanh),
        ));
        tensors.push((format!("mlp.{l}.bias"), vec![w[1]], Init::Zeros));
    }
    tensors.push((
        "conv1.weight".into(),
        vec![64, 3, 7, 7],
        Init::kaiming_uniform_with(0.0, glorot::FanMode::FanOut, Nonlinearity::Relu),
    ));
    tensors.push(("bn1.weight".into(), vec![64], Init::Ones));
    tensors.push(("mlp.c_fc.weight".into(), vec![3072, 768], Init::HeUniform));
    tensors.push((
        "mlp.c_proj.weight".into(),
        vec![768, 3072],
        Init::LecunUniform,
    ));
    tensors.push((
        "lm_head.weight".into(),
        vec![50257, 768],
        Init::torch_default_weight(),
    ));

    let key = Key::new(seed);
    println!(
        "seed {seed}, f32, {} threads\n",
        rayon::current_num_threads()
    );
    println!(
        "{:<20} {:>14} {:>16} {:>7} {:>7} {:>10} {:>11} {:>10}",
        "name", "shape", "init", "fan_in", "fan_out", "bound", "mean", "std"
    );
    let (mut bytes, mut seconds) = (0usize, 0f64);
    for (name, shape, init) in &tensors {
        let start = Instant::now();
        let values: Vec<f32> = match init.alloc(shape, Layout::Torch, &key.tensor(name)) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: {name}: {e}");
                std::process::exit(1);
            }
        };
        seconds += start.elapsed().as_secs_f64();
        bytes += values.len() * 4;
        let n = values.len() as f64;
        let mean = values.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
        let std = (values
            .iter()
            .map(|&x| (f64::from(x) - mean).powi(2))
            .sum::<f64>()
            / n)
            .sqrt();
        let fans = Fans::torch(shape).ok();
        let bound = match init
            .distribution_for_shape(shape, Layout::Torch)
            .map(|d| d.kind())
        {
            Ok(DistributionKind::Uniform { high, .. }) => format!("{high:.5}"),
            Ok(DistributionKind::Constant(c)) => format!("={c}"),
            _ => "-".into(),
        };
        println!(
            "{:<20} {:>14} {:>16} {:>7} {:>7} {:>10} {:>11.2e} {:>10.5}",
            name,
            format!("{shape:?}"),
            init.name(),
            fans.map_or("-".into(), |f| f.fan_in.to_string()),
            fans.map_or("-".into(), |f| f.fan_out.to_string()),
            bound,
            mean,
            std
        );
    }
    println!(
        "\n{} tensors, {:.1} MB in {:.3} s: {:.2} GB/s (allocation + first touch included)",
        tensors.len(),
        bytes as f64 / 1e6,
        seconds,
        bytes as f64 / seconds / 1e9
    );
}
