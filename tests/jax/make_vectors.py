#!/usr/bin/env python3
"""Golden vectors for glorot's JAX mode (`glorot::jax`), computed by jax itself.

    python3 tests/jax/make_vectors.py tests/jax/vectors.json     # what is committed
    python3 tests/jax/make_vectors.py --quick OUT.json           # what tests/jax.rs runs live

Runs itself a second time in a subprocess with JAX_ENABLE_X64=1 for float64 (and for the
x64-mode behaviour of seeds and of Python-float bounds) and merges both runs into one JSON file:

    {"jax": version, "cases": [...]}

Every case is computed by public jax API (jax.random.key / key_data / wrap_key_data / split /
fold_in / uniform, jax.nn.initializers.*), except the "window" cases, which show what jax
returns for tensors of more than 2**32 elements without materialising them: jax's own
`prng.iota_2x32_shape` lowering is evaluated on windows of huge shapes (XLA computes only the
window), and then `prng.iota_2x32_shape` is swapped, for those calls only, for one whose
counters start at the window's offset, so the rest of jax's pipeline (threefry, `_uniform`,
the initializer) runs unmodified on exactly those counters.

Element values are stored as the hex of their little-endian bits ("bits"), or, for large
tensors, as a checksum ("sum": sum over i of (bits_i + 1) * (K * (i + 1)) mod 2**64, K =
0x9E3779B97F4A7C15, bits_i the unsigned integer of element i) plus the first and last 8
elements.
"""
import json
import os
import subprocess
import sys

import numpy as np

X64 = os.environ.get("JAX_ENABLE_X64") == "1"
# --quick: fewer shapes, bounds and offsets (every kind of case is still there), for the live
# test, since each (shape, dtype, initializer) costs jax a compilation.
QUICK = "--quick" in sys.argv
ARGS = [a for a in sys.argv[1:] if a != "--quick"]

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax._src.random import prng  # noqa: E402

assert jax.config.jax_enable_x64 == X64
assert jax.config.jax_threefry_partitionable, "vectors are for the partitionable default"
assert jax.config.jax_default_prng_impl == "threefry2x32"

K = np.uint64(0x9E3779B97F4A7C15)
UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}
DTYPES = {"float32": jnp.float32, "bfloat16": jnp.bfloat16, "float16": jnp.float16,
          "float64": jnp.float64}
FULL_LIMIT = 64


def words(key):
    return [int(w) for w in np.asarray(jax.random.key_data(key))]


