"""The GPT-2 presets as GPT2LMHeadModel loads them.

Usage: check_gpt2_presets.py GPT2_DIR_F32 GPT2_DIR_BF16 GPT2_XL_BF16.safetensors

- gpt2 (f32 model directory): from_pretrained reports no missing/unexpected/mismatched keys,
  and `GPT2LMHeadModel(config).load_state_dict(file + tied lm_head, strict=True)` succeeds;
  the attn.c_proj / mlp.c_proj std is 0.02/sqrt(24) (HF's residual scaling), the rest 0.02.
- gpt2 (bf16 model directory): from_pretrained(torch_dtype=torch.bfloat16) loads, values intact.
- gpt2-xl (bf16 bare file, read as a header only): names and shapes equal the state_dict of
  GPT2LMHeadModel(config) built on the meta device, minus the tied lm_head.weight.
"""

import json
import math
import struct
import sys

import torch
import transformers
from safetensors.torch import load_file
from transformers import GPT2Config, GPT2LMHeadModel

transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
small, small_bf16, xl_file = sys.argv[1:4]
problems = []

model, info = GPT2LMHeadModel.from_pretrained(small, output_loading_info=True)
for k in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
    if info.get(k):
        problems.append(f"gpt2: {k} {sorted(info[k])[:5]}")
sd = load_file(small + "/model.safetensors")
if "lm_head.weight" in sd or any(k.endswith(".attn.bias") for k in sd):
    problems.append("gpt2: lm_head.weight or an attn.bias buffer was written")
strict = GPT2LMHeadModel(GPT2Config.from_pretrained(small))
sd_tied = dict(sd, **{"lm_head.weight": sd["transformer.wte.weight"]})
strict.load_state_dict(sd_tied, strict=True)  # raises on any name or shape difference
n = sum(t.numel() for t in sd.values())
if n != 124_439_808 or len(sd) != 148:
    problems.append(f"gpt2: {n} parameters in {len(sd)} tensors")
for k, t in sd.items():
    if t.dim() == 2:
        want = 0.02 / math.sqrt(24) if k.endswith("c_proj.weight") else 0.02
        if abs(t.double().std().item() / want - 1) > 0.02:
            problems.append(f"gpt2: {k} std {t.double().std().item():.5f}, want {want:.5f}")
with torch.no_grad():
    logits = model(torch.arange(16).view(1, 16)).logits
if not torch.isfinite(logits).all() or logits.std().item() == 0:
    problems.append("gpt2: logits not finite or constant")

m16 = GPT2LMHeadModel.from_pretrained(small_bf16, torch_dtype=torch.bfloat16)
sd16 = load_file(small_bf16 + "/model.safetensors")
for k, t in sd16.items():
    p = m16.state_dict()[k]
    if p.dtype != torch.bfloat16 or not torch.equal(p, t):
        problems.append(f"gpt2 bf16: {k} not loaded as written")
        break

with open(xl_file, "rb") as fh:
    (n,) = struct.unpack("<Q", fh.read(8))
    header = json.loads(fh.read(n))
header.pop("__metadata__", None)
got = {k: tuple(v["shape"]) for k, v in header.items()}
xl = GPT2Config(n_embd=1600, n_layer=48, n_head=25)
with torch.device("meta"):
    ref = GPT2LMHeadModel(xl)
want = {k: tuple(v.shape) for k, v in ref.state_dict().items() if k != "lm_head.weight"}
if got != want:
    problems.append(f"gpt2-xl: names/shapes differ: extra {sorted(set(got) - set(want))[:4]}, missing {sorted(set(want) - set(got))[:4]}, shapes {[(k, got[k], want[k]) for k in set(got) & set(want) if got[k] != want[k]][:4]}")
if {v["dtype"] for v in header.values()} != {"BF16"}:
    problems.append("gpt2-xl: not bf16")
print(f"gpt2: strict load OK, {len(sd)} tensors; gpt2 bf16 OK; gpt2-xl: {len(got)} names/shapes checked")
if problems:
    sys.exit("\n".join(problems))
