//! `--spec FILE.json`: models that are not presets.
//!
//! ```json
//! {"layout": "torch",
//!  "tensors": [{"name": "fc1.weight", "shape": [1000, 784], "init": "xavier_uniform", "gain": 1.0},
//!              {"name": "fc1.bias", "shape": [1000], "init": "zeros"}]}
//! ```
//!
//! Init names and parameter names are PyTorch's (`torch.nn.init.*_`) and JAX's
//! (`jax.nn.initializers.*`). Per tensor, `dtype` (overrides `--dtype`), `layout`, and
//! `in_axis`/`out_axis` (JAX-style explicit fan axes) are also accepted, and on a layer's
//! weight (rank ≥ 2) `act`, the activation after the layer (`tanh`, `softsign`, `sigmoid`,
//! `relu`, `leaky_relu`, `leaky_relu:SLOPE`, `gelu`, `selu`, `linear`): `glorot report --spec`
//! reads it; it never changes the values written (give `gain` for the init, as ever).
//!
//! The structured initializers: `orthogonal` (`gain`, PyTorch's `orthogonal_`: the tensor
//! viewed as `(shape[0], prod(shape[1:]))`), `orthogonal_jax` (`scale`, `column_axis`, JAX's
//! `orthogonal`), `sparse` (`sparsity` required, `std`), `dirac` (`groups`), `eye`,
//! `identity` (`gain`, Keras'), `delta_orthogonal` (`scale`, `column_axis`, JAX's, kernels
//! `(*k, in, out)`). They carry their own convention, so a per-tensor `layout` (which they
//! would not read) is refused for them, as are fan axes.

use glorot::io::TensorSpec;
use glorot::report::Activation;
use glorot::{DType, FanMode, Init, Layout, Nonlinearity, VarianceDistribution};
use serde_json::{Map, Value};

/// Every init name the parser knows, with its parameters (for error messages and `--help`).
pub const INITS: &[(&str, &[&str])] = &[
    ("xavier_uniform", &["gain"]),
    ("xavier_normal", &["gain"]),
    ("kaiming_uniform", &["a", "mode", "nonlinearity"]),
    ("kaiming_normal", &["a", "mode", "nonlinearity"]),
    ("trunc_normal", &["mean", "std", "a", "b"]),
    ("uniform", &["low", "high", "a", "b"]),
    ("normal", &["mean", "std"]),
    ("zeros", &[]),
    ("ones", &[]),
    ("constant", &["val"]),
    ("glorot_uniform", &[]),
    ("glorot_normal", &[]),
    ("he_uniform", &[]),
    ("he_normal", &[]),
    ("lecun_uniform", &[]),
    ("lecun_normal", &[]),
    ("variance_scaling", &["scale", "mode", "distribution"]),
    ("orthogonal", &["gain"]),
    ("orthogonal_jax", &["scale", "column_axis"]),
    ("sparse", &["sparsity", "std"]),
    ("dirac", &["groups"]),
    ("eye", &[]),
    ("identity", &["gain"]),
    ("delta_orthogonal", &["scale", "column_axis"]),
];

const COMMON: &[&str] = &[
    "name", "shape", "init", "dtype", "layout", "in_axis", "out_axis", "act",
];

/// Parses a spec file's text. `dtype` applies to tensors that do not name their own, `layout`
/// when the spec has no top-level `layout`.
pub fn parse(text: &str, dtype: DType, layout: Layout) -> Result<Vec<TensorSpec>, String> {
    Ok(parse_with_acts(text, dtype, layout)?
        .into_iter()
        .map(|(t, _)| t)
        .collect())
}

/// [`parse`], with each tensor's `act` (`None` where it has none).
pub fn parse_with_acts(
    text: &str,
    dtype: DType,
    layout: Layout,
) -> Result<Vec<(TensorSpec, Option<Activation>)>, String> {
    let root: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let obj = root
        .as_object()
        .ok_or("the spec must be a JSON object with a `tensors` list")?;
    for k in obj.keys() {
        if k != "layout" && k != "tensors" {
            return Err(format!(
                "unknown top-level field `{k}` (expected `layout`, `tensors`)"
            ));
        }
    }
    let layout = match obj.get("layout") {
        None => layout,
        Some(v) => parse_layout(v).map_err(|e| format!("field `layout`: {e}"))?,
    };
    let tensors = obj
        .get("tensors")
        .ok_or("missing field `tensors`")?
        .as_array()
        .ok_or("field `tensors` must be a list")?;
    if tensors.is_empty() {
        return Err("field `tensors` is empty".into());
    }
    let mut out = Vec::with_capacity(tensors.len());
    let mut names = std::collections::HashSet::new();
    for (i, t) in tensors.iter().enumerate() {
        let (spec, act) = parse_tensor(t, i, layout, dtype)?;
        if !names.insert(spec.name.clone()) {
            return Err(format!(
                "tensor `{}`: name appears more than once",
                glorot::io::printable(&spec.name)
            ));
        }
        out.push((spec, act));
    }
    Ok(out)
}

