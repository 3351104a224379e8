"""Batch speed at 500k records against a baseline measured in the same run (the machine is shared and noisy).

    .venv/bin/python -m bench.namayose.speed --baseline /path/to/a/checkout/of/an/earlier/commit

Runs the batch of this checkout and of the baseline checkout (e.g. the main branch before issue 16) on the
same generated records, one process each, alternating `--rounds` times; reports wall-clock and CPU records/s
of each and their ratio. Both are end to end from the text as entered (the baseline had no learning step).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

_CHILD = r"""
import gc, json, os, sys, time
from bench.namayose.generate import Generator
from tsunagu.identity import batch
records = Generator(int(sys.argv[2])).records(int(sys.argv[1]))
gc.collect()
load = os.getloadavg()[0]
cpu0, t0 = time.process_time(), time.perf_counter()
c = batch.Columns.of_raw([r.rid for r in records], names=[r.name for r in records], kanas=[r.kana for r in records],
                         births=[r.birth for r in records], addresses=[r.address for r in records],
                         phones=[r.phone for r in records], sexes=[r.sex for r in records], drop_prefixes=("射水市",))
result = batch.match_columns(c, households=True)
wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
print(json.dumps({"records": len(records), "wall": wall, "cpu": cpu, "pairs": len(result.pairs), "load": load}))
"""


def run(checkout: Path, size: int, seed: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(checkout), DJANGO_SETTINGS_MODULE="tsunagu.settings")
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(size), str(seed)], cwd=checkout, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", type=Path, required=True)
    ap.add_argument("--baseline-label", default="")
    ap.add_argument("--size", type=int, default=500_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    rows = []
    for k in range(args.rounds):
        for label, checkout in (("this", ROOT), ("baseline", args.baseline)):
            r = run(checkout, args.size, args.seed)
            r["which"], r["round"] = label, k + 1
            rows.append(r)
            print(f"[{time.strftime('%H:%M:%S')}] {label}: {r['records'] / r['wall']:,.0f} records/s wall, "
                  f"{r['records'] / r['cpu']:,.0f} per CPU second (load {r['load']:.2f})", flush=True)

    def best(which, key):
        return max(r["records"] / r[key] for r in rows if r["which"] == which)

    out = {"size": args.size, "seed": args.seed, "baseline": args.baseline_label or str(args.baseline), "runs": rows,
           "this_wall": best("this", "wall"), "baseline_wall": best("baseline", "wall"),
           "this_cpu": best("this", "cpu"), "baseline_cpu": best("baseline", "cpu"),
           "command": "python -m bench.namayose.speed " + shlex.join(sys.argv[1:])}
    out["ratio_wall"] = out["this_wall"] / out["baseline_wall"]
    out["ratio_cpu"] = out["this_cpu"] / out["baseline_cpu"]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"speed-{args.size}.json").write_text(json.dumps(out, indent=1))
    print(json.dumps({k: v for k, v in out.items() if k != "runs"}, indent=1))


if __name__ == "__main__":
    main()
