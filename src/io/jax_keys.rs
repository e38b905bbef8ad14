//! The writer's JAX mode ([`WriteOptions::jax`](super::WriteOptions::jax)): every tensor is
//! drawn from JAX's PRNG with [`crate::jax`] instead of glorot's streams, so the file holds what
//! the JAX initializer returns for the tensor's key, shape and dtype, bit for bit.

use std::collections::HashMap;

use crate::jax::{JaxAxes, JaxInit, JaxKey};
use crate::{FanMode, Fans, Init, Layout, Nonlinearity, VarianceDistribution};

use super::{TensorSpec, WriteError};

/// Which JAX key each tensor of a write gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JaxKeys {
    /// Every tensor gets this one key: the tensor is `init(key, shape, dtype)`, exactly what
    /// calling the JAX initializer on that key returns (so two tensors with the same shape and
    /// initializer are equal, as in JAX when a key is reused).
    Same(JaxKey),
    /// Tensor `name` gets `jax.random.fold_in(key, zlib.crc32(name.encode()))`: independent
    /// tensors, each key a function of the name only (not of the order or of the other
    /// tensors). Two names with the same CRC-32 in one write are an error.
    PerTensor(JaxKey),
}

impl JaxKeys {
    /// The key of tensor `name`.
    pub fn key_for(&self, name: &str) -> JaxKey {
        match *self {
            JaxKeys::Same(k) => k,
            JaxKeys::PerTensor(k) => k.fold_in(crc32(name.as_bytes())),
        }
    }
}

/// CRC-32 as zlib (and Python's `zlib.crc32`) computes it: reflected polynomial `0xEDB88320`,
/// initial and final XOR `0xFFFFFFFF`. Bitwise: tensor names are short.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = u32::MAX;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// What JAX mode supports, for error messages.
const SUPPORTED: &str = "JAX mode supports glorot_uniform/xavier_uniform, he_uniform/\
     kaiming_uniform, lecun_uniform, variance_scaling with distribution uniform, uniform, \
     constant, zeros and ones";

