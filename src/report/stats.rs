//! Summaries and histograms of a layer's values.

/// Mean, spread and saturation of a set of values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// Standard deviation (population, over every unit and example).
    pub std: f64,
    /// 98th percentile (nearest rank) of the signed values, the paper's Figure 2 marker.
    pub p98: f64,
    /// Fraction saturated ([`super::Activation::saturation`]); `None` for gradients and for
    /// activations without a saturated region.
    pub saturated: Option<f64>,
}

/// Counts in `bins` equal bins over `[lo, hi)`; values outside are counted in `outside`.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// Left edge.
    pub lo: f64,
    /// Right edge.
    pub hi: f64,
    /// One count per bin.
    pub counts: Vec<u64>,
    /// Values below `lo` or at or above `hi` (the last bin includes `hi` itself).
    pub outside: u64,
}

impl Histogram {
    /// Bins `values`.
    pub fn new(values: &[f32], lo: f64, hi: f64, bins: usize) -> Histogram {
        let bins = bins.max(1);
        let mut counts = vec![0u64; bins];
        let mut outside = 0;
        let width = (hi - lo) / bins as f64;
        for &v in values {
            let v = v as f64;
            if !(v >= lo && v <= hi) || width <= 0.0 {
                outside += 1;
                continue;
            }
            let k = (((v - lo) / width) as usize).min(bins - 1);
            counts[k] += 1;
        }
        Histogram {
            lo,
            hi,
            counts,
            outside,
        }
    }

    /// Bin centres and densities (count / (total · bin width)), for plotting; the total
    /// includes values outside the range, so the curve integrates to the fraction inside.
    pub fn density(&self) -> Vec<(f64, f64)> {
        let n = self.counts.len();
        let total = self.counts.iter().sum::<u64>() + self.outside;
        let width = (self.hi - self.lo) / n as f64;
        self.counts
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let x = self.lo + (i as f64 + 0.5) * width;
                let d = if total == 0 || width <= 0.0 {
                    0.0
                } else {
                    c as f64 / (total as f64 * width)
                };
                (x, d)
            })
            .collect()
    }
}

/// Mean and std in f64 (sequential, so the same input gives the same bits).
pub(crate) fn mean_std(values: &[f32]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
    let var = values
        .iter()
        .map(|&v| {
            let d = v as f64 - mean;
            d * d
        })
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

/// The `q`-quantile (nearest rank, `0 ≤ q ≤ 1`) of `values` (copied; the input is untouched).
pub(crate) fn quantile(values: &[f32], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    let (_, x, _) = v.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    *x as f64
}

/// The `q`-quantile of `|values|`.
pub(crate) fn abs_quantile(values: &[f32], q: f64) -> f64 {
    let a: Vec<f32> = values.iter().map(|v| v.abs()).collect();
    quantile(&a, q)
}

/// The summary of `values` (and of `(s, z)` pairs for saturation).
pub(crate) fn summarize(values: &[f32], saturated: Option<f64>) -> Summary {
    let (mean, std) = mean_std(values);
    Summary {
        mean,
        std,
        p98: quantile(values, 0.98),
        saturated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_and_moments() {
        let v: Vec<f32> = (1..=100).map(|i| i as f32).collect();
        assert_eq!(quantile(&v, 0.98), 98.0);
        let (m, s) = mean_std(&v);
        assert_eq!(m, 50.5);
        assert!((s - (9999.0f64 / 12.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn histogram_counts() {
        let h = Histogram::new(&[-1.0, -0.5, 0.0, 0.49, 0.5, 1.0, 3.0], -1.0, 1.0, 4);
        assert_eq!(h.counts, vec![1, 1, 2, 2]);
        assert_eq!(h.outside, 1);
        let area: f64 = h.density().iter().map(|(_, d)| d * 0.5).sum();
        assert!((area - 6.0 / 7.0).abs() < 1e-12);
    }
}
