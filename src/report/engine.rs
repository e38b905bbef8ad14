//! Forward and backward passes at initialization, and the per-layer statistics.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rayon::prelude::*;

use super::conv::{col2im, im2col, pool_backward, pool_forward};
use super::stats::{abs_quantile, quantile, summarize, Histogram};
use super::{
    Activation, Conv, Input, LayerStats, Options, Report, ReportError, Run, Scheme, Stack,
};
use crate::{Init, Key, Layout};

/// One layer's weights and its values for the batch (row-major, batch × width).
pub(crate) struct Pass {
    /// `(out, in)` row-major weight, bias, and initializer, per layer.
    pub weights: Vec<(Vec<f32>, Vec<f32>, Init)>,
    /// Pre-activations `s^i`, per layer.
    pub s: Vec<Vec<f32>>,
    /// Activations `z^i = f(s^i)`, per layer.
    pub z: Vec<Vec<f32>>,
    /// A pooled layer's pooled activations (what the next layer reads) and, for max pooling,
    /// the index in `z` each came from.
    pub pooled: Vec<Option<(Vec<f32>, Vec<u32>)>>,
}

impl Pass {
    /// What layer `i` gives the next one (batch × [`Stack::width`]).
    fn out(&self, i: usize) -> &[f32] {
        match &self.pooled[i] {
            Some((p, _)) => p,
            None => &self.z[i],
        }
    }
}

/// `C (m×n) = A (m×k) · Bᵀ` with `B` stored `(n×k)` row-major; all row-major.
fn mul_abt(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    let a = MatRef::from_row_major_slice(a, m, k);
    let b = MatRef::from_row_major_slice(b, n, k);
    let c = MatMut::from_row_major_slice_mut(c, m, n);
    matmul(c, Accum::Replace, a, b.transpose(), 1.0f32, Par::rayon(0));
}

/// `C (m×n) = α · A (m×k) · B (k×n)`, all row-major.
fn mul_ab(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize, alpha: f32) {
    let a = MatRef::from_row_major_slice(a, m, k);
    let b = MatRef::from_row_major_slice(b, k, n);
    let c = MatMut::from_row_major_slice_mut(c, m, n);
    matmul(c, Accum::Replace, a, b, alpha, Par::rayon(0));
}

/// `C (m×n) = α · Aᵀ · B` with `A` stored `(k×m)`, `B` `(k×n)`, all row-major.
fn mul_atb(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize, alpha: f32) {
    let a = MatRef::from_row_major_slice(a, k, m);
    let b = MatRef::from_row_major_slice(b, k, n);
    let c = MatMut::from_row_major_slice_mut(c, m, n);
    matmul(c, Accum::Replace, a.transpose(), b, alpha, Par::rayon(0));
}

/// The batch of inputs (row-major, batch × features), from glorot's own generator under the
/// tensor name `report.input`.
pub(crate) fn inputs(
    n: usize,
    features: usize,
    input: Input,
    key: &Key,
) -> Result<Vec<f32>, ReportError> {
    let init = match input {
        Input::Gaussian => Init::Normal {
            mean: 0.0,
            std: 1.0,
        },
        Input::Uniform01 => Init::Uniform {
            low: 0.0,
            high: 1.0,
        },
    };
    Ok(init.alloc::<f32>(&[n, features], Layout::Torch, &key.tensor("report.input"))?)
}

/// Random labels in `0..classes` (tensor name `report.labels`).
fn labels(n: usize, classes: usize, key: &Key) -> Result<Vec<usize>, ReportError> {
    let u: Vec<f64> = Init::Uniform {
        low: 0.0,
        high: classes as f64,
    }
    .alloc(&[n], Layout::Torch, &key.tensor("report.labels"))?;
    Ok(u.iter().map(|&x| (x as usize).min(classes - 1)).collect())
}

