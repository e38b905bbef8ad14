//! `glorot report`: the variance-propagation report (Glorot & Bengio 2010, He et al. 2015) as
//! DIR/report.svg, DIR/report.html and a table on stdout.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use glorot::model::presets;
use glorot::report::{
    self, depth, html, svg, Activation, DepthOptions, Input, Options, Scheme, Stack,
};

/// Arguments of `glorot report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The model: a preset whose layers carry activations (see glorot list; fully connected
    /// layers, optionally after 2-D convolutions with max/avg pooling). Default `glorot-mlp`
    /// (alias `mlp`), Glorot & Bengio's 784 → 5 × 1000 tanh → 10.
    #[arg(long, conflicts_with = "spec")]
    model: Option<String>,
    /// A `glorot init --spec` JSON file of fully connected layers instead: `LAYER.weight`
    /// (out, in) with its `act` (e.g. "act": "relu"; the last layer may omit it: linear
    /// logits) and optional `LAYER.bias` (out) right after it, each layer reading the
    /// previous one's outputs.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// With the glorot-mlp preset only: this activation on its hidden layers instead of tanh
    /// (softsign, sigmoid, relu, leaky_relu, leaky_relu:SLOPE, gelu, selu, linear); its own
    /// init is then xavier_uniform with PyTorch's gain for it (1 for softsign and gelu,
    /// which calculate_gain lacks).
    #[arg(long)]
    act: Option<String>,
    /// He et al. (2015) instead: E[y²] through a deep ReLU stack, He vs variance 1/n.
    #[arg(long, alias = "he", conflicts_with_all = ["model", "spec", "act"])]
    depth: bool,
    /// Layers of the --depth stack.
    #[arg(long, default_value_t = 30)]
    layers: usize,
    /// Width of the --depth stack.
    #[arg(long, default_value_t = 1000)]
    width: usize,
    /// Output directory (created if missing) for report.svg and report.html.
    #[arg(long, default_value = "report")]
    out: PathBuf,
    /// Examples in the random batch (default: 300; 100 with --depth).
    #[arg(long)]
    batch: Option<usize>,
    /// Seed of the weights (as `glorot init --seed`), inputs and labels.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Inputs: gaussian (N(0,1)) or uniform (U[0,1), like pixels).
    #[arg(long, default_value = "gaussian")]
    input: String,
    /// Examples whose layer Jacobians are decomposed (SVD) for the mean singular value; 0 skips.
    #[arg(long, default_value_t = 2)]
    jacobian_examples: usize,
    /// Histogram bins.
    #[arg(long, default_value_t = 80)]
    bins: usize,
}

/// The stack `--model`/`--spec`/`--act` name, and how to call it in the title.
fn stack(args: &ReportArgs) -> Result<(Stack, String), String> {
    if let Some(path) = &args.spec {
        let shown = glorot::io::printable(&path.to_string_lossy()).into_owned();
        if args.act.is_some() {
            return Err(format!(
                "--act applies to the glorot-mlp preset only; {shown} gives each layer's \
                 activation (an `act` key on its weight)"
            ));
        }
        let text = crate::guard::read_spec(path)?;
        crate::guard::check_json(&text).map_err(|e| format!("{shown}: {e}"))?;
        let parsed = crate::spec::parse_with_acts(&text, glorot::DType::F32, glorot::Layout::Torch)
            .map_err(|e| format!("{shown}: {e}"))?;
        let (tensors, acts): (Vec<_>, Vec<_>) = parsed.into_iter().unzip();
        let stack =
            Stack::from_tensor_specs(&tensors, &acts).map_err(|e| format!("{shown}: {e}"))?;
        return Ok((stack, shown));
    }
    let name = args.model.as_deref().unwrap_or("glorot-mlp");
    let shown = glorot::io::printable(name).into_owned();
    let preset =
        presets::preset(if name == "glorot-mlp" { "mlp" } else { name }).ok_or_else(|| {
            let names: Vec<&str> = presets::PRESETS.iter().map(|p| p.name).collect();
            format!(
            "unknown --model `{shown}` (built-in: glorot-mlp, {}; see glorot list; or --spec FILE)",
            names.join(", ")
        )
        })?;
    if let Some(act) = &args.act {
        if preset.name != "mlp" {
            return Err(format!(
                "--act applies to the glorot-mlp preset only; `{shown}` carries its own activations"
            ));
        }
        let act = Activation::parse(act)
            .map_err(|e| format!("--act: {}", glorot::io::printable(&e.to_string())))?;
        return Ok((Stack::glorot_mlp(act), shown));
    }
    // The preset's own names, shapes, initializers and activations (for glorot-mlp exactly
    // Stack::glorot_mlp(Tanh); tests/report.rs checks it).
    let stack = Stack::from_specs(preset.params).map_err(|e| format!("--model {shown}: {e}"))?;
    Ok((stack, shown))
}

