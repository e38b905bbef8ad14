"""Runs the README's `--spec` recipe, verbatim, on a real torch model with a Conv2d, a BatchNorm,
LayerNorms, Linears, an Embedding with a padding index and a head tied to it; writes the file with
`glorot init --spec`; loads it with the README's loading block; then checks the model is a
correct PyTorch-default model:

- norms: weight exactly 1, bias exactly 0 (the old recipe zeroed every 1-D parameter, and the
  LayerNorms with it);
- BatchNorm buffers keep their constructed values; the tied head is the embedding;
- every random tensor against PyTorch's own `reset_parameters` of a fresh copy of the model:
  two-sample KS at alpha = 1e-6, and bounds (|w| <= 1/sqrt(fan_in) for Linear/Conv weights and biases);
- the forward pass gives finite outputs that are not constant.

Usage: spec_recipe.py README.md GLOROT_BINARY WORKDIR
"""

import math
import os
import re
import subprocess
import sys

import torch
import torch.nn as nn

readme, glorot, work = sys.argv[1:4]
blocks = re.findall(r"```python\n(.*?)```", open(readme).read(), re.S)
spec_block = next(b for b in blocks if "def glorot_spec" in b)
load_block = next(b for b in blocks if "load_state_dict(sd, strict=False)" in b)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3)
        self.bn = nn.BatchNorm2d(16)
        self.emb = nn.Embedding(500, 64, padding_idx=1)
        self.ln = nn.LayerNorm(64)
        self.fc1 = nn.Linear(64 + 16, 256)
        self.fc2 = nn.Linear(256, 64)
        self.ln_f = nn.LayerNorm(64)
        self.head = nn.Linear(64, 500, bias=False)
        self.head.weight = self.emb.weight  # tied

    def forward(self, img, ids):
        c = torch.relu(self.bn(self.conv(img))).mean(dim=(2, 3))  # (B, 16)
        x = self.ln(self.emb(ids)).mean(dim=1)  # (B, 64)
        h = torch.relu(self.fc1(torch.cat([x, c], dim=1)))
        return self.head(self.ln_f(self.fc2(h)))


torch.manual_seed(0)
model = Net()
reference = Net()  # PyTorch's own defaults, to compare distributions with
os.chdir(work)
# The README's spec block, verbatim (it writes model.json for `model`).
exec(spec_block, {"model": model})
subprocess.run([glorot, "init", "--spec", "model.json", "--out", "model.safetensors", "--seed", "3", "--quiet"], check=True)
with torch.no_grad():  # make sure everything checked below came from the file
    for p in model.parameters():
        p.fill_(float("nan"))
ns = {"model": model, "nn": nn}
exec(load_block, ns)
missing = set(ns["missing"])

problems = []
# (BatchNorm fills in a missing num_batches_tracked itself, so torch does not report it.)
expect_missing = {"head.weight", "bn.running_mean", "bn.running_var"}
if missing != expect_missing:
    problems.append(f"missing keys {sorted(missing)}, expected {sorted(expect_missing)}")
if model.head.weight is not model.emb.weight:
    problems.append("the head is no longer tied")
for n, p in model.named_parameters():
    if not torch.isfinite(p).all():
        problems.append(f"{n}: not loaded (NaN left)")
for n in ["ln.weight", "ln_f.weight", "bn.weight"]:
    if not bool((model.get_parameter(n) == 1).all()):
        problems.append(f"{n} is not all ones")
for n in ["ln.bias", "ln_f.bias", "bn.bias"]:
    if not bool((model.get_parameter(n) == 0).all()):
        problems.append(f"{n} is not all zeros")
if not (bool((model.bn.running_mean == 0).all()) and bool((model.bn.running_var == 1).all())):
    problems.append("BatchNorm running statistics changed")
if not bool((model.emb.weight[1] == 0).all()) or bool((model.emb.weight[0] == 0).all()):
    problems.append("padding row not zeroed (or another row zeroed)")

c_alpha = math.sqrt(-0.5 * math.log(1e-6 / 2))
for n, p in model.named_parameters():
    a, b = p.detach().flatten().double(), reference.get_parameter(n).detach().flatten().double()
    if torch.unique(b).numel() == 1:
        continue
    if n == "emb.weight":  # the padding row is zero on both sides
        a, b = a[a != 0], b[b != 0]
    sa, sb = torch.sort(a)[0], torch.sort(b)[0]
    allv = torch.cat([sa, sb])
    d = (torch.searchsorted(sa, allv, right=True) / sa.numel() - torch.searchsorted(sb, allv, right=True) / sb.numel()).abs().max().item()
    crit = c_alpha * math.sqrt((a.numel() + b.numel()) / (a.numel() * b.numel()))
    if d > crit:
        problems.append(f"{n}: KS D = {d:.3f} > {crit:.3f} against PyTorch's own init")
    mod = model.get_submodule(n.rsplit(".", 1)[0])
    if isinstance(mod, (nn.Linear, nn.Conv2d)) and n != "head.weight":
        fan_in, _ = nn.init._calculate_fan_in_and_fan_out(mod.weight)
        if a.abs().max().item() > 1 / math.sqrt(fan_in):
            problems.append(f"{n}: outside PyTorch's bound 1/sqrt({fan_in})")

with torch.no_grad():
    out = model.eval()(torch.randn(4, 3, 8, 8), torch.randint(0, 500, (4, 7)))
if not torch.isfinite(out).all() or out.std().item() == 0:
    problems.append("forward output is not finite or is constant")

print(f"README recipe: {len(ns['sd'])} tensors written, missing after load {sorted(missing)}")
if problems:
    sys.exit("\n".join(problems))
