//! A burn MLP whose parameters glorot initializes through `GlorotStore` (PyTorch's
//! `nn.Linear` defaults, drawn from glorot's streams), then a forward pass.
//! `cargo run --release --features burn --example burn_mlp`

use std::time::Instant;

use burn::module::Module;
use burn::nn::{Linear, LinearConfig, Relu};
use burn::store::ModuleSnapshot;
use burn::tensor::{Device, Distribution, Tensor};
use glorot::frameworks::burn::{GlorotStore, TorchDefaults};
use glorot::Key;

#[derive(Module, Debug)]
struct Mlp {
    fc1: Linear,
    fc2: Linear,
    fc3: Linear,
    act: Relu,
}

impl Mlp {
    fn new(device: &Device) -> Self {
        Mlp {
            fc1: LinearConfig::new(784, 1024).init(device),
            fc2: LinearConfig::new(1024, 1024).init(device),
            fc3: LinearConfig::new(1024, 10).init(device),
            act: Relu::new(),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let x = self.act.forward(self.fc1.forward(x));
        let x = self.act.forward(self.fc2.forward(x));
        self.fc3.forward(x)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let device = Device::default();
    let t0 = Instant::now();
    let mut mlp = Mlp::new(&device);
    let made = t0.elapsed();
    let t1 = Instant::now();
    let result = mlp.load_from(&mut GlorotStore::new(Key::new(0), TorchDefaults))?;
    let init = t1.elapsed();
    println!(
        "MLP 784-1024-1024-10, {} parameters in {} tensors",
        mlp.num_params(),
        result.applied.len()
    );
    println!(
        "burn's own init {:.1} ms, then glorot's (by PyTorch name) {:.1} ms",
        made.as_secs_f64() * 1e3,
        init.as_secs_f64() * 1e3
    );
    let x = Tensor::<2>::random([64, 784], Distribution::Uniform(0.0, 1.0), &device);
    let t2 = Instant::now();
    let y = mlp.forward(x);
    let out = y.into_data().try_to_vec::<f32>()?;
    println!(
        "forward pass, batch 64: {:.1} ms, output [64, 10], first row {:?}",
        t2.elapsed().as_secs_f64() * 1e3,
        &out[..3]
    );
    Ok(())
}