/// Initializes `stack` under `scheme` (weights `{name}.weight`, biases `{name}.bias`, f32, as
/// `glorot init` writes them) and runs the batch `x` forward.
pub(crate) fn forward(
    stack: &Stack,
    scheme: &Scheme,
    key: &Key,
    x: &[f32],
    batch: usize,
) -> Result<Pass, ReportError> {
    let mut pass = Pass {
        weights: Vec::new(),
        s: Vec::new(),
        z: Vec::new(),
        pooled: Vec::new(),
    };
    for (i, layer) in stack.layers.iter().enumerate() {
        let fan_in = stack.fan_in(i);
        let (winit, binit) = scheme.inits(layer, fan_in);
        // A convolution's weight is drawn with its own shape: its fan-out is out·kH·kW.
        let shape = match &layer.conv {
            Some(c) => vec![layer.out, c.channels, c.kernel[0], c.kernel[1]],
            None => vec![layer.out, fan_in],
        };
        let w: Vec<f32> = winit.alloc(
            &shape,
            Layout::Torch,
            &key.tensor(&format!("{}.weight", layer.name)),
        )?;
        let b: Vec<f32> = match binit {
            Some(bi) => bi.alloc(
                &[layer.out],
                Layout::Torch,
                &key.tensor(&format!("{}.bias", layer.name)),
            )?,
            None => vec![0.0; layer.out],
        };
        let input: &[f32] = if i == 0 { x } else { pass.out(i - 1) };
        let s = match &layer.conv {
            None => {
                let mut s = vec![0f32; batch * layer.out];
                mul_abt(&mut s, input, &w, batch, fan_in, layer.out);
                s.par_chunks_mut(layer.out).for_each(|row| {
                    for (v, bias) in row.iter_mut().zip(&b) {
                        *v += bias;
                    }
                });
                s
            }
            Some(c) => conv_forward(c, stack.out_size(i), layer.out, &w, &b, input, batch),
        };
        let act = layer.act;
        let z: Vec<f32> = s.par_iter().map(|&v| act.apply(v)).collect();
        if z.iter().any(|v| !v.is_finite()) {
            return Err(ReportError::Invalid(format!(
                "layer {} overflowed (non-finite activations) under {}",
                layer.name,
                scheme.label()
            )));
        }
        let pooled = match (&layer.conv, &layer.pool) {
            (Some(_), Some(pool)) => {
                let size = stack.out_size(i);
                let osize = pool.out_size(size).unwrap_or([0, 0]);
                let (zin, pout) = (layer.out * size[0] * size[1], stack.width(i));
                let mut p = vec![0f32; batch * pout];
                // Average pooling leaves the indices unused.
                let mut arg = vec![0u32; batch * pout];
                p.par_chunks_mut(pout)
                    .zip(z.par_chunks(zin))
                    .zip(arg.par_chunks_mut(pout))
                    .for_each(|((p, z), a)| {
                        pool_forward(pool, layer.out, size, osize, z, p, a);
                    });
                Some((p, arg))
            }
            _ => None,
        };
        pass.weights.push((w, b, winit));
        pass.s.push(s);
        pass.z.push(z);
        pass.pooled.push(pooled);
    }
    Ok(pass)
}

/// One convolution over the batch: per example `s (out × oH·oW) = W · im2col(x) + b`.
fn conv_forward(
    c: &Conv,
    osize: [usize; 2],
    out: usize,
    w: &[f32],
    b: &[f32],
    x: &[f32],
    batch: usize,
) -> Vec<f32> {
    let (k, p) = (c.fan_in(), osize[0] * osize[1]);
    let inw = c.channels * c.size[0] * c.size[1];
    let mut s = vec![0f32; batch * out * p];
    s.par_chunks_mut(out * p)
        .zip(x.par_chunks(inw))
        .for_each_init(
            || vec![0f32; k * p],
            |col, (s, x)| {
                im2col(c, osize, x, col);
                let wm = MatRef::from_row_major_slice(w, out, k);
                let cm = MatRef::from_row_major_slice(col, k, p);
                let sm = MatMut::from_row_major_slice_mut(s, out, p);
                // Sequential inside: the examples already run in parallel.
                matmul(sm, Accum::Replace, wm, cm, 1.0f32, Par::Seq);
                for (row, &bias) in s.chunks_mut(p).zip(b) {
                    row.iter_mut().for_each(|v| *v += bias);
                }
            },
        );
    s
}