fn parse_layout(v: &Value) -> Result<Layout, String> {
    match v.as_str() {
        Some("torch") => Ok(Layout::Torch),
        Some("jax") => Ok(Layout::Jax),
        _ => Err(format!("expected \"torch\" or \"jax\", got {v}")),
    }
}

fn parse_tensor(
    t: &Value,
    i: usize,
    layout: Layout,
    dtype: DType,
) -> Result<(TensorSpec, Option<Activation>), String> {
    let obj = t
        .as_object()
        .ok_or_else(|| format!("tensor #{i}: must be an object"))?;
    let name = match obj.get("name") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(_) => {
            return Err(format!(
                "tensor #{i}: field `name` must be a non-empty string"
            ))
        }
        None => return Err(format!("tensor #{i}: missing field `name`")),
    };
    let err = |field: &str, msg: String| {
        format!(
            "tensor `{}`: field `{}`: {msg}",
            glorot::io::printable(&name),
            glorot::io::printable(field)
        )
    };
    let shape: Vec<usize> = match obj.get("shape") {
        None => {
            return Err(format!(
                "tensor `{}`: missing field `shape`",
                glorot::io::printable(&name)
            ))
        }
        Some(Value::Array(a)) => a
            .iter()
            .map(|d| {
                d.as_u64()
                    .and_then(|d| usize::try_from(d).ok())
                    .ok_or_else(|| err("shape", format!("{d} is not a non-negative integer")))
            })
            .collect::<Result<_, _>>()?,
        Some(v) => {
            return Err(err(
                "shape",
                format!("expected a list of integers, got {v}"),
            ))
        }
    };
    let init_name = match obj.get("init") {
        None => {
            return Err(format!(
                "tensor `{}`: missing field `init`",
                glorot::io::printable(&name)
            ))
        }
        Some(Value::String(s)) => s.as_str(),
        Some(v) => return Err(err("init", format!("expected a string, got {v}"))),
    };
    let Some(&(_, params)) = INITS.iter().find(|(n, _)| *n == init_name) else {
        let known: Vec<&str> = INITS.iter().map(|(n, _)| *n).collect();
        return Err(err(
            "init",
            format!(
                "unknown initializer `{}` (known: {})",
                glorot::io::printable(init_name),
                known.join(", ")
            ),
        ));
    };
    for k in obj.keys() {
        if !COMMON.contains(&k.as_str()) && !params.contains(&k.as_str()) {
            let expected = if params.is_empty() {
                "it takes no parameters".to_string()
            } else {
                format!("its parameters are {}", params.join(", "))
            };
            return Err(err(
                k,
                format!("not a parameter of {init_name} ({expected})"),
            ));
        }
    }
    let p = Params { obj, err: &err };
    let init = parse_init(init_name, &p)?;
    let act = match obj.get("act") {
        None => None,
        Some(_) if shape.len() < 2 => {
            return Err(err(
                "act",
                format!(
                    "a rank-{} tensor has no activation: give `act` on the layer's weight",
                    shape.len()
                ),
            ))
        }
        Some(Value::String(s)) => Some(
            Activation::parse(s)
                .map_err(|e| err("act", glorot::io::printable(&e.to_string()).into_owned()))?,
        ),
        Some(v) => return Err(err("act", format!("expected a string, got {v}"))),
    };
    let dtype = match obj.get("dtype") {
        None => dtype,
        Some(Value::String(s)) => DType::parse(s).map_err(|_| {
            err(
                "dtype",
                format!(
                    "unknown dtype `{}` (f32, bf16, f16, f64)",
                    glorot::io::printable(s)
                ),
            )
        })?,
        Some(v) => return Err(err("dtype", format!("expected a string, got {v}"))),
    };
    if init.is_structured() && obj.contains_key("layout") {
        return Err(err(
            "layout",
            format!(
                "{init_name} reads no fans and carries its own convention, so a layout would be ignored{}",
                if init_name == "orthogonal" {
                    " (for JAX's convention use orthogonal_jax with column_axis)"
                } else {
                    ""
                }
            ),
        ));
    }
    let mut layout = match obj.get("layout") {
        None => layout,
        Some(v) => parse_layout(v).map_err(|e| err("layout", e))?,
    };
    if !init.needs_fans() {
        for f in ["in_axis", "out_axis"] {
            if obj.contains_key(f) {
                return Err(err(
                    f,
                    format!("{init_name} uses no fans, so explicit fan axes would be ignored"),
                ));
            }
        }
    }
    match (obj.get("in_axis"), obj.get("out_axis")) {
        (None, None) => {}
        (Some(a), Some(b)) => {
            let axis = |f: &str, v: &Value| {
                v.as_i64()
                    .and_then(|x| isize::try_from(x).ok())
                    .ok_or_else(|| err(f, format!("expected an integer, got {v}")))
            };
            layout = Layout::Axes {
                in_axis: axis("in_axis", a)?,
                out_axis: axis("out_axis", b)?,
            };
        }
        (Some(_), None) => return Err(err("out_axis", "missing (in_axis is set)".into())),
        (None, Some(_)) => return Err(err("in_axis", "missing (out_axis is set)".into())),
    }
    let spec = TensorSpec::new(name.clone(), &shape, init)
        .with_dtype(dtype)
        .with_layout(layout);
    spec.validate().map_err(|e| match e {
        glorot::io::WriteError::Spec { error, .. } => match blame(init_name, error) {
            Some(field)
                if matches!(
                    error,
                    glorot::Error::Unrepresentable | glorot::Error::TooNarrow
                ) =>
            {
                err(field, format!("{error} (dtype {})", spec.dtype))
            }
            Some(field) => err(field, error.to_string()),
            // A shape the structured rule cannot fill: say which rule refused it.
            None if spec.init.is_structured() => format!(
                "tensor `{}`: {init_name} on shape {:?}: {error}",
                glorot::io::printable(&name),
                spec.shape
            ),
            None => format!("tensor `{}`: {error}", glorot::io::printable(&name)),
        },
        other => other.to_string(),
    })?;
    Ok((spec, act))
}

