//! Convolution and pooling for the report: im2col (so the convolution is one faer product per
//! example) and its adjoint col2im, and max/average pooling with their backward passes, in
//! PyTorch's conventions (`nn.Conv2d` zero padding; `nn.MaxPool2d` first maximum, NaN wins;
//! `nn.AvgPool2d` with `count_include_pad = True`). Every array is one example, row-major
//! `(C, H, W)`.

use super::{Conv, Pool};

/// The input position of output `o`, kernel tap `k` on one axis, `None` in the padding.
fn tap(o: usize, k: usize, stride: usize, pad: usize, dil: usize, len: usize) -> Option<usize> {
    (o * stride + k * dil).checked_sub(pad).filter(|&i| i < len)
}

/// `col (C·kH·kW × oH·oW)`, `col[(c, i, j), (y, x)] = x[c, y·s − p + i·d, x·s − p + j·d]`
/// (0 in the padding): the convolution is then `W (out × C·kH·kW) · col`.
pub(crate) fn im2col(c: &Conv, out: [usize; 2], x: &[f32], col: &mut [f32]) {
    let [h, w] = c.size;
    let p = out[0] * out[1];
    let mut row = 0;
    for ch in 0..c.channels {
        let plane = &x[ch * h * w..(ch + 1) * h * w];
        for ki in 0..c.kernel[0] {
            for kj in 0..c.kernel[1] {
                let dst = &mut col[row * p..(row + 1) * p];
                for oy in 0..out[0] {
                    let iy = tap(oy, ki, c.stride[0], c.padding[0], c.dilation[0], h);
                    for ox in 0..out[1] {
                        let ix = tap(ox, kj, c.stride[1], c.padding[1], c.dilation[1], w);
                        dst[oy * out[1] + ox] = match (iy, ix) {
                            (Some(iy), Some(ix)) => plane[iy * w + ix],
                            _ => 0.0,
                        };
                    }
                }
                row += 1;
            }
        }
    }
}

/// The adjoint of [`im2col`]: adds each `col` entry back onto the input position it was read
/// from (`dx` is overwritten).
pub(crate) fn col2im(c: &Conv, out: [usize; 2], col: &[f32], dx: &mut [f32]) {
    let [h, w] = c.size;
    let p = out[0] * out[1];
    dx.fill(0.0);
    let mut row = 0;
    for ch in 0..c.channels {
        let plane = &mut dx[ch * h * w..(ch + 1) * h * w];
        for ki in 0..c.kernel[0] {
            for kj in 0..c.kernel[1] {
                let src = &col[row * p..(row + 1) * p];
                for oy in 0..out[0] {
                    let Some(iy) = tap(oy, ki, c.stride[0], c.padding[0], c.dilation[0], h) else {
                        continue;
                    };
                    for ox in 0..out[1] {
                        if let Some(ix) = tap(ox, kj, c.stride[1], c.padding[1], c.dilation[1], w) {
                            plane[iy * w + ix] += src[oy * out[1] + ox];
                        }
                    }
                }
                row += 1;
            }
        }
    }
}

/// One axis of a pooling window: the valid input positions' range (dilation aside) and, for
/// average pooling, PyTorch's divisor factor (the window clipped to the padded input).
fn window(o: usize, k: usize, s: usize, p: usize, len: usize) -> (isize, isize, usize) {
    let start = (o * s) as isize - p as isize;
    let end = (start + k as isize).min((len + p) as isize);
    (start, end, (end - start) as usize)
}

/// Pools one example `z (C × size)` into `out (C × out_size)`; for max pooling `arg` gets the
/// input index each output came from.
pub(crate) fn pool_forward(
    pool: &Pool,
    channels: usize,
    size: [usize; 2],
    osize: [usize; 2],
    z: &[f32],
    out: &mut [f32],
    arg: &mut [u32],
) {
    let [h, w] = size;
    for ch in 0..channels {
        let plane = &z[ch * h * w..(ch + 1) * h * w];
        for oy in 0..osize[0] {
            for ox in 0..osize[1] {
                let k = (ch * osize[0] + oy) * osize[1] + ox;
                if pool.max {
                    let mut best = f32::NEG_INFINITY;
                    let mut at = None;
                    for ki in 0..pool.kernel[0] {
                        let Some(iy) =
                            tap(oy, ki, pool.stride[0], pool.padding[0], pool.dilation[0], h)
                        else {
                            continue;
                        };
                        for kj in 0..pool.kernel[1] {
                            let Some(ix) =
                                tap(ox, kj, pool.stride[1], pool.padding[1], pool.dilation[1], w)
                            else {
                                continue;
                            };
                            let v = plane[iy * w + ix];
                            if at.is_none() || v > best || v.is_nan() {
                                best = v;
                                at = Some(iy * w + ix);
                            }
                        }
                    }
                    out[k] = best;
                    arg[k] = at.map_or(u32::MAX, |a| (ch * h * w + a) as u32);
                } else {
                    let (y0, y1, fy) =
                        window(oy, pool.kernel[0], pool.stride[0], pool.padding[0], h);
                    let (x0, x1, fx) =
                        window(ox, pool.kernel[1], pool.stride[1], pool.padding[1], w);
                    let mut sum = 0f32;
                    for iy in y0.max(0)..y1.min(h as isize) {
                        for ix in x0.max(0)..x1.min(w as isize) {
                            sum += plane[iy as usize * w + ix as usize];
                        }
                    }
                    out[k] = sum / (fy * fx) as f32;
                }
            }
        }
    }
}

/// The adjoint of [`pool_forward`]: `g` (C × out_size) back onto `dz` (C × size, overwritten).
pub(crate) fn pool_backward(
    pool: &Pool,
    channels: usize,
    size: [usize; 2],
    osize: [usize; 2],
    g: &[f32],
    arg: &[u32],
    dz: &mut [f32],
) {
    let [h, w] = size;
    dz.fill(0.0);
    for ch in 0..channels {
        for oy in 0..osize[0] {
            for ox in 0..osize[1] {
                let k = (ch * osize[0] + oy) * osize[1] + ox;
                if pool.max {
                    if arg[k] != u32::MAX {
                        dz[arg[k] as usize] += g[k];
                    }
                } else {
                    let (y0, y1, fy) =
                        window(oy, pool.kernel[0], pool.stride[0], pool.padding[0], h);
                    let (x0, x1, fx) =
                        window(ox, pool.kernel[1], pool.stride[1], pool.padding[1], w);
                    let share = g[k] / (fy * fx) as f32;
                    for iy in y0.max(0)..y1.min(h as isize) {
                        for ix in x0.max(0)..x1.min(w as isize) {
                            dz[ch * h * w + iy as usize * w + ix as usize] += share;
                        }
                    }
                }
            }
        }
    }
}