/// Runs every scheme on the same inputs and labels and collects the report.
///
/// Errors: a bad stack or option, an initializer that rejects its fans or parameters, a
/// non-finite activation, or an SVD that does not converge.
pub fn run(stack: &Stack, schemes: &[Scheme], opts: &Options) -> Result<Report, ReportError> {
    stack.check()?;
    if opts.batch == 0 {
        return Err(ReportError::Invalid(
            "the batch must hold at least one example".into(),
        ));
    }
    if schemes.is_empty() {
        return Err(ReportError::Invalid("no scheme to run".into()));
    }
    if opts.bins == 0 {
        return Err(ReportError::Invalid(
            "histograms need at least one bin".into(),
        ));
    }
    let key = Key::new(opts.seed);
    let batch = opts.batch;
    let x = inputs(batch, stack.input, opts.input, &key)?;
    let classes = stack.layers.last().map_or(0, |l| l.out);
    let y = labels(batch, classes, &key)?;

    let mut raw = Vec::new();
    for scheme in schemes {
        let pass = forward(stack, scheme, &key, &x, batch)?;
        let (delta, wgrad, cost) = backward(stack, &pass, &x, &y, batch);
        let jac = jacobian_means(stack, &pass, opts.jacobian_examples.min(batch))?;
        raw.push((scheme, pass, delta, wgrad, cost, jac));
    }

    // Activation histograms share one range across runs and layers (the activation's range
    // when bounded), so rows compare directly; ranges come from the hidden layers (all but the
    // logits).
    let hidden = stack.layers.len().saturating_sub(1).max(1);
    let act_range = {
        let ranges: Vec<Option<(f64, f64)>> = stack.layers[..hidden]
            .iter()
            .map(|l| l.act.range())
            .collect();
        match ranges
            .iter()
            .copied()
            .reduce(|a, b| if a == b { a } else { None })
        {
            Some(Some(r)) => r,
            _ => {
                let mut lo = f64::INFINITY;
                let mut hi = f64::NEG_INFINITY;
                for (_, pass, ..) in &raw {
                    for z in &pass.z[..hidden] {
                        lo = lo.min(quantile(z, 0.002));
                        hi = hi.max(quantile(z, 0.998));
                    }
                }
                if hi <= lo {
                    hi = lo + 1.0;
                }
                (lo, hi)
            }
        }
    };
    // Gradient ranges are per run: their scale differs by orders of magnitude between
    // schemes, and what the figures compare is the layers of one scheme.
    let sym = |sets: &[Vec<f32>]| {
        let q = sets
            .iter()
            .map(|v| abs_quantile(v, 0.995))
            .fold(0.0, f64::max);
        let q = if q > 0.0 { q } else { 1.0 };
        (-q, q)
    };
    let bins = opts.bins;
    let mut runs = Vec::new();
    for (scheme, pass, delta, wgrad, cost, jac) in raw {
        let delta_range = sym(&delta[..hidden]);
        let wgrad_range = sym(&wgrad[..hidden]);
        let mut layers = Vec::new();
        for (i, layer) in stack.layers.iter().enumerate() {
            let (s, z) = (&pass.s[i], &pass.z[i]);
            let saturated = layer.act.saturation().map(|sat| {
                let n = s.iter().zip(z).filter(|&(&s, &z)| sat(s, z)).count();
                n as f64 / s.len() as f64
            });
            layers.push(LayerStats {
                name: layer.name.clone(),
                fan_in: stack.fan_in(i),
                fan_out: layer.out,
                act: layer.act,
                init: pass.weights[i].2,
                activation: summarize(z, saturated),
                activation_hist: Histogram::new(z, act_range.0, act_range.1, bins),
                backprop: summarize(&delta[i], None),
                backprop_hist: Histogram::new(&delta[i], delta_range.0, delta_range.1, bins),
                weight_grad: summarize(&wgrad[i], None),
                weight_grad_hist: Histogram::new(&wgrad[i], wgrad_range.0, wgrad_range.1, bins),
                jacobian_mean_sv: jac[i],
            });
        }
        runs.push(Run {
            label: scheme.label(),
            scheme: scheme.clone(),
            layers,
            cost,
        });
    }
    Ok(Report {
        stack: stack.clone(),
        options: opts.clone(),
        runs,
    })
}

