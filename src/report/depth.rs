//! He et al. (2015), §2.2: how E\[y²\] of the pre-activations evolves through a deep ReLU stack.
//!
//! For ReLU, `Var[y_L] = Var[y_1] · ∏ ½·n_l·Var[w_l]`: He's `Var w = 2/n` keeps it constant,
//! while `Var w = 1/n` halves it at every layer (2⁻²⁹ after 30 layers).

use super::engine::{forward, inputs};
use super::{Activation, Input, Layer, ReportError, Scheme, Stack};
use crate::{FanMode, Init, Key, Nonlinearity, VarianceDistribution};

/// The depth experiment's setup.
#[derive(Clone, Debug, PartialEq)]
pub struct DepthOptions {
    /// ReLU layers (He et al.: 30).
    pub layers: usize,
    /// Width of every layer and of the input.
    pub width: usize,
    /// Examples.
    pub batch: usize,
    /// Seed of the weights and inputs.
    pub seed: u64,
    /// Input distribution.
    pub input: Input,
}

impl Default for DepthOptions {
    fn default() -> Self {
        DepthOptions {
            layers: 30,
            width: 1000,
            batch: 100,
            seed: 0,
            input: Input::Gaussian,
        }
    }
}

/// One initializer's E\[y²\] per layer.
#[derive(Clone, Debug, PartialEq)]
pub struct DepthRun {
    /// Legend label.
    pub label: String,
    /// The initializer of every layer.
    pub init: Init,
    /// `E[y_l²]` (mean over units and examples of the squared pre-activation), `l = 1..L`.
    pub e_y2: Vec<f64>,
}

impl DepthRun {
    /// `E[y_L²] / E[y_1²]`.
    pub fn ratio(&self) -> f64 {
        self.e_y2[self.e_y2.len() - 1] / self.e_y2[0]
    }
}

/// The experiment's result.
#[derive(Clone, Debug, PartialEq)]
pub struct DepthReport {
    /// The setup.
    pub options: DepthOptions,
    /// He, then variance 1/n.
    pub runs: Vec<DepthRun>,
}

/// He init, `kaiming_normal_(fan_in, relu)`: `N(0, 2/n)`.
pub const HE: Init = Init::KaimingNormal {
    a: 0.0,
    mode: FanMode::FanIn,
    nonlinearity: Nonlinearity::Relu,
};

/// `N(0, 1/n)`: JAX's `variance_scaling(1, fan_in, "normal")`.
pub const VAR_1_N: Init = Init::VarianceScaling {
    scale: 1.0,
    mode: FanMode::FanIn,
    distribution: VarianceDistribution::Normal,
};

/// Runs the stack `width → layers × width ReLU` (no biases, tensors `layer{l}.weight`) under
/// [`HE`] and [`VAR_1_N`] on the same inputs and draws.
pub fn run(opts: &DepthOptions) -> Result<DepthReport, ReportError> {
    if opts.layers == 0 || opts.width < 2 || opts.batch == 0 {
        return Err(ReportError::Invalid(
            "depth mode needs at least 1 layer, width ≥ 2 and a non-empty batch".into(),
        ));
    }
    let stack = Stack {
        input: opts.width,
        layers: (1..=opts.layers)
            .map(|l| Layer {
                name: format!("layer{l}"),
                out: opts.width,
                act: Activation::Relu,
                init: HE,
                bias: None,
                conv: None,
                pool: None,
            })
            .collect(),
    };
    let key = Key::new(opts.seed);
    let x = inputs(opts.batch, opts.width, opts.input, &key)?;
    let mut runs = Vec::new();
    for (label, init) in [("He: Var w = 2/n", HE), ("Var w = 1/n", VAR_1_N)] {
        let scheme = Scheme::Custom {
            label: label.into(),
            init,
        };
        let pass = forward(&stack, &scheme, &key, &x, opts.batch)?;
        let e_y2 = pass
            .s
            .iter()
            .map(|s| s.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / s.len() as f64)
            .collect();
        runs.push(DepthRun {
            label: label.into(),
            init,
            e_y2,
        });
    }
    Ok(DepthReport {
        options: opts.clone(),
        runs,
    })
}

impl DepthReport {
    /// E\[y²\] per layer, one column per initializer.
    pub fn table(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "He et al. (2015) §2.2: {} ReLU layers of width {}, batch {}, seed {}",
            self.options.layers, self.options.width, self.options.batch, self.options.seed
        );
        let _ = write!(s, "{:<6}", "layer");
        for r in &self.runs {
            let _ = write!(s, " {:>18}", r.label);
        }
        let _ = writeln!(s);
        for l in 0..self.options.layers {
            let _ = write!(s, "{:<6}", l + 1);
            for r in &self.runs {
                let _ = write!(s, " {:>18.4e}", r.e_y2[l]);
            }
            let _ = writeln!(s);
        }
        let _ = write!(s, "{:<6}", "L/1");
        for r in &self.runs {
            let _ = write!(s, " {:>18.4e}", r.ratio());
        }
        let _ = writeln!(s);
        s
    }
}