impl TensorSpec {
    /// The JAX initializer this spec stands for when drawn with JAX keys ([`JaxKeys`]):
    ///
    /// | spec `init` | JAX |
    /// |---|---|
    /// | `glorot_uniform`; `xavier_uniform(gain)` | `variance_scaling(gain * gain, "fan_avg", "uniform")` (gain 1: `glorot_uniform()`) |
    /// | `he_uniform`; `lecun_uniform` | `he_uniform()`; `lecun_uniform()` |
    /// | `kaiming_uniform(a, mode, nonlinearity)` | `variance_scaling(gain², mode, "uniform")`, `gain²` = `2 / (1 + a * a)` (leaky_relu; a = 0: `he_uniform()`), `2` (relu), `1` (linear, conv*, sigmoid), `25 / 9` (tanh), `9 / 16` (selu) |
    /// | `variance_scaling(scale, mode, "uniform")` | the same |
    /// | `uniform(low, high)` | `jax.random.uniform(key, shape, dtype, low, high)` |
    /// | `constant(val)`, `zeros`, `ones` | `constant(val)`, `zeros`, `ones` |
    ///
    /// Fans are read by the spec's layout, passed as JAX's `in_axis`/`out_axis`: [`Layout::Jax`]
    /// is JAX's default `(-2, -1)` (`(*kernel, in, out)`: `fan_in = shape[-2] · receptive`,
    /// `fan_out = shape[-1] · receptive`, `receptive = prod(shape[:-2])`), [`Layout::Torch`] is
    /// `in_axis=1, out_axis=0`, [`Layout::Axes`] its own axes. Explicit `fans` are accepted only
    /// where they equal the fans of those axes.
    ///
    /// Anything else is [`WriteError::NotJax`], naming the tensor and why: the normal family
    /// (JAX maps uniform floats through XLA's own `erf_inv` approximation, which is not
    /// reproduced; out of scope), the structured initializers, and a zeroed range (a padding
    /// row) after the fill.
    pub fn jax_init(&self) -> Result<JaxInit, WriteError> {
        let not = |reason: String| WriteError::NotJax {
            tensor: self.name.clone(),
            reason,
        };
        let name = self.init.name();
        if self.zeroed.is_some() {
            return Err(not(format!(
                "{name} with a range zeroed after the fill (a padding row): no JAX initializer \
                 does that"
            )));
        }
        let vs = |scale: f64, mode: FanMode| -> Result<JaxInit, WriteError> {
            Ok(JaxInit::VarianceScaling {
                scale,
                mode,
                axes: self.jax_axes()?,
            })
        };
        use Nonlinearity as N;
        match self.init {
            Init::GlorotUniform => vs(1.0, FanMode::FanAvg),
            Init::XavierUniform { gain } => vs(gain * gain, FanMode::FanAvg),
            Init::HeUniform => vs(2.0, FanMode::FanIn),
            Init::LecunUniform => vs(1.0, FanMode::FanIn),
            Init::KaimingUniform {
                a,
                mode,
                nonlinearity,
            } => {
                let gain2 = match nonlinearity {
                    N::LeakyRelu => 2.0 / (1.0 + a * a),
                    N::Relu => 2.0,
                    N::Tanh => 25.0 / 9.0,
                    N::Selu => 9.0 / 16.0,
                    N::Linear
                    | N::Conv1d
                    | N::Conv2d
                    | N::Conv3d
                    | N::ConvTranspose1d
                    | N::ConvTranspose2d
                    | N::ConvTranspose3d
                    | N::Sigmoid => 1.0,
                };
                vs(gain2, mode)
            }
            Init::VarianceScaling {
                scale,
                mode,
                distribution: VarianceDistribution::Uniform,
            } => vs(scale, mode),
            Init::Uniform { low, high } => Ok(JaxInit::uniform_range(low, high)),
            Init::Constant { val } => Ok(JaxInit::constant(val)),
            Init::Zeros => Ok(JaxInit::constant(0.0)),
            Init::Ones => Ok(JaxInit::constant(1.0)),
            Init::XavierNormal { .. }
            | Init::KaimingNormal { .. }
            | Init::Normal { .. }
            | Init::TruncNormal { .. }
            | Init::GlorotNormal
            | Init::HeNormal
            | Init::LecunNormal
            | Init::VarianceScaling { .. } => Err(not(format!(
                "{name} is a normal-family initializer, and JAX draws normals through XLA's own \
                 erf_inv approximation, which glorot does not reproduce bit for bit (out of \
                 scope); {SUPPORTED}"
            ))),
            Init::Orthogonal { .. }
            | Init::OrthogonalJax { .. }
            | Init::Sparse { .. }
            | Init::Dirac { .. }
            | Init::Eye
            | Init::Identity { .. }
            | Init::DeltaOrthogonal { .. } => Err(not(format!(
                "{name} is a structured initializer, not one of JAX's elementwise uniform ones; \
                 {SUPPORTED}"
            ))),
        }
    }

    /// The spec's fan layout as JAX's `in_axis`/`out_axis`.
    fn jax_axes(&self) -> Result<JaxAxes, WriteError> {
        let (in_axis, out_axis) = match self.layout {
            Layout::Jax => (-2, -1),
            Layout::Torch => (1, 0),
            Layout::Axes { in_axis, out_axis } => (in_axis, out_axis),
        };
        if let Some(f) = self.fans {
            if Fans::from_shape(&self.shape, self.layout).ok() != Some(f) {
                return Err(WriteError::NotJax {
                    tensor: self.name.clone(),
                    reason: format!(
                        "explicit fans (fan_in {}, fan_out {}) that JAX's in_axis={in_axis}, \
                         out_axis={out_axis} do not give for shape {:?}; JAX reads fans from the \
                         shape only",
                        f.fan_in, f.fan_out, self.shape
                    ),
                });
            }
        }
        Ok(JaxAxes {
            in_axis,
            out_axis,
            batch_axis: None,
        })
    }
}

/// Checks that every spec can be drawn with JAX keys, as a write with
/// [`WriteOptions::jax`](super::WriteOptions::jax) would (the same checks, nothing written):
/// the first problem, naming its tensor.
pub fn check_jax(specs: &[TensorSpec], keys: JaxKeys) -> Result<(), WriteError> {
    plan(specs, keys).map(drop)
}

