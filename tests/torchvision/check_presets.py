"""Loads glorot's torchvision presets into torchvision's own models.

usage: check_presets.py NAME=FILE.safetensors ...

For each file: `torchvision.models.NAME()` must accept it with load_state_dict(strict=True)
(same names, same shapes, nothing missing or extra), and every tensor must look like the one
torchvision's own initialization gives the fresh model: constant tensors (zeros, ones) equal,
random ones with the same mean and standard deviation within sampling error, inside the same
range where torchvision's range is bounded (uniform and truncated normal).
"""
import math
import sys

import torch
import torchvision
from safetensors.torch import load_file

torch.manual_seed(0)
failures = []
for arg in sys.argv[1:]:
    name, path = arg.split("=", 1)
    ours = {k: v.float() for k, v in load_file(path).items()}
    model = getattr(torchvision.models, name)()
    theirs = {k: v.detach().clone() for k, v in model.state_dict().items()}
    # strict=True: raises on a missing or unexpected key or a shape mismatch.
    model.load_state_dict(ours, strict=True)
    assert sorted(ours) == sorted(theirs), name
    for key, t in theirs.items():
        o = ours[key]
        assert o.shape == t.shape, (name, key, o.shape, t.shape)
        n = t.numel()
        t_std, o_std = t.std().item() if n > 1 else 0.0, o.std().item() if n > 1 else 0.0
        if t_std == 0.0:
            if not torch.equal(o, t):
                failures.append(f"{name} {key}: constant {t.flatten()[0].item()} expected")
            continue
        # Sampling error of the std is about std/sqrt(2n); allow 6 of those (plus bf16).
        rel = 6.0 / math.sqrt(2 * n) + 0.01
        if abs(o_std / t_std - 1) > rel:
            failures.append(f"{name} {key}: std {o_std:.6g} vs torchvision's {t_std:.6g}")
        mean_tol = 6.0 * t_std / math.sqrt(n) + 1e-9
        if abs(o.mean().item() - t.mean().item()) > 2 * mean_tol:
            failures.append(f"{name} {key}: mean {o.mean().item():.3g} vs {t.mean().item():.3g}")
        # Uniform (max/std = sqrt 3; a normal sample of 1000 reaches 3 std): ours must stay inside
        # the bound torchvision's sample nearly reaches.
        t_max = t.abs().max().item()
        if n >= 1000 and t_max < 2.0 * t_std and o.abs().max().item() > t_max * 1.01 + 1e-9:
            failures.append(f"{name} {key}: max |x| {o.abs().max().item():.4g} > {t_max:.4g}")
    print(f"{name}: {len(theirs)} tensors, {sum(v.numel() for v in theirs.values()):,} "
          f"parameters load with strict=True and match torchvision's init")
    del ours, theirs, model
if failures:
    print("\n".join(failures))
    sys.exit(1)
