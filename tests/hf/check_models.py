"""Checks glorot-written Hugging Face model directories with transformers itself.

Usage: check_models.py MANIFEST.json

The manifest is a list of cases: {"name", "dir", "dtype": "float32"|"bfloat16", "forward": bool,
"fidelity": [dirs written from the same config with other seeds] (may be empty),
"same_as": optional dir whose tensors must be bit-identical}.

For every case:
1. `AutoModelForCausalLM.from_pretrained(dir, output_loading_info=True)` reports no missing,
   unexpected or mismatched keys and no error messages, and the parameters have the dtype asked.
2. The file holds exactly the names, shapes and dtype that `save_pretrained` of transformers' own
   `from_config` model writes (so: no `lm_head.weight` when tied, no buffers).
3. The loaded parameters equal the file's bits (nothing was re-initialized on load); a tied head
   equals the embedding.
4. Optionally, a forward pass gives finite logits with a spread above zero.
5. Semantic fidelity, when `fidelity` dirs are given: per tensor, pooled over the seeds, against
   transformers' own init pooled over as many `from_config` models (torch seeds 0..):
   constants exactly equal, the same all-zero rows (padding_idx), a two-sample
   Kolmogorov-Smirnov test at alpha = 1e-6, and std within 2 %.
Prints one line per case; exits non-zero listing every failure.
"""

import json
import math
import os
import sys
import tempfile

import torch
import transformers
from safetensors import safe_open
from transformers import AutoConfig, AutoModelForCausalLM

transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
torch.set_num_threads(1)

# GPT-NeoX's head is `lm_head` in the module tree, `embed_out` in saved files.
RENAMED = {"embed_out.weight": "lm_head.weight"}
KS_C = math.sqrt(-0.5 * math.log(1e-6 / 2))  # c(alpha) of the two-sample KS test, alpha = 1e-6


def read_dir(d):
    """All tensors of a model directory (single file or index), as {name: tensor}."""
    files = [os.path.join(d, "model.safetensors")]
    idx = os.path.join(d, "model.safetensors.index.json")
    if os.path.exists(idx):
        with open(idx) as fh:
            index = json.load(fh)
        assert set(index) >= {"metadata", "weight_map"}, sorted(index)
        files = sorted({os.path.join(d, f) for f in index["weight_map"].values()})
    out, meta = {}, []
    for f in files:
        with safe_open(f, "pt") as fh:
            meta.append(fh.metadata())
            for k in fh.keys():
                assert k not in out, "duplicate " + k
                out[k] = fh.get_tensor(k)
    assert all(m == {"format": "pt"} for m in meta), meta
    if os.path.exists(idx):
        total = sum(t.numel() * t.element_size() for t in out.values())
        assert index["metadata"]["total_size"] == total, (index["metadata"], total)
        assert set(index["weight_map"]) == set(out), "index names differ from the files'"
    return out


def reference_layout(config):
    """Names/shapes `save_pretrained` writes for transformers' own model of `config`."""
    torch.manual_seed(0)
    ref = AutoModelForCausalLM.from_config(config)
    with tempfile.TemporaryDirectory() as t:
        ref.save_pretrained(t)
        saved = read_dir(t)
    return {k: tuple(v.shape) for k, v in saved.items()}


def ks_statistic(a, b):
    a, _ = torch.sort(a)
    b, _ = torch.sort(b)
    allv = torch.cat([a, b])
    ca = torch.searchsorted(a, allv, right=True).double() / a.numel()
    cb = torch.searchsorted(b, allv, right=True).double() / b.numel()
    return (ca - cb).abs().max().item()


def zero_rows(t):
    if t.dim() != 2:
        return []
    return torch.nonzero((t == 0).all(dim=1)).flatten().tolist()