/// The spec field a parameter error of `init` comes from (`None`: the shape or fans).
fn blame(init: &str, e: glorot::Error) -> Option<&'static str> {
    use glorot::Error as E;
    Some(match (init, e) {
        ("orthogonal_jax" | "delta_orthogonal", E::InvalidGain) => "scale",
        ("orthogonal_jax" | "delta_orthogonal", E::InvalidAxis) => "column_axis",
        ("orthogonal_jax" | "delta_orthogonal", E::Unrepresentable | E::TooNarrow) => "scale",
        ("orthogonal" | "identity", E::Unrepresentable | E::TooNarrow) => "gain",
        ("sparse", E::InvalidSparsity) => "sparsity",
        ("sparse", E::InvalidStd | E::Unrepresentable | E::TooNarrow) => "std",
        ("dirac", E::GroupsMismatch { .. }) => "groups",
        (_, E::InvalidGain) => "gain",
        (_, E::InvalidScale) => "scale",
        (_, E::InvalidSlope) => "a",
        ("constant", _) => "val",
        ("normal" | "trunc_normal", E::NonFiniteValue) => "mean",
        ("normal" | "trunc_normal", E::Unrepresentable) => "mean`/`std",
        ("normal" | "trunc_normal", E::TooNarrow) => "std",
        ("uniform", E::Unrepresentable | E::TooNarrow) => "low`/`high",
        ("xavier_uniform" | "xavier_normal", E::Unrepresentable | E::TooNarrow) => "gain",
        ("variance_scaling", E::Unrepresentable | E::TooNarrow) => "scale",
        ("kaiming_uniform" | "kaiming_normal", E::TooNarrow) => "a",
        ("normal" | "trunc_normal", E::InvalidStd) => "std",
        ("trunc_normal", E::InvalidBounds) => "a`/`b",
        ("uniform", E::InvalidBounds | E::InvalidStd) => "low`/`high",
        ("kaiming_uniform" | "kaiming_normal", E::InvalidStd | E::InvalidBounds) => "a",
        _ => return None,
    })
}

struct Params<'a, E: Fn(&str, String) -> String> {
    obj: &'a Map<String, Value>,
    err: &'a E,
}