/// Each spec's JAX initializer and key, validated for its dtype and shape (every error names
/// the tensor), in `specs` order.
pub(crate) fn plan(
    specs: &[TensorSpec],
    keys: JaxKeys,
) -> Result<Vec<(JaxInit, JaxKey)>, WriteError> {
    let mut by_crc: HashMap<u32, &str> = HashMap::new();
    let mut out = Vec::with_capacity(specs.len());
    for s in specs {
        s.check_common()?;
        let init = s.jax_init()?;
        if let JaxKeys::PerTensor(_) = keys {
            if let Some(other) = by_crc.insert(crc32(s.name.as_bytes()), &s.name) {
                if other != s.name {
                    return Err(WriteError::NotJax {
                        tensor: s.name.clone(),
                        reason: format!(
                            "its per-tensor key fold_in(key, crc32(name)) is that of `{}` \
                             (the two names have the same CRC-32); rename one",
                            super::printable(other)
                        ),
                    });
                }
            }
        }
        let key = keys.key_for(&s.name);
        check(s, &init, key).map_err(|e| WriteError::spec(&s.name, e))?;
        out.push((init, key));
    }
    Ok(out)
}

/// Runs the dtype's fill on an empty range: all of its checks (shape, fans, constants in the
/// dtype), nothing written.
fn check(s: &TensorSpec, init: &JaxInit, key: JaxKey) -> crate::Result<()> {
    use crate::jax::fill_at;
    match s.dtype {
        crate::DType::F32 => fill_at::<f32>(&mut [], init, &s.shape, key, 0),
        crate::DType::F64 => fill_at::<f64>(&mut [], init, &s.shape, key, 0),
        crate::DType::BF16 => fill_at::<crate::bf16>(&mut [], init, &s.shape, key, 0),
        crate::DType::F16 => fill_at::<crate::f16>(&mut [], init, &s.shape, key, 0),
    }
}

/// Fills `raw` (the little-endian bytes of elements `first..` of the tensor) with JAX's values.
pub(crate) fn fill_bytes(
    raw: &mut [u8],
    s: &TensorSpec,
    init: &JaxInit,
    key: JaxKey,
    first: u64,
) -> crate::Result<()> {
    use crate::jax::fill_at;
    let shape = &s.shape;
    let filled = match s.dtype {
        crate::DType::F32 => fill_at(
            bytemuck::cast_slice_mut::<u8, f32>(raw),
            init,
            shape,
            key,
            first,
        ),
        crate::DType::F64 => fill_at(
            bytemuck::cast_slice_mut::<u8, f64>(raw),
            init,
            shape,
            key,
            first,
        ),
        crate::DType::BF16 => fill_at(
            bytemuck::cast_slice_mut::<u8, crate::bf16>(raw),
            init,
            shape,
            key,
            first,
        ),
        crate::DType::F16 => fill_at(
            bytemuck::cast_slice_mut::<u8, crate::f16>(raw),
            init,
            shape,
            key,
            first,
        ),
    };
    filled?;
    if cfg!(target_endian = "big") {
        for c in raw.chunks_exact_mut(s.dtype.size()) {
            c.reverse();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_zlibs() {
        // zlib.crc32(b"") == 0, zlib.crc32(b"123456789") == 0xCBF43926 (the CRC-32 check value)
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn normal_family_and_padding_are_refused_with_the_tensor_name() {
        let s = TensorSpec::new(
            "emb.weight",
            &[10, 4],
            Init::Normal {
                mean: 0.0,
                std: 1.0,
            },
        );
        let e = s.jax_init().unwrap_err().to_string();
        assert!(e.contains("emb.weight") && e.contains("erf_inv"), "{e}");
        let s = TensorSpec::new("emb.weight", &[10, 4], Init::Zeros).with_zeroed(0..4);
        assert!(s.jax_init().is_err());
        let s = TensorSpec::new("q", &[4, 4], Init::Orthogonal { gain: 1.0 });
        assert!(s.jax_init().unwrap_err().to_string().contains("structured"));
    }

    #[test]
    fn layouts_become_jax_axes() {
        let t = TensorSpec::new("w", &[8, 3, 5], Init::HeUniform);
        let axes = |s: &TensorSpec| match s.jax_init().unwrap() {
            JaxInit::VarianceScaling { axes, .. } => (axes.in_axis, axes.out_axis),
            other => panic!("{other:?}"),
        };
        assert_eq!(axes(&t), (1, 0));
        assert_eq!(axes(&t.clone().with_layout(Layout::Jax)), (-2, -1));
        // Explicit fans: only those the axes give.
        assert!(t.clone().with_fans(Fans::new(15, 40)).jax_init().is_ok());
        assert!(t.with_fans(Fans::new(3, 8)).jax_init().is_err());
    }
}