/// Runs the subcommand; errors are one line for stderr. Nothing is written unless the whole
/// report was computed.
pub fn run(args: ReportArgs) -> Result<(), String> {
    let input = match args.input.as_str() {
        "gaussian" | "normal" => Input::Gaussian,
        "uniform" => Input::Uniform01,
        other => {
            return Err(format!(
                "unknown --input `{}` (gaussian, uniform)",
                glorot::io::printable(other)
            ))
        }
    };
    let t0 = Instant::now();
    let (title, about, figure, table) = if args.depth {
        let opts = DepthOptions {
            layers: args.layers,
            width: args.width,
            batch: args.batch.unwrap_or(100),
            seed: args.seed,
            input,
        };
        let d = depth::run(&opts).map_err(|e| e.to_string())?;
        let fig = svg::depth(&d).map_err(|e| e.to_string())?;
        (
            format!(
                "He et al. (2015): {} ReLU layers at initialization",
                opts.layers
            ),
            "E[y²] of each layer's pre-activations y = W·x on a log scale. He's Var w = 2/n \
             (kaiming_normal, fan_in, relu) keeps it constant; Var w = 1/n halves it at every \
             ReLU layer, the dashed line 2^−(l−1)."
                .to_string(),
            fig,
            d.table(),
        )
    } else {
        let (stack, model) = stack(&args)?;
        let opts = Options {
            batch: args.batch.unwrap_or(300),
            seed: args.seed,
            input,
            bins: args.bins,
            jacobian_examples: args.jacobian_examples,
        };
        let rep =
            report::run(&stack, &Scheme::defaults_for(&stack), &opts).map_err(|e| e.to_string())?;
        let fig = svg::report(&rep).map_err(|e| e.to_string())?;
        (
            format!(
                "Glorot & Bengio (2010) at initialization: {model}, {} layers",
                rep.hidden_activations()
            ),
            "Each row is one initialization, each curve one hidden layer. Under the standard \
             init U[±1/√n] the activation and back-propagated-gradient histograms narrow from \
             layer to layer (the curves differ); under the normalized (Xavier) init they stay \
             alike, while the weight-gradient histograms stay alike under both. The last row \
             puts the per-layer numbers side by side; the mean singular value of the layer \
             Jacobian is ≈ 0.8 normalized vs ≈ 0.5 standard (§4.2.2)."
                .to_string(),
            fig,
            rep.table(),
        )
    };
    let secs = t0.elapsed().as_secs_f64();
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("could not create {}: {e}", args.out.display()))?;
    let svg_path = args.out.join("report.svg");
    let html_path = args.out.join("report.html");
    std::fs::write(&svg_path, &figure)
        .map_err(|e| format!("could not write {}: {e}", svg_path.display()))?;
    let page = html::page(&title, &about, &figure, &table);
    std::fs::write(&html_path, page)
        .map_err(|e| format!("could not write {}: {e}", html_path.display()))?;
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "{table}");
    let _ = writeln!(
        out,
        "\nwrote {} and {} ({secs:.2} s)",
        svg_path.display(),
        html_path.display()
    );
    Ok(())
}
