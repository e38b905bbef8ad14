#!/usr/bin/env python3
"""A randomly initialized checkpoint on disk, three ways, side by side in one run:

1. transformers: `AutoModelForCausalLM.from_config(config, dtype=...)` (its own `_init_weights`)
   + `save_pretrained(dir)` + `os.sync()`, in a fresh Python process;
2. glorot: `glorot init --hf-config config.json --out DIR/ --dtype ...` (fsync included);
3. `dd if=/dev/zero bs=16M conv=fsync` of as many bytes as glorot wrote.

Each side runs as its own child process; wall time from start to exit, peak RSS of that child
from GNU time (`/usr/bin/time -f %M`). Prints a table and the ratios transformers/glorot and glorot/dd.

    python3 benches/hf_vs_transformers.py --config gpt2-xl --dtype float32
    python3 benches/hf_vs_transformers.py --config llama-7b --dtype bfloat16
    python3 benches/hf_vs_transformers.py --config path/to/config.json --dtype bfloat16 --skip-transformers

`--config` takes a config.json path or one of the built-in names below. `--glorot` names the
binary (default: target/release/glorot); `--glorot-args` replaces the glorot command line
(`{config}`, `{out}` and `{dtype}` are substituted), e.g. to time a `--model` preset.
Outputs go under `--dir` (default: a temporary directory on the current filesystem) and are
removed after each measurement. Needs about 3x the checkpoint in free disk space only if
`--keep` is given; otherwise 1x.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CONFIGS = {
    # GPT-2 XL (openai-community/gpt2-xl): 1,557,611,200 parameters, tied head.
    "gpt2-xl": {"model_type": "gpt2", "vocab_size": 50257, "n_embd": 1600, "n_layer": 48,
                "n_head": 25, "n_positions": 1024},
    "gpt2": {"model_type": "gpt2", "vocab_size": 50257, "n_embd": 768, "n_layer": 12,
             "n_head": 12, "n_positions": 1024},
    # LLaMA-7B: 6,738,415,616 parameters, untied head.
    "llama-7b": {"model_type": "llama", "vocab_size": 32000, "hidden_size": 4096,
                 "intermediate_size": 11008, "num_hidden_layers": 32,
                 "num_attention_heads": 32, "num_key_value_heads": 32},
}

TRANSFORMERS_CHILD = r"""
import os, sys, time, torch
from transformers import AutoConfig, AutoModelForCausalLM
import transformers
transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
cfg_dir, out, dtype = sys.argv[1], sys.argv[2], getattr(torch, sys.argv[3])
config = AutoConfig.from_pretrained(cfg_dir)
t0 = time.perf_counter()
model = AutoModelForCausalLM.from_config(config, dtype=dtype)
t1 = time.perf_counter()
model.save_pretrained(out)
t2 = time.perf_counter()
os.sync()
t3 = time.perf_counter()
print(f"TIMES init={t1 - t0:.2f} save={t2 - t1:.2f} sync={t3 - t2:.2f} torch={torch.__version__} transformers={transformers.__version__} threads={torch.get_num_threads()}")
"""


def run(cmd):
    """Runs `cmd`; returns (wall seconds, peak RSS bytes, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{out}\n{err}")
    return wall, out, err


def timed(cmd):
    """`run` under GNU time, for the child's own peak RSS (kB → bytes)."""
    if os.path.exists("/usr/bin/time"):
        wall, out, err = run(["/usr/bin/time", "-f", "MAXRSS_KB %M"] + cmd)
        rss = None
        for line in err.splitlines():
            if line.startswith("MAXRSS_KB "):
                rss = int(line.split()[1]) * 1024
        return wall, rss, out
    wall, out, _ = run(cmd)
    return wall, None, out


def safetensors_bytes(path):
    """Bytes of the .safetensors files under `path` (config.json and the index not counted)."""
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files if f.endswith(".safetensors"))
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    ap.add_argument("--glorot", default="target/release/glorot")
    ap.add_argument("--glorot-args", default=None)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--skip-transformers", action="store_true")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()

    base = tempfile.mkdtemp(prefix="glorot-hf-bench-", dir=a.dir or os.getcwd())
    cfg_dir = os.path.join(base, "config")
    os.makedirs(cfg_dir)
    if a.config in CONFIGS:
        config = CONFIGS[a.config]
    else:
        with open(a.config) as fh:
            config = json.load(fh)
    cfg_path = os.path.join(cfg_dir, "config.json")
    with open(cfg_path, "w") as fh:
        json.dump(config, fh, indent=2)
    short = {"float32": "f32", "bfloat16": "bf16", "float16": "f16"}[a.dtype]

    rows = []
    try:
        # glorot
        g_out = os.path.join(base, "glorot") + "/"
        if a.glorot_args:
            g_cmd = [a.glorot] + a.glorot_args.format(config=cfg_path, out=g_out, dtype=short).split()
        else:
            g_cmd = [a.glorot, "init", "--hf-config", cfg_path, "--out", g_out, "--dtype", short, "--quiet"]
        wall, rss, _ = timed(g_cmd)
        nbytes = safetensors_bytes(g_out) if os.path.isdir(g_out) else os.path.getsize(g_out.rstrip("/"))
        rows.append(("glorot " + " ".join(g_cmd[1:]).replace(base, "$D"), wall, rss, nbytes, ""))
        if not a.keep:
            shutil.rmtree(g_out, ignore_errors=True)
            if os.path.isfile(g_out.rstrip("/")):
                os.remove(g_out.rstrip("/"))

        # dd of the same byte count
        dd_out = os.path.join(base, "dd.bin")
        bs = 16 << 20
        count, rest = divmod(nbytes, bs)
        wall, rss, _ = timed(["dd", "if=/dev/zero", f"of={dd_out}", f"bs={bs}", f"count={count}", "conv=fsync", "status=none"])
        if rest:  # the tail, appended and synced (well under a second)
            t0 = time.perf_counter()
            with open(dd_out, "ab") as fh:
                fh.write(b"\0" * rest)
                fh.flush()
                os.fsync(fh.fileno())
            wall += time.perf_counter() - t0
        rows.append(("dd if=/dev/zero bs=16M conv=fsync", wall, rss, os.path.getsize(dd_out), ""))
        os.remove(dd_out)

        # transformers
        if not a.skip_transformers:
            t_out = os.path.join(base, "transformers")
            wall, rss, out = timed([sys.executable, "-c", TRANSFORMERS_CHILD, cfg_dir, t_out, a.dtype])
            times = next((l for l in out.splitlines() if l.startswith("TIMES")), "")
            tb = safetensors_bytes(t_out)
            rows.append(("transformers from_config + save_pretrained + sync", wall, rss, tb, times[6:]))
            if not a.keep:
                shutil.rmtree(t_out, ignore_errors=True)
    finally:
        if not a.keep:
            shutil.rmtree(base, ignore_errors=True)

    print(f"config {a.config}, {a.dtype}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"| what | wall s | peak RSS | bytes | notes |")
    print(f"|---|---|---|---|---|")
    for name, wall, rss, nb, note in rows:
        r = f"{rss / 2**20:.0f} MiB" if rss is not None else "?"
        print(f"| {name} | {wall:.2f} | {r} | {nb:,} | {note} |")
    g, d = rows[0][1], rows[1][1]
    print(f"glorot / dd = {g / d:.2f}")
    if len(rows) > 2:
        print(f"transformers / glorot = {rows[2][1] / g:.2f}")


if __name__ == "__main__":
    main()