impl<E: Fn(&str, String) -> String> Params<'_, E> {
    fn num(&self, field: &str, default: Option<f64>) -> Result<f64, String> {
        match self.obj.get(field) {
            None => default.ok_or_else(|| (self.err)(field, "missing (required)".into())),
            Some(v) => v
                .as_f64()
                .ok_or_else(|| (self.err)(field, format!("expected a number, got {v}"))),
        }
    }

    /// An integer field (JSON integers only: `2`, not `2.0` or `"2"`).
    fn int(&self, field: &str, default: i64) -> Result<i64, String> {
        match self.obj.get(field) {
            None => Ok(default),
            Some(v) => v
                .as_i64()
                .ok_or_else(|| (self.err)(field, format!("expected an integer, got {v}"))),
        }
    }

    /// `column_axis`: an integer axis, negative counting from the end (JAX's default −1).
    fn axis(&self) -> Result<isize, String> {
        let a = self.int("column_axis", -1)?;
        isize::try_from(a).map_err(|_| (self.err)("column_axis", format!("{a} is out of range")))
    }

    fn opt_num(&self, field: &str) -> Result<Option<f64>, String> {
        match self.obj.get(field) {
            None => Ok(None),
            Some(_) => self.num(field, None).map(Some),
        }
    }

    fn string(&self, field: &str, default: &'static str) -> Result<String, String> {
        match self.obj.get(field) {
            None => Ok(default.to_string()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(v) => Err((self.err)(field, format!("expected a string, got {v}"))),
        }
    }

    fn mode(&self) -> Result<FanMode, String> {
        let s = self.string("mode", "fan_in")?;
        FanMode::parse(&s).map_err(|_| {
            (self.err)(
                "mode",
                format!(
                    "unknown mode `{}` (fan_in, fan_out, fan_avg, fan_geo_avg)",
                    glorot::io::printable(&s)
                ),
            )
        })
    }

    fn nonlinearity(&self) -> Result<Nonlinearity, String> {
        let s = self.string("nonlinearity", "leaky_relu")?;
        Nonlinearity::parse(&s).map_err(|_| {
            (self.err)(
                "nonlinearity",
                format!("unknown nonlinearity `{}`", glorot::io::printable(&s)),
            )
        })
    }
}

