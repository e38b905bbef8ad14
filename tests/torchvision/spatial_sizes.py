"""Output sizes of PyTorch modules on zeros, against the widths network! computed.

usage: spatial_sizes.py CASES.json; each case {"input": [C, ...], "modules": "nn.Conv2d(...), ...",
"width": N}: the flattened output of nn.Sequential(modules) on a zero batch of one must have
N features.
"""
import json
import sys

import torch
from torch import nn

bad = []
cases = json.load(open(sys.argv[1]))
for c in cases:
    m = eval("nn.Sequential(" + c["modules"] + ")")
    with torch.no_grad():
        y = m(torch.zeros(1, *c["input"]))
    got = y.flatten(1).shape[1]
    if got != c["width"]:
        bad.append(f"{c['modules']} on {c['input']}: torch gives {got}, network! {c['width']}")
print(f"{len(cases) - len(bad)} of {len(cases)} spatial cases agree with torch")
if bad:
    print("\n".join(bad))
    sys.exit(1)