def fidelity(config, dirs, problems, name):
    ours = [read_dir(d) for d in dirs]
    refs = []
    for s in range(len(dirs)):
        torch.manual_seed(s)
        m = AutoModelForCausalLM.from_config(config)
        sd = m.state_dict()
        refs.append({k: sd[RENAMED.get(k, k)].detach().double() for k in ours[0]})
    checked = 0
    for k in ours[0]:
        o = [x[k].double() for x in ours]
        r = [x[k] for x in refs]
        r_const = all(torch.unique(x).numel() == 1 for x in r) and len({x.flatten()[0].item() for x in r}) == 1
        if r_const:
            c = r[0].flatten()[0].item()
            if not all(bool((x == c).all()) for x in o):
                problems.append(f"{name}: {k}: transformers gives the constant {c}, glorot does not")
            checked += 1
            continue
        zr, zo = zero_rows(r[0]), [zero_rows(x) for x in o]
        if any(z != zr for z in zo):
            problems.append(f"{name}: {k}: all-zero rows {zo[0]} (glorot) vs {zr} (transformers)")
        keep = [i for i in range(r[0].shape[0]) if i not in zr] if zr else None
        flat = lambda xs: torch.cat([(x[keep] if keep else x).flatten() for x in xs])
        a, b = flat(o), flat(r)
        d = ks_statistic(a, b)
        crit = KS_C * math.sqrt((a.numel() + b.numel()) / (a.numel() * b.numel()))
        if d > crit:
            problems.append(f"{name}: {k}: KS D = {d:.4f} > {crit:.4f} (n = {a.numel()})")
        sa, sb = a.std().item(), b.std().item()
        if abs(sa / sb - 1) > 0.02:
            problems.append(f"{name}: {k}: std {sa:.6f} (glorot) vs {sb:.6f} (transformers)")
        checked += 1
    return checked


def check(case, problems):
    name, d = case["name"], case["dir"]
    dtype = getattr(torch, case["dtype"])
    config = AutoConfig.from_pretrained(d)
    model, info = AutoModelForCausalLM.from_pretrained(d, torch_dtype=dtype, output_loading_info=True)
    for key in ("missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"):
        if info.get(key):
            problems.append(f"{name}: {key}: {sorted(info[key])[:8]}")
    bad = {n: p.dtype for n, p in model.named_parameters() if p.dtype != dtype}
    if bad:
        problems.append(f"{name}: parameters not in {dtype}: {list(bad.items())[:4]}")

    on_disk = read_dir(d)
    layout = {k: tuple(v.shape) for k, v in on_disk.items()}
    want = reference_layout(config)
    if layout != want:
        extra = sorted(set(layout) - set(want))
        missing = sorted(set(want) - set(layout))
        shapes = [(k, layout[k], want[k]) for k in set(layout) & set(want) if layout[k] != want[k]]
        problems.append(f"{name}: layout differs from save_pretrained: extra {extra[:5]}, missing {missing[:5]}, shapes {shapes[:5]}")
    file_dtypes = {t.dtype for t in on_disk.values()}
    if file_dtypes != {dtype}:
        problems.append(f"{name}: file dtypes {file_dtypes}, expected {dtype}")

    sd = model.state_dict()
    for k, t in on_disk.items():
        loaded = sd.get(RENAMED.get(k, k))
        if loaded is None or not torch.equal(loaded, t):
            problems.append(f"{name}: {k}: loaded value differs from the file")
    if config.tie_word_embeddings:
        emb, head = model.get_input_embeddings().weight, model.get_output_embeddings().weight
        if not torch.equal(emb, head):
            problems.append(f"{name}: tied head differs from the embedding")

    if case["forward"]:
        ids = torch.randint(0, config.vocab_size, (2, 12), generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            logits = model(input_ids=ids).logits.float()
        if not torch.isfinite(logits).all():
            problems.append(f"{name}: non-finite logits")
        elif logits.std().item() <= 0:
            problems.append(f"{name}: constant logits")
    if case.get("same_as"):
        other = read_dir(case["same_as"])
        if set(other) != set(on_disk) or any(not torch.equal(other[k], on_disk[k]) for k in other):
            problems.append(f"{name}: differs from {case['same_as']}")
    checked = fidelity(config, case["fidelity"], problems, name) if case["fidelity"] else 0
    print(f"  {name}: {len(on_disk)} tensors, {case['dtype']}, fidelity over {len(case['fidelity'])} seeds: {checked} tensors")


def main():
    with open(sys.argv[1]) as fh:
        cases = json.load(fh)
    print(f"torch {torch.__version__}, transformers {transformers.__version__}")
    problems = []
    for case in cases:
        before = len(problems)
        try:
            check(case, problems)
        except Exception as e:  # report every case, not just the first that raises
            problems.append(f"{case['name']}: {type(e).__name__}: {e}")
        for p in problems[before:]:
            print("  FAIL " + p)
    if problems:
        sys.exit(f"{len(problems)} problem(s)")


main()