/// Softmax cross-entropy against `y`, back-propagated. Returns per layer the per-example
/// `∂(−log P(y|x))/∂s` (batch × out), the batch-mean weight gradient (out × in), and the
/// batch-mean cost.
fn backward(
    stack: &Stack,
    pass: &Pass,
    x: &[f32],
    y: &[usize],
    batch: usize,
) -> (Vec<Vec<f32>>, Vec<Vec<f32>>, f64) {
    let n = stack.layers.len();
    let top = &stack.layers[n - 1];
    let classes = top.out;
    // δ^L = (softmax(z^L) − onehot(y)) ⊙ f′_L(s^L); the log-sum-exp is shifted by the row max.
    let mut g = vec![0f32; batch * classes];
    let mut cost = 0f64;
    for e in 0..batch {
        let zr = &pass.z[n - 1][e * classes..(e + 1) * classes];
        let m = zr.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64;
        let sum: f64 = zr.iter().map(|&v| (v as f64 - m).exp()).sum();
        cost += sum.ln() + m - zr[y[e]] as f64;
        for (c, &zc) in zr.iter().enumerate() {
            let p = ((zc as f64 - m).exp() / sum) as f32;
            let t = if c == y[e] { 1.0 } else { 0.0 };
            let k = e * classes + c;
            g[k] = (p - t) * top.act.derivative(pass.s[n - 1][k], pass.z[n - 1][k]);
        }
    }
    let mut deltas = vec![Vec::new(); n];
    let mut wgrads = vec![Vec::new(); n];
    deltas[n - 1] = g;
    for i in (0..n).rev() {
        let fan_in = stack.fan_in(i);
        let out = stack.layers[i].out;
        let input: &[f32] = if i == 0 { x } else { pass.out(i - 1) };
        // ∂cost/∂(layer i's input), batch × input width, when a layer below needs it.
        let g_in = match &stack.layers[i].conv {
            None => {
                let mut gw = vec![0f32; out * fan_in];
                mul_atb(
                    &mut gw,
                    &deltas[i],
                    input,
                    out,
                    batch,
                    fan_in,
                    1.0 / batch as f32,
                );
                wgrads[i] = gw;
                (i > 0).then(|| {
                    let mut g = vec![0f32; batch * fan_in];
                    mul_ab(
                        &mut g,
                        &deltas[i],
                        &pass.weights[i].0,
                        batch,
                        out,
                        fan_in,
                        1.0,
                    );
                    g
                })
            }
            Some(c) => {
                let osize = stack.out_size(i);
                let w = &pass.weights[i].0;
                wgrads[i] = conv_weight_grad(c, osize, out, &deltas[i], input, batch);
                (i > 0).then(|| conv_input_grad(c, osize, out, w, &deltas[i], batch))
            }
        };
        if let Some(g) = g_in {
            let prev = &stack.layers[i - 1];
            let mut dz = match (&prev.pool, &pass.pooled[i - 1]) {
                (Some(pool), Some((_, arg))) => {
                    let size = stack.out_size(i - 1);
                    let osize = pool.out_size(size).unwrap_or([0, 0]);
                    let (zin, pout) = (prev.out * size[0] * size[1], stack.width(i - 1));
                    let mut dz = vec![0f32; batch * zin];
                    dz.par_chunks_mut(zin)
                        .zip(g.par_chunks(pout))
                        .zip(arg.par_chunks(pout))
                        .for_each(|((dz, g), a)| {
                            pool_backward(pool, prev.out, size, osize, g, a, dz);
                        });
                    dz
                }
                _ => g,
            };
            let act = stack.layers[i - 1].act;
            let (s, z) = (&pass.s[i - 1], &pass.z[i - 1]);
            dz.par_iter_mut()
                .zip(s.par_iter().zip(z.par_iter()))
                .for_each(|(d, (&s, &z))| *d *= act.derivative(s, z));
            deltas[i - 1] = dz;
        }
    }
    (deltas, wgrads, cost / batch as f64)
}

/// Examples per partial sum of a convolution's weight gradient: partials are summed in a fixed
/// order, so the result does not depend on how rayon schedules them.
const GRAD_CHUNK: usize = 16;

/// A convolution's batch-mean weight gradient `(1/n)·Σ_e δ_e · im2col(x_e)ᵀ` (out × C·kH·kW).
fn conv_weight_grad(
    c: &Conv,
    osize: [usize; 2],
    out: usize,
    delta: &[f32],
    x: &[f32],
    batch: usize,
) -> Vec<f32> {
    let (k, p) = (c.fan_in(), osize[0] * osize[1]);
    let inw = c.channels * c.size[0] * c.size[1];
    let scale = 1.0 / batch as f32;
    let partials: Vec<Vec<f32>> = delta
        .par_chunks(GRAD_CHUNK * out * p)
        .zip(x.par_chunks(GRAD_CHUNK * inw))
        .map(|(d, x)| {
            let mut acc = vec![0f32; out * k];
            let mut col = vec![0f32; k * p];
            for (d, x) in d.chunks(out * p).zip(x.chunks(inw)) {
                im2col(c, osize, x, &mut col);
                let dm = MatRef::from_row_major_slice(d, out, p);
                let cm = MatRef::from_row_major_slice(&col, k, p);
                let am = MatMut::from_row_major_slice_mut(&mut acc, out, k);
                matmul(am, Accum::Add, dm, cm.transpose(), scale, Par::Seq);
            }
            acc
        })
        .collect();
    let mut gw = vec![0f32; out * k];
    for part in partials {
        gw.iter_mut().zip(part).for_each(|(g, v)| *g += v);
    }
    gw
}

