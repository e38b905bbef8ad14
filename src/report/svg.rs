//! The paper-style figures as SVG (plotters' SVG backend; no fonts, no bitmaps).
//!
//! [`report`]: one row per scheme with three panels of per-layer histograms, overlaid one curve
//! per hidden layer — activations (Glorot & Bengio's Figure 6), back-propagated gradients
//! (Figure 7), weight gradients (Figure 8) — and a last row with the per-layer activation std,
//! back-propagated gradient std and mean Jacobian singular value (§4.2.2) of every scheme.
//! [`depth`]: He et al.'s E\[y²\] per layer on a log scale, with the theory lines.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{DepthReport, Histogram, Report, ReportError};

/// Per-layer colours (matplotlib's tab10, then repeating).
const LAYER: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Per-scheme colours in the summary panels.
const SCHEME: [RGBColor; 5] = [
    RGBColor(200, 30, 30),
    RGBColor(30, 90, 200),
    RGBColor(20, 20, 20),
    RGBColor(20, 150, 60),
    RGBColor(150, 60, 170),
];

const FONT: &str = "sans-serif";

/// A curve of the depth figure: label, points, colour, dashed.
type Series = (String, Vec<(f64, f64)>, RGBColor, bool);

fn err<E: std::fmt::Display>(e: E) -> ReportError {
    ReportError::Plot(e.to_string())
}

/// Panel width and height of the histogram grid.
const PANEL: (u32, u32) = (520, 250);