fn parse_init<E: Fn(&str, String) -> String>(
    name: &str,
    p: &Params<'_, E>,
) -> Result<Init, String> {
    Ok(match name {
        "xavier_uniform" => Init::XavierUniform {
            gain: p.num("gain", Some(1.0))?,
        },
        "kaiming_uniform" => Init::KaimingUniform {
            a: p.num("a", Some(0.0))?,
            mode: p.mode()?,
            nonlinearity: p.nonlinearity()?,
        },
        "uniform" => {
            // PyTorch's `uniform_(a=0, b=1)`, also spelled low/high.
            let pick = |x: &str, y: &str, default: f64| -> Result<f64, String> {
                match (p.opt_num(x)?, p.opt_num(y)?) {
                    (Some(_), Some(_)) => {
                        Err((p.err)(y, format!("give either `{x}` or `{y}`, not both")))
                    }
                    (Some(v), None) | (None, Some(v)) => Ok(v),
                    (None, None) => Ok(default),
                }
            };
            Init::Uniform {
                low: pick("low", "a", 0.0)?,
                high: pick("high", "b", 1.0)?,
            }
        }
        "constant" => Init::Constant {
            val: p.num("val", None)?,
        },
        "zeros" => Init::Zeros,
        "ones" => Init::Ones,
        "glorot_uniform" => Init::GlorotUniform,
        "he_uniform" => Init::HeUniform,
        "lecun_uniform" => Init::LecunUniform,
        "variance_scaling" => {
            let scale = p.num("scale", Some(1.0))?;
            let mode = p.mode()?;
            // JAX's names: "normal" is the plain normal, as in jax.nn.initializers (Keras
            // spells it "untruncated_normal" and means the truncated one by "normal").
            let dist = p.string("distribution", "truncated_normal")?;
            let distribution = VarianceDistribution::parse(&dist).map_err(|_| {
                (p.err)(
                    "distribution",
                    format!(
                        "unknown distribution `{}` (uniform, normal, truncated_normal, untruncated_normal)",
                        glorot::io::printable(&dist)
                    ),
                )
            })?;
            Init::VarianceScaling {
                scale,
                mode,
                distribution,
            }
        }
        "xavier_normal" => Init::XavierNormal {
            gain: p.num("gain", Some(1.0))?,
        },
        "kaiming_normal" => Init::KaimingNormal {
            a: p.num("a", Some(0.0))?,
            mode: p.mode()?,
            nonlinearity: p.nonlinearity()?,
        },
        "normal" => Init::Normal {
            mean: p.num("mean", Some(0.0))?,
            std: p.num("std", Some(1.0))?,
        },
        "trunc_normal" => Init::TruncNormal {
            mean: p.num("mean", Some(0.0))?,
            std: p.num("std", Some(1.0))?,
            a: p.num("a", Some(-2.0))?,
            b: p.num("b", Some(2.0))?,
        },
        "glorot_normal" => Init::GlorotNormal,
        "he_normal" => Init::HeNormal,
        "lecun_normal" => Init::LecunNormal,
        "orthogonal" => Init::Orthogonal {
            gain: p.num("gain", Some(1.0))?,
        },
        "orthogonal_jax" => Init::OrthogonalJax {
            scale: p.num("scale", Some(1.0))?,
            column_axis: p.axis()?,
        },
        "sparse" => Init::Sparse {
            // PyTorch's sparse_ has no default sparsity.
            sparsity: p.num("sparsity", None)?,
            std: p.num("std", Some(0.01))?,
        },
        "dirac" => {
            let g = p.int("groups", 1)?;
            Init::Dirac {
                groups: usize::try_from(g)
                    .ok()
                    .filter(|&g| g > 0)
                    .ok_or_else(|| (p.err)("groups", format!("{g} is not a positive integer")))?,
            }
        }
        "eye" => Init::Eye,
        "identity" => Init::Identity {
            gain: p.num("gain", Some(1.0))?,
        },
        "delta_orthogonal" => Init::DeltaOrthogonal {
            scale: p.num("scale", Some(1.0))?,
            column_axis: p.axis()?,
        },
        other => unreachable!("`{other}` is in INITS but not parsed"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(t: &str) -> Result<TensorSpec, String> {
        parse(
            &format!("{{\"tensors\": [{t}]}}"),
            DType::F32,
            Layout::Torch,
        )
        .map(|mut v| v.remove(0))
    }

    #[test]
    fn act_is_read_on_weights_only() {
        let v = parse_with_acts(
            r#"{"tensors": [
                {"name": "fc.weight", "shape": [4, 3], "init": "xavier_uniform", "act": "leaky_relu:0.2"},
                {"name": "fc.bias", "shape": [4], "init": "zeros"}]}"#,
            DType::F32,
            Layout::Torch,
        )
        .unwrap();
        assert_eq!(v[0].1, Some(Activation::LeakyRelu(0.2)));
        assert_eq!(v[1].1, None);
        // `act` never changes what is written.
        assert_eq!(
            v[0].0,
            TensorSpec::new("fc.weight", &[4, 3], Init::xavier_uniform(1.0))
        );
        let e = one(r#"{"name":"b","shape":[4],"init":"zeros","act":"tanh"}"#).unwrap_err();
        assert!(e.contains("field `act`") && e.contains("weight"), "{e}");
        let e = one(r#"{"name":"w","shape":[4,3],"init":"zeros","act":"swish"}"#).unwrap_err();
        assert!(e.contains("unknown activation `swish`"), "{e}");
        let e = one(r#"{"name":"w","shape":[4,3],"init":"zeros","act":1}"#).unwrap_err();
        assert!(e.contains("expected a string"), "{e}");
    }

    #[test]
    fn the_issue_example() {
        let v = parse(
            r#"{"layout": "torch", "tensors": [
                {"name": "fc1.weight", "shape": [1000, 784], "init": "xavier_uniform", "gain": 1.0},
                {"name": "fc1.bias", "shape": [1000], "init": "zeros"}]}"#,
            DType::BF16,
            Layout::Torch,
        )
        .unwrap();
        assert_eq!(
            v[0],
            TensorSpec::new("fc1.weight", &[1000, 784], Init::xavier_uniform(1.0))
                .with_dtype(DType::BF16)
        );
        assert_eq!(v[1].init, Init::Zeros);
    }

    #[test]
    fn every_uniform_family_name_and_parameter() {
        let s = one(r#"{"name":"w","shape":[4,3],"init":"kaiming_uniform","a":0.2,"mode":"fan_out","nonlinearity":"relu"}"#).unwrap();
        assert_eq!(
            s.init,
            Init::kaiming_uniform_with(0.2, FanMode::FanOut, Nonlinearity::Relu)
        );
        let s = one(r#"{"name":"w","shape":[4],"init":"uniform","a":-1,"b":3}"#).unwrap();
        assert_eq!(
            s.init,
            Init::Uniform {
                low: -1.0,
                high: 3.0
            }
        );
        let s = one(r#"{"name":"w","shape":[4],"init":"uniform","low":-2,"high":2}"#).unwrap();
        assert_eq!(
            s.init,
            Init::Uniform {
                low: -2.0,
                high: 2.0
            }
        );
        let s = one(r#"{"name":"w","shape":[4],"init":"constant","val":0.5}"#).unwrap();
        assert_eq!(s.init, Init::Constant { val: 0.5 });
        assert_eq!(
            one(r#"{"name":"w","shape":[4],"init":"ones"}"#)
                .unwrap()
                .init,
            Init::Ones
        );
        for (n, i) in [
            ("glorot_uniform", Init::GlorotUniform),
            ("he_uniform", Init::HeUniform),
            ("lecun_uniform", Init::LecunUniform),
        ] {
            let s = one(&format!(
                r#"{{"name":"w","shape":[3,3,4,8],"init":"{n}","layout":"jax"}}"#
            ))
            .unwrap();
            assert_eq!((s.init, s.layout), (i, Layout::Jax));
        }
        let s = one(r#"{"name":"w","shape":[4,3],"init":"variance_scaling","scale":2.0,"mode":"fan_avg","distribution":"uniform","in_axis":0,"out_axis":-1,"dtype":"f16"}"#).unwrap();
        assert_eq!(
            s.init,
            Init::VarianceScaling {
                scale: 2.0,
                mode: FanMode::FanAvg,
                distribution: VarianceDistribution::Uniform
            }
        );
        assert_eq!(
            s.layout,
            Layout::Axes {
                in_axis: 0,
                out_axis: -1
            }
        );
        assert_eq!(s.dtype, DType::F16);
    }

    #[test]
    fn normal_family_is_parsed() {
        let init = |t: &str| one(t).unwrap().init;
        assert_eq!(
            init(r#"{"name":"w","shape":[4,3],"init":"xavier_normal","gain":2}"#),
            Init::XavierNormal { gain: 2.0 }
        );
        assert_eq!(
            init(
                r#"{"name":"w","shape":[4,3],"init":"kaiming_normal","mode":"fan_out","nonlinearity":"relu"}"#
            ),
            Init::KaimingNormal {
                a: 0.0,
                mode: FanMode::FanOut,
                nonlinearity: Nonlinearity::Relu
            }
        );
        assert_eq!(
            init(
                r#"{"name":"w","shape":[4,3],"init":"trunc_normal","std":0.02,"a":-0.04,"b":0.04}"#
            ),
            Init::TruncNormal {
                mean: 0.0,
                std: 0.02,
                a: -0.04,
                b: 0.04
            }
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[4,3],"init":"normal","mean":1,"std":0.02}"#),
            Init::Normal {
                mean: 1.0,
                std: 0.02
            }
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[4,3],"init":"glorot_normal"}"#),
            Init::GlorotNormal
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[4,3],"init":"he_normal"}"#),
            Init::HeNormal
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[4,3],"init":"lecun_normal"}"#),
            Init::LecunNormal
        );
        for (name, d) in [
            ("normal", VarianceDistribution::Normal),
            ("untruncated_normal", VarianceDistribution::Normal),
            ("truncated_normal", VarianceDistribution::TruncatedNormal),
        ] {
            assert_eq!(
                init(&format!(
                    r#"{{"name":"w","shape":[4,3],"init":"variance_scaling","scale":2,"mode":"fan_avg","distribution":"{name}"}}"#
                )),
                Init::VarianceScaling {
                    scale: 2.0,
                    mode: FanMode::FanAvg,
                    distribution: d
                }
            );
        }
        // Parameters are type-checked.
        let e = one(r#"{"name":"w","shape":[4,3],"init":"normal","std":"big"}"#).unwrap_err();
        assert!(e.contains("field `std`"), "{e}");
    }

    #[test]
    fn structured_names_and_parameters() {
        let init = |t: &str| one(t).unwrap().init;
        assert_eq!(
            init(r#"{"name":"w","shape":[8,4],"init":"orthogonal"}"#),
            Init::Orthogonal { gain: 1.0 }
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[8,4,3],"init":"orthogonal","gain":2}"#),
            Init::Orthogonal { gain: 2.0 }
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[3,3,4,8],"init":"orthogonal_jax"}"#),
            Init::OrthogonalJax {
                scale: 1.0,
                column_axis: -1
            }
        );
        assert_eq!(
            init(
                r#"{"name":"w","shape":[5,2,3],"init":"orthogonal_jax","scale":0.5,"column_axis":0}"#
            ),
            Init::OrthogonalJax {
                scale: 0.5,
                column_axis: 0
            }
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[10,6],"init":"sparse","sparsity":0.1}"#),
            Init::Sparse {
                sparsity: 0.1,
                std: 0.01
            }
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[10,6],"init":"sparse","sparsity":1,"std":2}"#),
            Init::Sparse {
                sparsity: 1.0,
                std: 2.0
            }
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[4,2,3,3],"init":"dirac"}"#),
            Init::Dirac { groups: 1 }
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[4,2,3],"init":"dirac","groups":2}"#),
            Init::Dirac { groups: 2 }
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[3,4],"init":"eye"}"#),
            Init::Eye
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[3,4],"init":"identity","gain":3}"#),
            Init::Identity { gain: 3.0 }
        );
        assert_eq!(
            init(r#"{"name":"w","shape":[3,3,4,8],"init":"delta_orthogonal","scale":2}"#),
            Init::DeltaOrthogonal {
                scale: 2.0,
                column_axis: -1
            }
        );
        // A top-level layout applies to every tensor and is simply not read by these.
        let v = parse(
            r#"{"layout":"jax","tensors":[{"name":"w","shape":[4,4],"init":"orthogonal"}]}"#,
            DType::F32,
            Layout::Torch,
        )
        .unwrap();
        assert_eq!(v[0].init, Init::Orthogonal { gain: 1.0 });
    }

    #[test]
    fn structured_errors_name_the_tensor_and_the_field() {
        let cases = [
            (
                r#"{"name":"b","shape":[4],"init":"orthogonal"}"#,
                "tensor `b`: orthogonal on shape [4]: only tensors with 2 or more dimensions",
            ),
            (
                r#"{"name":"b","shape":[4],"init":"orthogonal_jax"}"#,
                "tensor `b`: orthogonal_jax on shape [4]: only tensors with 2 or more",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"orthogonal","gain":-1}"#,
                "tensor `w`: field `gain`: gain must be finite and non-negative",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"orthogonal","scale":1}"#,
                "tensor `w`: field `scale`: not a parameter of orthogonal (its parameters are gain)",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"orthogonal","layout":"jax"}"#,
                "tensor `w`: field `layout`: orthogonal reads no fans",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"orthogonal","in_axis":0,"out_axis":1}"#,
                "tensor `w`: field `in_axis`: orthogonal uses no fans",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"orthogonal_jax","scale":-1}"#,
                "tensor `w`: field `scale`: gain must be finite",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"orthogonal_jax","column_axis":2}"#,
                "tensor `w`: field `column_axis`: invalid",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"orthogonal_jax","column_axis":1.5}"#,
                "tensor `w`: field `column_axis`: expected an integer, got 1.5",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"orthogonal","gain":70000,"dtype":"f16"}"#,
                "tensor `w`: field `gain`: the dtype cannot hold these values",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"sparse"}"#,
                "tensor `w`: field `sparsity`: missing (required)",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"sparse","sparsity":1.5}"#,
                "tensor `w`: field `sparsity`: sparsity must be a number in [0, 1]",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"sparse","sparsity":0.5,"std":-1}"#,
                "tensor `w`: field `std`: std must be",
            ),
            (
                r#"{"name":"w","shape":[4,3,2],"init":"sparse","sparsity":0.5}"#,
                "tensor `w`: sparse on shape [4, 3, 2]: only tensors with 2 dimensions",
            ),
            (
                r#"{"name":"w","shape":[4,3],"init":"dirac"}"#,
                "tensor `w`: dirac on shape [4, 3]: only tensors with 3, 4 or 5 dimensions",
            ),
            (
                r#"{"name":"w","shape":[4,3,3],"init":"dirac","groups":3}"#,
                "tensor `w`: field `groups`: dim 0 (4) must be divisible by groups (3)",
            ),
            (
                r#"{"name":"w","shape":[4,3,3],"init":"dirac","groups":0}"#,
                "tensor `w`: field `groups`: 0 is not a positive integer",
            ),
            (
                r#"{"name":"w","shape":[4,3,3],"init":"dirac","groups":"2"}"#,
                "tensor `w`: field `groups`: expected an integer",
            ),
            (
                r#"{"name":"w","shape":[2,3,4],"init":"eye"}"#,
                "tensor `w`: eye on shape [2, 3, 4]: only tensors with 2 dimensions",
            ),
            (
                r#"{"name":"w","shape":[3,3],"init":"eye","gain":2}"#,
                "tensor `w`: field `gain`: not a parameter of eye (it takes no parameters)",
            ),
            (
                r#"{"name":"w","shape":[3],"init":"identity"}"#,
                "tensor `w`: identity on shape [3]: only tensors with 2 dimensions",
            ),
            (
                r#"{"name":"w","shape":[4,8],"init":"delta_orthogonal"}"#,
                "tensor `w`: delta_orthogonal on shape [4, 8]: only tensors with 3, 4 or 5",
            ),
            (
                r#"{"name":"w","shape":[3,3,8,4],"init":"delta_orthogonal"}"#,
                "tensor `w`: delta_orthogonal on shape [3, 3, 8, 4]: `fan_in` (8) must be less or equal than `fan_out` (4)",
            ),
            (
                r#"{"name":"w","shape":[3,3,4,8],"init":"delta_orthogonal","column_axis":-3}"#,
                "tensor `w`: field `column_axis`: invalid",
            ),
        ];
        for (t, want) in cases {
            let e = one(t).unwrap_err();
            assert!(e.starts_with(want), "{e}\n  wanted: {want}");
        }
        // Zero-element tensors: no values, but the rank and parameters are still checked.
        assert!(one(r#"{"name":"w","shape":[0,4],"init":"orthogonal"}"#).is_ok());
        assert!(one(r#"{"name":"w","shape":[0],"init":"orthogonal"}"#).is_err());
        assert!(one(r#"{"name":"w","shape":[0,4],"init":"orthogonal","gain":-1}"#).is_err());
    }

    #[test]
    fn errors_name_the_tensor_and_the_field() {
        let cases = [
            (
                r#"{"name":"fc","shape":[4,3],"init":"xavier_uniform","gian":1}"#,
                "tensor `fc`: field `gian`: not a parameter of xavier_uniform",
            ),
            (
                r#"{"name":"fc","shape":[4,-3],"init":"zeros"}"#,
                "tensor `fc`: field `shape`",
            ),
            (
                r#"{"name":"fc","shape":[4,3],"init":"xavier"}"#,
                "tensor `fc`: field `init`: unknown initializer `xavier`",
            ),
            (
                r#"{"name":"fc","shape":[4,3],"init":"kaiming_uniform","mode":"fan_mid"}"#,
                "tensor `fc`: field `mode`",
            ),
            (
                r#"{"name":"fc","shape":[4,3],"init":"kaiming_uniform","nonlinearity":"gelu"}"#,
                "tensor `fc`: field `nonlinearity`",
            ),
            (
                r#"{"name":"fc","shape":[4,3],"init":"constant"}"#,
                "tensor `fc`: field `val`: missing",
            ),
            (
                r#"{"name":"fc","shape":[4,3],"init":"uniform","a":0,"low":1}"#,
                "tensor `fc`: field `a`: give either",
            ),
            (
                r#"{"name":"fc","shape":[4,3],"init":"zeros","dtype":"int8"}"#,
                "tensor `fc`: field `dtype`",
            ),
            (
                r#"{"name":"fc","shape":[4],"init":"xavier_uniform"}"#,
                "tensor `fc`: fan in and fan out can not be computed",
            ),
            (
                r#"{"name":"fc","shape":[4,3],"init":"xavier_uniform","gain":-1}"#,
                "tensor `fc`: field `gain`: gain must be",
            ),
            (
                r#"{"shape":[4,3],"init":"zeros"}"#,
                "tensor #0: missing field `name`",
            ),
            (
                r#"{"name":"fc","init":"zeros"}"#,
                "tensor `fc`: missing field `shape`",
            ),
        ];
        for (t, want) in cases {
            let e = one(t).unwrap_err();
            assert!(e.starts_with(want), "{e}\n  wanted: {want}");
        }
        let e = parse(r#"{"tensors":[{"name":"a","shape":[1],"init":"zeros"},{"name":"a","shape":[1],"init":"ones"}]}"#, DType::F32, Layout::Torch).unwrap_err();
        assert!(e.contains("tensor `a`: name appears more than once"), "{e}");
        assert!(parse("{", DType::F32, Layout::Torch)
            .unwrap_err()
            .starts_with("invalid JSON"));
        assert!(
            parse(r#"{"layout":"tf","tensors":[]}"#, DType::F32, Layout::Torch)
                .unwrap_err()
                .contains("`layout`")
        );
    }
}