/// ∂cost/∂x of a convolution: per example `col2im(Wᵀ · δ_e)` (batch × C·H·W).
fn conv_input_grad(
    c: &Conv,
    osize: [usize; 2],
    out: usize,
    w: &[f32],
    delta: &[f32],
    batch: usize,
) -> Vec<f32> {
    let (k, p) = (c.fan_in(), osize[0] * osize[1]);
    let inw = c.channels * c.size[0] * c.size[1];
    let mut dx = vec![0f32; batch * inw];
    dx.par_chunks_mut(inw)
        .zip(delta.par_chunks(out * p))
        .for_each_init(
            || vec![0f32; k * p],
            |col, (dx, d)| {
                let wm = MatRef::from_row_major_slice(w, out, k);
                let dm = MatRef::from_row_major_slice(d, out, p);
                let cm = MatMut::from_row_major_slice_mut(col, k, p);
                matmul(cm, Accum::Replace, wm.transpose(), dm, 1.0f32, Par::Seq);
                col2im(c, osize, col, dx);
            },
        );
    dx
}

/// Mean singular value of `J = diag(f′(s^i)) · W_i` per layer, averaged over the first
/// `examples` examples (`None` for every layer when `examples` is 0).
fn jacobian_means(
    stack: &Stack,
    pass: &Pass,
    examples: usize,
) -> Result<Vec<Option<f64>>, ReportError> {
    let n = stack.layers.len();
    if examples == 0 {
        return Ok(vec![None; n]);
    }
    // A convolution's Jacobian is (out·oH·oW) × (C·H·W): too large to decompose here.
    let jobs: Vec<(usize, usize)> = (0..n)
        .filter(|&i| stack.layers[i].conv.is_none())
        .flat_map(|i| (0..examples).map(move |e| (i, e)))
        .collect();
    let means: Vec<Result<f64, ReportError>> = jobs
        .par_iter()
        .map(|&(i, e)| {
            let out = stack.layers[i].out;
            let fan_in = stack.fan_in(i);
            let act: Activation = stack.layers[i].act;
            let w = &pass.weights[i].0;
            let (s, z) = (
                &pass.s[i][e * out..(e + 1) * out],
                &pass.z[i][e * out..(e + 1) * out],
            );
            let d: Vec<f64> = s
                .iter()
                .zip(z)
                .map(|(&s, &z)| act.derivative(s, z) as f64)
                .collect();
            // σ(J)² are the eigenvalues of the Gram matrix of J's shorter side: one symmetric
            // eigen-solve (tridiagonalization, 4/3·m³) instead of an SVD (bidiagonalization,
            // 8/3·m³ plus the bidiagonal solve), ~2× faster; eigenvalues' absolute error is
            // ε·σ_max², so σ = √λ loses accuracy only for σ ≪ √ε·σ_max, which moves the mean
            // by less than 1e-7 relative.
            let j = Mat::<f64>::from_fn(out, fan_in, |r, c| d[r] * w[r * fan_in + c] as f64);
            let m = out.min(fan_in);
            let mut g = Mat::<f64>::zeros(m, m);
            if out <= fan_in {
                matmul(
                    g.as_mut(),
                    Accum::Replace,
                    j.as_ref(),
                    j.transpose(),
                    1.0,
                    Par::Seq,
                );
            } else {
                matmul(
                    g.as_mut(),
                    Accum::Replace,
                    j.transpose(),
                    j.as_ref(),
                    1.0,
                    Par::Seq,
                );
            }
            // Sequential inside: the jobs already run in parallel, one per core.
            use faer::linalg::evd::{
                self_adjoint_evd, self_adjoint_evd_scratch, ComputeEigenvectors,
            };
            let mut ev = faer::diag::Diag::<f64>::zeros(m);
            let mut mem = faer::dyn_stack::MemBuffer::new(self_adjoint_evd_scratch::<f64>(
                m,
                ComputeEigenvectors::No,
                Par::Seq,
                Default::default(),
            ));
            self_adjoint_evd(
                g.as_ref(),
                ev.as_mut(),
                None,
                Par::Seq,
                faer::dyn_stack::MemStack::new(&mut mem),
                Default::default(),
            )
            .map_err(|_| ReportError::Svd)?;
            let sum: f64 = ev.column_vector().iter().map(|&l| l.max(0.0).sqrt()).sum();
            Ok(sum / m as f64)
        })
        .collect();
    let mut res: Vec<Option<f64>> = stack
        .layers
        .iter()
        .map(|l| l.conv.is_none().then_some(0.0))
        .collect();
    for (&(i, _), m) in jobs.iter().zip(means) {
        let m = m?;
        if let Some(acc) = res[i].as_mut() {
            *acc += m / examples as f64;
        }
    }
    Ok(res)
}