/// The Glorot & Bengio figure for `report`.
pub fn report(report: &Report) -> Result<String, ReportError> {
    let n_layers = report.stack.layers.len();
    let hidden = n_layers.saturating_sub(1).max(1);
    let rows = report.runs.len() as u32 + 1;
    let width = 3 * PANEL.0;
    let height = 70 + rows * PANEL.1;
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (head, body) = root.split_vertically(70);
        let act = report.hidden_activations();
        head.draw(&Text::new(
            format!(
                "Glorot & Bengio (2010) at initialization: {} → {} → {}, {} activations",
                report.stack.input,
                report.stack.layers[..hidden]
                    .iter()
                    .map(|l| l.out.to_string())
                    .collect::<Vec<_>>()
                    .join("-"),
                report.stack.layers[n_layers - 1].out,
                act
            ),
            (16, 12),
            (FONT, 24).into_font().color(&BLACK),
        ))
        .map_err(err)?;
        head.draw(&Text::new(
            format!(
                "batch {} ({} inputs, random labels), seed {}; one curve per hidden layer \
                 (layer 1 = nearest the input); rows: initialization schemes",
                report.options.batch,
                match report.options.input {
                    super::Input::Gaussian => "Gaussian",
                    super::Input::Uniform01 => "U[0,1)",
                },
                report.options.seed
            ),
            (16, 44),
            (FONT, 15).into_font().color(&RGBColor(70, 70, 70)),
        ))
        .map_err(err)?;
        let cells = body.split_evenly((rows as usize, 3));
        for (r, run) in report.runs.iter().enumerate() {
            let hs: [(&str, Vec<&Histogram>); 3] = [
                (
                    "activations z = f(s)",
                    run.layers[..hidden]
                        .iter()
                        .map(|l| &l.activation_hist)
                        .collect(),
                ),
                (
                    "back-propagated gradients ∂C/∂s",
                    run.layers[..hidden]
                        .iter()
                        .map(|l| &l.backprop_hist)
                        .collect(),
                ),
                (
                    "weight gradients ∂C/∂W",
                    run.layers[..hidden]
                        .iter()
                        .map(|l| &l.weight_grad_hist)
                        .collect(),
                ),
            ];
            for (c, (what, hists)) in hs.iter().enumerate() {
                let title = format!("{} — {}", run.label, what);
                histogram_panel(&cells[r * 3 + c], &title, hists, c == 0)?;
            }
        }
        let base = (rows as usize - 1) * 3;
        let labels: Vec<&str> = report.runs.iter().map(|r| r.label.as_str()).collect();
        let act_std: Vec<Vec<f64>> = report
            .runs
            .iter()
            .map(|r| {
                r.layers[..hidden]
                    .iter()
                    .map(|l| l.activation.std)
                    .collect()
            })
            .collect();
        let bp_std: Vec<Vec<f64>> = report
            .runs
            .iter()
            .map(|r| r.layers[..hidden].iter().map(|l| l.backprop.std).collect())
            .collect();
        line_panel(
            &cells[base],
            "activation std per layer",
            &labels,
            &act_std,
            false,
        )?;
        line_panel(
            &cells[base + 1],
            "∂C/∂s std per layer (log scale)",
            &labels,
            &bp_std,
            true,
        )?;
        let sv: Vec<Vec<f64>> = report
            .runs
            .iter()
            .map(|r| {
                r.layers[..hidden]
                    .iter()
                    .map(|l| l.jacobian_mean_sv.unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        if sv.iter().flatten().any(|v| v.is_finite()) {
            line_panel(
                &cells[base + 2],
                "mean singular value of J = diag(f′(s))·W",
                &labels,
                &sv,
                false,
            )?;
        }
        root.present().map_err(err)?;
    }
    Ok(buf)
}

fn histogram_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    hists: &[&Histogram],
    legend: bool,
) -> Result<(), ReportError> {
    let Some(first) = hists.first() else {
        return Ok(());
    };
    let (lo, hi) = (first.lo, first.hi);
    let curves: Vec<Vec<(f64, f64)>> = hists.iter().map(|h| h.density()).collect();
    let ymax = curves
        .iter()
        .flatten()
        .map(|p| p.1)
        .fold(0.0, f64::max)
        .max(1e-12)
        * 1.08;
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 15))
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(52)
        .build_cartesian_2d(lo..hi, 0.0..ymax)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_labels(7)
        .y_labels(5)
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| short(*v))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .label_style((FONT, 12))
        .y_desc("density")
        .draw()
        .map_err(err)?;
    for (i, c) in curves.into_iter().enumerate() {
        let colour = LAYER[i % LAYER.len()];
        let s = chart
            .draw_series(LineSeries::new(c, colour.stroke_width(2)))
            .map_err(err)?;
        if legend {
            s.label(format!("layer {}", i + 1)).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
            });
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font((FONT, 12))
            .draw()
            .map_err(err)?;
    }
    Ok(())
}

/// One line per scheme over layers 1..n (non-finite values skipped).
fn line_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    title: &str,
    labels: &[&str],
    series: &[Vec<f64>],
    log: bool,
) -> Result<(), ReportError> {
    let n = series.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let vals: Vec<f64> = series
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite() && (!log || *v > 0.0))
        .collect();
    let (mut lo, mut hi) = vals
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.1, 1.0);
    }
    let x = 0.6..(n as f64 + 0.4);
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(title, (FONT, 15))
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(52);
    let points = |s: &Vec<f64>| -> Vec<(f64, f64)> {
        s.iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite() && (!log || **v > 0.0))
            .map(|(i, &v)| ((i + 1) as f64, v))
            .collect()
    };
    macro_rules! draw {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_labels(n.min(12))
                .y_labels(6)
                .x_label_formatter(&|v| format!("{}", v.round() as i64))
                .y_label_formatter(&|v| short(*v))
                .light_line_style(RGBColor(238, 238, 238))
                .bold_line_style(RGBColor(215, 215, 215))
                .label_style((FONT, 12))
                .x_desc("layer")
                .draw()
                .map_err(err)?;
            for (k, s) in series.iter().enumerate() {
                let colour = SCHEME[k % SCHEME.len()];
                let p = points(s);
                chart
                    .draw_series(LineSeries::new(p.clone(), colour.stroke_width(2)))
                    .map_err(err)?
                    .label(labels[k].to_string())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                    });
                chart
                    .draw_series(p.into_iter().map(|q| Circle::new(q, 3, colour.filled())))
                    .map_err(err)?;
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .label_font((FONT, 12))
                .draw()
                .map_err(err)?;
        }};
    }
    // Room above the data for the legend (upper left).
    if log {
        let y = (lo / 1.6)..(hi * (hi / lo).powf(0.7).max(3.0));
        draw!(builder.build_cartesian_2d(x, y.log_scale()).map_err(err)?);
    } else {
        let span = (hi - lo).max(0.05 * hi.abs()).max(1e-9);
        let y0 = if lo >= 0.0 { 0.0 } else { lo - 0.1 * span };
        let y = y0..(hi + 0.6 * (hi - y0));
        draw!(builder.build_cartesian_2d(x, y).map_err(err)?);
    }
    Ok(())
}