def encode(arr):
    a = np.asarray(arr).reshape(-1)
    u = a.view(UINT[a.dtype.itemsize])
    out = {"n": int(u.size)}
    if u.size <= FULL_LIMIT:
        out["bits"] = u.astype("<" + u.dtype.str[1:]).tobytes().hex()
    else:
        i = np.arange(1, u.size + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            out["sum"] = str(int(np.sum((u.astype(np.uint64) + np.uint64(1)) * (K * i),
                                        dtype=np.uint64)))
        h = np.concatenate([u[:8], u[-8:]])
        out["ends"] = h.astype("<" + u.dtype.str[1:]).tobytes().hex()
    return out


# The initializers as both sides describe them: (name, spec for tests/jax.rs, jax factory).
def vs(scale, mode, in_axis=-2, out_axis=-1, batch_axis=()):
    spec = {"type": "variance_scaling", "scale": scale, "mode": mode, "in_axis": in_axis,
            "out_axis": out_axis, "batch_axis": None if batch_axis == () else batch_axis}
    f = jax.nn.initializers.variance_scaling(scale, mode, "uniform", in_axis=in_axis,
                                             out_axis=out_axis, batch_axis=batch_axis)
    return spec, f


INITS = {
    "glorot_uniform": ({"type": "variance_scaling", "scale": 1.0, "mode": "fan_avg",
                        "in_axis": -2, "out_axis": -1, "batch_axis": None},
                       jax.nn.initializers.glorot_uniform()),
    "he_uniform": ({"type": "variance_scaling", "scale": 2.0, "mode": "fan_in",
                    "in_axis": -2, "out_axis": -1, "batch_axis": None},
                   jax.nn.initializers.he_uniform()),
    "lecun_uniform": ({"type": "variance_scaling", "scale": 1.0, "mode": "fan_in",
                       "in_axis": -2, "out_axis": -1, "batch_axis": None},
                      jax.nn.initializers.lecun_uniform()),
    "vs_fan_out_0.3": vs(0.3, "fan_out"),
    "vs_geo_1.7": vs(1.7, "fan_geo_avg"),
    "vs_axes": vs(0.9, "fan_avg", in_axis=0, out_axis=2),
    "vs_batch": vs(2.0, "fan_in", in_axis=-2, out_axis=-1, batch_axis=0),
    "uniform_0.05": ({"type": "scaled_uniform", "scale": 0.05},
                     jax.nn.initializers.uniform(0.05)),
}


def rand_uniform(minval, maxval):
    spec = {"type": "uniform_range", "minval": minval, "maxval": maxval}
    return spec, lambda k, s, d: jax.random.uniform(k, s, d, minval, maxval)


# Python floats chosen to catch rounding conventions: the first rounds differently to bfloat16
# directly and through float32; the second likewise for float16.
TIE_BF16 = 1 + 2**-8 + 2**-30
TIE_F16 = 1 + 2**-11 + 2**-30
RANGES = [(0.0, 1.0), (-0.3, 0.7), (-1.234567, 3.3333), (0.1, 0.2), (-1e-3, 5.5),
          (-TIE_BF16, 2.0), (-TIE_F16, 0.5), (-100.0, -99.0)]


def keys():
    base = jax.random.key(0)
    return {
        "key(0)": base,
        "key(42)": jax.random.key(42),
        "key(2**32-1)": jax.random.key(2**32 - 1),
        "split(key(0),3)[1]": jax.random.split(base, 3)[1],
        "fold_in(key(7),11)": jax.random.fold_in(jax.random.key(7), 11),
        "fold_in(split(key(1))[0],2**31+3)": jax.random.fold_in(
            jax.random.split(jax.random.key(1))[0], 2**31 + 3),
        "wrap(deadbeef,01234567)": jax.random.wrap_key_data(
            jnp.array([0xDEADBEEF, 0x01234567], dtype=jnp.uint32)),
    }


SHAPES_2D = [(3, 5), (17, 33), (1, 1), (256, 384), (64, 1000)]
SHAPES_ND = [(3, 3, 16, 32), (5, 5, 3, 7), (2, 3, 4, 5), (1, 7, 9, 2)]
OFFSETS = [2**32 - 1000, 2**32, 3 * 2**32 - 77, 2**33 + 2**31 + 12345]
if QUICK:
    SHAPES_2D = [(17, 33), (64, 1000)]
    SHAPES_ND = [(5, 5, 3, 7), (2, 3, 4, 5)]
    RANGES = [(-1.234567, 3.3333), (-TIE_BF16, 2.0), (-TIE_F16, 0.5)]
    OFFSETS = [2**32 - 1000, 3 * 2**32 - 77]


def key_cases():
    out = []
    for seed in [0, 1, 42, 2**31 - 1, 2**31 + 5, 2**32 - 1, 2**40 + 5, -1, -(2**40)]:
        try:
            w = words(jax.random.key(seed))
            w2 = [int(x) for x in np.asarray(jax.random.PRNGKey(seed))]
        except Exception as e:  # noqa: BLE001 - recorded, not hidden
            out.append({"kind": "seed", "seed": seed, "error": type(e).__name__})
            continue
        assert w == w2
        out.append({"kind": "seed", "seed": seed, "words": w})
    for name, k in keys().items():
        out.append({"kind": "key", "name": name, "words": words(k)})
        out.append({"kind": "split", "key": words(k), "num": 5,
                    "words": [words(s) for s in jax.random.split(k, 5)]})
        out.append({"kind": "split2d", "key": words(k), "shape": [2, 3],
                    "words": [words(s) for s in jax.random.split(k, (2, 3)).reshape(-1)]})
        for d in [0, 1, 12345, 2**31, 2**32 - 1]:
            out.append({"kind": "fold_in", "key": words(k), "data": d,
                        "words": words(jax.random.fold_in(k, d))})
    return out


def value_cases(dtypes, all_keys=True):
    """Every initializer and range on key(0); a few of each on the other keys."""
    out = []
    ks = keys()
    if not all_keys:
        ks = {n: ks[n] for n in ["key(0)", "fold_in(split(key(1))[0],2**31+3)"]}

    def case(what, spec, f, k, shape, dname):
        out.append({"kind": "values", "what": what, "init": spec, "key": words(k),
                    "shape": list(shape), "dtype": dname, **encode(f(k, shape, DTYPES[dname]))})

    for dname in dtypes:
        for kname, k in ks.items():
            full = kname == "key(0)"
            for iname, (spec, f) in INITS.items():
                if not full and iname not in ("glorot_uniform", "he_uniform"):
                    continue
                shapes = SHAPES_2D + SHAPES_ND if full else [(17, 33), (5, 5, 3, 7)]
                if iname in ("vs_axes", "vs_batch"):
                    shapes = SHAPES_ND
                for shape in shapes:
                    case(iname, spec, f, k, shape, dname)
            for lo, hi in RANGES if full else RANGES[1:3] if not QUICK else RANGES[:1]:
                spec, f = rand_uniform(lo, hi)
                for shape in [(4096,), (7,), (33, 65), (2, 3, 5, 7)] if full and not QUICK \
                        else [(33, 65)]:
                    case("random.uniform", spec, f, k, shape, dname)
        # A scalar and 1-D vectors through jax.random.uniform's default range.
        spec, f = rand_uniform(0.0, 1.0)
        for shape in [(), (1,), (1000,)]:
            case("random.uniform", spec, f, ks["key(0)"], shape, dname)
        # One large tensor per dtype.
        spec, f = INITS["glorot_uniform"]
        case("glorot_uniform", spec, f, ks["key(0)"], (1024, 1536), dname)
    return out


def iota_windows():
    """jax's own counters for huge shapes, evaluated on windows (XLA fuses the slice)."""
    out = []
    for shape, start, stop in [((2**32 + 2**31,), 2**32 - 4, 2**32 + 4),
                               ((7, 5, 2**31), None, None)]:
        if start is None:
            f = jax.jit(lambda: [c[5, 3, 2**31 - 4:] for c in prng.iota_2x32_shape(shape)])
            first = (5 * 5 + 3) * 2**31 + 2**31 - 4
        else:
            f = jax.jit(lambda: [c[start:stop] for c in prng.iota_2x32_shape(shape)])
            first = start
        hi, lo = (np.asarray(x) for x in f())
        out.append({"kind": "iota", "shape": list(shape), "first": first,
                    "hi": [int(x) for x in hi], "lo": [int(x) for x in lo]})
    return out


def window_cases(dtypes):
    """Values of tensors with > 2**32 elements at offsets near and across multiples of 2**32."""
    real = prng.iota_2x32_shape
    out = []
    ks = keys()
    for dname in dtypes:
        dt = DTYPES[dname]
        for offset in OFFSETS:
            def shifted(shape, offset=offset):
                n = int(np.prod(shape))
                idx = np.arange(n, dtype=np.uint64) + np.uint64(offset)
                hi = jnp.asarray((idx >> np.uint64(32)).astype(np.uint32).reshape(shape))
                lo = jnp.asarray((idx & np.uint64(0xFFFFFFFF)).astype(np.uint32).reshape(shape))
                return [hi, lo]
            jax.clear_caches()
            prng.iota_2x32_shape = shifted
            try:
                k = ks["fold_in(key(7),11)"]
                spec, f = rand_uniform(-0.3, 0.7)
                u = f(k, (2000,), dt)
                # A batched kernel (B, 32, 48) with batch_axis=0: its fans do not depend on B,
                # so the window (2000 // 1536 + 1 rows) has the fans of the huge tensor.
                spec_vs, fvs = INITS["vs_batch"]
                w = fvs(k, (2, 32, 48), dt)
            finally:
                prng.iota_2x32_shape = real
                jax.clear_caches()
            out.append({"kind": "window", "what": "random.uniform", "init": spec,
                        "key": words(k), "full_shape": [2**34], "offset": offset,
                        "dtype": dname, **encode(u)})
            out.append({"kind": "window", "what": "vs_batch", "init": spec_vs,
                        "key": words(k), "full_shape": [2**24, 32, 48], "offset": offset,
                        "dtype": dname, **encode(w)})
    return out


def main():
    if X64:
        cases = key_cases() + value_cases(["float64"]) \
            + value_cases(["float32", "bfloat16", "float16"], all_keys=False) \
            + window_cases(["float64"])
        for c in cases:
            c["x64"] = True
        json.dump(cases, sys.stdout)
        return
    path = ARGS[0]
    cases = key_cases() + value_cases(["float32", "bfloat16", "float16"]) + iota_windows() \
        + window_cases(["float32", "bfloat16", "float16"])
    for c in cases:
        c["x64"] = False
    env = dict(os.environ, JAX_ENABLE_X64="1")
    r = subprocess.run([sys.executable, __file__] + (["--quick"] if QUICK else []), env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        sys.exit("the JAX_ENABLE_X64=1 run failed")
    cases += json.loads(r.stdout)
    with open(path, "w") as fh:
        json.dump({"jax": jax.__version__, "quick": QUICK, "cases": cases}, fh,
                  separators=(",", ":"))
        fh.write("\n")
    print(f"{path}: {len(cases)} cases from jax {jax.__version__}")


if __name__ == "__main__":
    main()
