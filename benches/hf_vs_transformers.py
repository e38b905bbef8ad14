#!/usr/bin/env python3
"""A randomly initialized checkpoint on disk, three ways, side by side in one run:

1. transformers: `AutoModelForCausalLM.from_config(config, dtype=...)` (its own `_init_weights`)
   + `save_pretrained(dir)` + `os.sync()`, in a fresh Python process;
2. glorot: `glorot init --hf-config config.json --out DIR/ --dtype ...` (fsync included);
3. `dd bs=16M conv=fsync` of the same bytes: once from `/dev/zero` (the issue's baseline),
   once from `/dev/zero` with `oflag=direct` (no page cache: the disk's own speed), and once
   copying the files glorot just wrote (the same data; glorot writes with O_DIRECT, so this
   copy also reads them back from the disk — an upper bound, not a like-for-like baseline).

Rounds are interleaved (`--rounds`, default 3: glorot, dd copy, dd zeros, and transformers in
the first `--transformers-rounds`), and the table reports the median and every round.

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
import statistics
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


def safetensors_files(path):
    """The .safetensors files glorot wrote at `path` (a model directory or one file)."""
    if os.path.isfile(path.rstrip("/")):
        return [path.rstrip("/")]
    return sorted(os.path.join(root, f) for root, _, fs in os.walk(path) for f in fs if f.endswith(".safetensors"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    ap.add_argument("--glorot", default="target/release/glorot")
    ap.add_argument("--glorot-args", default=None)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--skip-transformers", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds of glorot and dd (median reported)")
    ap.add_argument("--transformers-rounds", type=int, default=1, help="rounds that also run transformers")
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

    def glorot_once():
        g_out = os.path.join(base, "glorot") + "/"
        if a.glorot_args:
            g_cmd = [a.glorot] + a.glorot_args.format(config=cfg_path, out=g_out, dtype=short).split()
        else:
            g_cmd = [a.glorot, "init", "--hf-config", cfg_path, "--out", g_out, "--dtype", short, "--quiet"]
        wall, rss, _ = timed(g_cmd)
        files = safetensors_files(g_out)
        nbytes = sum(os.path.getsize(f) for f in files)
        return " ".join(g_cmd[1:]).replace(base, "$D"), wall, rss, nbytes, g_out, files

    def remove_glorot(g_out):
        shutil.rmtree(g_out, ignore_errors=True)
        if os.path.isfile(g_out.rstrip("/")):
            os.remove(g_out.rstrip("/"))

    def dd_zeros(nbytes, direct=False):
        dd_out = os.path.join(base, "dd.bin")
        bs = 16 << 20
        count, rest = divmod(nbytes, bs)
        flags = ["oflag=direct"] if direct else []
        wall, rss, _ = timed(["dd", "if=/dev/zero", f"of={dd_out}", f"bs={bs}", f"count={count}", "conv=fsync", "status=none"] + flags)
        if rest:  # the tail, appended and synced (well under a second)
            t0 = time.perf_counter()
            with open(dd_out, "ab") as fh:
                fh.write(b"\0" * rest)
                fh.flush()
                os.fsync(fh.fileno())
            wall += time.perf_counter() - t0
        os.remove(dd_out)
        return wall, rss

    def dd_copy(files):
        """dd of glorot's own bytes to new files (read back from disk when glorot wrote them with O_DIRECT)."""
        wall, rss = 0.0, 0
        for i, f in enumerate(files):
            dd_out = os.path.join(base, f"copy-{i}.bin")
            w, r, _ = timed(["dd", f"if={f}", f"of={dd_out}", "bs=16M", "conv=fsync", "status=none"])
            wall += w
            rss = max(rss, r or 0)
            os.remove(dd_out)
        return wall, rss

    g_walls, z_walls, c_walls, d_walls, t_walls = [], [], [], [], []
    g_rss = z_rss = c_rss = d_rss = t_rss = None
    t_note, t_bytes, g_name, nbytes = "", 0, "", 0
    try:
        for r in range(a.rounds):
            # Interleaved rounds: drift of the shared disk hits every side alike.
            g_name, wall, g_rss, nbytes, g_out, files = glorot_once()
            g_walls.append(wall)
            wall, c_rss = dd_copy(files)
            c_walls.append(wall)
            if not a.keep or r + 1 < a.rounds:
                remove_glorot(g_out)
            os.sync()
            wall, z_rss = dd_zeros(nbytes)
            z_walls.append(wall)
            os.sync()
            wall, d_rss = dd_zeros(nbytes, direct=True)
            d_walls.append(wall)
            if not a.skip_transformers and r < a.transformers_rounds:
                t_out = os.path.join(base, "transformers")
                wall, t_rss, out = timed([sys.executable, "-c", TRANSFORMERS_CHILD, cfg_dir, t_out, a.dtype])
                t_walls.append(wall)
                t_note = next((l for l in out.splitlines() if l.startswith("TIMES")), "")[6:]
                t_bytes = safetensors_bytes(t_out)
                if not a.keep:
                    shutil.rmtree(t_out, ignore_errors=True)
            os.sync()
    finally:
        if not a.keep:
            shutil.rmtree(base, ignore_errors=True)

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"config {a.config}, {a.dtype}; {cpu}, {os.cpu_count()} CPUs; {a.rounds} interleaved rounds; "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print("| what | median wall s | every round, s | peak RSS | bytes |")
    print("|---|---|---|---|---|")

    def row(name, walls, rss, nb, note=""):
        r = f"{rss / 2**20:.0f} MiB" if rss else "?"
        each = ", ".join(f"{w:.1f}" for w in walls)
        print(f"| {name} | {statistics.median(walls):.2f} | {each} | {r} | {nb:,} |{(' ' + note) if note else ''}")

    row("glorot " + g_name, g_walls, g_rss, nbytes)
    row("dd copy of glorot's files (reads them back too), bs=16M conv=fsync", c_walls, c_rss, nbytes)
    row("dd if=/dev/zero bs=16M conv=fsync", z_walls, z_rss, nbytes)
    row("dd if=/dev/zero bs=16M conv=fsync oflag=direct", d_walls, d_rss, nbytes)
    if t_walls:
        row("transformers from_config + save_pretrained + sync", t_walls, t_rss, t_bytes, t_note)
    g = statistics.median(g_walls)
    print(f"glorot / dd copy of its files = {g / statistics.median(c_walls):.2f}")
    print(f"glorot / dd of zeros = {g / statistics.median(z_walls):.2f}")
    print(f"glorot / dd of zeros, oflag=direct = {g / statistics.median(d_walls):.2f}")
    if t_walls:
        print(f"transformers / glorot = {statistics.median(t_walls) / g:.2f}")


if __name__ == "__main__":
    main()