/// He et al.'s depth figure for `depth`: E\[y²\] per layer, log scale, with the theory lines
/// `E[y_1²]` (He) and `E[y_1²]·2^{−(l−1)}` (variance 1/n).
pub fn depth(depth: &DepthReport) -> Result<String, ReportError> {
    let (width, height) = (1000u32, 600u32);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let o = &depth.options;
        let title = format!(
            "He et al. (2015) §2.2: E[y²] through {} ReLU layers of width {} (batch {}, seed {})",
            o.layers, o.width, o.batch, o.seed
        );
        let l = o.layers;
        let mut series: Vec<Series> = Vec::new();
        for (k, r) in depth.runs.iter().enumerate() {
            let colour = SCHEME[k % SCHEME.len()];
            let pts: Vec<(f64, f64)> = r
                .e_y2
                .iter()
                .enumerate()
                .map(|(i, &v)| ((i + 1) as f64, v))
                .collect();
            series.push((r.label.clone(), pts, colour, false));
            let e1 = r.e_y2[0];
            let halving = r.label.contains("1/n");
            let theory: Vec<(f64, f64)> = (1..=l)
                .map(|i| {
                    let v = if halving {
                        e1 * 0.5f64.powi(i as i32 - 1)
                    } else {
                        e1
                    };
                    (i as f64, v)
                })
                .collect();
            let what = if halving {
                "theory: E[y₁²]·2^−(l−1)"
            } else {
                "theory: constant"
            };
            series.push((what.to_string(), theory, colour, true));
        }
        let vals = series.iter().flat_map(|s| s.1.iter().map(|p| p.1));
        let (lo, hi) = vals
            .filter(|v| *v > 0.0)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(18)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0.5..(l as f64 + 0.5), ((lo / 3.0)..(hi * 3.0)).log_scale())
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(l.min(15))
            .y_labels(10)
            .x_label_formatter(&|v| format!("{}", v.round() as i64))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(215, 215, 215))
            .label_style((FONT, 14))
            .x_desc("layer l")
            .y_desc("E[y_l²]")
            .draw()
            .map_err(err)?;
        for (label, pts, colour, dashed) in series {
            if dashed {
                chart
                    .draw_series(DashedLineSeries::new(pts, 6, 5, colour.stroke_width(1)))
                    .map_err(err)?
                    .label(label)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(1))
                    });
            } else {
                chart
                    .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))
                    .map_err(err)?
                    .label(label)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
                    });
                chart
                    .draw_series(pts.into_iter().map(|q| Circle::new(q, 3, colour.filled())))
                    .map_err(err)?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font((FONT, 14))
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(buf)
}

/// Compact tick labels: 0, 0.25, 1.5e-3.
fn short(v: f64) -> String {
    let a = v.abs();
    // A tick at "0" computed as lo + k·step can come out as ±1e-17.
    if a < 1e-12 {
        "0".into()
    } else if !(1e-2..1e4).contains(&a) {
        format!("{v:.1e}")
    } else {
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    }
}
